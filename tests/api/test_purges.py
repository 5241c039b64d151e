"""Deleting a list or a field over HTTP: the answer comes at once, and from then on the object
is gone for every read and write; its rows are purged in the background (app/purger.py)."""

import asyncio
import time
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.api.app import create_app
from tests.api.conftest import (
    Client,
    Setup,
    make_field,
    make_list,
    ok,
    problem,
    put_value,
)
from tests.conftest import OWNER, auth_settings, bearer


@pytest.fixture
def app(database_url: str) -> Litestar:
    """No purge worker: what a reader sees between the delete and the purge stays put."""
    return create_app(auth_settings(database_url, pool_max_size=4, purge_worker=False))


async def gone(response: Any) -> None:
    problem(response, 404)


async def test_a_deleted_list_is_gone_at_once_for_every_read_and_write(
    client: Client, setup: Setup, pool: asyncpg.Pool
) -> None:
    lid, video = setup.list_id, setup.video_id
    ok(await put_value(client, lid, video, setup.rating, value_numeric=4))

    ok(await client.delete(f"/lists/{lid}"), 204)

    assert [x["id"] for x in ok(await client.get("/lists"))] == [setup.other_list_id]
    search = {"filters": [{"field_id": setup.rating, "op": "eq", "value": 4}]}
    for response in [
        await client.get(f"/lists/{lid}"),
        await client.patch(f"/lists/{lid}", json={"name": "Back"}),
        await client.delete(f"/lists/{lid}"),
        await client.get(f"/lists/{lid}/videos"),
        await client.get(f"/lists/{lid}/videos/{video}"),
        await client.get(f"/lists/{lid}/videos/{video}/fields"),
        await client.get(f"/lists/{lid}/custom-fields"),
        await client.get(f"/lists/{lid}/custom-fields/{setup.rating}"),
        await client.get(f"/lists/{lid}/schemas"),
        await client.get(f"/lists/{lid}/tags"),
        await client.post(f"/lists/{lid}/videos/search", json=search),
        await client.post(f"/lists/{lid}/videos/facets", json={"fields": [setup.rating]}),
        await client.post(f"/lists/{lid}/videos", json={"youtube_id": "new", "title": "New"}),
        await client.post(
            f"/lists/{lid}/custom-fields", json={"name": "New", "field_type": "boolean"}
        ),
        await client.post(f"/lists/{lid}/tags", json={"name": "New"}),
        await client.post(f"/lists/{lid}/schemas", json={"name": "New", "fields": []}),
        await put_value(client, lid, video, setup.rating, value_numeric=2),
        await client.put(f"/lists/{lid}/videos/{video}/tags", json={"tag_ids": [setup.tag_id]}),
        await client.delete(f"/lists/{lid}/videos/{video}"),
        await client.delete(f"/lists/{lid}/custom-fields/{setup.rating}"),
    ]:
        await gone(response)
    # The other list is untouched.
    ok(await client.get(f"/lists/{setup.other_list_id}/videos/{setup.other_video_id}"))

    # In psql: the list is marked, and its purge waits in the queue.
    async with pool.acquire() as conn:
        assert await conn.fetchval(
            "SELECT deleted_at IS NOT NULL FROM bookmark_lists WHERE id = $1", lid
        )
        queued = await conn.fetchrow("SELECT owner, field_id, rows_estimated FROM purges")
        assert dict(queued) == {"owner": OWNER, "field_id": None, "rows_estimated": 3}
    health = ok(await client.get("/health"))["purges"]
    assert (health["pending"], health["rows_estimated"], health["rows_purged"]) == (1, 3, 0)


