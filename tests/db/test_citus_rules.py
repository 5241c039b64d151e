"""Ready for Citus, distributed by list_id (README, Scaling out): the rules Citus puts on the
keys of distributed tables, checked against the migrated schema. Citus cannot be installed
here; each rule cites where Citus states it.

The rules that do not hold yet are named in GAPS (one entry per key), TRIGGER_GAPS (per
trigger statement) and POLICY_GAPS (per policy): all empty. A change that fixes one must take it
out; a new key, query, trigger, function or policy that breaks a rule fails until it is fixed (or
named here). The three reads that span lists by what they ask are named apart, with why
(ACROSS_LISTS_QUERIES, ACROSS_LISTS_FUNCTIONS): multi-shard SELECTs that lock and write
nothing, as Citus runs them."""

import json
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from pglast import ast, enums, parse_sql
from pglast.parser import parse_plpgsql_json

from app.db import queries
from app.repositories import video_facets, video_search

# Every table that holds a tenant's rows is distributed by its list: bookmark_lists by its own
# id (a list is its tenant), the others by list_id, all co-located, the purge queue included
# (the worker reads candidates across lists, then locks one in its list: migration 0029).
DISTRIBUTED_BY = {
    "bookmark_lists": "id",
    "videos": "list_id",
    "custom_fields": "list_id",
    "field_schemas": "list_id",
    "schema_fields": "list_id",
    "tags": "list_id",
    "video_tags": "list_id",
    "video_field_values": "list_id",
    "list_video_counts": "list_id",
    "field_value_counts": "list_id",
    "purges": "list_id",
}
# Tables kept on the coordinator alone, which a trigger (run on a worker) must not touch.
COORDINATOR_ONLY: set[str] = set()

# Keys that break a rule, named (#13, part 4). None left: migration 0026 gave the value table's
# primary key list_id, the last one without it. A new key that breaks a rule goes here, named.
GAPS: set[str] = set()

COLUMNS = """
SELECT c.relname, a.attname
FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE n.nspname = current_schema() AND c.relkind = 'r'
"""

# Unique indexes (primary keys and unique constraints have one): the columns they hold, as
# key columns or inside an expression of the key.
UNIQUE_INDEXES = """
SELECT t.relname AS table_name, i.relname AS index_name,
       ARRAY(SELECT a.attname FROM pg_attribute AS a
             WHERE a.attrelid = t.oid AND a.attnum > 0
               AND (a.attnum = ANY (x.indkey::int2[])
                    OR pg_get_expr(x.indexprs, x.indrelid) ~ ('\\m' || a.attname || '\\M')))
         AS columns
FROM pg_index AS x JOIN pg_class AS i ON i.oid = x.indexrelid
JOIN pg_class AS t ON t.oid = x.indrelid JOIN pg_namespace AS n ON n.oid = t.relnamespace
WHERE n.nspname = current_schema() AND x.indisunique
"""

# Foreign keys as (referencing column, referenced column) pairs, in key order.
FOREIGN_KEYS = """
SELECT c.conname, t.relname AS table_name, r.relname AS referenced, c.confdeltype,
       c.confupdtype,
       ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY AS k (attnum, n)
             JOIN pg_attribute AS a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
             ORDER BY k.n) AS columns,
       ARRAY(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY AS k (attnum, n)
             JOIN pg_attribute AS a ON a.attrelid = c.confrelid AND a.attnum = k.attnum
             ORDER BY k.n) AS referenced_columns
FROM pg_constraint AS c JOIN pg_class AS t ON t.oid = c.conrelid
JOIN pg_class AS r ON r.oid = c.confrelid JOIN pg_namespace AS n ON n.oid = t.relnamespace
WHERE n.nspname = current_schema() AND c.contype = 'f'
"""


