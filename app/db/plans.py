"""Planning by values where it pays. A statement found by ids plans the same whatever the ids,
so the app's transactions keep one generic plan per statement and connection (app/db/pool.py):
planning each run cost more than running (unfiltered facets 0.9 -> 0.3 ms at 1M). A search
statement's best plan depends on its values (how many videos "Rating >= 4" matches): a generic
plan of `rare x rare` took 3 s against 2.6 ms. The search switches before such statements."""

import asyncpg

from app.db import queries
from app.db.execute import execute

SQL = queries.load("plans")


async def plan_for_values(conn: asyncpg.Connection, by_values: bool = True) -> None:
    """Plan the transaction's next statements for their values (by_values) or generically.
    Outside a transaction (a caller's own connection: the bench, a script) there is no
    transaction to scope it to, so it stays on the connection; the app always has one."""
    await execute(conn, SQL["plan_for_values"], by_values, conn.is_in_transaction())
