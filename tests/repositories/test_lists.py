import uuid

import asyncpg
import pytest

from app.errors import InvalidValue, NotFound
from app.models.lists import BookmarkList, ListCreate, ListUpdate
from app.repositories import lists
from tests.conftest import OWNER
from tests.repositories.conftest import Builder


async def test_create_and_get(conn: asyncpg.Connection) -> None:
    created = await lists.create(
        conn, owner=OWNER, data=ListCreate(name="Watch later", description="Soon")
    )
    assert (created.name, created.description) == ("Watch later", "Soon")
    assert created.created_at == created.updated_at
    assert await lists.get(conn, list_id=created.id) == created


async def test_description_defaults_to_empty(conn: asyncpg.Connection) -> None:
    assert (await lists.create(conn, owner=OWNER, data=ListCreate(name="L"))).description == ""


async def test_get_a_missing_list(conn: asyncpg.Connection) -> None:
    missing = uuid.uuid4()
    with pytest.raises(NotFound) as info:
        await lists.get(conn, list_id=missing)
    assert (info.value.resource, info.value.resource_id) == ("list", missing)


async def test_ensure_exists(conn: asyncpg.Connection, bl: BookmarkList) -> None:
    await lists.ensure_exists(conn, list_id=bl.id)
    with pytest.raises(NotFound):
        await lists.ensure_exists(conn, list_id=uuid.uuid4())


async def test_list_all_newest_first(conn: asyncpg.Connection, make: Builder) -> None:
    assert await lists.list_all(conn, owner=OWNER) == []
    first, second, third = [await make.bookmark_list(f"L{i}") for i in range(3)]
    assert [bl.id for bl in await lists.list_all(conn, owner=OWNER)] == [
        third.id,
        second.id,
        first.id,
    ]
    assert await lists.list_all(conn, owner="someone else") == []


async def test_update_changes_only_what_is_sent(conn: asyncpg.Connection, bl: BookmarkList) -> None:
    renamed = await lists.update(conn, list_id=bl.id, data=ListUpdate(name="Renamed"))
    assert (renamed.name, renamed.description) == ("Renamed", bl.description)
    assert renamed.updated_at > bl.updated_at and renamed.created_at == bl.created_at
    described = await lists.update(conn, list_id=bl.id, data=ListUpdate(description="Now"))
    assert (described.name, described.description) == ("Renamed", "Now")
    unchanged = await lists.update(conn, list_id=bl.id, data=ListUpdate())
    assert (unchanged.name, unchanged.description) == ("Renamed", "Now")


async def test_update_a_missing_list(conn: asyncpg.Connection) -> None:
    with pytest.raises(NotFound):
        await lists.update(conn, list_id=uuid.uuid4(), data=ListUpdate(name="x"))


async def test_delete_hides_the_list_at_once_and_the_purge_takes_everything_in_it(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, other_list: BookmarkList
) -> None:
    field = await make.field(bl.id)
    video = await make.video(bl.id)
    await make.value(video, field, 3)
    schema = await make.schema(bl.id)
    await make.tag(bl.id, schema_id=schema.id)
    kept = await make.video(other_list.id)

    await lists.delete(conn, list_id=bl.id)

    with pytest.raises(NotFound):
        await lists.get(conn, list_id=bl.id)
    assert [x.id for x in await lists.list_all(conn, owner=OWNER)] == [other_list.id]
    with pytest.raises(NotFound):
        await lists.update(conn, list_id=bl.id, data=ListUpdate(name="back"))
    assert await make.count("videos") == 2  # until the purge

    assert await make.purge_all() > 0
    assert await conn.fetchval("SELECT count(*) FROM bookmark_lists WHERE id = $1", bl.id) == 0
    for table in ("videos", "custom_fields", "field_schemas", "tags", "video_field_values"):
        left = await conn.fetchval(
            f"SELECT count(*) FROM {table} WHERE list_id = $1",  # noqa: S608
            bl.id,
        )
        assert left == 0, table
    assert await make.count("videos") == 1 and kept.list_id == other_list.id


async def test_delete_a_missing_list(conn: asyncpg.Connection, bl: BookmarkList) -> None:
    await lists.delete(conn, list_id=bl.id)
    with pytest.raises(NotFound):
        await lists.delete(conn, list_id=bl.id)


# The models stop these first; the database refuses them too, for any caller that skips them.
@pytest.mark.parametrize(
    ("name", "description", "rule"),
    [
        (" \t\n", "", "bookmark_lists_name"),
        ("x" * 201, "", "bookmark_lists_name"),
        ("ok", "d" * 2001, "bookmark_lists_description_length"),
    ],
)
async def test_the_database_refuses_a_bad_list(
    conn: asyncpg.Connection, bl: BookmarkList, name: str, description: str, rule: str
) -> None:
    with pytest.raises(InvalidValue) as info:
        await lists.create(
            conn, owner=OWNER, data=ListCreate.model_construct(name=name, description=description)
        )
    assert info.value.problems[0].rule == rule
    with pytest.raises(InvalidValue) as info:
        data = ListUpdate.model_construct(name=name, description=description)
        await lists.update(conn, list_id=bl.id, data=data)
    assert info.value.problems[0].rule == rule
    assert (await lists.get(conn, list_id=bl.id)).name == bl.name
