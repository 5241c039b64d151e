"""Shared pieces of the reliability suite: the real app on this test's database, reached
either in-process (same event loop as the test, so many requests can be in flight at once)
or through a real uvicorn server on a loopback port."""

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from litestar import Litestar

from app.api.app import create_app
from app.config import Settings
from tests.conftest import OWNER, auth_settings, bearer

PROBLEM_JSON = "application/problem+json"

# The app's waits for the race tests, which check what concurrent requests answer and leave,
# not how fast. With the app's 3 s to connect and for a connection and its 5 s statement
# timeout, a stalled CI machine once failed the delete race with 503s (no deadlock; rerun 40
# times here under CPU and disk load, it deleted within 0.8 s). Stopping the test cluster
# (SIGSTOP) for 5.5 s right after the race's seed gives the same 503s with the app's waits and
# none with these. A deadlock still fails those tests: PostgreSQL breaks it within a second.
PATIENT_WAITS: dict[str, Any] = {
    "connect_timeout_s": 20.0,
    "acquire_timeout_s": 20.0,
    "statement_timeout_ms": 20_000,
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def assert_problem(response: httpx.Response, status: int | None = None) -> dict[str, Any]:
    """An RFC 9457 problem details body carrying the response's own status."""
    if status is not None:
        assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith(PROBLEM_JSON), response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == response.status_code, body
    assert isinstance(body["title"], str) and isinstance(body["detail"], str), body
    return body


@asynccontextmanager
async def in_process(app: Litestar, sub: str = OWNER) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan on the test's own event loop (AsyncTestClient would run it on
    another thread, one request at a time), and a client with a token of owner `sub`."""
    started, stop = asyncio.Event(), asyncio.Event()

    async def lifespan() -> None:
        # Entered and left in one task: anyio's cancel scopes inside the lifespan insist on it,
        # and pytest-asyncio tears fixtures down in another task than the one that set them up.
        async with app.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(lifespan())
    await asyncio.wait(
        [task, asyncio.ensure_future(started.wait())],
        timeout=10,
        return_when=asyncio.FIRST_COMPLETED,
    )
    if task.done():
        task.result()  # the start-up failed: raise its error
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test", timeout=30, headers=bearer(sub)
        ) as c:
            yield c
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=15)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return auth_settings(database_url, pool_max_size=10)


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with in_process(create_app(settings)) as client:
        yield client


@dataclass(frozen=True)
class Served:
    url: str
    server: uvicorn.Server
    thread: threading.Thread


@contextmanager
def serve(app: Litestar) -> Iterator[Served]:
    """Run the app under uvicorn on a free 127.0.0.1 port in a thread; stop it on exit."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", ws="none"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield Served(f"http://127.0.0.1:{port}", server, thread)
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@dataclass(frozen=True)
class Seed:
    list_id: str
    video_ids: list[str]
    field_ids: list[str]


async def seed(client: httpx.AsyncClient, *, videos: int = 1, fields: int = 1) -> Seed:
    """A list with some videos and some text fields, made through the API."""
    r = await client.post("/lists", json={"name": "reliability"})
    assert r.status_code == 201, r.text
    list_id = r.json()["id"]
    video_ids, field_ids = [], []
    for i in range(videos):
        r = await client.post(
            f"/lists/{list_id}/videos", json={"youtube_id": f"vid{i:05d}", "title": f"Video {i}"}
        )
        assert r.status_code == 201, r.text
        video_ids.append(r.json()["id"])
    for i in range(fields):
        r = await client.post(
            f"/lists/{list_id}/custom-fields",
            json={"name": f"Note {i}", "field_type": "text", "config": {}},
        )
        assert r.status_code == 201, r.text
        field_ids.append(r.json()["id"])
    return Seed(list_id, video_ids, field_ids)
