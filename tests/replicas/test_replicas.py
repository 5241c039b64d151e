"""Reads on a real streaming replica, read-your-writes through X-Read-After, and the faults
that send reads back to the primary: a stopped replica, one behind the lag bound, a read
cancelled by a recovery conflict."""

import asyncio
import inspect
import logging
import re
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx
import pytest

from app.api.app import create_app
from app.config import Settings, replica_urls_of
from app.db.pool import create_pool
from app.db.replicas import (
    READ_AFTER_RULE,
    UNREACHABLE_POSITION,
    Reader,
    node_name,
    open_replicas,
    write_position,
)
from tests.conftest import OWNER, auth_settings
from tests.processes import frozen
from tests.reliability.conftest import assert_problem, in_process
from tests.replicas.conftest import Standby

POSITION = re.compile(r"[0-9A-F]{1,8}/[0-9A-F]{1,8}")
# Search and facets read with POST; every other read is a GET.
READS_BY_POST = {"searchVideos", "videoFacets"}


def replica_settings(database_url: str, standby_url: str, **settings: Any) -> Settings:
    # A generous lag bound: a paused replay must not make the replica "lagging" unless a test
    # means it to.
    return auth_settings(
        database_url,
        pool_max_size=4,
        replica_urls=(standby_url,),
        **{"replica_max_lag_s": 60.0, **settings},
    )


async def in_recovery(conn: asyncpg.Connection) -> bool:
    return bool(await conn.fetchval("SELECT pg_is_in_recovery()"))


@asynccontextmanager
async def reader(settings: Settings, read_after: str | None = None) -> AsyncIterator[Reader]:
    """What a request's `read: Read` gets, on pools of its own."""
    primary = await create_pool(settings, min_size=0)
    replicas = await open_replicas(settings)
    try:
        yield Reader(primary, replicas, OWNER, None, read_after, settings)
    finally:
        await replicas.close()
        await primary.close()


async def served_by(settings: Settings, read_after: str | None = None) -> str:
    async with reader(settings, read_after) as read:
        return "replica" if await read(in_recovery) else "primary"


def written(response: httpx.Response) -> tuple[str, str]:
    """The id a create answered and the WAL position its response carries."""
    assert response.status_code == 201, response.text
    position = response.headers["X-Read-After"]
    assert POSITION.fullmatch(position), position
    return response.json()["id"], position


async def health_of_replica(api: httpx.AsyncClient) -> dict[str, Any]:
    response = await api.get("/health")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok", body
    (replica,) = body["replicas"].values()
    assert isinstance(replica, dict)
    return replica


async def test_reads_run_on_the_replica_and_health_reports_it(
    standby_url: str, database_url: str
) -> None:
    settings = replica_settings(database_url, standby_url)
    assert await served_by(settings) == "replica"
    async with in_process(create_app(settings)) as api:
        response = await api.get("/health")
        assert response.status_code == 200, response.text
        assert list(response.json()["replicas"]) == [node_name(standby_url)]
        replica = await health_of_replica(api)
        assert replica["status"] == "ok" and 0 <= replica["lag_s"] < 60, replica


async def test_a_read_presenting_its_writes_position_sees_it_while_replay_is_paused(
    standby: Standby, standby_url: str, database_url: str
) -> None:
    settings = replica_settings(database_url, standby_url)
    async with in_process(create_app(settings)) as api:
        list_id, before = written(await api.post("/lists", json={"name": "Later"}))
        body = {"name": "Notes", "field_type": "text", "config": {}}
        field_id, before = written(await api.post(f"/lists/{list_id}/custom-fields", json=body))
        standby.catch_up(before)
        standby.execute("SELECT pg_wal_replay_pause()")

        body = {"youtube_id": "fresh00001", "title": "Fresh"}
        video_id, after = written(await api.post(f"/lists/{list_id}/videos", json=body))
        assert standby.replayed(before) and not standby.replayed(after)

        async def reads(headers: dict[str, str]) -> list[Any]:
            videos = await api.get(f"/lists/{list_id}/videos", headers=headers)
            video = await api.get(f"/lists/{list_id}/videos/{video_id}", headers=headers)
            search = await api.post(f"/lists/{list_id}/videos/search", json={}, headers=headers)
            facets = await api.post(
                f"/lists/{list_id}/videos/facets", json={"fields": [field_id]}, headers=headers
            )
            # Only writes send a position.
            assert not {"x-read-after"} & {*videos.headers, *search.headers, *facets.headers}
            return [
                [item["title"] for item in videos.json()["items"]],
                video.status_code,
                [item["title"] for item in search.json()["items"]],
                facets.json()["facets"][0]["empty"],
            ]

        # The replica, paused before the video was written, answers without it; a read that
        # presents the write's position is answered by the primary, with it.
        assert await reads({}) == [[], 404, [], 0]
        assert await reads({"X-Read-After": before}) == [[], 404, [], 0]
        assert await reads({"X-Read-After": after}) == [["Fresh"], 200, ["Fresh"], 1]
        assert await served_by(settings) == "replica"
        assert await served_by(settings, before) == "replica"
        assert await served_by(settings, after) == "primary"

        # Once the replica has replayed the write, it serves the reads presenting it.
        standby.execute("SELECT pg_wal_replay_resume()")
        standby.catch_up(after)
        assert await served_by(settings, after) == "replica"
        assert await reads({"X-Read-After": after}) == [["Fresh"], 200, ["Fresh"], 1]


