"""What handlers receive by injection: a pooled connection inside one transaction."""

from collections.abc import AsyncGenerator
from typing import cast

import asyncpg
from litestar.datastructures import State
from litestar.di import NamedDependency

from app.db.execute import transaction, translated_errors
from app.errors import Unavailable


async def provide_connection(state: State) -> AsyncGenerator[asyncpg.Connection, None]:
    """One transaction per request: committed when the handler returns, rolled back when it
    raises (Litestar throws the handler's exception into this generator)."""
    pool: asyncpg.Pool = state.pool
    with translated_errors():  # an unreachable database becomes Unavailable (503)
        proxy = await pool.acquire(timeout=state.settings.acquire_timeout_s)
    # The pool hands out a proxy that behaves as the Connection it wraps.
    conn = cast(asyncpg.Connection, proxy)
    thrown: BaseException | None = None
    try:
        async with transaction(conn):
            try:
                yield conn
            except BaseException as exc:
                thrown = exc
                raise
    except Unavailable:
        # The connection died, so the ROLLBACK failed too: answer with the handler's own error.
        # (A new error raised here would reach the client as a 500: Litestar wraps errors of
        # dependency cleanup in an ExceptionGroup.)
        if thrown is None:
            raise
        raise thrown from None
    finally:
        await pool.release(proxy)


# How handlers ask for it: `conn: Conn`.
Conn = NamedDependency[asyncpg.Connection]