def broken_rules(conn: psycopg.Connection) -> set[str]:
    broken: set[str] = set()
    columns: dict[str, set[str]] = {}
    for table, column in conn.execute(COLUMNS):
        columns.setdefault(table, set()).add(column)
    for table, column in DISTRIBUTED_BY.items():
        if column not in columns[table]:
            broken.add(f"no distribution column: {table}")
    # Rule 1 (citus_docs develop/reference_ddl.rst, "Primary keys and unique constraints";
    # citus commands/index.c): a unique index of a distributed table holds its distribution
    # column; a unique index elsewhere could not be checked on one shard.
    for table, index, key in conn.execute(UNIQUE_INDEXES):
        if table in DISTRIBUTED_BY and DISTRIBUTED_BY[table] not in key:
            broken.add(f"unique {index}")
    for name, table, referenced, on_delete, on_update, key, referenced_key in conn.execute(
        FOREIGN_KEYS
    ):
        if table not in DISTRIBUTED_BY:
            continue
        assert referenced in DISTRIBUTED_BY, f"{name}: a key to a table Citus would not know"
        pairs = list(zip(key, referenced_key, strict=True))
        # Rule 2 (citus commands/foreign_constraint.c): between distributed tables a key holds
        # both distribution columns, in the same position, so both rows are on one shard.
        if (DISTRIBUTED_BY[table], DISTRIBUTED_BY[referenced]) not in pairs:
            broken.add(f"foreign key {name}")
        # Rule 3 (same file; pg15.out in its tests): with the distribution column in the key,
        # ON DELETE / ON UPDATE SET NULL or SET DEFAULT is refused, the column-list form
        # SET NULL (col) included: it would change the distribution column.
        if on_delete in ("n", "d") or on_update in ("n", "d"):
            broken.add(f"set null or default {name}")
    return broken


def test_every_table_under_row_security_is_distributed_or_kept_on_the_coordinator(
    postgresql: psycopg.Connection,
) -> None:
    tenant_tables = {
        table
        for (table,) in postgresql.execute(
            "SELECT c.relname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relrowsecurity"
        )
    }
    assert tenant_tables == set(DISTRIBUTED_BY) | COORDINATOR_ONLY


def test_the_keys_follow_citus_rules_but_for_the_gaps_named(
    postgresql: psycopg.Connection,
) -> None:
    broken = broken_rules(postgresql)
    assert broken - GAPS == set(), "a key breaks a Citus rule"
    assert GAPS - broken == set(), "a gap is closed: take it out of GAPS"


@pytest.mark.parametrize(
    ("statement", "rule"),
    [
        ("CREATE UNIQUE INDEX tags_name_only ON tags (name)", "unique tags_name_only"),
        (
            "CREATE UNIQUE INDEX tags_id_only ON tags (id);"
            " ALTER TABLE video_tags ADD CONSTRAINT video_tags_tag_only FOREIGN KEY (tag_id)"
            " REFERENCES tags (id)",
            "foreign key video_tags_tag_only",
        ),
        (
            "ALTER TABLE tags ADD CONSTRAINT tags_schema_again FOREIGN KEY (list_id, schema_id)"
            " REFERENCES field_schemas (list_id, id) ON DELETE SET NULL (schema_id)",
            "set null or default tags_schema_again",
        ),
        (
            "ALTER TABLE schema_fields ADD CONSTRAINT schema_fields_crossed FOREIGN KEY"
            " (field_id, list_id) REFERENCES custom_fields (list_id, id)",
            "foreign key schema_fields_crossed",
        ),
    ],
)
def test_the_rules_catch_what_they_must(
    postgresql: psycopg.Connection, statement: str, rule: str
) -> None:
    postgresql.execute(statement)
    assert rule in broken_rules(postgresql) - GAPS


# Rule 4 (citus_docs reference_workarounds.rst; multi_router_planner.c): a query that names the
# distribution column of every table it reads goes to one shard; a correlated subquery must
# correlate on it too. Each SELECT, UPDATE and DELETE level (subqueries and CTEs included) must
# compare each distributed table's distribution column with `=` (or `= ANY`), and an INSERT
# must give it (Citus routes an INSERT before any default or trigger runs).
# Not a gap: the reads that span lists by what they ask. Each is a multi-shard SELECT, which
# Citus sends to every shard in parallel and merges, taking no lock; Citus's multi-tenant
# tutorial distributes its tenants' table by id the same way (create_distributed_table(
# 'companies', 'id'), citus_docs get_started/tutorial_multi_tenant.rst), so a tenant's row is
# on the shard of everything in it; README, Scaling out: why not a reference table.
ACROSS_LISTS_QUERIES = {
    # GET /lists: an owner's lists, a few rows per shard (bookmark_lists_owner_newest_idx).
    "lists.list_all: bookmark_lists bookmark_lists",
}


