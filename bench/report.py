"""The report in .bench/: results-<scale>.json, summary-<scale>.md, bench.png, and the table
printed at the end of `make bench`."""

import json
from pathlib import Path
from typing import Any

from bench.cases import NO_SHORTCUT

TARGETS = {
    "search_p50_ms": 2.0,
    # A case no index can shortcut, with its reason (bench/cases.py, NO_SHORTCUT).
    "search_no_shortcut_p50_ms": 20.0,
    "fields_of_video_p50_ms": 1.0,
    "repo_over_asyncpg_reads": 1.25,
    "batch_values_per_s": 50_000,
    "api_over_repo_ms": 1.5,
    "facets_unfiltered_p50_ms": 2.0,
    "facets_filtered_p50_ms": 20.0,
    # Row-level security on (the app's role) over off (the owning role), same SQL.
    "rls_over_no_rls": 1.15,
    # Deleting big things (issue 14): the answer, and the purge "within minutes".
    "delete_answer_ms": 100.0,
    "purge_s": 600.0,
}


def plan_table(plans: list[dict[str, Any]]) -> str:
    lines = [
        "| query | layout | check | index used | rows | buffers hit/read | exec ms |",
        "|---|---|---|---|---:|---:|---:|",
    ]
    for p in plans:
        check = p["status"] + (f" ({p['why']})" if p["why"] else "")
        used = ", ".join(p["indexes"]) or "-"
        if p["seq_scans"]:
            used += " + seq: " + ", ".join(p["seq_scans"])
        lines.append(
            f"| {p['query']} | {p['layout']} | {check} | {used} | {p['rows']} | "
            f"{p['shared_hit']}/{p['shared_read']} | {p['execution_ms']:.3f} |"
        )
    return "\n".join(lines)


