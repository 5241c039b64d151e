"""EXPLAIN (ANALYZE, BUFFERS) of every case: the plan saved as text, its indexes checked."""

import contextlib
import json
from pathlib import Path
from typing import Any

import asyncpg

from app.db import plans
from app.repositories.video_search import SORT_CAP
from bench.cases import Case

# The most rows a statement may sort unless its case says (Case.most_sorted: a search's largest
# cap of matches at the bench's scale, video_search.most_sorted). More means it read and sorted
# every match instead of streaming an index in order (what happened under row-level security
# when a policy could not be checked from the index: 250,000 rows sorted for a page).
MAX_SORTED = SORT_CAP


class _Rollback(Exception):
    """Raised to roll back an EXPLAIN ANALYZE of a write."""


def _walk(node: dict[str, Any]) -> list[dict[str, Any]]:
    nodes = [node]
    for child in node.get("Plans", []):
        nodes.extend(_walk(child))
    return nodes


def summarize(plan: dict[str, Any]) -> dict[str, Any]:
    """Indexes used, seq-scanned tables, rows, buffers and times of a FORMAT JSON plan."""
    top = plan["Plan"]
    nodes = _walk(top)
    indexes = sorted(
        {n["Index Name"] for n in nodes if "Index Name" in n}
        | {i for n in nodes for i in n.get("Conflict Arbiter Indexes", [])}
    )
    # Tables a seq scan read (a branch that never ran, skipped by a one-time filter, read none).
    seq_scans = sorted(
        {
            n["Relation Name"]
            for n in nodes
            if n["Node Type"] == "Seq Scan" and n.get("Actual Loops")
        }
    )
    # Tables a scan node actually read (a node never executed has 0 loops).
    read = sorted(
        {n["Relation Name"] for n in nodes if "Relation Name" in n and n.get("Actual Loops")}
    )
    # Rows read from the value table, over all loops of the nodes that scan it.
    values_read = sum(
        n.get("Actual Rows", 0) * n.get("Actual Loops", 0)
        for n in nodes
        if n.get("Relation Name") == "video_field_values"
    )
    # What each Sort node took in: its input's rows over all its loops.
    sorted_rows = max(
        (
            sum(c.get("Actual Rows", 0) * c.get("Actual Loops", 1) for c in n.get("Plans", []))
            for n in nodes
            if n["Node Type"] in ("Sort", "Incremental Sort")
        ),
        default=0,
    )
    # A write's own work is in the ModifyTable node; its trigger time is reported apart.
    return {
        "indexes": indexes,
        "seq_scans": seq_scans,
        "read": read,
        "values_read": values_read,
        "sorted_rows": sorted_rows,
        "rows": top.get("Actual Rows", 0),
        "shared_hit": top.get("Shared Hit Blocks", 0),
        "shared_read": top.get("Shared Read Blocks", 0),
        "planning_ms": plan.get("Planning Time", 0.0),
        "execution_ms": plan.get("Execution Time", 0.0),
        "trigger_ms": sum(t.get("Time", 0.0) for t in plan.get("Triggers", [])),
    }


def check(case: Case, summary: dict[str, Any]) -> tuple[str, str]:
    """("ok" | "FAIL", why) for a case's plan against its expected indexes."""
    used = set(summary["indexes"])
    missing = [i for i in case.expect if not used & set(i.split("|"))]
    seq_values = "video_field_values" in summary["seq_scans"]
    forbidden = [t for t in case.unread if t in summary.get("read", [])]
    most_sorted = case.most_sorted or MAX_SORTED
    sorted_too_many = summary.get("sorted_rows", 0) > most_sorted
    most = case.most_values_read
    read_too_many = most is not None and summary.get("values_read", 0) > most
    if not (missing or seq_values or forbidden or sorted_too_many or read_too_many):
        return "ok", ""
    why = []
    if read_too_many:
        why.append(f"read {summary['values_read']:,} values (at most {most:,})")
    if sorted_too_many:
        why.append(f"sorted {summary['sorted_rows']:,} rows (at most {most_sorted:,})")
    if forbidden:
        why.append("read " + ", ".join(forbidden))
    if missing:
        why.append(
            "expected "
            + ", ".join(missing)
            + " (used "
            + (", ".join(summary["indexes"]) or "no index")
            + ")"
        )
    if seq_values:
        why.append("seq scan of video_field_values")
    return "FAIL", "; ".join(why)


async def _explain(conn: asyncpg.Connection, sql: str, params: list[Any], fmt: str) -> Any:
    return await conn.fetchval(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT {fmt}) {sql}", *params)


