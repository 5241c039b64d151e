"""One generic plan where the values cannot matter. The app plans each statement for its
values (app/db/pool.py): how selective "Rating >= 4" is and how big the list is decide the best
plan, and a generic plan, made for an average list and no value in particular, took seconds
where milliseconds would do (a batch write on a 100k-video list: 1.6 s). A few statements plan
the same for any values and list, and planning them each run cost more than running them.
They switch to one generic plan per statement and connection: here (unfiltered facets 1.05 ->
0.32 ms at 1M, the fields of a video 1.22 -> 0.49), or in the lookup before them
(custom_fields.get_many, planned_generically: a search newest first by one equality, 0.86 ->
0.38 ms)."""

import asyncpg

from app.db import queries
from app.db.execute import execute

SQL = queries.load("plans")


async def plan_generically(conn: asyncpg.Connection) -> None:
    """Plan the transaction's next statements once for any values. Outside a transaction (a
    caller's own connection: the bench, a script) there is no transaction to scope it to, so
    it stays on the connection; the app always has one."""
    await execute(conn, SQL["plan_generically"], conn.is_in_transaction())


async def plan_to_count(conn: asyncpg.Connection) -> None:
    """Plan the transaction's next statements (outside a transaction, the connection's) for
    counting many rows into few groups: without Memoize, whose nested loops never meet a key
    twice, and grouping by hashing, not sorting (sql/plans.sql)."""
    await execute(conn, SQL["plan_to_count"], conn.is_in_transaction())
