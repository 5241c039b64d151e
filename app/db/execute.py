"""Run a named query on a connection, with database errors translated to domain errors.
Every repository call goes through these, so no caller ever sees an asyncpg exception."""

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import asyncpg

from app.db.errors import translate
from app.db.queries import Query


@contextmanager
def translated_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        domain_error = translate(exc)
        if domain_error is None:
            raise
        raise domain_error from exc


async def fetch(conn: asyncpg.Connection, query: Query, *args: Any) -> list[asyncpg.Record]:
    with translated_errors():
        return await conn.fetch(query.text, *args)


async def fetchrow(conn: asyncpg.Connection, query: Query, *args: Any) -> asyncpg.Record | None:
    with translated_errors():
        return await conn.fetchrow(query.text, *args)


async def fetchval(conn: asyncpg.Connection, query: Query, *args: Any) -> Any:
    with translated_errors():
        return await conn.fetchval(query.text, *args)


async def execute(conn: asyncpg.Connection, query: Query, *args: Any) -> str:
    with translated_errors():
        return await conn.execute(query.text, *args)


@asynccontextmanager
async def transaction(conn: asyncpg.Connection) -> AsyncIterator[None]:
    """One unit of work; nested inside another it becomes a savepoint."""
    with translated_errors():
        async with conn.transaction():
            yield