def _conjuncts(node: Any) -> list[Any]:
    if isinstance(node, ast.BoolExpr) and node.boolop == enums.BoolExprType.AND_EXPR:
        return [c for arg in node.args for c in _conjuncts(arg)]
    return [] if node is None else [node]


def _column(node: Any) -> tuple[str, ...] | None:
    if isinstance(node, ast.TypeCast):
        return _column(node.arg)
    if isinstance(node, ast.ColumnRef):
        return tuple(getattr(f, "sval", "*") for f in node.fields)
    return None


def _tables(items: Any, quals: list[Any]) -> list[tuple[str, str]]:
    """(table, alias) of a FROM list; the join conditions go to quals."""
    found: list[tuple[str, str]] = []
    for item in items or ():
        if isinstance(item, ast.RangeVar):
            found.append((item.relname, item.alias.aliasname if item.alias else item.relname))
        elif isinstance(item, ast.JoinExpr):
            quals.extend(_conjuncts(item.quals))
            found += _tables([item.larg, item.rarg], quals)
    return found


def _keyed(alias: str, column: str, quals: list[Any], alone: bool) -> bool:
    equal = (enums.A_Expr_Kind.AEXPR_OP, enums.A_Expr_Kind.AEXPR_OP_ANY, enums.A_Expr_Kind.AEXPR_IN)
    return any(
        isinstance(q, ast.A_Expr)
        and q.kind in equal
        and q.name[0].sval == "="
        and any(
            _column(side) == (alias, column) or (alone and _column(side) == (column,))
            for side in (q.lexpr, q.rexpr)
        )
        for q in quals
    )


def unrouted(statement: str) -> list[str]:
    """The tables of a statement read or written without their distribution column."""
    missing: list[str] = []

    def level(node: Any) -> None:
        quals: list[Any] = []
        tables: list[tuple[str, str]] = []
        if isinstance(node, ast.SelectStmt):
            quals += _conjuncts(node.whereClause)
            tables += _tables(node.fromClause, quals)
        elif isinstance(node, ast.UpdateStmt | ast.DeleteStmt):
            quals += _conjuncts(node.whereClause)
            relation = node.relation
            alias = relation.alias.aliasname if relation.alias else relation.relname
            tables.append((relation.relname, alias))
            more = node.fromClause if isinstance(node, ast.UpdateStmt) else node.usingClause
            tables += _tables(more, quals)
        elif isinstance(node, ast.InsertStmt):
            table, given = node.relation.relname, [c.name for c in node.cols or ()]
            if table in DISTRIBUTED_BY and DISTRIBUTED_BY[table] not in given:
                missing.append(f"insert {table} without {DISTRIBUTED_BY[table]}")
        for table, alias in tables:
            if table in DISTRIBUTED_BY and not _keyed(
                alias, DISTRIBUTED_BY[table], quals, len(tables) == 1
            ):
                missing.append(f"{table} {alias}")

    def walk(node: Any) -> None:
        if isinstance(node, ast.Node):
            level(node)
            for attribute in node:
                walk(getattr(node, attribute))
        elif isinstance(node, list | tuple):
            for item in node:
                walk(item)

    for raw in parse_sql(statement):
        walk(raw.stmt)
    return missing


# The fragment files hold pieces, checked once assembled the ways the repositories join them.
FRAGMENTS = {
    "video_search",
    "video_facets.facets_open",
    "video_facets.facets_driven_open",
    "video_facets.facets_driven_close",
    "video_facets.facets_read_open",
    "video_facets.facets_close",
}


