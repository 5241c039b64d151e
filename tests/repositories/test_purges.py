"""The purge's batches as the worker runs them (app/purger.py), each in its own transaction."""

import asyncpg

from app.config import DEFAULT_APP_ROLE, Settings
from app.db import connections
from app.db.pool import create_pool
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


async def test_a_batch_compresses_its_wal_where_the_app_role_may_set_it(
    database_url: str, conn: asyncpg.Connection, make: Builder
) -> None:
    # A batch's WAL is mostly whole pages, the first change to each after a checkpoint:
    # compressed for the purge's own transactions only (the role was granted the setting
    # by app_role_ensure, run as a superuser). Without the grant, batches run uncompressed.
    settings = Settings(database_url=database_url, pool_max_size=1)
    app_pool = await create_pool(settings)
    try:
        for granted in (True, False):
            doomed = await make.bookmark_list()
            await make.video(doomed.id)
            await lists.delete(conn, list_id=doomed.id)
            app, tx = await connections.begin(app_pool, owner=None, settings=settings)
            try:
                assert await app.fetchval("SELECT current_user") == DEFAULT_APP_ROLE
                assert await purges.next_batch(app, max_rows=100) is not None
                assert await app.fetchval("SHOW wal_compression") == ("lz4" if granted else "off")
                await connections.commit(app, tx)
            finally:
                await connections.release(app_pool, app)
            async with app_pool.acquire() as after:
                assert await after.fetchval("SHOW wal_compression") == "off"  # its own only
            await conn.execute(f"REVOKE SET ON PARAMETER wal_compression FROM {DEFAULT_APP_ROLE}")
    finally:
        # The grant belongs to the cluster, which the next tests share.
        await conn.execute(f"GRANT SET ON PARAMETER wal_compression TO {DEFAULT_APP_ROLE}")
        await app_pool.close()