async def test_reads_fall_back_to_the_primary_when_the_replica_is_stopped(
    standby: Standby, standby_url: str, database_url: str
) -> None:
    settings = replica_settings(database_url, standby_url, acquire_timeout_s=1.0)
    async with in_process(create_app(settings)) as api:
        list_id, position = written(await api.post("/lists", json={"name": "Later"}))
        standby.catch_up(position)
        # The app's replica pool now holds a connection that the stop will break.
        assert (await api.get(f"/lists/{list_id}/videos")).status_code == 200
        standby.stop()

        body = {"youtube_id": "fresh00002", "title": "Fresh"}
        video_id, _ = written(await api.post(f"/lists/{list_id}/videos", json=body))
        for _ in range(2):  # the first read finds the replica down, the second skips it
            videos = await api.get(f"/lists/{list_id}/videos")
            assert videos.status_code == 200, videos.text
            assert [item["title"] for item in videos.json()["items"]] == ["Fresh"]
            video = await api.get(f"/lists/{list_id}/videos/{video_id}")
            assert video.status_code == 200, video.text
            search = await api.post(f"/lists/{list_id}/videos/search", json={})
            assert [item["title"] for item in search.json()["items"]] == ["Fresh"]
        assert await health_of_replica(api) == {"status": "down", "lag_s": None}
    assert await served_by(settings) == "primary"


async def test_reads_fall_back_to_the_primary_when_the_replica_stops_answering(
    standby: Standby, standby_url: str, database_url: str
) -> None:
    # A replica frozen (or cut off by the network) keeps its connections open and answers
    # nothing: the read's wait for the reply ends it (Settings.reply_timeout_s), and the
    # primary answers. Reads hung before.
    settings = replica_settings(
        database_url,
        standby_url,
        connect_timeout_s=1.0,
        acquire_timeout_s=1.0,
        statement_timeout_ms=500,
    )
    async with in_process(create_app(settings)) as api:
        list_id, position = written(await api.post("/lists", json={"name": "Frozen"}))
        standby.catch_up(position)
        assert (await api.get(f"/lists/{list_id}/videos")).status_code == 200
        with frozen(standby.data):
            started = time.monotonic()
            videos = await asyncio.wait_for(api.get(f"/lists/{list_id}/videos"), timeout=30)
            took = time.monotonic() - started
        assert videos.status_code == 200, videos.text
        # The pooled connection's BEGIN waits its reply; the one new connection begin() tries
        # then waits its connect timeout.
        assert took < settings.reply_timeout_s + settings.connect_timeout_s + 1.0, took
        assert await health_of_replica(api) in (
            {"status": "ok", "lag_s": 0.0},  # resumed by now and checked again
            {"status": "down", "lag_s": None},
        )


async def test_health_reports_each_replica_while_the_primary_is_down(
    standby_url: str, database_url: str
) -> None:
    # Nothing listens on the primary's port: /health is a 503, and still names each replica
    # with its status, so an operator sees which nodes answer.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    primary_down = re.sub(r"@[^/]+/", f"@127.0.0.1:{closed}/", database_url)
    settings = replica_settings(primary_down, standby_url, connect_timeout_s=1.0)
    async with in_process(create_app(settings)) as api:
        response = await api.get("/health")
        body = assert_problem(response, 503)
        assert response.headers["Retry-After"]
        assert body["database"] == "down"
        assert list(body["replicas"]) == [node_name(standby_url)]
        assert body["replicas"][node_name(standby_url)]["status"] != "down", body


async def test_a_replica_behind_the_lag_bound_is_skipped(
    standby: Standby, standby_url: str, database_url: str
) -> None:
    settings = replica_settings(
        database_url, standby_url, replica_max_lag_s=0.5, replica_check_interval_s=0.0
    )
    async with in_process(create_app(settings)) as api:
        list_id, position = written(await api.post("/lists", json={"name": "Later"}))
        standby.catch_up(position)
        standby.execute("SELECT pg_wal_replay_pause()")
        body = {"youtube_id": "fresh00003", "title": "Fresh"}
        written(await api.post(f"/lists/{list_id}/videos", json=body))

        deadline = time.monotonic() + 10
        while (replica := await health_of_replica(api))["status"] != "lagging":
            assert time.monotonic() < deadline, replica
            await asyncio.sleep(0.1)
        assert replica["lag_s"] > 0.5, replica
        # Without a position, a read may be served by any replica within the bound: none is.
        videos = await api.get(f"/lists/{list_id}/videos")
        assert [item["title"] for item in videos.json()["items"]] == ["Fresh"]
        assert await served_by(settings) == "primary"

        standby.execute("SELECT pg_wal_replay_resume()")
        deadline = time.monotonic() + 10
        while (replica := await health_of_replica(api))["status"] != "ok":
            assert time.monotonic() < deadline, replica
            await asyncio.sleep(0.1)
    assert await served_by(settings) == "replica"