def _assembled(fragments: list[str], extra: Any = None) -> str:
    statement = video_search.Statement(extra)
    for number, fragment in enumerate(fragments):
        text = statement.fragment(fragment).sql
        names = set(video_search._PLACEHOLDER.findall(text))
        # A condition follows AND, unless it is wrapped to be probed per video (walked_open).
        condition = fragment == "walked_open" or (
            text.lstrip().startswith(("EXISTS", "NOT EXISTS"))
            and fragments[number - 1 : number] != ["walked_open"]
        )
        statement.add(fragment, "AND " if condition else "", **dict.fromkeys(names, None))
    return statement.text


def statements() -> Iterator[tuple[str, str]]:
    """(name, SQL) of every named query, and of the search and facets statements as the
    repositories assemble them: each condition in a page and in the facets' matching videos,
    each stream driving a page and a probe, each capped range (and its count; a text, number
    or date range's also read for the facets), each sort by a field."""
    for path in sorted(queries.SQL_DIR.glob("*.sql")):
        for name, query in queries.load(path.stem).items():
            if path.stem not in FRAGMENTS and f"{path.stem}.{name}" not in FRAGMENTS:
                yield f"{path.stem}.{name}", query.sql
    search = video_search.SQL
    page_end = ["page_close", "order_desc", "page_limit"]
    for name, fragment in search.items():
        if fragment.sql.lstrip().startswith(("EXISTS", "NOT EXISTS")):
            yield f"search {name}", _assembled(["page_open", "head_created_at", name, *page_end])
            facets = ["facets_open", name, "facets_close"]
            yield f"facets {name}", _assembled(facets, video_facets.SQL)
        elif name.startswith("stream_") and name not in (
            "stream_desc",
            "stream_asc",
            "stream_union",
        ):
            driven = ["page_open", "driven_open", name, "stream_desc", "driven_close"]
            yield f"search {name}", _assembled([*driven, *page_end])
            probe = ["probe_open", "probe_candidate_open", name, "stream_desc"]
            yield f"probe {name}", _assembled([*probe, "probe_candidate_desc", "probe_close"])
            driven = ["facets_driven_open", name, "stream_asc", "facets_driven_close"]
            yield f"facets {name}", _assembled([*driven, "facets_close"], video_facets.SQL)
        elif name.startswith("range_"):
            capped = ["capped_open", name, "capped_close", "page_open", "driven_open"]
            capped += ["capped_stream", "stream_desc", "driven_close", "page_close", "page_limit"]
            yield f"search {name}", _assembled([*capped, "capped_page_close", "order_desc"])
            counted = ["count_range_open", name, "count_range_close"]
            yield f"search {name} counted", _assembled(counted)
            facets_read = name.removeprefix("range_") in video_search.VALUE_RANGES
            if name.startswith("range_text_") or facets_read:
                read = ["facets_driven_open", "facets_read_open", name, "facets_driven_close"]
                yield f"facets {name}", _assembled([*read, "facets_close"], video_facets.SQL)
        elif name.startswith(("valued_", "unvalued_")):
            by_field = ["page_open", name, "page_close", "order_field_asc", "page_limit"]
            yield f"search {name}", _assembled(by_field)
    # A range's density where the walk starts, and the walk probing each condition per video.
    walked = ["walked_open", "numeric_gte", "walked_close"]
    walk = ["page_open", "head_created_at", "page_close", "order_desc", "page_limit"]
    yield (
        "search density",
        _assembled(["density_open", *walked, "density_from", *walk, "density_close"]),
    )
    yield "search walked", _assembled(["page_open", "head_created_at", *walked, *page_end])
    # A text range's density: the field's first values in the page's order, each matched.
    for op in ("contains", "starts_with"):
        sample = ["density_text_open", f"matched_text_{op}", "density_text_from", *page_end]
        yield f"search text density {op}", _assembled([*sample, "density_text_close"])


def test_every_query_names_the_list_of_every_table_it_reads_but_for_the_gaps_named() -> None:
    broken = {f"{name}: {table}" for name, sql in statements() for table in unrouted(sql)}
    assert broken - ACROSS_LISTS_QUERIES == set(), "a query reads a table without its list"
    assert ACROSS_LISTS_QUERIES - broken == set(), "it names its list now: take it out"


