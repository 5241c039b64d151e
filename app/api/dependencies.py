"""What handlers receive by injection: who is calling, and a pooled connection inside one
transaction that says so to the database."""

from collections.abc import AsyncGenerator
from typing import Any

import asyncpg
from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency

from app.db import connections


def owner_of(request: Request[Any, Any, Any]) -> str | None:
    """The caller's owner id (the token's sub), as the authentication middleware left it; None
    on the routes that need no token."""
    user = request.scope.get("user")
    return user if isinstance(user, str) else None


def provide_owner(request: Request[Any, Any, Any]) -> str:
    owner = owner_of(request)
    if owner is None:  # a route that takes an owner is never excluded from authentication
        raise RuntimeError("no authenticated owner on a route that needs one")
    return owner


async def provide_connection(
    state: State, request: Request[Any, Any, Any]
) -> AsyncGenerator[asyncpg.Connection, None]:
    """One transaction per request: committed when the handler returns, rolled back when it
    raises (Litestar throws the handler's exception into this generator).

    The connection may die at any step. The answer is then the handler's own (its error, or
    its success once COMMIT was acknowledged) or a 503 when COMMIT was not; never a 500. So
    after a handler error this generator re-raises exactly that error (Litestar would wrap any
    other in an ExceptionGroup, a 500), and releasing never raises."""
    pool: asyncpg.Pool = state.pool
    conn, tx = await connections.begin(pool, owner=owner_of(request), settings=state.settings)
    try:
        try:
            yield conn
        except BaseException:
            await connections.rollback(conn, tx)
            raise
        await connections.commit(conn, tx)
    finally:
        await connections.release(pool, conn)


# How handlers ask for them: `conn: Conn`, `owner: Owner`.
Conn = NamedDependency[asyncpg.Connection]
Owner = NamedDependency[str]