async def test_a_read_cancelled_by_a_recovery_conflict_runs_again_on_the_primary(
    standby_url: str, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = replica_settings(database_url, standby_url)
    reading = asyncio.Event()

    async def slow_read(conn: asyncpg.Connection) -> bool:
        on_replica = await in_recovery(conn)
        if on_replica:
            await conn.fetchval("SELECT count(*) FROM videos")  # its lock lasts till the end
            reading.set()
            await conn.execute("SELECT pg_sleep(4)")
        return on_replica

    async def lock_on_primary() -> None:
        # Replayed on the standby, the exclusive lock conflicts with the read's; the standby
        # cancels the read after max_standby_streaming_delay (500 ms here).
        await reading.wait()
        conn = await asyncpg.connect(database_url)
        try:
            async with conn.transaction():
                await conn.execute("LOCK TABLE videos IN ACCESS EXCLUSIVE MODE")
        finally:
            await conn.close()

    caplog.set_level(logging.WARNING, logger="app.db")
    started = time.monotonic()
    async with reader(settings) as read:
        on_replica, _ = await asyncio.gather(read(slow_read), lock_on_primary())
        assert [replica.status for replica in read.replicas.nodes] == ["ok"]
    assert on_replica is False
    assert time.monotonic() - started < 4
    assert "conflict with recovery" in caplog.text


async def test_a_malformed_x_read_after_is_a_400_naming_the_rule(database_url: str) -> None:
    async with in_process(create_app(auth_settings(database_url))) as api:
        for value in ("", "16B3748", "0/", "0/16B3748/1", "G/1", "123456789/0", "0x0/1", "-1/0"):
            response = await api.get("/lists", headers={"X-Read-After": value})
            assert assert_problem(response, 400)["detail"] == READ_AFTER_RULE, value
        response = await api.get("/lists", headers={"X-Read-After": "0/16B3748"})
        assert response.status_code == 200, response.text


async def test_without_replicas_writes_carry_no_position(database_url: str) -> None:
    async with in_process(create_app(auth_settings(database_url))) as api:
        created = await api.post("/lists", json={"name": "Later"})
        assert created.status_code == 201, created.text
        assert "X-Read-After" not in created.headers
        health = (await api.get("/health")).json()
        assert (health["status"], health["database"], health["replicas"]) == ("ok", "ok", None)


async def test_a_write_whose_position_cannot_be_read_sends_its_reads_to_the_primary(
    database_url: str,
) -> None:
    conn = await asyncpg.connect(database_url)
    assert POSITION.fullmatch(await write_position(conn))
    await conn.close()  # as if the connection died right after COMMIT
    assert await write_position(conn) == UNREACHABLE_POSITION


def test_every_read_only_operation_reads_through_read_and_every_write_through_conn() -> None:
    app = create_app(auth_settings("postgresql://nobody@127.0.0.1:1/nothing"))
    asks: dict[str, set[str]] = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            parameters = set(inspect.signature(handler.fn).parameters)
            if handler.operation_id and parameters & {"conn", "read"}:
                method = next(iter(handler.http_methods))
                reads = method == "GET" or handler.operation_id in READS_BY_POST
                asks[handler.operation_id] = parameters & {"conn", "read"}
                assert asks[handler.operation_id] == ({"read"} if reads else {"conn"}), handler
    assert set(asks) >= READS_BY_POST
    assert "getVideo" in asks and "updateVideo" in asks


def test_replica_urls_are_comma_separated_and_logged_into_as_the_app_role() -> None:
    urls = replica_urls_of(" postgresql://owner:pw@r1:5432/app , ,postgresql://r2/app,")
    assert urls == ("postgresql://owner:pw@r1:5432/app", "postgresql://r2/app")
    assert replica_urls_of("") == ()
    settings = Settings(database_url="postgresql://owner:pw@primary:5432/app", replica_urls=urls)
    assert settings.replica_app_urls == (
        "postgresql://custom_fields_app:pw@r1:5432/app",
        "postgresql://custom_fields_app:pw@r2/app",
    )
    settings = Settings(
        database_url="postgresql://owner:pw@primary/app",
        database_app_url="postgresql://reader:s%40cret@primary/app",
        replica_urls=urls,
    )
    assert settings.replica_app_urls[0] == "postgresql://reader:s%40cret@r1:5432/app"
    assert node_name("postgresql://owner:pw@r1:5432/app") == "r1:5432/app"
    assert node_name("postgresql://u@/app?host=/tmp/s&port=5") == "/app host=/tmp/s port=5"