@pytest.mark.parametrize(
    ("statement", "missing"),
    [
        ("SELECT * FROM videos WHERE id = $1", ["videos videos"]),
        ("SELECT * FROM videos AS v WHERE v.list_id = $1 AND v.id = $2", []),
        (
            "SELECT * FROM videos AS v WHERE v.list_id = $1 AND EXISTS (SELECT FROM tags AS t"
            " WHERE t.id = $2)",
            ["tags t"],
        ),
        (
            "SELECT * FROM videos AS v WHERE v.list_id = $1 AND EXISTS (SELECT FROM tags AS t"
            " WHERE t.list_id = v.list_id)",
            [],
        ),
        ("UPDATE tags SET name = $1 WHERE id = $2", ["tags tags"]),
        ("DELETE FROM tags AS t WHERE t.list_id = ANY($1)", []),
        ("INSERT INTO tags (name) VALUES ($1)", ["insert tags without list_id"]),
        (
            "SELECT * FROM videos AS v JOIN video_tags AS vt ON vt.video_id = v.id"
            " WHERE v.list_id = $1",
            ["video_tags vt"],
        ),
    ],
)
def test_the_query_rule_catches_what_it_must(statement: str, missing: list[str]) -> None:
    assert unrouted(statement) == missing


# Rule 5 (citus_docs develop/reference_ddl.rst, "Triggers"; citus.enable_unsafe_triggers): a
# trigger on a distributed table runs on the worker holding its row's shard, so what it reads
# and writes must be in co-located shards of the same list. Each statement of the trigger
# functions on the tenant tables, and of the functions they call, must pass rule 4's check:
# it names the list of every table it touches (that it is the row's own list, NEW.list_id or
# OLD.list_id, is read in review: the functions are short).
# A dynamic EXECUTE is checked when its query is format() of a literal whose only holes are
# identifiers (%I: a column, a table would be named), which is how ours are written; any other
# is "dynamic SQL" and must be named here.
# None left: migration 0029 distributed the purge queue, which queue_purge fills, by list.
TRIGGER_GAPS: set[str] = set()

# How PL/pgSQL stored each embedded query (PLpgSQL_expr.parseMode, PostgreSQL's RawParseMode):
# a whole statement, an expression, or an assignment "target := expression"; and our own mark
# for a dynamic EXECUTE, whose SQL is only known when it runs.
_STATEMENT, _EXPRESSION = 0, 2
_ASSIGNMENTS = (3, 4, 5)
_DYNAMIC = -1


def _embedded(node: Any) -> Iterator[tuple[str, int]]:
    """(query, parse mode) of every SQL text in a parsed PL/pgSQL function; a dynamic EXECUTE
    yields ("", _DYNAMIC) before the expression that builds its query."""
    if isinstance(node, dict):
        if "PLpgSQL_stmt_dynexecute" in node:
            yield "", _DYNAMIC
        if "PLpgSQL_expr" in node:
            expr = node["PLpgSQL_expr"]
            yield expr["query"], expr.get("parseMode", _STATEMENT)
        for value in node.values():
            yield from _embedded(value)
    elif isinstance(node, list):
        for item in node:
            yield from _embedded(item)


def _as_sql(query: str, mode: int) -> str | None:
    if mode == _STATEMENT:
        return query
    if mode == _EXPRESSION:
        return f"SELECT {query}"
    if mode in _ASSIGNMENTS:
        return f"SELECT {query.split(':=', 1)[1]}"
    return None


def _formatted(expression: str | None) -> str | None:
    """The query a dynamic EXECUTE runs, when it is built as format('literal', ...) with only
    %I holes (each read as a column name); None when it cannot be known before it runs."""
    if expression is None:
        return None
    target = parse_sql(expression)[0].stmt.targetList[0].val
    if not (
        isinstance(target, ast.FuncCall)
        and target.funcname[-1].sval == "format"
        and isinstance(target.args[0], ast.A_Const)
        and isinstance(target.args[0].val, ast.String)
    ):
        return None
    template = target.args[0].val.sval.replace("%%", "")
    query = template.replace("%I", "formatted_column")
    return None if "%" in query else query


