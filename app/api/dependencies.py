"""What handlers receive by injection: a pooled connection inside one transaction."""

from collections.abc import AsyncGenerator

import asyncpg
from litestar.datastructures import State
from litestar.di import NamedDependency

from app.db import connections


async def provide_connection(state: State) -> AsyncGenerator[asyncpg.Connection, None]:
    """One transaction per request: committed when the handler returns, rolled back when it
    raises (Litestar throws the handler's exception into this generator).

    The connection may die at any step. The answer is then the handler's own (its error, or
    its success once COMMIT was acknowledged) or a 503 when COMMIT was not; never a 500. So
    after a handler error this generator re-raises exactly that error (Litestar would wrap any
    other in an ExceptionGroup, a 500), and releasing never raises."""
    pool: asyncpg.Pool = state.pool
    conn, tx = await connections.begin(pool, acquire_timeout_s=state.settings.acquire_timeout_s)
    try:
        try:
            yield conn
        except BaseException:
            await connections.rollback(conn, tx)
            raise
        await connections.commit(conn, tx)
    finally:
        await connections.release(pool, conn)


# How handlers ask for it: `conn: Conn`.
Conn = NamedDependency[asyncpg.Connection]
