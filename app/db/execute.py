"""Run a named query on a connection, with database errors translated to domain errors.
Every repository call goes through these, so no caller ever sees an asyncpg exception."""

import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any, ParamSpec, TypeVar

import asyncpg

from app.db.errors import translate
from app.db.queries import Query
from app.errors import WriteConflict

P = ParamSpec("P")
T = TypeVar("T")
ATTEMPTS = 3


@contextmanager
def translated_errors(conn: asyncpg.Connection | None = None) -> Iterator[None]:
    """Database errors raised inside as domain errors (app/db/errors.py). A command of `conn`
    whose reply did not come within its timeout (Settings.reply_timeout_s) closes `conn` at
    once: the server or the network stopped answering, and asyncpg would make the next command
    (the ROLLBACK) wait as long again for the command to be cancelled."""
    try:
        yield
    except Exception as exc:
        if conn is not None and isinstance(exc, TimeoutError) and not conn.is_closed():
            conn.terminate()
        domain_error = translate(exc)
        if domain_error is None:
            raise
        raise domain_error from exc


async def fetch(conn: asyncpg.Connection, query: Query, *args: Any) -> list[asyncpg.Record]:
    with translated_errors(conn):
        return await conn.fetch(query.text, *args)


async def fetchrow(conn: asyncpg.Connection, query: Query, *args: Any) -> asyncpg.Record | None:
    with translated_errors(conn):
        return await conn.fetchrow(query.text, *args)


async def fetchval(conn: asyncpg.Connection, query: Query, *args: Any) -> Any:
    with translated_errors(conn):
        return await conn.fetchval(query.text, *args)


async def execute(conn: asyncpg.Connection, query: Query, *args: Any) -> str:
    with translated_errors(conn):
        return await conn.execute(query.text, *args)


@asynccontextmanager
async def transaction(conn: asyncpg.Connection) -> AsyncIterator[None]:
    """One unit of work; nested inside another it becomes a savepoint."""
    with translated_errors(conn):
        async with conn.transaction():
            yield


@asynccontextmanager
async def statement_transaction(conn: asyncpg.Connection) -> AsyncIterator[None]:
    """For a single statement that must fail alone: inside a transaction it gets a savepoint,
    so the transaction can still be read after a refusal; outside one, the statement already is
    its own transaction, and BEGIN/COMMIT would only add two round trips."""
    if conn.is_in_transaction():
        async with transaction(conn):
            yield
    else:
        with translated_errors(conn):
            yield


def retried(write: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """Run a write again (up to ATTEMPTS times) when the database picked it as the victim of a
    deadlock or serialization failure. Keys are ordered and deletes lock first, so this is the
    rare case; the client should not see it. Only for writes whose every statement runs inside
    their own transaction(conn): nested in the request's, that is a savepoint, so a failed
    attempt rolls back alone."""

    @functools.wraps(write)
    async def attempt(*args: P.args, **kwargs: P.kwargs) -> T:
        for number in range(1, ATTEMPTS + 1):
            try:
                return await write(*args, **kwargs)
            except WriteConflict:
                if number == ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    return attempt