def function_statements(definition: str) -> Iterator[str | None]:
    """The SQL of each statement and expression of a PL/pgSQL function (CREATE FUNCTION ...);
    for a dynamic EXECUTE, the query it builds (None when unknown), then the expression that
    builds it."""
    dynamic = False
    for query, mode in _embedded(json.loads(parse_plpgsql_json(definition))):
        if mode == _DYNAMIC:
            dynamic = True
            continue
        sql = _as_sql(query, mode)
        if dynamic:
            yield _formatted(sql)
            dynamic = False
        yield sql


def _plpgsql_statements(
    conn: psycopg.Connection, first: list[str], skipped: frozenset[str] = frozenset()
) -> Iterator[tuple[str, str | None]]:
    """(function, SQL) of every statement of the PL/pgSQL functions named first and of the
    PL/pgSQL functions they call, but the skipped; SQL None for dynamic SQL."""
    plpgsql = dict(
        conn.execute(
            "SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc AS p"
            " JOIN pg_language AS l ON l.oid = p.prolang"
            " WHERE p.pronamespace = current_schema()::regnamespace AND l.lanname = 'plpgsql'"
        ).fetchall()
    )
    pending = sorted(set(first) & set(plpgsql) - skipped)
    seen = set(pending) | skipped
    while pending:
        name = pending.pop()
        for sql in function_statements(plpgsql[name]):
            yield name, sql
            for called in _called(sql) if sql is not None else ():
                if called in plpgsql and called not in seen:
                    seen.add(called)
                    pending.append(called)


def trigger_statements(conn: psycopg.Connection) -> Iterator[tuple[str, str | None]]:
    """(function, SQL) of every statement the tenant tables' triggers run, the PL/pgSQL
    functions they call included; SQL None for one that cannot be checked (dynamic SQL)."""
    fired_by: dict[str, list[tuple[str, str]]] = {}
    for name, table, definition in conn.execute(
        "SELECT p.proname, t.tgrelid::regclass::text, pg_get_triggerdef(t.oid)"
        " FROM pg_trigger AS t JOIN pg_proc AS p ON p.oid = t.tgfoid"
        " WHERE NOT t.tgisinternal AND t.tgrelid::regclass::text = ANY(%s)",
        (list(DISTRIBUTED_BY),),
    ):
        fired_by.setdefault(name, []).append((table, definition))
    # A trigger that fires only on a row without its distribution column never runs under
    # Citus: it refuses such an INSERT before any trigger ("cannot perform an INSERT without a
    # partition column value", citusdata/citus#2811).
    fired = [
        name
        for name, triggers in fired_by.items()
        if not all(
            f"WHEN ((new.{DISTRIBUTED_BY[table]} IS NULL))" in definition
            for table, definition in triggers
        )
    ]
    return _plpgsql_statements(conn, fired)


def _nodes(sql: str, kind: type[Any]) -> Iterator[Any]:
    """Every node of type `kind` in a statement, subqueries included."""

    def walk(node: Any) -> Iterator[Any]:
        if isinstance(node, kind):
            yield node
        if isinstance(node, ast.Node):
            for attribute in node:
                yield from walk(getattr(node, attribute))
        elif isinstance(node, list | tuple):
            for item in node:
                yield from walk(item)

    for raw in parse_sql(sql):
        yield from walk(raw.stmt)


def _named_tables(sql: str) -> set[str]:
    """The tables a statement names anywhere (FROM, INSERT INTO, subqueries)."""
    return {node.relname for node in _nodes(sql, ast.RangeVar)}


def _called(sql: str) -> Iterator[str]:
    """The names of the functions a statement calls."""
    return (node.funcname[-1].sval for node in _nodes(sql, ast.FuncCall))


def test_every_trigger_names_the_list_of_every_table_it_touches_but_for_the_gaps_named(
    postgresql: psycopg.Connection,
) -> None:
    checked = list(trigger_statements(postgresql))
    assert len({name for name, _ in checked}) >= 5, "the triggers were not found"
    broken = {
        f"{name}: {table}"
        for name, sql in checked
        for table in (unrouted(sql) if sql is not None else ["dynamic SQL"])
    }
    # A trigger runs on a worker, where a table kept on the coordinator does not exist.
    broken |= {
        f"{name}: coordinator table {table}"
        for name, sql in checked
        if sql is not None
        for table in _named_tables(sql) & COORDINATOR_ONLY
    }
    assert broken - TRIGGER_GAPS == set(), "a trigger touches a table without its list"
    assert TRIGGER_GAPS - broken == set(), "a gap is closed: take it out of TRIGGER_GAPS"


