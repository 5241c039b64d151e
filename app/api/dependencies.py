"""What handlers receive by injection: who is calling, and a pooled connection inside one
transaction that says so to the database (a write, on the primary), or a reader that runs
read-only work where it may (on a replica: app/db/replicas.py)."""

import uuid
from collections.abc import AsyncGenerator
from typing import Annotated, Any

import asyncpg
from litestar import Litestar, Request
from litestar.datastructures import MutableScopeHeaders, ResponseHeader, State
from litestar.di import NamedDependency
from litestar.params import HeaderParameter
from litestar.types import Message, Scope

from app.api.errors import http_route_handlers
from app.db import connections, replicas

# The header of the contract (README, "Read replicas"), and the request's state key of the WAL
# position its write committed at, which the header carries.
READ_AFTER_HEADER = "X-Read-After"
READ_AFTER = "read_after"


def owner_of(request: Request[Any, Any, Any]) -> str | None:
    """The caller's owner id (the token's sub), as the authentication middleware left it; None
    on the routes that need no token."""
    user = request.scope.get("user")
    return user if isinstance(user, str) else None


def list_of(request: Request[Any, Any, Any]) -> uuid.UUID | None:
    """The list the request works in: its path's {list_id} (a UUID, as the route parsed it), or
    None (GET /lists, POST /lists, /health)."""
    list_id = request.path_params.get("list_id")
    return list_id if isinstance(list_id, uuid.UUID) else None


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
    conn, tx = await connections.begin(
        pool, owner=owner_of(request), list_id=list_of(request), settings=state.settings
    )
    try:
        try:
            yield conn
        except BaseException:
            await connections.rollback(conn, tx)
            raise
        await connections.commit(conn, tx)
        if state.replicas.configured:
            # COMMIT has returned, so the commit record is in the WAL; the insert position read
            # now lies at or past its end. A replica that has replayed up to it has replayed
            # the commit, and its next snapshot sees the write.
            position = await replicas.write_position(conn)
            request.state[READ_AFTER] = position
    finally:
        await connections.release(pool, conn)


async def send_read_after(message: Message, scope: Scope) -> None:
    """A before_send hook: a committed write's response carries its WAL position. It runs as
    the response starts, after provide_connection's COMMIT. Async although it never waits:
    Litestar runs a sync hook in a worker thread, two thread hops per response."""
    position = scope.get("state", {}).get(READ_AFTER)
    if message["type"] == "http.response.start" and position:
        MutableScopeHeaders.from_message(message)[READ_AFTER_HEADER] = position


def provide_read(
    state: State,
    request: Request[Any, Any, Any],
    read_after: Annotated[
        str | None,
        HeaderParameter(
            name=READ_AFTER_HEADER,
            required=False,
            description="A WAL position a write answered with (such as 0/16B3748): the read "
            "then runs on a replica only once it has replayed that far, else on the primary, "
            "so it sees that write (README, Read replicas). Without replicas it changes nothing, "
            "but a malformed one is still a 400.",
        ),
    ] = None,
) -> replicas.Reader:
    """A reader for the request's read-only work; a malformed X-Read-After is a 400 (naming
    the rule, as replicas.parse_read_after words it; declared here so the OpenAPI schema
    documents the header on every operation that reads this way)."""
    return replicas.Reader(
        primary=state.pool,
        replicas=state.replicas,
        owner=owner_of(request),
        list_id=list_of(request),
        read_after=replicas.parse_read_after(read_after),
        settings=state.settings,
    )


READ_AFTER_RESPONSE_HEADER = ResponseHeader(
    name=READ_AFTER_HEADER,
    documentation_only=True,  # set by send_read_after, once the COMMIT is known
    required=False,
    description="With read replicas configured: the primary's WAL position once this write "
    "committed. Send it back as X-Read-After on the next reads to see this write.",
)


def document_read_after(app: Litestar) -> None:
    """Document X-Read-After on the responses of every operation that writes through `conn`
    (the request header is documented by provide_read's parameter). Runs once the app exists,
    like document_errors."""
    for handler in http_route_handlers(app):
        if "conn" in handler.parsed_fn_signature.parameters:
            handler.response_headers = [
                *(handler.response_headers or ()),
                READ_AFTER_RESPONSE_HEADER,
            ]


# How handlers ask for them: `conn: Conn`, `read: Read`, `owner: Owner`.
Conn = NamedDependency[asyncpg.Connection]
Read = NamedDependency[replicas.Reader]
Owner = NamedDependency[str]
