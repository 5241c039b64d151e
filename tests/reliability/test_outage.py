"""The database goes away and comes back under a running app. A private PostgreSQL cluster
is used (the session's shared server must keep running for the other tests)."""

import asyncio
import logging
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import psycopg
import pytest

from app.api.app import create_app
from tests.conftest import ROOT, auth_settings, migrate_like_make
from tests.processes import frozen
from tests.reliability.conftest import assert_problem, free_port, in_process

PG_CTL = str(ROOT / "scripts" / "pg_ctl")  # drops root for the server, like the shared one
CONNECT_TIMEOUT_S = 1.0
ACQUIRE_TIMEOUT_S = 1.0
# "Quickly": the bounded waits plus slack, far below any client or proxy timeout.
FAST_S = CONNECT_TIMEOUT_S + ACQUIRE_TIMEOUT_S + 1.0


@dataclass(frozen=True)
class Cluster:
    base: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/app"

    def pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [PG_CTL, *args, "-D", str(self.base / "data")],
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=60,
        )

    def start(self) -> None:
        # fsync off: `-m immediate` kills the server, not the machine. What a COMMIT wrote is
        # in the kernel's cache, which crash recovery reads, so the writes answered 2xx still
        # survive; and the disk is not flushed under the tests running beside this one.
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.base}"
            " -c fsync=off -c full_page_writes=off"
        )
        self.pg_ctl("start", "-w", "-t", "30", "-l", str(self.base / "server.log"), "-o", options)

    def stop(self, mode: str) -> None:
        self.pg_ctl("stop", "-w", "-t", "30", "-m", mode)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    cluster = Cluster(tmp_path_factory.mktemp("outage-pg"), free_port())
    cluster.pg_ctl("initdb", "-o", "--username=postgres --auth=trust --no-sync")
    cluster.start()
    try:
        admin = f"postgresql://postgres@127.0.0.1:{cluster.port}/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("CREATE DATABASE app")
        migrate_like_make(cluster.url)
        yield cluster
    finally:
        subprocess.run(
            [PG_CTL, "stop", "-w", "-m", "immediate", "-D", str(cluster.base / "data")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=60,
        )


async def timed(request: "asyncio.Future[httpx.Response] | object") -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = await request  # type: ignore[misc]
    return response, time.monotonic() - started


async def test_outage_answers_503_fast_then_recovers_and_keeps_acknowledged_writes(
    cluster: Cluster, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="app.api")
    settings = auth_settings(
        cluster.url,
        pool_max_size=4,
        connect_timeout_s=CONNECT_TIMEOUT_S,
        acquire_timeout_s=ACQUIRE_TIMEOUT_S,
    )
    async with in_process(create_app(settings)) as api:
        assert (await api.get("/health")).status_code == 200
        r = await api.post("/lists", json={"name": "outage"})
        assert r.status_code == 201, r.text
        list_id = r.json()["id"]

        # A writer keeps creating videos across the outage; it remembers every 201.
        acknowledged: list[str] = []
        statuses: list[int] = []
        writing = asyncio.Event()
        writing.set()

        async def writer() -> None:
            for i in range(2000):  # bounded; stopped long before by the event
                if not writing.is_set():
                    return
                r = await api.post(
                    f"/lists/{list_id}/videos", json={"youtube_id": f"o{i:05d}", "title": "t"}
                )
                statuses.append(r.status_code)
                if r.status_code == 201:
                    acknowledged.append(r.json()["id"])
                else:
                    assert_problem(r, 503)
                await asyncio.sleep(0.005)

        task = asyncio.create_task(writer())
        await asyncio.sleep(0.3)
        await asyncio.to_thread(cluster.stop, "immediate")

        for _ in range(3):
            r, took = await timed(api.get("/health"))
            body = assert_problem(r, 503)
            assert took < FAST_S, took
            assert r.headers["retry-after"]
            assert body["instance"] == "/health"
            r, took = await timed(api.get(f"/lists/{list_id}"))
            assert_problem(r, 503)
            assert took < FAST_S, took
            r, took = await timed(api.put(f"/lists/{list_id}", json={"name": "renamed"}))
            assert r.status_code in (503, 405), r.text
            assert took < FAST_S, took

        # The answer says "not available"; the log says why, for the operator.
        said = [r.getMessage() for r in caplog.records if r.name == "app.api"]
        health = [line for line in said if line.startswith("GET /health answered 503")]
        assert len(health) == 3, said
        assert all(
            line.endswith(
                "(ConnectionRefusedError: [Errno 111] Connect call failed"
                f" ('127.0.0.1', {cluster.port}))"
            )
            for line in health
        ), health
        restarted_at = time.monotonic()
        await asyncio.to_thread(cluster.start)
        recovered_in = None
        for _ in range(100):  # at most ~10 s
            if (await api.get("/health")).status_code == 200:
                recovered_in = time.monotonic() - restarted_at
                break
            await asyncio.sleep(0.1)
        assert recovered_in is not None and recovered_in < 5, recovered_in
        r = await api.get(f"/lists/{list_id}")
        assert r.status_code == 200, r.text

        await asyncio.sleep(0.2)  # a few writes after the recovery too
        writing.clear()
        await asyncio.wait_for(task, timeout=30)

    assert 201 in statuses and 503 in statuses, statuses
    conn = await asyncpg.connect(cluster.url)
    try:
        stored = {row["id"] for row in await conn.fetch("SELECT id::text FROM videos")}
    finally:
        await conn.close()
    missing = set(acknowledged) - stored
    assert not missing, f"{len(missing)} acknowledged writes lost"


async def test_a_database_that_stops_answering_is_a_503_within_the_reply_timeout(
    cluster: Cluster,
) -> None:
    # A frozen server (or a network black hole, a paused pooler) keeps its connections open
    # and never answers: only the client's own wait ends a request then. It hung before.
    settings = auth_settings(
        cluster.url,
        pool_max_size=8,
        connect_timeout_s=CONNECT_TIMEOUT_S,
        acquire_timeout_s=ACQUIRE_TIMEOUT_S,
        statement_timeout_ms=2000,
    )
    # The pooled connection's BEGIN times out: then the answer. Trying another connection of
    # the warm pool after it waited as long again (a 503 after twice the reply timeout, 6 s).
    assert settings.reply_timeout_s == 3.0
    bound = settings.reply_timeout_s + 1.5
    async with in_process(create_app(settings)) as api:
        r = await api.post("/lists", json={"name": "frozen"})
        assert r.status_code == 201, r.text
        list_id = r.json()["id"]
        # Warm the pool: several idle connections to the server about to freeze.
        warm = await asyncio.gather(*(api.get(f"/lists/{list_id}") for _ in range(8)))
        assert all(r.status_code == 200 for r in warm)
        with frozen(cluster.base / "data"):
            requests = [api.get(f"/lists/{list_id}") for _ in range(4)]
            answers = await asyncio.wait_for(
                asyncio.gather(*(timed(request) for request in requests)), timeout=3 * bound
            )
        for r, took in answers:
            assert_problem(r, 503)
            assert took < bound, took
        recovered = False
        for _ in range(50):  # at most ~5 s
            if (await api.get(f"/lists/{list_id}")).status_code == 200:
                recovered = True
                break
            await asyncio.sleep(0.1)
        assert recovered
