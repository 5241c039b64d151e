"""A connection that dies in the middle of a request: whatever point it dies at, the answer
is the request's own answer or a 503, never a 500, and every acknowledged write is stored.

The backend is terminated at exact points, by the database itself (a trigger) or by a test
hook on the request's transaction, so no test depends on timing; the soak then kills the app's
backends at random while clients keep writing."""

import asyncio
import random
import time
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest

from app.api.app import create_app
from app.db import connections
from tests.conftest import auth_settings
from tests.reliability.conftest import assert_problem, in_process, seed

SOAK_S = 10.0
SOAK_CLIENTS = 8
KILL_EVERY_S = 0.015


async def app_backends(admin: asyncpg.Connection) -> list[int]:
    """The pids of the app's connections (the pool names itself in application_name)."""
    rows = await admin.fetch(
        "SELECT pid FROM pg_stat_activity"
        " WHERE application_name = 'custom-fields-sql' AND pid <> pg_backend_pid()"
    )
    return [row["pid"] for row in rows]


@pytest.fixture
async def admin(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(database_url)
    try:
        yield conn
    finally:
        await conn.close()


async def test_soak_backends_killed_at_random_answer_only_success_or_503(
    database_url: str, admin: asyncpg.Connection
) -> None:
    settings = auth_settings(database_url, pool_max_size=SOAK_CLIENTS, acquire_timeout_s=2.0)
    async with in_process(create_app(settings)) as api:
        s = await seed(api, videos=SOAK_CLIENTS, fields=1)
        field = s.field_ids[0]
        statuses: dict[int, int] = {}
        unexpected: list[str] = []
        created: list[str] = []  # ids of videos answered 201
        # Per client (one video each): values answered 200, and values tried after the last one.
        acknowledged: dict[str, str] = {}
        tried_since: dict[str, list[str]] = {video: [] for video in s.video_ids}
        deadline = time.monotonic() + SOAK_S

        def record(r: httpx.Response) -> bool:
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
            if r.status_code >= 500 and r.status_code != 503:
                unexpected.append(f"{r.request.method} {r.request.url.path}: {r.text[:300]}")
            if r.status_code == 503:
                assert_problem(r, 503)
                assert r.headers["retry-after"]
            return r.status_code < 300

        async def client(number: int) -> None:
            video = s.video_ids[number]
            values_url = f"/lists/{s.list_id}/videos/{video}/fields"
            for step in range(100_000):  # bounded; the deadline ends it long before
                if time.monotonic() > deadline:
                    return
                kind = step % 4
                if kind == 0:
                    r = await api.post(
                        f"/lists/{s.list_id}/videos",
                        json={"youtube_id": f"s{number}x{step}", "title": "soak"},
                    )
                    if record(r):
                        created.append(r.json()["id"])
                elif kind == 1:
                    value = f"c{number} s{step}"
                    tried_since[video].append(value)
                    if record(await api.put(f"{values_url}/{field}", json={"value_text": value})):
                        acknowledged[video] = value
                        tried_since[video] = []
                elif kind == 2:
                    record(await api.get(values_url))
                else:
                    body = {"filters": [{"field_id": field, "op": "is_not_empty"}], "limit": 10}
                    record(await api.post(f"/lists/{s.list_id}/videos/search", json=body))

        async def killer() -> int:
            rng, kills = random.Random(15), 0
            while time.monotonic() < deadline:
                pids = await app_backends(admin)
                if pids:
                    kills += await admin.fetchval(
                        "SELECT count(*) FILTER (WHERE pg_terminate_backend($1))", rng.choice(pids)
                    )
                await asyncio.sleep(KILL_EVERY_S)
            return kills

        results = await asyncio.gather(killer(), *(client(n) for n in range(SOAK_CLIENTS)))
        kills = results[0]

    assert not unexpected, f"{len(unexpected)} answers of 5xx other than 503: {unexpected[:5]}"
    assert kills > 100, kills  # the soak did kill backends, many times
    assert statuses.get(503, 0) > 0 and sum(n for c, n in statuses.items() if c < 300) > 100
    stored_videos = {r["id"] for r in await admin.fetch("SELECT id::text FROM videos")}
    assert not set(created) - stored_videos, "a video answered 201 is missing"
    stored = {
        str(r["video_id"]): r["value_text"]
        for r in await admin.fetch(
            "SELECT video_id, value_text FROM video_field_values WHERE field_id = $1", field
        )
    }
    for video, value in acknowledged.items():
        # The last value answered 200, unless a later write committed before its answer was lost.
        assert stored.get(video) in [value, *tried_since[video]], (video, value, stored.get(video))


# Kills the backend running it. pg_sleep checks for interrupts at once, so the backend dies
# inside the statement (or the COMMIT) that fired the trigger, not at some later point.
DIE = """
CREATE FUNCTION die() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_terminate_backend(pg_backend_pid());
    PERFORM pg_sleep(10);
    RETURN NULL;
END $$;
CREATE TRIGGER die_during_insert AFTER INSERT ON videos
    FOR EACH ROW WHEN (NEW.title = 'die during insert') EXECUTE FUNCTION die();
CREATE CONSTRAINT TRIGGER die_at_commit AFTER INSERT ON videos
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.title = 'die at commit') EXECUTE FUNCTION die();
"""


class Faults:
    """The app on this test's database with one pooled connection, a way to kill its backend
    between two steps of a request, and checks on what is stored."""

    def __init__(self, api: httpx.AsyncClient, admin: asyncpg.Connection, list_id: str) -> None:
        self.api, self.admin, self.list_id = api, admin, list_id
        self.killed: list[int] = []

    async def pooled_pid(self) -> int:
        """The backend pid of the app's one pooled connection."""
        app = self.api._transport.app  # type: ignore[attr-defined]
        async with app.state.pool.acquire() as conn:
            return int(conn.get_server_pid())

    async def kill(self, conn: asyncpg.Connection) -> None:
        await self.kill_pid(conn.get_server_pid())

    async def kill_pid(self, pid: int) -> None:
        # With a timeout, pg_terminate_backend waits until the backend is gone.
        assert await self.admin.fetchval("SELECT pg_terminate_backend($1, 5000)", pid)
        self.killed.append(pid)

    def kill_once_around(self, monkeypatch: pytest.MonkeyPatch, step: str, *, after: bool) -> None:
        """Wrap one step of app.db.connections: the first request's backend dies right before
        (or right after) that step."""
        original = getattr(connections, step)

        async def step_with_fault(*args: Any, **kwargs: Any) -> Any:
            if self.killed:
                return await original(*args, **kwargs)
            if after:
                result = await original(*args, **kwargs)
                await self.kill(result[0])  # begin returns (conn, tx)
                return result
            await self.kill(args[1] if step == "release" else args[0])
            return await original(*args, **kwargs)

        monkeypatch.setattr(connections, step, step_with_fault)

    async def create_video(self, youtube_id: str, title: str = "t") -> httpx.Response:
        return await self.api.post(
            f"/lists/{self.list_id}/videos", json={"youtube_id": youtube_id, "title": title}
        )

    async def stored(self, youtube_id: str) -> bool:
        return bool(
            await self.admin.fetchval(
                "SELECT count(*) FROM videos WHERE youtube_id = $1", youtube_id
            )
        )

    async def assert_pool_is_healthy(self) -> None:
        """The one pooled connection is not the killed one, answers, and serves requests."""
        assert self.killed, "no backend was killed"
        app = self.api._transport.app  # type: ignore[attr-defined]
        async with app.state.pool.acquire() as conn:
            assert conn.get_server_pid() not in self.killed
            assert await conn.fetchval("SELECT 1") == 1
        r = await self.create_video(f"after{len(self.killed)}")
        assert r.status_code == 201, r.text


@pytest.fixture
async def faults(database_url: str, admin: asyncpg.Connection) -> AsyncIterator[Faults]:
    await admin.execute(DIE)
    settings = auth_settings(database_url, pool_min_size=1, pool_max_size=1)
    async with in_process(create_app(settings)) as api:
        r = await api.post("/lists", json={"name": "faults"})
        assert r.status_code == 201, r.text
        yield Faults(api, admin, r.json()["id"])


def assert_503(r: httpx.Response) -> None:
    assert_problem(r, 503)
    assert r.headers["retry-after"]


async def test_a_backend_killed_while_idle_in_the_pool_is_replaced_before_the_request(
    faults: Faults,
) -> None:
    await faults.kill_pid(await faults.pooled_pid())
    r = await faults.create_video("idle")
    assert r.status_code == 201, r.text
    assert await faults.stored("idle")
    await faults.assert_pool_is_healthy()


# Where the backend dies before COMMIT is acknowledged: right after or before a step of
# app.db.connections (wrapped), or inside a statement or the COMMIT (the trigger on the title).
UNACKNOWLEDGED = {
    "after BEGIN, before the statement": ("begin", True, "t"),
    "during the statement": (None, False, "die during insert"),
    "between the handler and COMMIT": ("commit", False, "t"),
    "inside COMMIT": (None, False, "die at commit"),
}


@pytest.mark.parametrize("where", list(UNACKNOWLEDGED))
async def test_a_backend_killed_before_commit_is_acknowledged_answers_503(
    faults: Faults, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    step, after, title = UNACKNOWLEDGED[where]
    if step is None:
        faults.killed.append(await faults.pooled_pid())  # the trigger kills it
    else:
        faults.kill_once_around(monkeypatch, step, after=after)
    assert_503(await faults.create_video("lost", title=title))
    # Nothing is stored: inside COMMIT, the backend died before the commit record.
    assert not await faults.stored("lost")
    await faults.assert_pool_is_healthy()


async def test_a_backend_killed_before_rollback_keeps_the_handlers_answer(
    faults: Faults, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (await faults.create_video("taken")).status_code == 201
    faults.kill_once_around(monkeypatch, "rollback", after=False)
    r = await faults.create_video("taken")  # a duplicate: the handler answers 409
    assert_problem(r, 409)
    await faults.assert_pool_is_healthy()


async def test_a_backend_killed_after_commit_before_release_keeps_the_success(
    faults: Faults, monkeypatch: pytest.MonkeyPatch
) -> None:
    faults.kill_once_around(monkeypatch, "release", after=False)
    r = await faults.create_video("committed")
    assert r.status_code == 201, r.text
    assert await faults.stored("committed")
    await faults.assert_pool_is_healthy()


async def test_a_read_answers_before_its_transaction_ends_which_a_dead_backend_does_not_change(
    faults: Faults, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A read's transaction ends after the answer (connections.end_read_later): held back here
    # until the answer is in, its backend then killed before the ROLLBACK.
    answered, ended = asyncio.Event(), asyncio.Event()
    original = connections.rollback

    async def rollback_after_the_answer(conn: asyncpg.Connection, tx: Any) -> None:
        await answered.wait()
        await faults.kill(conn)
        await original(conn, tx)
        ended.set()

    monkeypatch.setattr(connections, "rollback", rollback_after_the_answer)
    r = await asyncio.wait_for(faults.api.get(f"/lists/{faults.list_id}"), timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["id"] == faults.list_id
    answered.set()
    await asyncio.wait_for(ended.wait(), timeout=10)
    await faults.assert_pool_is_healthy()  # the pool's one connection came back, replaced
