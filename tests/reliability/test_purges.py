"""The background purge under stress: stopped and started again mid-way, run by two app
processes at once, and with the database going away under it. Each app runs its own worker
(app/purger.py) with small batches, so a CI-sized list takes many of them."""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import httpx
import pytest
from litestar import Litestar

from app.api.app import create_app
from app.config import PurgeSettings
from app.purger import Purger
from tests.conftest import auth_settings
from tests.reliability.conftest import PATIENT_WAITS, in_process
from tests.reliability.test_outage import Cluster, cluster  # noqa: F401 (a fixture)

# Ten rows a batch, then a pause as long again: a list of a few hundred rows takes seconds.
SLOW = PurgeSettings(
    target_s=0.01,
    first_rows=10,
    min_rows=10,
    max_rows=10,
    pause_ratio=1.0,
    poll_s=0.05,
    backoff_first_s=0.1,
    backoff_max_s=0.5,
)
TABLES = (
    "videos",
    "custom_fields",
    "field_schemas",
    "schema_fields",
    "tags",
    "video_tags",
    "video_field_values",
)
# A filled list: per video the video, its tag link and two values; two fields, a schema with
# both, a tag, the list.
FIXED_ROWS = 2 + 1 + 2 + 1 + 1


def app_on(url: str, purge: PurgeSettings = SLOW, **settings: Any) -> Litestar:
    return create_app(auth_settings(url, pool_max_size=4, purge=purge, **settings))


def purger_of(app: Litestar) -> Purger:
    purger: Purger = app.state.purger
    return purger


async def fill(api: httpx.AsyncClient, conn: asyncpg.Connection, name: str, videos: int) -> str:
    """A list of the API's owner with `videos` videos, two fields with a value on each video,
    a schema, a tag on each video: made through the API, the bulk rows in raw SQL."""
    list_id: str = (await api.post("/lists", json={"name": name})).json()["id"]
    fields = []
    for field in ("First", "Second"):
        body = {"name": field, "field_type": "text", "config": {}}
        fields.append((await api.post(f"/lists/{list_id}/custom-fields", json=body)).json()["id"])
    body = {"name": "Schema", "fields": [{"field_id": f} for f in fields]}
    schema = (await api.post(f"/lists/{list_id}/schemas", json=body)).json()["id"]
    tag = (await api.post(f"/lists/{list_id}/tags", json={"name": "t", "schema_id": schema})).json()
    await conn.execute(
        "INSERT INTO videos (list_id, youtube_id, title)"
        " SELECT $1, 'v' || i, 'Video ' || i FROM generate_series(1, $2) AS i",
        list_id,
        videos,
    )
    for field in fields:
        await conn.execute(
            "INSERT INTO video_field_values (video_id, field_id, value_text)"
            " SELECT id, $2, 'note' FROM videos WHERE list_id = $1",
            list_id,
            field,
        )
    await conn.execute(
        "INSERT INTO video_tags (video_id, tag_id) SELECT id, $2 FROM videos WHERE list_id = $1",
        list_id,
        tag["id"],
    )
    return list_id


async def rows_of(conn: asyncpg.Connection, list_id: str) -> int:
    total = 0
    for table in TABLES:
        # Names from TABLES, never from input.
        query = f"SELECT count(*) FROM {table} WHERE list_id = $1"  # noqa: S608
        total += await conn.fetchval(query, list_id)
    return total + await conn.fetchval("SELECT count(*) FROM bookmark_lists WHERE id = $1", list_id)


async def until(check: Callable[[], Awaitable[bool]], within_s: float = 30) -> None:
    deadline = time.monotonic() + within_s
    while not await check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def assert_counts_exact(conn: asyncpg.Connection) -> None:
    kept = await conn.fetch(
        "SELECT list_id, sum(count) AS n FROM list_video_counts GROUP BY 1 HAVING sum(count) <> 0"
    )
    true = await conn.fetch("SELECT list_id, count(*) AS n FROM videos GROUP BY 1")
    assert {r["list_id"]: r["n"] for r in kept} == {r["list_id"]: r["n"] for r in true}


