"""Sizes of the value indexes: the partial ones the schema has, against the original design's
four full indexes, built here for the measure and dropped again."""

import time
from typing import Any

import asyncpg

PARTIAL = (
    "video_field_values_numeric_idx",
    "video_field_values_text_idx",
    "video_field_values_boolean_idx",
)
# The original design: one full (non-partial) index per value column, plus one on
# (list_id, field_id) for "a field's values in a list". Our reading of "four full indexes".
FULL = {
    "bench_full_numeric_idx": "(field_id, value_numeric, video_id)",
    "bench_full_text_idx": "(field_id, value_text, video_id)",
    "bench_full_boolean_idx": "(field_id, value_boolean, video_id)",
    "bench_full_list_field_idx": "(list_id, field_id)",
}


async def _size(conn: asyncpg.Connection, name: str) -> int:
    return int(await conn.fetchval("SELECT pg_relation_size($1::regclass)", name))


async def measure(conn: asyncpg.Connection) -> dict[str, Any]:
    partial = {name: await _size(conn, name) for name in PARTIAL}
    full: dict[str, int] = {}
    started = time.perf_counter()
    for name, columns in FULL.items():
        await conn.execute(f"DROP INDEX IF EXISTS {name}")
        await conn.execute(f"CREATE INDEX {name} ON video_field_values {columns}")
        full[name] = await _size(conn, name)
        await conn.execute(f"DROP INDEX {name}")
    return {
        "partial": partial,
        "partial_total": sum(partial.values()),
        "full_original": full,
        "full_total": sum(full.values()),
        "full_build_s": round(time.perf_counter() - started, 2),
        "table_bytes": await _size(conn, "video_field_values"),
        "pkey_bytes": await _size(conn, "video_field_values_pkey"),
    }
