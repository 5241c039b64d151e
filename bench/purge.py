"""Deleting big things (issue 14), measured last because it destroys the bench list: how fast
DELETE answers for the list's fullest field and then for the list, how long the background
purge (the API's own worker) takes and how many rows a second it removes, and what it costs
another list: its search and write p99 while a purge runs, against the same load without one,
and why: what the database's sessions waited on (sampled from pg_stat_activity) and how much WAL
each phase wrote.

Afterwards bench_meta is dropped, so the next `make bench` rebuilds the database
(`--no-purge` skips this stage and keeps it)."""

import asyncio
import random
import sys
import time
from typing import Any
from uuid import UUID

import aiohttp
import asyncpg

from app.tokens import DAY_S, issue_token
from bench.data import BENCH_OWNER, BenchData, connect_as
from bench.timing import JWT_SECRET, api_server

# The field whose delete is timed: the one every video holds.
FULLEST_FIELD = "Rating"
OTHER_LIST = "Purge bench: another list"


def _percentile(latencies: list[float], share: float) -> float | None:
    if not latencies:
        return None
    ordered = sorted(latencies)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 2)


async def _another_list(conn: asyncpg.Connection, videos: int) -> tuple[UUID, UUID, list[UUID]]:
    """A second list of the bench owner, with a rating on every video: what other users do
    while the purge runs."""
    list_id = await conn.fetchval(
        "INSERT INTO bookmark_lists (owner, name) VALUES ($1, $2) RETURNING id",
        BENCH_OWNER,
        OTHER_LIST,
    )
    field_id = await conn.fetchval(
        "INSERT INTO custom_fields (list_id, name, field_type, config)"
        " VALUES ($1, 'Rating', 'rating', $2) RETURNING id",
        list_id,
        {"max_rating": 5},
    )
    await conn.execute(
        "INSERT INTO videos (list_id, youtube_id, title, created_at)"
        " SELECT $1, 'other' || i, 'Video ' || i, now() - i * interval '1 minute'"
        " FROM generate_series(1, $2) AS i",
        list_id,
        videos,
    )
    await conn.execute(
        "INSERT INTO video_field_values (video_id, field_id, value_numeric)"
        " SELECT id, $2, (hashtext(id::text) & 65535) % 6 FROM videos WHERE list_id = $1",
        list_id,
        field_id,
    )
    await conn.execute("ANALYZE videos, video_field_values")
    ids = [r["id"] for r in await conn.fetch("SELECT id FROM videos WHERE list_id = $1", list_id)]
    return list_id, field_id, ids


# Each session of the bench database, as one sample: who ("purge" for the worker's batch,
# "others" for the API's requests, "autovacuum") and what it waits on, "CPU" when it waits on
# nothing (running, or in an uninstrumented wait). "idle in transaction" is a transaction
# waiting for the app's next statement (ClientRead).
_SAMPLE = """
SELECT CASE WHEN backend_type = 'autovacuum worker' THEN 'autovacuum'
            WHEN query LIKE '%purge_next_batch%' THEN 'purge'
            ELSE 'others' END AS who,
       coalesce(wait_event_type || ':' || wait_event, 'CPU') AS what
FROM pg_stat_activity
WHERE pid <> pg_backend_pid()
  AND (backend_type = 'autovacuum worker'
       OR (datname = current_database() AND backend_type = 'client backend'
           AND state IN ('active', 'idle in transaction')))
"""
# WAL bytes, full-page images and flushes, and checkpoints, counted since the server started.
_WAL = """
SELECT w.wal_fpi, w.wal_bytes, w.wal_sync, b.checkpoints_timed + b.checkpoints_req AS checkpoints
FROM pg_stat_wal AS w, pg_stat_bgwriter AS b
"""
SAMPLE_S = 0.01


