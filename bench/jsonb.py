"""The JSONB layout to compare against: the same videos with their values in one document
({"<field id>": value, ...}) per video, with the best indexes that layout allows: a GIN index
(jsonb_ops, for @> and ?) and one expression index per field for ranges and IN lists.

Field ids appear as literals in the SQL here on purpose: an expression index is only used
when the query repeats its expression. They are UUIDs the bench generated, never user input."""

import time
from typing import Any
from uuid import UUID

import asyncpg

from app import field_types
from app.models.video_facets import VideoFacetsQuery
from app.models.video_search import VideoSearch
from bench.data import FIELDS, BenchData

TYPES = {spec.name: spec.field_type for spec in FIELDS}

_BUILD = """
CREATE TABLE videos_jsonb (
    id uuid PRIMARY KEY, list_id uuid NOT NULL, youtube_id text NOT NULL, title text NOT NULL,
    created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, fields jsonb NOT NULL
);
INSERT INTO videos_jsonb
SELECT v.id, v.list_id, v.youtube_id, v.title, v.created_at, v.updated_at,
       coalesce((SELECT jsonb_object_agg(fv.field_id::text, coalesce(to_jsonb(fv.value_numeric),
                                         to_jsonb(fv.value_boolean), to_jsonb(fv.value_text),
                                         to_jsonb(fv.value_date), to_jsonb(fv.value_options)))
                 FROM video_field_values AS fv WHERE fv.video_id = v.id), '{}')
FROM videos AS v;
CREATE INDEX videos_jsonb_newest_idx ON videos_jsonb (list_id, created_at DESC, id DESC);
CREATE INDEX videos_jsonb_title_idx ON videos_jsonb (list_id, title, id);
CREATE INDEX videos_jsonb_fields_gin ON videos_jsonb USING gin (fields);
"""


def _key(field_id: UUID) -> str:
    return str(UUID(str(field_id)))  # normalised: only hex digits and dashes


async def build(conn: asyncpg.Connection, data: BenchData) -> dict[str, Any]:
    """Create the JSONB copy unless it is there; returns its build time and sizes."""
    if not await conn.fetchval("SELECT to_regclass('videos_jsonb') IS NOT NULL"):
        started = time.perf_counter()
        await conn.execute(_BUILD)
        for name, field_id in data.fields.items():
            key = _key(field_id)
            column = field_types.spec(TYPES[name]).column
            if column == "value_numeric":
                expression = f"((fields ->> '{key}')::numeric)"
            elif column in ("value_text", "value_date"):  # ISO dates sort as text
                expression = f"(fields ->> '{key}')"
            else:
                continue  # booleans: the GIN index serves @>
            await conn.execute(
                f"CREATE INDEX videos_jsonb_{name.lower()}_idx ON videos_jsonb ({expression})"
            )
        await conn.execute("ANALYZE videos_jsonb")
        build_s = time.perf_counter() - started
        await conn.execute(
            "UPDATE bench_meta SET load = load || jsonb_build_object('jsonb_build_s', $1::numeric)",
            round(build_s, 3),
        )
    rows = await conn.fetch(
        "SELECT c.relname, pg_relation_size(c.oid) AS bytes FROM pg_class AS c"
        " WHERE c.relname LIKE 'videos_jsonb%'"
    )
    return {
        "table_bytes": sum(r["bytes"] for r in rows if r["relname"] == "videos_jsonb"),
        "index_bytes": sum(r["bytes"] for r in rows if r["relname"] != "videos_jsonb"),
        "indexes": {r["relname"]: r["bytes"] for r in rows if r["relname"] != "videos_jsonb"},
    }