async def test_a_purge_stopped_by_a_restart_resumes_where_it_stopped(
    database_url: str, pool: asyncpg.Pool
) -> None:
    async with pool.acquire() as conn:
        first = app_on(database_url)
        async with in_process(first) as api:
            kept = await fill(api, conn, "Kept", 40)
            doomed = await fill(api, conn, "Doomed", 150)
            total = await rows_of(conn, doomed)
            assert (await api.delete(f"/lists/{doomed}")).status_code == 204

            async def some_done() -> bool:
                return bool(await conn.fetchval("SELECT rows_purged > 50 FROM purges"))

            await until(some_done)
        # Stopped mid-way: the purge is recorded where it is, and nothing of it is visible.
        progress = await conn.fetchrow("SELECT rows_purged, batches FROM purges")
        assert progress is not None and 0 < progress["rows_purged"] < total
        assert await rows_of(conn, doomed) == total - progress["rows_purged"]

        second = app_on(database_url)
        async with in_process(second) as api:

            async def done() -> bool:
                return (await api.get("/health")).json()["purges"]["pending"] == 0

            await until(done)
            assert len((await api.get(f"/lists/{kept}/videos")).json()["items"]) == 40
        assert await rows_of(conn, doomed) == 0
        # Each row was purged once: the two workers' counts add up to what there was.
        assert purger_of(first).rows_purged + purger_of(second).rows_purged == total
        assert await rows_of(conn, kept) == 40 * 4 + FIXED_ROWS
        await assert_counts_exact(conn)


async def test_two_app_processes_purge_together_never_the_same_batch(
    database_url: str, pool: asyncpg.Pool
) -> None:
    apps = [app_on(database_url), app_on(database_url)]
    async with pool.acquire() as conn, in_process(apps[0]) as one, in_process(apps[1]) as two:
        doomed = [await fill(one, conn, f"Doomed {i}", 60) for i in range(3)]
        kept = await fill(one, conn, "Kept", 20)
        total = sum([await rows_of(conn, d) for d in doomed])
        for api, list_id in zip([one, two, one], doomed, strict=True):
            assert (await api.delete(f"/lists/{list_id}")).status_code == 204

        async def done() -> bool:
            return not await conn.fetchval("SELECT count(*) FROM purges")

        await until(done)
        for list_id in doomed:
            assert await rows_of(conn, list_id) == 0
        assert await rows_of(conn, kept) == 20 * 4 + FIXED_ROWS
        workers = [purger_of(app) for app in apps]
        assert all(w.batches > 0 for w in workers), [w.batches for w in workers]
        assert sum(w.rows_purged for w in workers) == total
        await assert_counts_exact(conn)


RACING_STATUSES = {200, 201, 204, 404}
LATE_WRITES = 50  # the writes from this one on start after the delete has answered