async def test_a_deleted_field_is_gone_at_once_and_its_name_is_free(
    client: Client, setup: Setup, pool: asyncpg.Pool
) -> None:
    lid, video, rating = setup.list_id, setup.video_id, setup.rating
    ok(await put_value(client, lid, video, rating, value_numeric=4))

    ok(await client.delete(f"/lists/{lid}/custom-fields/{rating}"), 204)

    listed = [f["id"] for f in ok(await client.get(f"/lists/{lid}/custom-fields"))]
    assert rating not in listed and setup.select in listed
    shown = [f["field_id"] for f in ok(await client.get(f"/lists/{lid}/videos/{video}/fields"))]
    assert rating not in shown and setup.select in shown
    schema = ok(await client.get(f"/lists/{lid}/schemas/{setup.schema_id}"))
    assert rating not in [f["field_id"] for f in schema["fields"]]
    write = {"set": [{"video_id": video, "field_id": rating, "value_numeric": 1}]}
    for response in [
        await client.get(f"/lists/{lid}/custom-fields/{rating}"),
        await client.patch(f"/lists/{lid}/custom-fields/{rating}", json={"name": "Back"}),
        await client.delete(f"/lists/{lid}/custom-fields/{rating}"),
        await client.post(
            f"/lists/{lid}/videos/search",
            json={"filters": [{"field_id": rating, "op": "eq", "value": 4}]},
        ),
        await client.post(f"/lists/{lid}/videos/search", json={"include_fields": [rating]}),
        await client.get(f"/lists/{lid}/videos", params={"include_fields": rating}),
        await client.post(f"/lists/{lid}/videos/facets", json={"fields": [rating]}),
        await put_value(client, lid, video, rating, value_numeric=2),
        await client.put(
            f"/lists/{lid}/videos/{video}/fields", json=[{"field_id": rating, "value_numeric": 2}]
        ),
        await client.post(f"/lists/{lid}/values", json=write),
        await client.put(
            f"/lists/{lid}/schemas/{setup.schema_id}/fields", json=[{"field_id": rating}]
        ),
    ]:
        await gone(response)

    again = await make_field(client, lid, "Rating", "rating", {"max_rating": 10})
    ok(await put_value(client, lid, video, again["id"], value_numeric=9))
    async with pool.acquire() as conn:
        assert await conn.fetchval(
            "SELECT deleted_at IS NOT NULL FROM custom_fields WHERE id = $1", rating
        )
        assert str(await conn.fetchval("SELECT field_id FROM purges")) == rating


async def test_the_worker_purges_in_the_background_and_health_shows_it_done(
    database_url: str, pool: asyncpg.Pool
) -> None:
    app = create_app(auth_settings(database_url, pool_max_size=4))
    async with AsyncTestClient(app=app) as client:
        client.headers.update(bearer(OWNER))
        kept = await make_list(client, "Kept")
        doomed = await make_list(client, "Doomed")
        for lst in (kept, doomed):
            for i in range(5):
                body = {"youtube_id": f"v{i}", "title": f"Video {i}"}
                ok(await client.post(f"/lists/{lst['id']}/videos", json=body), 201)
        field = await make_field(client, kept["id"], "Rating", "rating", {"max_rating": 5})

        ok(await client.delete(f"/lists/{doomed['id']}"), 204)
        ok(await client.delete(f"/lists/{kept['id']}/custom-fields/{field['id']}"), 204)

        deadline = time.monotonic() + 20
        while ok(await client.get("/health"))["purges"]["pending"]:
            assert time.monotonic() < deadline, "the purge did not finish"
            await asyncio.sleep(0.1)
        assert len(ok(await client.get(f"/lists/{kept['id']}/videos"))["items"]) == 5
    async with pool.acquire() as conn:
        for table in ("bookmark_lists", "videos", "list_video_counts"):
            key = "id" if table == "bookmark_lists" else "list_id"
            # Names from the loop above, never from input.
            query = f"SELECT count(*) FROM {table} WHERE {key} = $1"  # noqa: S608
            left = await conn.fetchval(query, doomed["id"])
            assert left == 0, table
        assert await conn.fetchval("SELECT count(*) FROM custom_fields") == 0
