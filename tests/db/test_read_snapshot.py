"""A request's read on the primary sees one snapshot: its statements agree with each other while
others write. A search reads its page in one statement and the values of its include_fields in
another; in READ COMMITTED a write between them made a page filtered on S = a show S = b."""

import asyncpg
import psycopg

from app.db.pool import create_pool
from app.db.replicas import Reader, open_replicas
from tests.conftest import OWNER, auth_settings
from tests.db.factories import create_list, create_video


async def test_the_statements_of_a_read_see_one_snapshot(
    postgresql: psycopg.Connection, database_url: str
) -> None:
    list_id = create_list(postgresql)
    video_id = create_video(postgresql, list_id=list_id, title="Before")
    postgresql.commit()
    settings = auth_settings(database_url)
    primary = await create_pool(settings, min_size=0)
    replicas = await open_replicas(settings)
    writer = await asyncpg.connect(database_url)
    title = "SELECT title FROM videos WHERE id = $1"

    async def read_around_a_write(conn: asyncpg.Connection) -> tuple[str, str]:
        first = await conn.fetchval(title, video_id)
        # Committed by another session between the read's two statements.
        await writer.execute("UPDATE videos SET title = 'After' WHERE id = $1", video_id)
        return first, await conn.fetchval(title, video_id)

    try:
        read = Reader(primary, replicas, OWNER, list_id, None, settings)
        assert await read(read_around_a_write) == ("Before", "Before")
        # The next read is a new snapshot.
        assert await read(lambda conn: conn.fetchval(title, video_id)) == "After"
    finally:
        await writer.close()
        await replicas.close()
        await primary.close()
