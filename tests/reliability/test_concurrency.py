"""Many requests at once on the same keys: every one answers cleanly (no 5xx, no deadlock
surfacing as 503) and the stored rows stay consistent."""

import asyncio
import random
import uuid
from collections.abc import AsyncIterator, Awaitable
from dataclasses import replace

import asyncpg
import httpx
import pytest

from app.api.app import create_app
from app.config import Settings
from tests import pgbouncer
from tests.reliability.conftest import PATIENT_WAITS, assert_problem, in_process, seed


@pytest.fixture(params=["direct", "pgbouncer"])
async def api(
    settings: Settings, request: pytest.FixtureRequest
) -> AsyncIterator[httpx.AsyncClient]:
    """The app in-process, connected directly and through a transaction-pooling PgBouncer:
    every guarantee here holds both ways. Forty requests share the pool's ten connections and
    queue on one video's row locks, with the race tests' waits (PATIENT_WAITS)."""
    settings = replace(settings, **PATIENT_WAITS)
    if request.param == "pgbouncer":
        bounced = pgbouncer.through(settings.database_url, request.getfixturevalue("pgbouncer_url"))
        settings = replace(settings, database_url=bounced)
    async with in_process(create_app(settings)) as client:
        yield client


# Rows that point at something gone, or whose list disagrees with their video's or field's.
ORPHANS = """
SELECT count(*) FROM video_field_values AS fv
WHERE NOT EXISTS (SELECT FROM videos AS v WHERE v.id = fv.video_id AND v.list_id = fv.list_id)
   OR NOT EXISTS (SELECT FROM custom_fields AS f
                  WHERE f.id = fv.field_id AND f.list_id = fv.list_id)
   OR NOT EXISTS (SELECT FROM bookmark_lists AS l WHERE l.id = fv.list_id)
"""


