"""What handlers receive by injection: a pooled connection inside one transaction."""

from collections.abc import AsyncGenerator
from typing import cast

import asyncpg
from litestar.datastructures import State
from litestar.di import NamedDependency

from app.db.execute import transaction, translated_errors


async def provide_connection(state: State) -> AsyncGenerator[asyncpg.Connection, None]:
    """One transaction per request: committed when the handler returns, rolled back when it
    raises (Litestar throws the handler's exception into this generator)."""
    pool: asyncpg.Pool = state.pool
    with translated_errors():  # an unreachable database becomes Unavailable (503)
        proxy = await pool.acquire(timeout=state.settings.acquire_timeout_s)
    # The pool hands out a proxy that behaves as the Connection it wraps.
    conn = cast(asyncpg.Connection, proxy)
    try:
        async with transaction(conn):
            yield conn
    finally:
        await pool.release(proxy)


# How handlers ask for it: `conn: Conn`.
Conn = NamedDependency[asyncpg.Connection]
