"""The purge queue: deleted lists and fields whose rows are removed in the background."""

import asyncpg

from app.db import queries
from app.db.execute import execute, fetchrow
from app.models.purges import PurgeBacklog, PurgeBatch

SQL = queries.load("purges")


async def next_batch(conn: asyncpg.Connection, *, max_rows: int) -> PurgeBatch | None:
    """Run one batch of the oldest purge no other transaction is running, on a connection in
    a transaction of its own (it says who it speaks for, the purge's owner, until it ends).
    None when there is nothing to purge. Its commit does not wait for the disk, and its WAL
    is compressed where the app's role may say so."""
    await execute(conn, SQL["batch_settings"])
    row = await fetchrow(conn, SQL["next_batch"], max_rows)
    return None if row is None else PurgeBatch.from_row(row)


async def backlog(conn: asyncpg.Connection) -> PurgeBacklog:
    return PurgeBacklog.from_row(await fetchrow(conn, SQL["backlog"]))
