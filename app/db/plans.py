"""Planning by values where it pays. A statement found by ids plans the same whatever the ids,
so the app's transactions keep one generic plan per statement and connection (app/db/pool.py):
planning each run cost more than running (unfiltered facets 1.05 -> 0.32 ms at 1M). A search
statement's best plan depends on its values (how many videos "Rating >= 4" matches): a generic
plan of `rare x rare` took 3 s against 2.6 ms. Such a search switches to planning each run in
its field lookup (custom_fields.get_many, plan_for_values), at no round trip of its own; this
switches back, for statements found by ids after it (a page's values)."""

import asyncpg

from app.db import queries
from app.db.execute import execute

SQL = queries.load("plans")


async def plan_generically(conn: asyncpg.Connection) -> None:
    """Plan the transaction's next statements once for any values. Outside a transaction (a
    caller's own connection: the bench, a script) there is no transaction to scope it to, so
    it stays on the connection; the app always has one."""
    await execute(conn, SQL["plan_generically"], conn.is_in_transaction())