@pytest.mark.parametrize("target", ["list", "field"])
async def test_writes_racing_a_delete_answer_404_never_5xx_and_leave_no_orphan(
    database_url: str, pool: asyncpg.Pool, target: str
) -> None:
    app = app_on(database_url, **PATIENT_WAITS)  # sixty requests on four connections
    async with pool.acquire() as conn, in_process(app) as api:
        list_id = await fill(api, conn, "Doomed", 30)
        base = f"/lists/{list_id}"
        videos = [
            str(r["id"])
            for r in await conn.fetch("SELECT id FROM videos WHERE list_id = $1", list_id)
        ]
        fields = [
            str(r["id"])
            for r in await conn.fetch("SELECT id FROM custom_fields WHERE list_id = $1", list_id)
        ]
        tag = str(await conn.fetchval("SELECT id FROM tags WHERE list_id = $1", list_id))

        answered = asyncio.Event()

        async def write(i: int) -> httpx.Response:
            await asyncio.sleep(0.003 * i)  # spread before and after the delete
            if i >= LATE_WRITES:
                # Some surely after it: on a loaded machine every write may otherwise finish
                # before the delete commits, and the race would show no refusal at all.
                await answered.wait()
            video = videos[i % len(videos)]
            match i % 5:
                case 0:
                    return await api.put(
                        f"{base}/videos/{video}/fields/{fields[0]}", json={"value_text": f"w{i}"}
                    )
                case 1:
                    edit = {
                        "set": [
                            {"video_id": v, "field_id": fields[0], "value_text": "b"}
                            for v in videos
                        ]
                    }
                    return await api.post(f"{base}/values", json=edit)
                case 2:
                    body = {"youtube_id": f"new{i}", "title": "New"}
                    return await api.post(f"{base}/videos", json=body)
                case 3:
                    return await api.put(f"{base}/videos/{video}/tags", json={"tag_ids": [tag]})
                case _:
                    body = {"filters": [{"field_id": fields[0], "op": "eq", "value": "note"}]}
                    return await api.post(f"{base}/videos/search", json=body)

        doomed = base if target == "list" else f"{base}/custom-fields/{fields[0]}"

        async def delete() -> httpx.Response:
            await asyncio.sleep(0.05)
            try:
                return await api.delete(doomed)
            finally:
                answered.set()

        *writes, deleted = await asyncio.gather(*(write(i) for i in range(60)), delete())

        assert deleted.status_code == 204, deleted.text
        statuses = {r.status_code for r in writes}
        assert statuses <= RACING_STATUSES, [r.text for r in writes if r.status_code >= 500]
        assert 404 in statuses, statuses

        async def done() -> bool:
            return (await api.get("/health")).json()["purges"]["pending"] == 0

        await until(done)
        if target == "list":
            assert await rows_of(conn, list_id) == 0
        else:
            for table in ("video_field_values", "schema_fields", "field_value_counts"):
                # Names from the tuple above, never from input.
                query = f"SELECT count(*) FROM {table} WHERE field_id = $1"  # noqa: S608
                assert await conn.fetchval(query, fields[0]) == 0, table
            assert (await api.get(f"{base}/videos/{videos[0]}/fields")).status_code == 200
        # No orphan anywhere: every row's list is alive, or it is gone.
        orphans = await conn.fetchval(
            "SELECT count(*) FROM video_field_values AS fv"
            " WHERE NOT EXISTS (SELECT FROM bookmark_lists AS l"
            "                   WHERE l.id = fv.list_id AND l.deleted_at IS NULL)"
            "    OR NOT EXISTS (SELECT FROM custom_fields AS f"
            "                   WHERE f.id = fv.field_id AND f.deleted_at IS NULL)"
        )
        assert orphans == 0
        await assert_counts_exact(conn)


async def test_the_database_going_away_mid_purge_is_waited_for_and_the_purge_finishes(
    cluster: Cluster,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = app_on(cluster.url, connect_timeout_s=0.5, acquire_timeout_s=0.5)
    conn = await asyncpg.connect(cluster.url)
    try:
        async with in_process(app) as api:
            doomed = await fill(api, conn, "Doomed", 300)
            assert (await api.delete(f"/lists/{doomed}")).status_code == 204

            async def started() -> bool:
                return bool(await conn.fetchval("SELECT rows_purged > 0 FROM purges"))

            await until(started)
            await conn.close()
            with caplog.at_level(logging.WARNING, logger="app.purger"):
                await asyncio.to_thread(cluster.stop, "immediate")
                await asyncio.sleep(1.5)  # several failed batches, backing off
                await asyncio.to_thread(cluster.start)
                conn = await asyncpg.connect(cluster.url)

                async def done() -> bool:
                    return not await conn.fetchval("SELECT count(*) FROM purges")

                await until(done, within_s=60)
            assert any("purge batch failed" in r.message for r in caplog.records)
            assert (await api.get("/health")).status_code == 200
            assert await rows_of(conn, doomed) == 0
    finally:
        await conn.close()
