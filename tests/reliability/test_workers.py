"""The app as `make run WORKERS=4` runs it: four uvicorn worker processes on one database. No
process may assume it is alone: the concurrency and delete-race guarantees hold across them,
and a field's type or config changed through one is honoured at once by all."""

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.conftest import OWNER, ROOT, TEST_JWT_SECRET, bearer
from tests.processes import stop
from tests.reliability import test_concurrency as concurrency
from tests.reliability.conftest import PATIENT_WAITS, assert_problem, free_port, seed

WORKERS = 4


def _workers(pid: int) -> list[int]:
    """The worker processes uvicorn spawned (not multiprocessing's resource tracker)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [
        int(child)
        for child in children
        if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes()
    ]


@pytest.fixture
def workers_url(database_url: str) -> Iterator[str]:
    """uvicorn with WORKERS processes, started the way the Makefile's `run` starts it."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "AUTH_JWT_SECRET": TEST_JWT_SECRET,
        "DB_POOL_MAX_SIZE": "5",
        # The race tests' waits (PATIENT_WAITS), as the environment says them.
        "DB_CONNECT_TIMEOUT_S": str(PATIENT_WAITS["connect_timeout_s"]),
        "DB_ACQUIRE_TIMEOUT_S": str(PATIENT_WAITS["acquire_timeout_s"]),
        "DB_STATEMENT_TIMEOUT_MS": str(PATIENT_WAITS["statement_timeout_ms"]),
    }
    for name in ("DATABASE_APP_URL", "DATABASE_POOLER", "AUTH_JWT_PUBLIC_KEY"):
        env.pop(name, None)
    command = [sys.executable, "-m", "uvicorn", "app.api.app:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(WORKERS)]
    server = subprocess.Popen([*command, "--log-level", "warning"], cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, "uvicorn exited"
            assert time.monotonic() < deadline, "the workers did not answer /health"
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        assert len(_workers(server.pid)) == WORKERS
        yield url
    finally:
        stop(server, timeout_s=20)


@pytest.fixture
async def api(workers_url: str) -> AsyncIterator[httpx.AsyncClient]:
    # A connection per request, so each request may land on any of the workers.
    limits = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(
        base_url=workers_url, headers=bearer(OWNER), timeout=30, limits=limits
    ) as client:
        yield client


async def test_200_concurrent_writes_of_one_value_leave_one_row(
    api: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    await concurrency.test_200_concurrent_writes_of_one_value_leave_one_row(api, pool)
    # The load reached every worker: each opened connections of its own.
    sessions = await pool.fetchval(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE application_name = 'custom-fields-sql' AND datname = current_database()"
    )
    assert sessions >= WORKERS


async def test_overlapping_batches_in_different_orders_never_deadlock(
    api: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    await concurrency.test_overlapping_batches_in_different_orders_never_deadlock(api, pool)


@pytest.mark.parametrize("target", ["field", "video", "list"])
async def test_setting_values_while_it_is_deleted(
    api: httpx.AsyncClient, pool: asyncpg.Pool, target: str
) -> None:
    await concurrency._race(api, pool, target)


async def test_a_field_changed_through_one_worker_is_honoured_by_all_at_once(
    api: httpx.AsyncClient,
) -> None:
    s = await seed(api, videos=1, fields=1)
    base = f"/lists/{s.list_id}"
    rating = await api.post(
        f"{base}/custom-fields",
        json={"name": "Rating", "field_type": "rating", "config": {"max_rating": 5}},
    )
    assert rating.status_code == 201, rating.text
    rating_url = f"{base}/custom-fields/{rating.json()['id']}"
    text_url = f"{base}/custom-fields/{s.field_ids[0]}"
    value_url = f"{base}/videos/{s.video_ids[0]}/fields"

    # A config change, then a type change, each made by one request (one worker) ...
    changed = await api.patch(rating_url, json={"config": {"max_rating": 3}})
    assert changed.status_code == 200, changed.text
    retyped = await api.patch(text_url, json={"field_type": "boolean", "config": {}})
    assert retyped.status_code == 200, retyped.text

    # ... and every worker refuses at once what the old definitions allowed.
    too_high = [
        api.put(f"{value_url}/{rating.json()['id']}", json={"value_numeric": 4}) for _ in range(20)
    ]
    old_type = [
        api.put(f"{value_url}/{s.field_ids[0]}", json={"value_text": "x"}) for _ in range(20)
    ]
    for response in await asyncio.gather(*too_high, *old_type):
        assert_problem(response)
        assert response.status_code in (400, 422), response.text