# The PL/pgSQL functions that the queries of sql/ call (the purge's steps above all) run each
# statement as a query of its own, which Citus plans like any other: rule 4 applies to each.
# Not read: the app role's set-up, DDL run by make migrate (Citus propagates DDL), whose grants
# are dynamic SQL and which reads no tenant row.
ADMINISTRATIVE = frozenset({"app_role_ensure"})
# Reads across lists by nature, as an owner's lists are (ACROSS_LISTS_QUERIES): multi-shard
# SELECTs, which Citus runs on every shard, without a lock (migration 0029).
ACROSS_LISTS_FUNCTIONS = {
    # The oldest purges to take, before one is locked in its own list.
    "purge_next_batch: purges p",
    # Every owner's pending purges in sum, for /health.
    "purge_backlog: purges p",
}


def called_statements(conn: psycopg.Connection) -> Iterator[tuple[str, str | None]]:
    """(function, SQL) of every statement of the PL/pgSQL functions the queries of sql/ call,
    and of the PL/pgSQL functions those call; SQL None for dynamic SQL."""
    called = [name for _, sql in statements() for name in _called(sql)]
    return _plpgsql_statements(conn, called, ADMINISTRATIVE)


def test_every_function_the_queries_call_names_the_list_of_every_table_it_touches(
    postgresql: psycopg.Connection,
) -> None:
    checked = list(called_statements(postgresql))
    assert {"purge_next_batch", "purge_list_step", "purge_field_step"} <= {
        name for name, _ in checked
    }, "the functions were not found"
    broken = {
        f"{name}: {table}"
        for name, sql in checked
        for table in (unrouted(sql) if sql is not None else ["dynamic SQL"])
    }
    assert broken - ACROSS_LISTS_FUNCTIONS == set(), "a function touches a table without its list"
    assert ACROSS_LISTS_FUNCTIONS - broken == set(), "it names its list now: take it out"


def _locks_or_writes(sql: str) -> bool:
    """Whether a statement locks rows or writes any."""
    writes = (ast.InsertStmt, ast.UpdateStmt, ast.DeleteStmt)
    return any(select.lockingClause for select in _nodes(sql, ast.SelectStmt)) or any(
        next(_nodes(sql, kind), None) is not None for kind in writes
    )


def test_the_reads_across_lists_only_read(postgresql: psycopg.Connection) -> None:
    # Citus runs SELECT ... FOR UPDATE / SHARE in single-shard queries only
    # (citus_docs reference_workarounds.rst), and a write across shards would lock each of them.
    across = {
        f"{name}: {table}": sql
        for name, sql in [*statements(), *called_statements(postgresql)]
        if sql is not None
        for table in unrouted(sql)
    }
    assert set(across) == ACROSS_LISTS_QUERIES | ACROSS_LISTS_FUNCTIONS
    assert [key for key, sql in across.items() if _locks_or_writes(sql)] == []
    assert _locks_or_writes("SELECT p.id FROM purges AS p LIMIT 1 FOR UPDATE SKIP LOCKED")
    assert _locks_or_writes("WITH d AS (DELETE FROM purges RETURNING id) SELECT id FROM d")
    assert not _locks_or_writes("SELECT p.id FROM purges AS p ORDER BY p.queued_at LIMIT 8")


