"""Searches of one or two conditions under every kind of order, through the repository.

The cases (bench/cases.py) are chosen one by one, each with the plan it must use. This sweep
is what a user can combine instead: every pair of eleven conditions (common and rare
equalities, number and date ranges, a text prefix and phrase, an option held) and each alone,
under six orders (newest first, by title, by a rating, a date, a multi_select). Each search
runs as the app runs it, once to warm, then timed: the slowest show a plan that reads far more
than its page (at 100k, before commit fba95ce, Watched = true and Notes starting with
"alpha" sorted by Published: 340 ms)."""

import itertools
import statistics
import time
from typing import Any

import asyncpg

from app.models.video_search import Condition, Sort, VideoSearch
from app.repositories import video_search
from bench.data import BenchData, connect_as

CONDITIONS: list[tuple[str, str, Any]] = [
    ("Status", "eq", "done"),
    ("Status", "eq", "rewatch"),
    ("Watched", "eq", True),
    ("Language", "eq", "lang03"),
    ("Favorite", "eq", True),
    ("Minutes", "gte", 300),
    ("Rating", "gte", 4),
    ("Published", "before", "2012-01-01"),
    ("Notes", "starts_with", "alpha"),
    ("Notes", "contains", "quebec romeo"),
    ("Topics", "has_any", ["topic03"]),
]
ORDERS = [
    ("created_at", "desc"),
    ("title", "asc"),
    ("Rating", "desc"),
    ("Difficulty", "asc"),
    ("Published", "desc"),
    ("Topics", "asc"),
]
SLOWEST = 10


def searches(data: BenchData) -> list[tuple[str, VideoSearch]]:
    """Every sweep search, with a label naming its conditions and order."""
    found = []
    for conditions in [
        *itertools.combinations(CONDITIONS, 1),
        *itertools.combinations(CONDITIONS, 2),
    ]:
        for by, direction in ORDERS:
            sort_by = str(data.fields[by]) if by in data.fields else by
            query = VideoSearch(
                filters=[
                    Condition(field_id=data.fields[name], op=op, value=value)  # type: ignore[arg-type]
                    for name, op, value in conditions
                ],
                sort=Sort(by=sort_by, direction=direction),  # type: ignore[arg-type]
            )
            label = " and ".join(f"{name} {op} {value}" for name, op, value in conditions)
            found.append((f"{label}, by {by} {direction}", query))
    return found


async def _timed(conn: asyncpg.Connection, data: BenchData, query: VideoSearch) -> float:
    started = time.perf_counter()
    async with conn.transaction():
        await video_search.search(conn, list_id=data.list_id, query=query)
    return (time.perf_counter() - started) * 1000


async def run(data: BenchData) -> dict[str, Any]:
    """Each search's time through the repository (ms, after a warming call), their median,
    90th percentile and maximum, and the slowest."""
    conn = await connect_as(data, rls=True, statement_timeout_ms=20_000)
    timed: list[tuple[float, str]] = []
    try:
        for label, query in searches(data):
            await _timed(conn, data, query)
            timed.append((await _timed(conn, data, query), label))
    finally:
        await conn.close()
    times = sorted(ms for ms, _ in timed)
    return {
        "searches": len(times),
        "median_ms": round(statistics.median(times), 2),
        "p90_ms": round(times[int(len(times) * 0.9)], 2),
        "max_ms": round(times[-1], 2),
        "total_s": round(sum(times) / 1000, 2),
        "slowest": [
            {"search": label, "ms": round(ms, 2)}
            for ms, label in sorted(timed, reverse=True)[:SLOWEST]
        ],
    }