async def _generic(conn: asyncpg.Connection, sql: str, params: list[Any]) -> tuple[str, list[Any]]:
    """EXPLAIN EXECUTE of `sql` prepared by name, for its generic plan. An EXPLAIN given bound
    parameters plans for their values, and PostgreSQL 15 has no EXPLAIN (GENERIC_PLAN); an
    EXECUTE takes no bound parameters, so they go in as typed literals."""
    types = [
        await conn.fetchval("SELECT format_type($1, NULL)", t.oid)
        for t in (await conn.prepare(sql)).get_parameters()
    ]
    literals = [
        await conn.fetchval(f"SELECT quote_nullable($1::{t}::text) || '::{t}'", value)
        for t, value in zip(types, params, strict=True)
    ]
    await conn.execute(f"PREPARE bench_generic ({', '.join(types)}) AS {sql}")
    await conn.execute("SET LOCAL plan_cache_mode = force_generic_plan")
    return f"EXECUTE bench_generic ({', '.join(literals)})", []


async def explain(
    conn: asyncpg.Connection,
    sql: str,
    params: list[Any],
    write: bool,
    generic: bool = False,
    counting: bool = False,
) -> tuple[dict[str, Any], str]:
    """The JSON plan and the text plan of one statement (a write is rolled back): planned for
    its values, or (generic) its generic plan, to count or not, as the app runs it.
    Each in a transaction of its own: a write run twice in one transaction would show its
    second run, which rewrites rows the first one wrote (their foreign keys are checked again,
    unlike the product's)."""
    result: list[Any] = []
    for fmt in ("JSON", "TEXT"):
        statement, values = sql, params
        try:
            async with conn.transaction():
                if counting:
                    await plans.plan_to_count(conn)
                if generic:
                    statement, values = await _generic(conn, sql, params)
                if fmt == "TEXT":
                    rows = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", *values)
                    result.append("\n".join(r[0] for r in rows))
                else:
                    raw = await _explain(conn, statement, values, fmt)
                    result.append(json.loads(raw)[0] if isinstance(raw, str) else raw[0])
                if write:
                    raise _Rollback
        except _Rollback:
            pass
        finally:
            if generic:  # prepared by name above: it outlives the transaction
                with contextlib.suppress(asyncpg.InvalidSQLStatementNameError):
                    await conn.execute("DEALLOCATE bench_generic")
    return result[0], result[1]


def _no_statement(case: Case) -> dict[str, Any]:
    """A search answered without any statement: its conditions contradict each other, or the
    kept counts show that no video can match."""
    return {
        "query": case.name,
        "layout": "typed",
        "expect": [],
        "status": "ok",
        "why": "no statement: contradicting conditions, or settled by the kept counts",
        "indexes": [],
        "seq_scans": [],
        "rows": 0,
        "shared_hit": 0,
        "shared_read": 0,
        "planning_ms": 0.0,
        "execution_ms": 0.0,
        "trigger_ms": 0.0,
    }


async def _typed(conn: asyncpg.Connection, case: Case, out: Path) -> dict[str, Any]:
    assert case.sql is not None
    sql = case.explained or case.sql
    generic = case.generic or case.explained is not None
    # Once to warm the cache (rolled back for writes), then the measured EXPLAIN.
    await explain(conn, sql, case.params, case.write, generic, case.counting)
    plan, text = await explain(conn, sql, case.params, case.write, generic, case.counting)
    summary = summarize(plan)
    status, why = check(case, summary)
    (out / f"{case.name}.txt").write_text(
        f"-- {case.name}: expects {', '.join(case.expect)}\n-- check: {status} {why}\n"
        f"{sql}\n-- params: {case.params!r}\n\n{text}\n"
    )
    return {
        "query": case.name,
        "layout": "typed",
        "expect": list(case.expect),
        "status": status,
        "why": why,
        **summary,
    }


async def run(
    conn: asyncpg.Connection, document_conn: asyncpg.Connection, cases: list[Case], out: Path
) -> list[dict[str, Any]]:
    """Each case's plan on `conn` (the app's role, under row-level security) and its JSONB
    twin's on `document_conn` (the owning role: the copy has no policies)."""
    out.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - before any timing
    results = []
    for case in cases:
        if case.sql is None:
            results.append(_no_statement(case))
        else:
            results.append(await _typed(conn, case, out))
        if case.jsonb is not None:
            sql, params = case.jsonb
            await explain(document_conn, sql, params, False)  # planned for its values
            plan, text = await explain(document_conn, sql, params, False)
            summary = summarize(plan)
            (out / f"{case.name}.jsonb.txt").write_text(
                f"-- {case.name} on the JSONB layout\n{sql}\n-- params: {params!r}\n\n{text}\n"
            )
            results.append(
                {
                    "query": case.name,
                    "layout": "jsonb",
                    "expect": [],
                    "status": "-",
                    "why": "",
                    **summary,
                }
            )
    return results
