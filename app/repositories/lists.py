from uuid import UUID, uuid4

import asyncpg

from app.db import access, queries
from app.db.execute import execute, fetch, fetchrow, transaction
from app.errors import NotFound
from app.models.lists import BookmarkList, ListCreate, ListUpdate

SQL = queries.load("lists")


async def create(conn: asyncpg.Connection, *, owner: str, data: ListCreate) -> BookmarkList:
    row = await fetchrow(conn, SQL["create"], uuid4(), owner, data.name, data.description)
    return BookmarkList.from_row(row)


async def get(conn: asyncpg.Connection, *, list_id: UUID) -> BookmarkList:
    row = await fetchrow(conn, SQL["get"], list_id)
    if row is None:
        raise NotFound("list", list_id)
    return BookmarkList.from_row(row)


async def ensure_exists(conn: asyncpg.Connection, *, list_id: UUID) -> None:
    """NotFound unless the list exists: an empty collection of a missing list is a 404."""
    if await fetchrow(conn, SQL["get"], list_id) is None:
        raise NotFound("list", list_id)


async def list_all(conn: asyncpg.Connection, *, owner: str) -> list[BookmarkList]:
    return [BookmarkList.from_row(row) for row in await fetch(conn, SQL["list_all"], owner)]


async def update(conn: asyncpg.Connection, *, list_id: UUID, data: ListUpdate) -> BookmarkList:
    row = await fetchrow(conn, SQL["update"], list_id, data.name, data.description)
    if row is None:
        raise NotFound("list", list_id)
    return BookmarkList.from_row(row)


async def delete(conn: asyncpg.Connection, *, list_id: UUID) -> None:
    """Delete the list at once: it is marked deleted, which hides it and everything in it from
    this commit on, and the purge worker (app/purger.py) removes its rows in the background."""
    async with transaction(conn):
        await execute(conn, access.SQL["set_purging"], str(list_id))
        deleted = await fetchrow(conn, SQL["mark_deleted"], list_id)
        await execute(conn, access.SQL["set_purging"], "")
    if deleted is None:
        raise NotFound("list", list_id)