class Waits:
    """What the sessions wait on while a phase runs, sampled every SAMPLE_S, and the WAL the
    phase wrote: the measured reason behind a p99."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn
        self.counts: dict[str, dict[str, int]] = {}
        self.samples = 0
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._wal_before: asyncpg.Record | None = None
        self._started = 0.0

    async def _sample(self) -> None:
        while not self._stop.is_set():
            for row in await self.conn.fetch(_SAMPLE):
                seen = self.counts.setdefault(row["who"], {})
                seen[row["what"]] = seen.get(row["what"], 0) + 1
            self.samples += 1
            await asyncio.sleep(SAMPLE_S)

    async def start(self) -> None:
        self._wal_before = await self.conn.fetchrow(_WAL)
        self._started = time.perf_counter()
        self._task = asyncio.create_task(self._sample())

    async def stop(self) -> dict[str, Any]:
        self._stop.set()
        assert self._task is not None and self._wal_before is not None
        await self._task
        seconds = time.perf_counter() - self._started
        after = await self.conn.fetchrow(_WAL)
        assert after is not None  # one row, always
        wal = {key: after[key] - self._wal_before[key] for key in after.keys()}  # noqa: SIM118
        return {
            "samples": self.samples,
            # Per who: sessions seen per sample waiting on each thing, the most first (1.0 = one
            # session on average, all the time).
            "waits": {
                who: {
                    what: round(count / max(1, self.samples), 3)
                    for what, count in sorted(seen.items(), key=lambda item: -item[1])[:8]
                }
                for who, seen in sorted(self.counts.items())
            },
            "wal_mb_per_s": round(float(wal["wal_bytes"]) / seconds / 1e6, 2),
            "wal_syncs_per_s": round(wal["wal_sync"] / seconds, 1),
            "wal_full_page_images": wal["wal_fpi"],
            "checkpoints": wal["checkpoints"],
        }


# Other users at a steady pace (each client waits this long between requests), not a flood:
# on a saturated machine a p99 measures the queue, whatever else runs.
THINK_S = 0.01


class Load:
    """Searches and value writes on the other list, until stopped: `concurrency` clients,
    half searching, half writing, each pausing THINK_S between requests."""

    def __init__(
        self, client: aiohttp.ClientSession, other: tuple[UUID, UUID, list[UUID]], concurrency: int
    ) -> None:
        self.client = client
        self.list_id, self.field_id, self.videos = other
        self.concurrency = max(2, concurrency)
        self.latencies: dict[str, list[float]] = {"search": [], "write": []}
        self.errors = 0
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def _client(self, number: int) -> None:
        rng = random.Random(number)
        search = {
            "filters": [{"field_id": str(self.field_id), "op": "eq", "value": 3}],
            "limit": 50,
        }
        base = f"/lists/{self.list_id}"
        while not self._stop.is_set():
            kind = "search" if number % 2 == 0 else "write"
            started = time.perf_counter()
            if kind == "search":
                request = self.client.post(f"{base}/videos/search", json=search)
            else:
                video = rng.choice(self.videos)
                request = self.client.put(
                    f"{base}/videos/{video}/fields/{self.field_id}",
                    json={"value_numeric": rng.randrange(6)},
                )
            async with request as r:
                await r.read()
            if r.status >= 400:
                self.errors += 1
            else:
                self.latencies[kind].append(time.perf_counter() - started)
            await asyncio.sleep(THINK_S)

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._client(n)) for n in range(self.concurrency)]

    async def stop(self) -> dict[str, Any]:
        self._stop.set()
        await asyncio.gather(*self._tasks)
        return {
            "search_p50_ms": _percentile(self.latencies["search"], 0.5),
            "search_p99_ms": _percentile(self.latencies["search"], 0.99),
            "write_p50_ms": _percentile(self.latencies["write"], 0.5),
            "write_p99_ms": _percentile(self.latencies["write"], 0.99),
            "requests": sum(len(v) for v in self.latencies.values()),
            "errors": self.errors,
        }


async def _purge(
    client: aiohttp.ClientSession,
    owner_conn: asyncpg.Connection,
    url: str,
    rows: int,
    load: Load,
    waits: Waits,
) -> dict[str, Any]:
    """DELETE `url` (timed alone), then wait for the API's worker to finish the purge while
    the load runs."""
    started = time.perf_counter()
    async with client.delete(url) as r:
        await r.read()
    answered = time.perf_counter() - started
    r.raise_for_status()
    load.start()
    await waits.start()
    # Polled: the worker runs in the API's process.
    batches = 0
    while True:
        seen = await owner_conn.fetchval("SELECT max(batches) FROM purges")
        if seen is None:
            break
        batches = max(batches, seen)
        await asyncio.sleep(0.05)
    took = time.perf_counter() - started
    during = await load.stop()
    during["database"] = await waits.stop()
    return {
        "answer_ms": round(answered * 1000, 2),
        "purge_s": round(took, 2),
        "rows": rows,
        "rows_per_s": round(rows / took),
        "batches_seen": batches,
        "during": during,
    }


async def _baseline(load: Load, seconds: float, waits: Waits | None = None) -> dict[str, Any]:
    load.start()
    if waits:
        await waits.start()
    await asyncio.sleep(seconds)
    done = await load.stop()
    if waits:
        done["database"] = await waits.stop()
    return done


async def run(data: BenchData, *, concurrency: int, baseline_s: float) -> dict[str, Any]:
    conn = await connect_as(data, rls=False, statement_timeout_ms=0)
    # Its own session: the sampler runs while `conn` polls the purges. Seeing the app's
    # sessions' waits takes a superuser or pg_read_all_stats, as the bench's owning role is.
    waits = Waits(await connect_as(data, rls=False, statement_timeout_ms=0))
    try:
        other = await _another_list(conn, min(data.scale, 20_000))
        field = data.fields[FULLEST_FIELD]
        field_rows = await conn.fetchval(
            "SELECT count(*) + 1 FROM video_field_values WHERE field_id = $1", field
        ) + await conn.fetchval("SELECT count(*) FROM schema_fields WHERE field_id = $1", field)
        async with (
            api_server(data.url, concurrency + 2) as base,
            aiohttp.ClientSession(
                base_url=base,
                headers={"Authorization": f"Bearer {issue_token(JWT_SECRET, BENCH_OWNER, DAY_S)}"},
                timeout=aiohttp.ClientTimeout(total=60),
            ) as client,
        ):
            print("purge: load on another list, no purge", file=sys.stderr)
            await _baseline(Load(client, other, concurrency), 1.0)  # warm-up
            without = await _baseline(Load(client, other, concurrency), baseline_s, waits)

            print(f"purge: deleting the field {FULLEST_FIELD}", file=sys.stderr)
            field_purge = await _purge(
                client,
                conn,
                f"/lists/{data.list_id}/custom-fields/{field}",
                field_rows,
                Load(client, other, concurrency),
                Waits(waits.conn),
            )
            list_rows = await _rows_of_list(conn, data.list_id)
            print("purge: deleting the list", file=sys.stderr)
            list_purge = await _purge(
                client,
                conn,
                f"/lists/{data.list_id}",
                list_rows,
                Load(client, other, concurrency),
                Waits(waits.conn),
            )
        # The bench list is gone: the next run builds the database again.
        await conn.execute("DROP TABLE bench_meta")
    finally:
        await waits.conn.close()
        await conn.close()
    return {"without_purge": without, "field": field_purge, "list": list_purge}


async def _rows_of_list(conn: asyncpg.Connection, list_id: UUID) -> int:
    total = 1  # the list row
    for table in (
        "videos",
        "video_field_values",
        "video_tags",
        "tags",
        "schema_fields",
        "field_schemas",
        "custom_fields",
    ):
        # Names from the tuple above, never from input.
        query = f"SELECT count(*) FROM {table} WHERE list_id = $1"  # noqa: S608
        total += await conn.fetchval(query, list_id)
    return total