def _condition(name: str, key: str, op: str, value: Any, params: list[Any]) -> str:
    def bind(v: Any) -> str:
        params.append(v)
        return f"${len(params)}"

    text = f"(fields ->> '{key}')"
    number = f"((fields ->> '{key}')::numeric)"
    kind = TYPES[name]
    if op == "is_empty":
        return f"NOT fields ? '{key}'"
    if op == "is_not_empty":
        return f"fields ? '{key}'"
    if op == "eq":
        return f"fields @> {bind({key: value})}::jsonb"
    if op == "ne":
        column = number if field_types.spec(kind).column == "value_numeric" else text
        return f"{column} <> {bind(value)}"
    if op in ("gt", "gte", "lt", "lte"):
        sign = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[op]
        return f"{number} {sign} {bind(value)}::numeric"
    if op in ("before", "after", "on_or_before", "on_or_after"):  # ISO dates compare as text
        sign = {"before": "<", "after": ">", "on_or_before": "<=", "on_or_after": ">="}[op]
        return f"{text} {sign} {bind(value)}"
    if op == "between" and field_types.spec(kind).column == "value_date":
        return f"{text} BETWEEN {bind(value[0])} AND {bind(value[1])}"
    if op == "between":
        return f"{number} BETWEEN {bind(value[0])}::numeric AND {bind(value[1])}::numeric"
    if op == "in":
        return f"{text} = ANY({bind(value)}::text[])"
    if op == "not_in":
        return f"{text} <> ALL({bind(value)}::text[])"
    if op == "has_any":
        return f"(fields -> '{key}') ?| {bind(value)}::text[]"
    if op == "has_all":
        return f"(fields -> '{key}') ?& {bind(value)}::text[]"
    if op == "has_none":
        return f"fields ? '{key}' AND NOT (fields -> '{key}') ?| {bind(value)}::text[]"
    if op == "contains":
        return f"strpos(lower({text}), lower({bind(value)})) > 0"
    if op == "starts_with":
        return f"starts_with({text}, {bind(value)})"
    raise ValueError(op)


def search_sql(
    data: BenchData, search: VideoSearch, *, after: tuple[Any, UUID] | None = None
) -> tuple[str, list[Any]]:
    """The page of the videos matching every condition, newest first (after the keyset
    `after`, a (created_at, id) pair) or by title."""
    names = {field_id: name for name, field_id in data.fields.items()}
    params: list[Any] = [data.list_id]
    conditions = [
        _condition(names[c.field_id], _key(c.field_id), c.op, c.value, params)
        for c in search.filters
    ]
    if after is not None:
        params += list(after)
        conditions.append(f"(created_at, id) < (${len(params) - 1}, ${len(params)})")
    order = "title, id" if search.sort.by == "title" else "created_at DESC, id DESC"
    params.append(search.limit + 1)
    where = "".join(f"\n  AND {c}" for c in conditions)
    sql = (
        "/* bench.jsonb_search */\n"
        "SELECT id, list_id, youtube_id, title, created_at, updated_at\n"
        "FROM videos_jsonb\n"
        f"WHERE list_id = $1{where}\n"
        f"ORDER BY {order}\nLIMIT ${len(params)}"
    )
    return sql, params


def facets_sql(data: BenchData, query: VideoFacetsQuery) -> tuple[str, list[Any]]:
    """The facets' counts over the documents of the videos matching the filters: per field,
    how many hold each value or option (the NULL group: none), a number's or rating's min,
    max and avg, and a date's min and max (the figures as text, one column type for all)."""
    names = {field_id: name for name, field_id in data.fields.items()}
    params: list[Any] = [data.list_id]
    conditions = [
        _condition(names[c.field_id], _key(c.field_id), c.op, c.value, params)
        for c in query.filters
    ]
    # Field ids are the bench's own UUIDs, repeated as literals so that the expression
    # indexes apply (see the module's docstring); values are bound.
    parts = []
    for field_id in query.fields:
        key = _key(field_id)
        kind = TYPES[names[field_id]]
        column = field_types.spec(kind).column
        number = f"(fields ->> '{key}')::numeric"
        day = f"(fields ->> '{key}')::date"
        aggregates = "NULL, NULL, NULL"
        if column == "value_numeric":
            aggregates = f"min({number})::text, max({number})::text, round(avg({number}), 2)::text"
        elif column == "value_date":
            aggregates = f"min({day})::text, max({day})::text, NULL"
        held = f"count(fields ? '{key}' OR NULL), {aggregates} FROM matching"
        parts.append(f"SELECT '{key}', NULL, {held}")
        if column == "value_options":
            options = f"FROM matching, jsonb_array_elements_text(coalesce(fields -> '{key}', '[]'))"
            parts.append(f"SELECT '{key}', o, count(*), NULL, NULL, NULL {options} AS o GROUP BY 2")
        elif column not in ("value_numeric", "value_date") or kind == "rating":
            by_value = "FROM matching GROUP BY 2"
            parts.append(
                f"SELECT '{key}', fields ->> '{key}', count(*), NULL, NULL, NULL {by_value}"
            )
    where = " AND ".join(["list_id = $1", *conditions])
    total = "SELECT 'total', NULL, count(*), NULL::text, NULL::text, NULL::text"
    sql = "\n".join(
        [
            "/* bench.jsonb_facets */",
            "WITH matching AS MATERIALIZED (",
            "SELECT fields",
            f"FROM videos_jsonb WHERE {where})",
            f"{total} FROM matching",
            *(f"UNION ALL {part}" for part in parts),
        ]
    )
    return sql, params
