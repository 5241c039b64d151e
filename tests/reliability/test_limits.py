"""Runaway work is refused or cut short: request bodies and batches are capped, page sizes are
bounded, and a statement that hangs (here: waiting on a lock) cannot pin the pool."""

import asyncio
import time

import asyncpg
import httpx

from app.api.app import MAX_BODY_BYTES, create_app
from app.models.field_values import MAX_BATCH
from app.repositories.paging import MAX_PAGE_SIZE
from tests.conftest import auth_settings
from tests.reliability.conftest import assert_problem, in_process, seed


async def test_pool_sessions_have_a_statement_timeout(api: httpx.AsyncClient) -> None:
    # The app's own pool is reachable: in_process runs the app on this event loop.
    app = api._transport.app  # type: ignore[attr-defined]
    async with app.state.pool.acquire() as conn:
        assert await conn.fetchval("SHOW statement_timeout") == "5s"
        assert await conn.fetchval("SHOW idle_in_transaction_session_timeout") == "1min"


async def test_a_body_over_the_cap_is_413(api: httpx.AsyncClient) -> None:
    s = await seed(api)
    body = b'{"set": [], "clear": []}' + b" " * MAX_BODY_BYTES
    r = await api.post(
        f"/lists/{s.list_id}/values", content=body, headers={"content-type": "application/json"}
    )
    assert_problem(r, 413)


async def test_a_batch_over_the_cap_is_400(api: httpx.AsyncClient) -> None:
    s = await seed(api)
    video, field = s.video_ids[0], s.field_ids[0]
    too_many = [{"field_id": field, "value_text": "x"}] * (MAX_BATCH + 1)
    r = await api.put(f"/lists/{s.list_id}/videos/{video}/fields", json=too_many)
    assert_problem(r, 400)
    edit = {"set": [{"video_id": video, **item} for item in too_many]}
    r = await api.post(f"/lists/{s.list_id}/values", json=edit)
    assert_problem(r, 400)
    r = await api.post(
        f"/lists/{s.list_id}/values",
        json={"clear": [{"video_id": video, "field_id": field}] * (MAX_BATCH + 1)},
    )
    assert_problem(r, 400)


async def test_page_sizes_are_bounded(api: httpx.AsyncClient) -> None:
    s = await seed(api)
    for limit in (0, MAX_PAGE_SIZE + 1, 10**9):
        r = await api.get(f"/lists/{s.list_id}/videos", params={"limit": limit})
        assert_problem(r, 400)
        r = await api.post(f"/lists/{s.list_id}/videos/search", json={"limit": limit})
        assert_problem(r, 400)
    r = await api.get(f"/lists/{s.list_id}/videos", params={"limit": MAX_PAGE_SIZE})
    assert r.status_code == 200, r.text


async def test_a_hanging_statement_cannot_pin_the_pool(database_url: str) -> None:
    settings = auth_settings(
        database_url,
        pool_max_size=2,
        statement_timeout_ms=500,
        acquire_timeout_s=1.0,
    )
    async with in_process(create_app(settings)) as api:
        s = await seed(api)
        url = f"/lists/{s.list_id}/videos/{s.video_ids[0]}/fields/{s.field_ids[0]}"
        blocker = await asyncpg.connect(database_url)
        try:
            # Holding the field row makes every write of its values wait: a stand-in for a
            # slow statement.
            tx = blocker.transaction()
            await tx.start()
            await blocker.execute(
                "SELECT FROM custom_fields WHERE id = $1 FOR UPDATE", s.field_ids[0]
            )
            started = time.monotonic()
            responses = await asyncio.gather(
                *(api.put(url, json={"value_text": f"v{i}"}) for i in range(6)),
                api.get("/health"),
            )
            took = time.monotonic() - started
            for r in responses[:-1]:
                assert_problem(r, 503)
            # 6 writes on 2 connections, each cut at 0.5 s (or refused after a 1 s wait).
            assert took < 4, took
            await tx.rollback()
        finally:
            await blocker.close()

        # Nothing stays pinned: the pool serves at once.
        started = time.monotonic()
        r = await api.put(url, json={"value_text": "after"})
        assert r.status_code == 200, r.text
        assert (await api.get("/health")).status_code == 200
        assert time.monotonic() - started < 1
