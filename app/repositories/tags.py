from uuid import UUID

import asyncpg

from app.db import queries
from app.db.execute import (
    execute,
    fetch,
    fetchrow,
    retried,
    statement_transaction,
    transaction,
)
from app.errors import NotFound
from app.models.tags import Tag, TagCreate, TagUpdate
from app.repositories import lists, videos

SQL = queries.load("tags")


def _naming_the_schema(missing: NotFound, schema_id: UUID | None) -> NotFound:
    """The schema a tag names, when the foreign key refused it: row-level security keeps the
    database's own error from saying which key it was."""
    if missing.resource == "field schema" and missing.resource_id is None:
        return NotFound("field schema", schema_id)
    return missing


async def create(conn: asyncpg.Connection, *, list_id: UUID, data: TagCreate) -> Tag:
    try:
        row = await fetchrow(conn, SQL["create"], list_id, data.name, data.schema_id)
    except NotFound as missing:
        raise _naming_the_schema(missing, data.schema_id) from missing
    return Tag.from_row(row)


async def get(conn: asyncpg.Connection, *, list_id: UUID, tag_id: UUID) -> Tag:
    row = await fetchrow(conn, SQL["get"], list_id, tag_id)
    if row is None:
        raise NotFound("tag", tag_id)
    return Tag.from_row(row)


async def list_by_list(conn: asyncpg.Connection, *, list_id: UUID) -> list[Tag]:
    rows = await fetch(conn, SQL["list_by_list"], list_id)
    if not rows:
        await lists.ensure_exists(conn, list_id=list_id)
    return [Tag.from_row(row) for row in rows]


async def update(conn: asyncpg.Connection, *, list_id: UUID, tag_id: UUID, data: TagUpdate) -> Tag:
    """schema_id changes only when it was sent (null detaches the schema)."""
    set_schema = "schema_id" in data.model_fields_set
    try:
        row = await fetchrow(
            conn, SQL["update"], list_id, tag_id, data.name, set_schema, data.schema_id
        )
    except NotFound as missing:
        raise _naming_the_schema(missing, data.schema_id) from missing
    if row is None:
        raise NotFound("tag", tag_id)
    return Tag.from_row(row)


async def delete(conn: asyncpg.Connection, *, list_id: UUID, tag_id: UUID) -> None:
    if await fetchrow(conn, SQL["delete"], list_id, tag_id) is None:
        raise NotFound("tag", tag_id)


async def of_video(conn: asyncpg.Connection, *, list_id: UUID, video_id: UUID) -> list[Tag]:
    await videos.get(conn, list_id=list_id, video_id=video_id)
    return [Tag.from_row(row) for row in await fetch(conn, SQL["of_video"], list_id, video_id)]


@retried
async def set_video_tags(
    conn: asyncpg.Connection, *, list_id: UUID, video_id: UUID, tag_ids: list[UUID]
) -> list[Tag]:
    """Make `tag_ids` the video's whole set of tags, all or nothing."""
    wanted = list(dict.fromkeys(tag_ids))
    async with transaction(conn):
        await videos.get(conn, list_id=list_id, video_id=video_id)
        await execute(conn, SQL["remove_video_tags_except"], list_id, video_id, wanted)
        try:
            async with statement_transaction(conn):
                await execute(conn, SQL["add_video_tags"], list_id, video_id, wanted)
        except NotFound as missing:
            if missing.resource != "tag" or missing.resource_id is not None:
                raise
            # Row-level security keeps the foreign key's error from naming the tag.
            found = {row["id"] for row in await fetch(conn, SQL["ids_in_list"], list_id, wanted)}
            first = next((tag_id for tag_id in wanted if tag_id not in found), None)
            raise NotFound("tag", first) from missing
        return [Tag.from_row(row) for row in await fetch(conn, SQL["of_video"], list_id, video_id)]