def p50_table(results: dict[str, Any]) -> str:
    """What the terminal shows of the timings: per query, alone (concurrency 1), the p50 of
    each layer and, where compared, of the JSONB layout (the report has p95, p99 and more)."""
    c1 = {(t["query"], t["layer"]): t["p50_ms"] for t in results["timing"] if t["concurrency"] == 1}
    jsonb = {r["query"]: r for r in results.get("jsonb") or []}
    lines = [
        "| query | asyncpg p50 ms | repository | API | JSONB | typed/JSONB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for query in dict.fromkeys(q for q, _ in c1):
        compared = jsonb.get(query)
        cells = [c1.get((query, layer), "") for layer in ("asyncpg", "repository", "api")]
        cells += [compared["jsonb_p50_ms"], compared["jsonb_over_typed"]] if compared else ["", ""]
        lines.append(f"| {query} | " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)


def _timing_table(timing: list[dict[str, Any]]) -> str:
    lines = [
        "| query | concurrency | layer | p50 ms | p95 ms | p99 ms | req/s | values/s |",
        "|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for t in timing:
        lines.append(
            f"| {t['query']} | {t['concurrency']} | {t['layer']} | {t['p50_ms']} | "
            f"{t['p95_ms']} | {t['p99_ms']} | {t['req_per_s']} | {t.get('values_per_s', '')} |"
        )
    return "\n".join(lines)


def ratios(timing: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """repository/asyncpg, api/repository and RLS on/off (asyncpg as the app's role over the
    owning role's) p50 ratios per query and concurrency."""
    by_key = {(t["query"], t["concurrency"], t["layer"]): t for t in timing}
    out = []
    for (query, level, layer), t in by_key.items():
        if layer != "repository":
            continue
        bare = by_key.get((query, level, "asyncpg"))
        api = by_key.get((query, level, "api"))
        no_rls = by_key.get((query, level, "asyncpg_no_rls"))
        out.append(
            {
                "query": query,
                "concurrency": level,
                "repo_over_asyncpg": round(t["p50_ms"] / bare["p50_ms"], 2) if bare else None,
                "api_over_repo": round(api["p50_ms"] / t["p50_ms"], 2) if api else None,
                "rls_over_no_rls": (
                    round(bare["p50_ms"] / no_rls["p50_ms"], 2) if bare and no_rls else None
                ),
            }
        )
    return out


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    timing = results["timing"]
    c1 = {(t["query"], t["layer"]): t for t in timing if t["concurrency"] == 1}
    rows: list[dict[str, Any]] = []

    def add(name: str, measured: Any, target: str, met: bool | None) -> None:
        rows.append({"target": name, "measured": measured, "goal": target, "met": met})

    # Each search at the asyncpg layer (the repository where no statement runs).
    searches = [
        c1.get((q, "asyncpg")) or t
        for (q, layer), t in c1.items()
        if q.startswith("search_") and layer == "repository"
    ]
    if searches:
        over = sorted(
            (t for t in searches if t["p50_ms"] > TARGETS["search_p50_ms"]),
            key=lambda t: -t["p50_ms"],
        )
        # Over 2 ms is met only for a case no index can shortcut, within its own bound, and
        # the report says why with what its plan read in this run.
        typed_plans = {p["query"]: p for p in results["plans"] if p["layout"] == "typed"}
        explained = [
            t
            for t in over
            if t["query"] in NO_SHORTCUT and t["p50_ms"] <= TARGETS["search_no_shortcut_p50_ms"]
        ]
        add(
            f"every search's first page p50 (asyncpg), {len(searches)} cases",
            ", ".join(f"{t['query']} {t['p50_ms']}" for t in over if t not in explained)
            or "all within",
            "<= 2 ms",
            len(explained) == len(over),
        )
        for t in explained:
            plan = typed_plans.get(t["query"], {})
            read = f"{plan['values_read']:,} values for {plan['rows']} rows" if plan else "?"
            add(
                f"{t['query']}: no index shortcuts it ({NO_SHORTCUT[t['query']]}); its plan "
                f"read {read}",
                t["p50_ms"],
                "<= 20 ms",
                True,
            )
    apis = [
        (r["query"], c1[(r["query"], "api")]["p50_ms"] - c1[(r["query"], "repository")]["p50_ms"])
        for r in ratios(timing)
        if r["concurrency"] == 1 and (r["query"], "api") in c1
    ]
    if apis:
        query, extra = max(apis, key=lambda a: a[1])
        add(
            f"API over the repository, worst ({query})",
            round(extra, 3),
            "<= 1.5 ms",
            extra <= TARGETS["api_over_repo_ms"],
        )
    values = c1.get(("values_of_page", "asyncpg"))
    if values:
        add(
            "include_fields: 50 items x 5 fields, p50 (asyncpg)",
            values["p50_ms"],
            "<= 0.5 ms",
            values["p50_ms"] <= 0.5,
        )
    unfiltered = [t for q in ("facets_select", "facets_rating") if (t := c1.get((q, "repository")))]
    if unfiltered:
        worst = max(unfiltered, key=lambda t: t["p50_ms"])
        add(
            f"unfiltered facet of a select or rating field, p50 (repository, {worst['query']})",
            worst["p50_ms"],
            "<= 2 ms",
            worst["p50_ms"] <= TARGETS["facets_unfiltered_p50_ms"],
        )
    filtered = c1.get(("facets_rare_filter", "repository"))
    if filtered:
        add(
            "filtered facets, 3 fields, filter matching 0.5% of the list, p50 (repository)",
            filtered["p50_ms"],
            "<= 20 ms",
            filtered["p50_ms"] <= TARGETS["facets_filtered_p50_ms"],
        )
    one = c1.get(("set_one_value", "repository"))
    if one:
        add("set one value, p50 (repository)", one["p50_ms"], "<= 1 ms", one["p50_ms"] <= 1.0)
    fov = c1.get(("fields_of_video", "repository"))
    if fov:
        add(
            "fields of a video, p50 (repository)",
            fov["p50_ms"],
            "< 1 ms",
            fov["p50_ms"] < TARGETS["fields_of_video_p50_ms"],
        )
    reads = [
        r
        for r in ratios(timing)
        if r["concurrency"] == 1 and r["repo_over_asyncpg"] and not r["query"].startswith("set_")
    ]
    if reads:
        worst_ratio = max(reads, key=lambda r: r["repo_over_asyncpg"])
        add(
            f"repository/asyncpg on reads, worst ({worst_ratio['query']})",
            worst_ratio["repo_over_asyncpg"],
            "<= 1.25x",
            worst_ratio["repo_over_asyncpg"] <= TARGETS["repo_over_asyncpg_reads"],
        )
    with_rls = [r for r in ratios(timing) if r["concurrency"] == 1 and r["rls_over_no_rls"]]
    if with_rls:
        over = sorted(
            (r for r in with_rls if r["rls_over_no_rls"] > TARGETS["rls_over_no_rls"]),
            key=lambda r: -r["rls_over_no_rls"],
        )
        worst_rls = max(with_rls, key=lambda r: r["rls_over_no_rls"])
        add(
            f"row-level security on/off, asyncpg p50, {len(with_rls)} queries "
            f"(worst {worst_rls['query']} {worst_rls['rls_over_no_rls']}x)",
            ", ".join(f"{r['query']} {r['rls_over_no_rls']}x" for r in over) or "all within",
            "<= 1.15x",
            not over,
        )
    batch = c1.get(("set_batch_1000", "repository"))
    if batch:
        add(
            "batch of 1,000 values (repository bulk_edit)",
            batch.get("values_per_s"),
            ">= 50,000 values/s",
            batch.get("values_per_s", 0) >= TARGETS["batch_values_per_s"],
        )
    if results["jsonb"]:
        slower = [r for r in results["jsonb"] if r["jsonb_over_typed"] < 1]
        add(
            "typed >= JSONB speed (filter queries where JSONB is faster)",
            ", ".join(f"{r['query']} {r['jsonb_over_typed']}x" for r in slower) or "none",
            "none",
            not slower,
        )
    pooled = pooler_ratios(results.get("pooler", []))
    if pooled:
        worst = max(pooled, key=lambda r: r["pgbouncer_over_direct"])
        add(
            "PgBouncer (transaction mode) over direct, app-style transaction p50 (report only)",
            ", ".join(
                f"{r['query']}@{r['concurrency']} {r['pgbouncer_over_direct']}x" for r in pooled
            ),
            f"reported (worst {worst['query']} {worst['pgbouncer_over_direct']}x)",
            None,
        )
    sizes = results.get("sizes")
    if sizes:
        add(
            "value indexes: partial vs original four full (bytes)",
            f"{sizes['partial_total']:,} vs {sizes['full_total']:,}",
            "smaller",
            sizes["partial_total"] < sizes["full_total"],
        )
    if purged := results.get("purge"):
        field, lst, without = purged["field"], purged["list"], purged["without_purge"]
        add(
            "DELETE answers: the fullest field / the list",
            f"{field['answer_ms']} / {lst['answer_ms']} ms",
            "< 100 ms",
            max(field["answer_ms"], lst["answer_ms"]) < TARGETS["delete_answer_ms"],
        )
        add(
            "background purge: the field / the list",
            f"{field['purge_s']} s ({field['rows_per_s']:,} rows/s) / "
            f"{lst['purge_s']} s ({lst['rows_per_s']:,} rows/s)",
            "within minutes",
            max(field["purge_s"], lst["purge_s"]) < TARGETS["purge_s"],
        )
        for kind in ("search", "write"):
            base = without[f"{kind}_p99_ms"]
            during = [p["during"][f"{kind}_p99_ms"] for p in (field, lst)]
            worst = max((d for d in during if d is not None), default=None)
            add(
                f"another list's {kind} p99 during a purge (field, list) vs without",
                f"{during[0]} / {during[1]} vs {base} ms",
                "<= 2x",
                None if worst is None or base is None else worst <= 2 * base,
            )
    return rows


def purge_waits(purged: dict[str, Any] | None) -> list[str]:
    """Per phase of the purge stage: what the sessions waited on (sessions per sample, the
    most first) and the WAL it wrote."""
    if not purged:
        return []
    phases = {
        "no purge": purged["without_purge"],
        "field purge": purged["field"]["during"],
        "list purge": purged["list"]["during"],
    }
    lines = [
        "| phase | write p50 / p99 ms | others wait on | purge waits on | autovacuum "
        "| WAL MB/s | WAL syncs/s |",
        "|---|---:|---|---|---|---:|---:|",
    ]
    for phase, load in phases.items():
        database = load.get("database") or {}
        waits = database.get("waits", {})
        top = {
            who: ", ".join(f"{w} {n}" for w, n in list(waits.get(who, {}).items())[:4])
            for who in ("others", "purge", "autovacuum")
        }
        lines.append(
            f"| {phase} | {load.get('write_p50_ms')} / {load.get('write_p99_ms')} "
            f"| {top['others']} | {top['purge']} | {top['autovacuum']} "
            f"| {database.get('wal_mb_per_s')} | {database.get('wal_syncs_per_s')} |"
        )
    return [*lines, ""]


def sweep_lines(swept: dict[str, Any] | None) -> list[str]:
    """The sweep's figures (bench/sweep.py) and its slowest searches."""
    if not swept:
        return ["Not run."]
    return [
        f"{swept['searches']} searches: median {swept['median_ms']}, 90th percentile "
        f"{swept['p90_ms']}, slowest {swept['max_ms']}; {swept['total_s']} s in all.",
        "",
        "| slowest | ms |",
        "|---|---:|",
        *(f"| {s['search']} | {s['ms']} |" for s in swept["slowest"]),
    ]


def _met(met: bool | None) -> str:
    return "-" if met is None else "yes" if met else "NO"


def pooler_ratios(pooler: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per main case and concurrency: direct and PgBouncer p50, and their ratio."""
    p50 = {(r["query"], r["layer"], r["concurrency"]): r["p50_ms"] for r in pooler}
    return [
        {
            "query": query,
            "concurrency": level,
            "direct_p50_ms": direct,
            "pgbouncer_p50_ms": p50[(query, "pgbouncer", level)],
            "pgbouncer_over_direct": round(p50[(query, "pgbouncer", level)] / direct, 2),
        }
        for (query, layer, level), direct in p50.items()
        if layer == "direct" and direct and (query, "pgbouncer", level) in p50
    ]


def markdown(results: dict[str, Any]) -> str:
    meta = results["meta"]
    parts = [
        f"# Bench: {meta['scale']:,} videos, seed {meta['seed']}",
        "",
        f"PostgreSQL {meta['server_version']}; {meta['when']}. Plans in plans-{meta['scale']}/.",
        "",
        "## Load",
        "",
        "```json",
        json.dumps(results["load"], indent=2),
        "```",
        "",
        "## Targets",
        "",
        "| target | measured | goal | met |",
        "|---|---|---|---|",
        *(
            f"| {t['target']} | {t['measured']} | {t['goal']} | {_met(t['met'])} |"
            for t in results["targets"]
        ),
        "",
        "## Plans (EXPLAIN ANALYZE, BUFFERS)",
        "",
        plan_table(results["plans"]),
        "",
        "## Layers (same SQL via asyncpg, the repository, the HTTP API)",
        "",
        _timing_table(results["timing"]),
        "",
        "| query | concurrency | repository/asyncpg | api/repository | RLS on/off (asyncpg) |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {r['query']} | {r['concurrency']} | {r['repo_over_asyncpg']} "
            f"| {r['api_over_repo']} | {r['rls_over_no_rls']} |"
            for r in ratios(results["timing"])
        ),
        "",
        "## Typed vs JSONB (bare asyncpg, p50 ms; ratio > 1: typed is faster)",
        "",
        "| query | typed | jsonb | jsonb/typed |",
        "|---|---:|---:|---:|",
        *(
            f"| {r['query']} | {r['typed_p50_ms']} | {r['jsonb_p50_ms']} "
            f"| {r['jsonb_over_typed']} |"
            for r in results["jsonb"]
        ),
        "",
        "## PgBouncer vs direct (one transaction per call, as the app's requests; p50 ms)",
        "",
        "| query | concurrency | direct | PgBouncer | PgBouncer/direct |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {r['query']} | {r['concurrency']} | {r['direct_p50_ms']} "
            f"| {r['pgbouncer_p50_ms']} | {r['pgbouncer_over_direct']} |"
            for r in pooler_ratios(results.get("pooler", []))
        ),
        "",
        "## Searches of one or two conditions under six orders (repository, ms)",
        "",
        *sweep_lines(results.get("sweep")),
        "",
        "## Deleting big things (last: the bench list is deleted)",
        "",
        *purge_waits(results.get("purge")),
        "```json",
        json.dumps(results.get("purge"), indent=2),
        "```",
        "",
        "## Sizes",
        "",
        "```json",
        json.dumps({"values": results.get("sizes"), "jsonb": results.get("jsonb_sizes")}, indent=2),
        "```",
        "",
    ]
    return "\n".join(parts)


def picture(out: Path) -> Path | None:
    """Latency per query, typed vs JSONB (largest scale); search p50 against scale."""
    try:
        import matplotlib  # an optional dependency: the `bench` extra

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    runs = sorted(
        (json.loads(p.read_text()) for p in out.glob("results-*.json")),
        key=lambda r: r["meta"]["scale"],
    )
    if not runs:
        return None
    last = runs[-1]
    rows = last["jsonb"]
    queries = sorted({t["query"] for r in runs for t in r["timing"]})
    # Tall enough for a bar pair per compared case, and for the legend's two columns of cases.
    height = max(6.0, 0.15 * max(len(rows), len(queries) / 2))
    fig, axes = plt.subplots(1, 2, figsize=(15, height))
    names = [r["query"].removeprefix("search_") for r in rows]
    xs = range(len(rows))
    axes[0].barh([x - 0.2 for x in xs], [r["typed_p50_ms"] for r in rows], 0.4, label="typed")
    axes[0].barh([x + 0.2 for x in xs], [r["jsonb_p50_ms"] for r in rows], 0.4, label="JSONB")
    axes[0].set_yticks(list(xs), names, fontsize=8)
    axes[0].set_xscale("log")
    axes[0].set_xlabel("p50 ms (log)")
    axes[0].set_title(f"Search first page, {last['meta']['scale']:,} videos")
    axes[0].legend()
    scales = [r["meta"]["scale"] for r in runs]
    for query in queries:
        ys = []
        for r in runs:
            hit = [
                t
                for t in r["timing"]
                if t["query"] == query and t["layer"] == "repository" and t["concurrency"] == 1
            ]
            ys.append(hit[0]["p50_ms"] if hit else float("nan"))
        axes[1].plot(scales, ys, marker="o", label=query)
    axes[1].set_xscale("log")
    axes[1].set_yscale("log")
    axes[1].set_xlabel("videos in the list")
    axes[1].set_ylabel("repository p50 ms")
    axes[1].set_title("Latency against scale")
    axes[1].legend(fontsize=7, ncol=2)
    fig.tight_layout()
    path = out / "bench.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write(out: Path, results: dict[str, Any]) -> Path:
    scale = results["meta"]["scale"]
    out.mkdir(parents=True, exist_ok=True)
    (out / f"results-{scale}.json").write_text(json.dumps(results, indent=2, default=str))
    summary = out / f"summary-{scale}.md"
    summary.write_text(markdown(results))
    results["picture"] = str(picture(out))
    return summary
