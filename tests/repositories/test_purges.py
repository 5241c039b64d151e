"""The purge's batches as the worker runs them (app/purger.py), each in its own transaction."""

import asyncpg

from app.repositories import lists, purges
from tests.repositories.conftest import Builder


async def test_a_batch_commits_without_waiting_for_the_disk_and_only_itself(
    conn: asyncpg.Connection, make: Builder
) -> None:
    # Its WAL would make other writers' commits queue behind its flushes; losing the last
    # batches in a crash only leaves rows the next worker deletes.
    await conn.execute("SET synchronous_commit = on")  # the test server's default is off
    doomed = await make.bookmark_list()
    await make.video(doomed.id)
    await lists.delete(conn, list_id=doomed.id)
    async with conn.transaction():
        batch = await purges.next_batch(conn, max_rows=100)
        assert await conn.fetchval("SHOW synchronous_commit") == "off"
    assert batch is not None and batch.list_id == doomed.id
    assert await conn.fetchval("SHOW synchronous_commit") == "on"
    await make.purge_all()
    assert await conn.fetchval("SELECT count(*) FROM videos WHERE list_id = $1", doomed.id) == 0
