import uuid

import asyncpg
import pytest

from app.errors import Conflict, InvalidValue, NotFound
from app.models.lists import BookmarkList
from app.models.tags import TagCreate, TagUpdate
from app.repositories import tags
from tests.repositories.conftest import Builder


async def test_create_and_get(conn: asyncpg.Connection, make: Builder, bl: BookmarkList) -> None:
    schema = await make.schema(bl.id)
    tag = await tags.create(conn, list_id=bl.id, data=TagCreate(name="Music", schema_id=schema.id))
    assert (tag.name, tag.list_id, tag.schema_id) == ("Music", bl.id, schema.id)
    assert await tags.get(conn, list_id=bl.id, tag_id=tag.id) == tag
    plain = await tags.create(conn, list_id=bl.id, data=TagCreate(name="Plain"))
    assert plain.schema_id is None


async def test_create_refusals(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, other_list: BookmarkList
) -> None:
    foreign = await make.schema(other_list.id)
    with pytest.raises(NotFound) as info:
        await make.tag(bl.id, schema_id=foreign.id)
    assert info.value.resource == "field schema"
    with pytest.raises(NotFound):
        await make.tag(bl.id, schema_id=uuid.uuid4())
    with pytest.raises(NotFound) as info:
        await make.tag(uuid.uuid4())
    assert info.value.resource == "list"
    await make.tag(bl.id, name="Music")
    with pytest.raises(Conflict) as conflict:
        await make.tag(bl.id, name="MUSIC ")
    assert conflict.value.rule == "tags_name_unique"
    with pytest.raises(InvalidValue) as invalid:
        await tags.create(
            conn, list_id=bl.id, data=TagCreate.model_construct(name=" ", schema_id=None)
        )
    assert invalid.value.problems[0].rule == "tags_name"
    assert await make.count("tags") == 1


async def test_get_and_list_are_scoped_to_the_list(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, other_list: BookmarkList
) -> None:
    assert await tags.list_by_list(conn, list_id=bl.id) == []
    b = await make.tag(bl.id, name="b")
    a = await make.tag(bl.id, name="A")
    await make.tag(other_list.id)
    assert await tags.list_by_list(conn, list_id=bl.id) == [a, b]
    with pytest.raises(NotFound) as info:
        await tags.get(conn, list_id=other_list.id, tag_id=a.id)
    assert (info.value.resource, info.value.resource_id) == ("tag", a.id)
    with pytest.raises(NotFound):
        await tags.list_by_list(conn, list_id=uuid.uuid4())


async def test_update_schema_only_when_sent(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList
) -> None:
    first, second = await make.schema(bl.id), await make.schema(bl.id)
    tag = await make.tag(bl.id, schema_id=first.id, name="Old")

    renamed = await tags.update(conn, list_id=bl.id, tag_id=tag.id, data=TagUpdate(name="New"))
    assert (renamed.name, renamed.schema_id) == ("New", first.id)
    assert renamed.updated_at > tag.updated_at

    moved = await tags.update(
        conn, list_id=bl.id, tag_id=tag.id, data=TagUpdate(schema_id=second.id)
    )
    assert (moved.name, moved.schema_id) == ("New", second.id)

    detached = await tags.update(conn, list_id=bl.id, tag_id=tag.id, data=TagUpdate(schema_id=None))
    assert (detached.name, detached.schema_id) == ("New", None)


async def test_update_refusals(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, other_list: BookmarkList
) -> None:
    await make.tag(bl.id, name="Taken")
    tag = await make.tag(bl.id, name="Free")
    with pytest.raises(Conflict):
        await tags.update(conn, list_id=bl.id, tag_id=tag.id, data=TagUpdate(name="taken"))
    foreign = await make.schema(other_list.id)
    with pytest.raises(NotFound) as info:
        await tags.update(conn, list_id=bl.id, tag_id=tag.id, data=TagUpdate(schema_id=foreign.id))
    assert info.value.resource == "field schema"
    with pytest.raises(NotFound) as info:
        await tags.update(conn, list_id=other_list.id, tag_id=tag.id, data=TagUpdate(name="x"))
    assert info.value.resource == "tag"
    assert await tags.get(conn, list_id=bl.id, tag_id=tag.id) == tag


async def test_delete_untags_its_videos(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, other_list: BookmarkList
) -> None:
    tag, kept = await make.tag(bl.id), await make.tag(bl.id)
    video = await make.video(bl.id)
    await tags.set_video_tags(conn, list_id=bl.id, video_id=video.id, tag_ids=[tag.id, kept.id])
    with pytest.raises(NotFound):
        await tags.delete(conn, list_id=other_list.id, tag_id=tag.id)

    await tags.delete(conn, list_id=bl.id, tag_id=tag.id)

    assert await tags.of_video(conn, list_id=bl.id, video_id=video.id) == [kept]
    with pytest.raises(NotFound):
        await tags.delete(conn, list_id=bl.id, tag_id=tag.id)


async def test_set_video_tags_replaces_the_whole_set(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList
) -> None:
    a, b, c = [await make.tag(bl.id, name=n) for n in "abc"]
    video = await make.video(bl.id)
    other_video = await make.video(bl.id)
    assert await tags.of_video(conn, list_id=bl.id, video_id=video.id) == []

    got = await tags.set_video_tags(
        conn, list_id=bl.id, video_id=video.id, tag_ids=[b.id, a.id, b.id]
    )
    assert got == [a, b]
    await tags.set_video_tags(conn, list_id=bl.id, video_id=other_video.id, tag_ids=[c.id])
    got = await tags.set_video_tags(conn, list_id=bl.id, video_id=video.id, tag_ids=[c.id, b.id])
    assert got == [b, c]
    assert await tags.of_video(conn, list_id=bl.id, video_id=video.id) == [b, c]
    assert await tags.set_video_tags(conn, list_id=bl.id, video_id=video.id, tag_ids=[]) == []
    assert await tags.of_video(conn, list_id=bl.id, video_id=other_video.id) == [c]


async def test_set_video_tags_is_all_or_nothing(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, other_list: BookmarkList
) -> None:
    mine, new = await make.tag(bl.id), await make.tag(bl.id)
    foreign = await make.tag(other_list.id)
    video = await make.video(bl.id)
    await tags.set_video_tags(conn, list_id=bl.id, video_id=video.id, tag_ids=[mine.id])
    for bad in (foreign.id, uuid.uuid4()):
        with pytest.raises(NotFound) as info:
            await tags.set_video_tags(conn, list_id=bl.id, video_id=video.id, tag_ids=[new.id, bad])
        assert (info.value.resource, info.value.resource_id) == ("tag", bad)
        assert await tags.of_video(conn, list_id=bl.id, video_id=video.id) == [mine]


async def test_video_tags_of_a_video_of_another_list(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, other_list: BookmarkList
) -> None:
    tag = await make.tag(bl.id)
    foreign_video = await make.video(other_list.id)
    with pytest.raises(NotFound) as info:
        await tags.set_video_tags(conn, list_id=bl.id, video_id=foreign_video.id, tag_ids=[tag.id])
    assert info.value.resource == "video"
    with pytest.raises(NotFound):
        await tags.of_video(conn, list_id=bl.id, video_id=foreign_video.id)
    assert await make.count("video_tags") == 0
