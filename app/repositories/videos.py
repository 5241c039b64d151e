from datetime import datetime
from uuid import UUID

import asyncpg

from app.db import queries
from app.db.execute import fetch, fetchrow, fetchval, retried, transaction
from app.errors import NotFound
from app.models.videos import Video, VideoCreate, VideoPage, VideoUpdate
from app.repositories import field_values, lists, paging

SQL = queries.load("videos")
NEWEST_SORT = "created_at:desc"


async def create(conn: asyncpg.Connection, *, list_id: UUID, data: VideoCreate) -> Video:
    return Video.from_row(await fetchrow(conn, SQL["create"], list_id, data.youtube_id, data.title))


async def get(conn: asyncpg.Connection, *, list_id: UUID, video_id: UUID) -> Video:
    row = await fetchrow(conn, SQL["get"], list_id, video_id)
    if row is None:
        raise NotFound("video", video_id)
    return Video.from_row(row)


async def list_newest(
    conn: asyncpg.Connection,
    *,
    list_id: UUID,
    limit: int = paging.DEFAULT_PAGE_SIZE,
    cursor: str | None = None,
    include_fields: list[UUID] | None = None,
) -> VideoPage:
    """A page of a list's videos, newest first; next_cursor is None on the last page. With
    include_fields, each item carries its values of those fields."""
    if cursor is None:
        rows = await fetch(conn, SQL["newest_first_page"], list_id, limit + 1)
    else:
        created_at, after_id = paging.decode(cursor, NEWEST_SORT, datetime, list_id)
        rows = await fetch(conn, SQL["newest_after"], list_id, limit + 1, created_at, after_id)
    if not rows:
        await lists.ensure_exists(conn, list_id=list_id)
    items = await field_values.videos_with_values(
        conn, list_id=list_id, rows=rows[:limit], field_ids=include_fields
    )
    next_cursor = None
    if len(rows) > limit:
        next_cursor = paging.encode(NEWEST_SORT, items[-1].created_at, items[-1].id, list_id)
    return VideoPage(items=items, next_cursor=next_cursor)


async def update(
    conn: asyncpg.Connection, *, list_id: UUID, video_id: UUID, data: VideoUpdate
) -> Video:
    row = await fetchrow(conn, SQL["update"], list_id, video_id, data.youtube_id, data.title)
    if row is None:
        raise NotFound("video", video_id)
    return Video.from_row(row)


@retried
async def delete(conn: asyncpg.Connection, *, list_id: UUID, video_id: UUID) -> None:
    # The rows the cascade deletes first, then the video: see lock_values.
    async with transaction(conn):
        await fetchval(conn, SQL["lock_values"], list_id, video_id)
        await fetchval(conn, SQL["lock_tags"], list_id, video_id)
        if await fetchrow(conn, SQL["delete"], list_id, video_id) is None:
            raise NotFound("video", video_id)