async def test_200_concurrent_writes_of_one_value_leave_one_row(
    api: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    s = await seed(api)
    url = f"/lists/{s.list_id}/videos/{s.video_ids[0]}/fields/{s.field_ids[0]}"
    written = [f"value {i}" for i in range(200)]

    responses = await asyncio.gather(*(api.put(url, json={"value_text": v}) for v in written))

    assert sorted({r.status_code for r in responses}) == [200], [r.text for r in responses[:3]]
    rows = await pool.fetch(
        "SELECT value_text FROM video_field_values WHERE video_id = $1 AND field_id = $2",
        s.video_ids[0],
        s.field_ids[0],
    )
    assert len(rows) == 1
    assert rows[0]["value_text"] in written


async def test_overlapping_batches_in_different_orders_never_deadlock(
    api: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    s = await seed(api, videos=5, fields=4)
    keys = [(v, f) for v in s.video_ids for f in s.field_ids]
    rng = random.Random(6)

    def bulk(round_: int, writer: int) -> dict[str, object]:
        order = rng.sample(keys, len(keys))
        return {
            "set": [
                {"video_id": v, "field_id": f, "value_text": f"r{round_} w{writer}"}
                for v, f in order
            ]
        }

    def per_video(round_: int, writer: int) -> tuple[str, list[dict[str, str]]]:
        video = s.video_ids[writer % len(s.video_ids)]
        fields = rng.sample(s.field_ids, len(s.field_ids))
        body = [{"field_id": f, "value_text": f"r{round_} w{writer}"} for f in fields]
        return f"/lists/{s.list_id}/videos/{video}/fields", body

    for round_ in range(3):
        bulk_requests = [
            api.post(f"/lists/{s.list_id}/values", json=bulk(round_, w)) for w in range(25)
        ]
        video_requests = [
            api.put(url, json=body) for url, body in (per_video(round_, w) for w in range(25))
        ]
        responses = await asyncio.gather(*bulk_requests, *video_requests)
        bad = [(r.status_code, r.text) for r in responses if r.status_code != 200]
        assert not bad, bad[:3]

    # Every key holds the value of one writer of the last round (no torn batch is visible).
    rows = await pool.fetch("SELECT value_text FROM video_field_values")
    assert len(rows) == len(keys)
    assert all(row["value_text"].startswith("r2 ") for row in rows)


async def test_overlapping_sets_and_clears_never_deadlock(api: httpx.AsyncClient) -> None:
    s = await seed(api, videos=4, fields=4)
    keys = [{"video_id": v, "field_id": f} for v in s.video_ids for f in s.field_ids]
    rng = random.Random(7)
    requests = []
    for writer in range(40):
        order = rng.sample(keys, len(keys))
        if writer % 2:
            body: dict[str, object] = {"clear": order}
        else:
            body = {"set": [{**key, "value_text": f"w{writer}"} for key in order]}
        requests.append(api.post(f"/lists/{s.list_id}/values", json=body))

    responses = await asyncio.gather(*requests)

    bad = [(r.status_code, r.text) for r in responses if r.status_code != 200]
    assert not bad, bad[:3]


DEADLOCKS = "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"


async def test_edits_that_set_some_keys_and_clear_others_never_deadlock(
    api: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    # Bulk edits that set some keys and clear others, crossed between writers (one sets what
    # another clears), beside edits that only set or only clear and per-video batches. A set
    # then a clear, each in key order, still met in opposite orders: the retry hid most of the
    # deadlocks, not all (a 503), and each cost a second of waiting.
    s = await seed(api, videos=4, fields=3)
    keys = [{"video_id": v, "field_id": f} for v in s.video_ids for f in s.field_ids]
    rng = random.Random(8)
    before = await pool.fetchval(DEADLOCKS)

    def request(round_: int, writer: int) -> Awaitable[httpx.Response]:
        order = rng.sample(keys, len(keys))
        cut = rng.randrange(1, len(keys))
        value = f"r{round_} w{writer}"
        sets = [{**key, "value_text": value} for key in order[:cut]]
        edit: dict[str, object] = {
            0: {"set": sets, "clear": order[cut:]},
            1: {"set": sets},
            2: {"clear": order[:cut]},
        }.get(writer % 4, {})
        if edit:
            return api.post(f"/lists/{s.list_id}/values", json=edit)
        fields = rng.sample(s.field_ids, len(s.field_ids))
        video = rng.choice(s.video_ids)
        body = [{"field_id": f, "value_text": value} for f in fields]
        return api.put(f"/lists/{s.list_id}/videos/{video}/fields", json=body)

    for round_ in range(4):
        responses = await asyncio.gather(*(request(round_, writer) for writer in range(24)))
        bad = [(r.status_code, r.text) for r in responses if r.status_code != 200]
        assert not bad, bad[:3]
    # A deadlock's victim reports it when it next goes idle (at most a second later).
    await asyncio.sleep(1.5)
    assert await pool.fetchval(DEADLOCKS) == before


async def _race(api: httpx.AsyncClient, pool: asyncpg.Pool, target: str) -> None:
    s = await seed(api, videos=2, fields=2)
    video, field = s.video_ids[0], s.field_ids[0]
    base = f"/lists/{s.list_id}"
    doomed = {
        "field": f"{base}/custom-fields/{field}",
        "video": f"{base}/videos/{video}",
        "list": base,
    }[target]

    async def write(i: int) -> httpx.Response:
        await asyncio.sleep(0.002 * i)  # spread the writes before and after the delete
        if i % 2:
            return await api.put(f"{base}/videos/{video}/fields/{field}", json={"value_text": "x"})
        edit = {
            "set": [
                {"video_id": v, "field_id": f, "value_text": f"w{i}"}
                for v in s.video_ids
                for f in s.field_ids
            ]
        }
        return await api.post(f"{base}/values", json=edit)

    async def delete() -> httpx.Response:
        await asyncio.sleep(0.02)
        return await api.delete(doomed)

    *writes, deleted = await asyncio.gather(*(write(i) for i in range(40)), delete())

    assert deleted.status_code == 204, deleted.text
    for r in writes:
        assert r.status_code in (200, 404, 409), r.text
        if r.status_code != 200:
            assert_problem(r)
    assert await pool.fetchval(ORPHANS) == 0
    await purged(api)
    assert await pool.fetchval(ORPHANS) == 0
    gone = {
        "field": "SELECT count(*) FROM video_field_values WHERE field_id = $1",
        "video": "SELECT count(*) FROM video_field_values WHERE video_id = $1",
        "list": "SELECT count(*) FROM video_field_values WHERE list_id = $1",
    }[target]
    key = {"field": field, "video": video, "list": s.list_id}[target]
    assert await pool.fetchval(gone, key) == 0
    # Afterwards the deleted thing answers 404 with problem details, not 500.
    r = await api.put(f"{base}/videos/{video}/fields/{field}", json={"value_text": "late"})
    assert_problem(r, 404)


async def purged(api: httpx.AsyncClient) -> None:
    """Until the app's purge worker has nothing left to do."""
    for _ in range(300):  # at most ~30 s
        if (await api.get("/health")).json()["purges"]["pending"] == 0:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the purge did not finish")


async def test_setting_values_while_the_field_is_deleted(
    api: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    await _race(api, pool, "field")


async def test_setting_values_while_the_video_is_deleted(
    api: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    await _race(api, pool, "video")


async def test_setting_values_while_the_list_is_deleted(
    api: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    await _race(api, pool, "list")


# A writer that holds rows a delete cascades to and then needs the deleted thing (a foreign key
# check, FOR SHARE): the delete must wait for the writer before it holds that thing, or the two
# deadlock. Each case runs the writer's statements one by one (as the repository does, in one
# transaction) and starts the delete in between: (what the writer holds first, with the names
# of its arguments; what is deleted; the writer's next statement, with its arguments).
INTERLEAVINGS = {
    # set_many does both in one statement, whose foreign key checks run at its end.
    "value write vs video delete": (
        "UPDATE video_field_values SET value_text = 'held' WHERE video_id = $1 AND field_id = $2",
        ("video", "field"),
        "video",
        "INSERT INTO video_field_values (video_id, field_id, value_text) VALUES ($1, $2, 'new')",
        ("video", "other_field"),
    ),
    "set_video_tags vs video delete": (
        "DELETE FROM video_tags WHERE video_id = $1 AND tag_id = $2",
        ("video", "old_tag"),
        "video",
        "INSERT INTO video_tags (video_id, tag_id) VALUES ($1, $2)",
        ("video", "new_tag"),
    ),
}
# A list or field delete only marks its row (migrations/0017_purges.sql), so it holds nothing a
# writer holds; a writer racing it either commits first (the marking waits for its FOR SHARE on
# the list or field) or is refused: tests/db/test_purges.py shows both orders.


@pytest.mark.parametrize("case", INTERLEAVINGS)
async def test_a_delete_waits_for_a_writer_that_holds_its_rows(
    api: httpx.AsyncClient, pool: asyncpg.Pool, case: str
) -> None:
    held, held_args, target, then, then_args = INTERLEAVINGS[case]
    s = await seed(api, fields=2)
    base = f"/lists/{s.list_id}"
    ids = {"video": s.video_ids[0], "field": s.field_ids[0], "other_field": s.field_ids[1]}
    for name in ("new_tag", "old_tag"):
        r = await api.post(f"{base}/tags", json={"name": name})
        ids[name] = r.json()["id"]
    r = await api.put(f"{base}/videos/{ids['video']}/tags", json={"tag_ids": [ids["old_tag"]]})
    assert r.status_code == 200, r.text
    r = await api.post(
        f"{base}/schemas", json={"name": "s", "fields": [{"field_id": ids["field"]}]}
    )
    assert r.status_code == 201, r.text
    ids["schema"] = r.json()["id"]
    url = f"{base}/videos/{ids['video']}/fields/{ids['field']}"
    assert (await api.put(url, json={"value_text": "old"})).status_code == 200
    doomed = {
        "field": f"{base}/custom-fields/{ids['field']}",
        "video": f"{base}/videos/{ids['video']}",
        "list": base,
    }

    async with pool.acquire() as writer:
        async with writer.transaction():
            await writer.execute(held, *(uuid.UUID(ids[name]) for name in held_args))
            delete = asyncio.create_task(api.delete(doomed[target]))
            await _until_a_session_waits(pool)
            await writer.execute(then, *(uuid.UUID(ids[name]) for name in then_args))
        deleted = await delete

    assert deleted.status_code == 204, deleted.text
    assert await pool.fetchval(ORPHANS) == 0


async def _until_a_session_waits(pool: asyncpg.Pool) -> None:
    """Until another session of this database waits for a lock (the delete, for the writer)."""
    for _ in range(500):
        if await pool.fetchval(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        ):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the delete never waited for the writer")


VALUE_WRITES = {
    "one": lambda base, video, field: (
        "PUT",
        f"{base}/videos/{video}/fields/{field}",
        {"value_text": "a"},
    ),
    "batch": lambda base, video, field: (
        "PUT",
        f"{base}/videos/{video}/fields",
        [{"field_id": field, "value_text": "a"}],
    ),
    "bulk": lambda base, video, field: (
        "POST",
        f"{base}/values",
        {"set": [{"video_id": video, "field_id": field, "value_text": "a"}]},
    ),
}


@pytest.mark.parametrize("write", VALUE_WRITES)
async def test_a_value_written_while_its_fields_type_changes_is_written_as_the_new_type(
    api: httpx.AsyncClient, pool: asyncpg.Pool, write: str
) -> None:
    # The write reads the field's type (text), then waits for the field's row, which the type
    # change holds; once that commits, the values' foreign key refuses the old type. That was
    # answered as the field not found (404); the write runs again and reads the new type.
    s = await seed(api)
    field_id, video_id = s.field_ids[0], s.video_ids[0]
    method, url, body = VALUE_WRITES[write](f"/lists/{s.list_id}", video_id, field_id)
    async with pool.acquire() as changer:
        async with changer.transaction():
            await changer.execute(
                "UPDATE custom_fields SET field_type = 'select', config = '{\"options\": [\"a\"]}'"
                " WHERE id = $1",
                uuid.UUID(field_id),
            )
            written = asyncio.create_task(api.request(method, url, json=body))
            await _until_a_session_waits(pool)
        r = await written
    assert r.status_code == 200, r.text
    stored = await pool.fetchrow(
        "SELECT field_type, value_text FROM video_field_values WHERE field_id = $1",
        uuid.UUID(field_id),
    )
    assert tuple(stored) == ("select", "a")
