"""PgBouncer in transaction pooling mode against direct connections: the main cases run the
way the app runs a request (a transaction that says who is calling, the statement, the end),
through two pools of the app's kind, interleaved round by round."""

import asyncio
import sys
import time
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import asyncpg

from app.config import Settings
from app.db import connections
from app.db.pool import create_pool
from app.repositories import video_search
from bench.cases import Case
from bench.data import BENCH_OWNER, BenchData
from bench.timing import BUDGET_S, STATEMENT_TIMEOUT_MS, _stats
from tests import pgbouncer

MAIN = (
    "newest_page",
    "search_select_eq",
    "search_two_conditions",
    "facets_select",
    "fields_of_video",
    "set_one_value",
)
LAYERS = ("direct", "pgbouncer")


async def _request(pool: asyncpg.Pool, settings: Settings, data: BenchData, case: Case) -> None:
    # Rolled back: a write is measured without changing what the next call finds.
    conn, tx = await connections.begin(
        pool, owner=BENCH_OWNER, list_id=data.list_id, settings=settings
    )
    try:
        if case.sql is None:
            assert case.search is not None
            await video_search.search(conn, list_id=data.list_id, query=case.search)
        else:
            await conn.fetch(case.sql, *case.params)
    finally:
        await connections.rollback(conn, tx)
        await connections.release(pool, conn)


async def compare(
    data: BenchData, cases: dict[str, Case], *, iterations: int, rounds: int, concurrency: int
) -> list[dict[str, Any]]:
    """Per main case, layer and concurrency (1 and `concurrency`): latency percentiles."""
    if pgbouncer.executable() is None:
        print(f"  skipped PgBouncer vs direct: {pgbouncer.MISSING}", file=sys.stderr)
        return []
    users = {
        urlsplit(url).username or "": pgbouncer.password_of(url) for url in (data.url, data.app_url)
    }
    settings = Settings(
        database_url=data.url,
        statement_timeout_ms=STATEMENT_TIMEOUT_MS,
        pool_max_size=concurrency,
        database_pooler="none",
    )
    results: list[dict[str, Any]] = []
    with pgbouncer.pgbouncer(data.url, users=users) as bouncer:
        bounced = replace(settings, database_pooler="pgbouncer")
        setups = {
            "direct": (settings, data.app_url),
            "pgbouncer": (bounced, pgbouncer.through(data.app_url, bouncer)),
        }
        pools = {
            layer: await create_pool(s, url=url, min_size=concurrency)
            for layer, (s, url) in setups.items()
        }
        try:
            for name in MAIN:
                case = cases[name]
                for level in sorted({1, concurrency}):
                    lat: dict[str, list[float]] = {layer: [] for layer in LAYERS}
                    wall = dict.fromkeys(LAYERS, 0.0)
                    for r in range(rounds + 1):  # round 0 warms up
                        for layer in LAYERS:
                            got, seconds = await _timed(
                                pools[layer],
                                setups[layer][0],
                                data,
                                case,
                                level,
                                max(1, iterations // rounds),
                            )
                            if r:
                                lat[layer] += got
                                wall[layer] += seconds
                    for layer in LAYERS:
                        stats = _stats(lat[layer], wall[layer])
                        results.append(
                            {"query": name, "layer": layer, "concurrency": level, **stats}
                        )
                print(f"  timed {name} through PgBouncer and direct", file=sys.stderr)
        finally:
            for pool in pools.values():
                await pool.close()
    return results


async def _timed(
    pool: asyncpg.Pool, settings: Settings, data: BenchData, case: Case, level: int, n: int
) -> tuple[list[float], float]:
    latencies: list[float] = []
    calls = iter(range(n))
    deadline = time.perf_counter() + BUDGET_S

    async def worker() -> None:
        for _ in calls:
            if time.perf_counter() > deadline:
                return
            started = time.perf_counter()
            await _request(pool, settings, data, case)
            latencies.append(time.perf_counter() - started)

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(level)))
    return latencies, time.perf_counter() - began