def test_the_trigger_rule_reads_every_statement_and_expression_of_a_function() -> None:
    definition = """CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE n integer;
    BEGIN
        IF EXISTS (SELECT FROM tags WHERE id = NEW.tag_id) THEN
            n := (SELECT count(*) FROM videos WHERE id = NEW.video_id);
        END IF;
        PERFORM FROM custom_fields WHERE list_id = NEW.list_id;
        UPDATE field_schemas SET name = 'x' WHERE id = NEW.schema_id;
        EXECUTE format('SELECT 1 FROM tags WHERE list_id = $1 AND %I', 'c') USING NEW.list_id;
        EXECUTE format('SELECT 1 FROM tags WHERE %I = $1', 'id') USING NEW.tag_id;
        EXECUTE 'SELECT 1 FROM ' || 'tags';
        RETURN NEW;
    END $$"""
    found = [
        unrouted(sql) if sql is not None else "dynamic" for sql in function_statements(definition)
    ]
    assert found == [
        ["tags tags"],  # an IF's expression
        ["videos videos"],  # an assignment's
        [],  # PERFORM, naming the list
        ["field_schemas field_schemas"],
        [],  # EXECUTE format(...) naming the list, %I read as a column
        [],  # and the expression that builds it
        [],  # and its USING value
        ["tags tags"],  # EXECUTE format(...) by id alone
        [],
        [],
        "dynamic",  # EXECUTE of a query only known when it runs
        [],
    ]


# Rule 6 (citus commands/policy.c: create_distributed_table calls ErrorIfUnsupportedPolicy,
# which refuses a policy whose USING or WITH CHECK expression holds a subquery, "Subqueries are
# not supported in policies on distributed tables"; CREATE and ALTER POLICY on a distributed
# table check the same): no policy of a distributed table holds a subquery. The lists' and
# purges' compare the row's owner with the setting (migration 0031); the tables keyed by list
# compare the row's list with the transaction's list, then with the owner's lists (0032). On
# one server three of them read the list once per statement, in a subquery; where the citus
# extension is installed, tenant_policies_apply() writes them per row. The test checks that.
POLICY_GAPS: set[str] = set()

POLICIES = """
SELECT c.relname, p.polname, pg_get_expr(p.polqual, p.polrelid),
       pg_get_expr(p.polwithcheck, p.polrelid)
FROM pg_policy AS p
JOIN pg_class AS c ON c.oid = p.polrelid
JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema()
"""


def holds_a_subquery(expression: str | None) -> bool:
    """Whether a policy expression (as pg_get_expr prints it) holds a subquery."""
    if expression is None:
        return False
    return any(True for _ in _nodes(f"SELECT WHERE {expression}", ast.SubLink))


def test_no_policy_of_a_distributed_table_holds_a_subquery_in_citus_form_but_the_gaps_named(
    postgresql: psycopg.Connection,
) -> None:
    # No citus here: the policies are one server's unless Citus's are asked for.
    assert postgresql.execute("SELECT tenant_policies_apply()").fetchone() == ("one server",)
    citus_form = postgresql.execute("SELECT tenant_policies_apply(for_citus => true)").fetchone()
    assert citus_form == ("citus",)
    policies = postgresql.execute(POLICIES).fetchall()
    assert {table for table, *_ in policies} == set(DISTRIBUTED_BY), "a table lacks a policy"
    broken = {
        name
        for table, name, using, check in policies
        if table in DISTRIBUTED_BY and (holds_a_subquery(using) or holds_a_subquery(check))
    }
    assert broken - POLICY_GAPS == set(), "a policy holds a subquery, which Citus refuses"
    assert POLICY_GAPS - broken == set(), "a gap is closed: take it out of POLICY_GAPS"


@pytest.mark.parametrize(
    ("expression", "refused"),
    [
        (
            "(array_position(( SELECT owner_list_ids() AS owner_list_ids), list_id) IS NOT NULL)",
            True,
        ),
        ("(owner = ( SELECT current_owner() AS current_owner))", True),
        ("(EXISTS ( SELECT 1 FROM bookmark_lists l WHERE (l.id = list_id)))", True),
        ("(owner = current_setting('app.owner'::text, true))", False),
        ("(list_id = ANY ((current_setting('app.lists'::text))::uuid[]))", False),
        (
            "((list_id = current_list())"
            " OR (array_position(owner_list_ids(), list_id) IS NOT NULL))",
            False,
        ),
        (None, False),
    ],
    ids=["initplan", "scalar", "exists", "setting", "setting-array", "list-or-call", "none"],
)
def test_the_policy_rule_catches_what_it_must(expression: str | None, refused: bool) -> None:
    assert holds_a_subquery(expression) == refused
