import uuid

import asyncpg
import pytest

from app.errors import Conflict, InvalidValue, NotFound
from app.models.lists import BookmarkList
from app.models.videos import VideoCreate, VideoUpdate
from app.repositories import field_values, tags, videos
from tests.repositories.conftest import Builder


async def test_create_and_get(conn: asyncpg.Connection, bl: BookmarkList) -> None:
    data = VideoCreate(youtube_id="dQw4w9WgXcQ", title="Never gonna")
    video = await videos.create(conn, list_id=bl.id, data=data)
    assert (video.list_id, video.youtube_id, video.title) == (bl.id, "dQw4w9WgXcQ", "Never gonna")
    assert await videos.get(conn, list_id=bl.id, video_id=video.id) == video


async def test_get_is_scoped_to_the_list(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, other_list: BookmarkList
) -> None:
    video = await make.video(bl.id)
    with pytest.raises(NotFound) as info:
        await videos.get(conn, list_id=other_list.id, video_id=video.id)
    assert (info.value.resource, info.value.resource_id) == ("video", video.id)
    with pytest.raises(NotFound):
        await videos.get(conn, list_id=bl.id, video_id=uuid.uuid4())


async def test_create_in_a_missing_list(conn: asyncpg.Connection) -> None:
    missing = uuid.uuid4()
    with pytest.raises(NotFound) as info:
        await videos.create(conn, list_id=missing, data=VideoCreate(youtube_id="abc", title="t"))
    assert (info.value.resource, info.value.resource_id) == ("list", missing)


async def test_a_youtube_id_is_unique_per_list(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, other_list: BookmarkList
) -> None:
    await make.video(bl.id, youtube_id="same_id")
    with pytest.raises(Conflict) as info:
        await make.video(bl.id, youtube_id="same_id")
    assert info.value.rule == "videos_youtube_id_unique"
    # The same video in another list is fine.
    assert (await make.video(other_list.id, youtube_id="same_id")).list_id == other_list.id


async def test_update_changes_only_what_is_sent(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList
) -> None:
    video = await make.video(bl.id, youtube_id="first", title="One")
    renamed = await videos.update(
        conn, list_id=bl.id, video_id=video.id, data=VideoUpdate(title="Two")
    )
    assert (renamed.youtube_id, renamed.title) == ("first", "Two")
    assert renamed.updated_at > video.updated_at and renamed.created_at == video.created_at
    moved = await videos.update(
        conn, list_id=bl.id, video_id=video.id, data=VideoUpdate(youtube_id="second")
    )
    assert (moved.youtube_id, moved.title) == ("second", "Two")


async def test_update_to_a_taken_youtube_id_conflicts(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList
) -> None:
    await make.video(bl.id, youtube_id="taken")
    video = await make.video(bl.id, youtube_id="free")
    with pytest.raises(Conflict):
        await videos.update(
            conn, list_id=bl.id, video_id=video.id, data=VideoUpdate(youtube_id="taken")
        )
    assert (await videos.get(conn, list_id=bl.id, video_id=video.id)).youtube_id == "free"


async def test_update_and_delete_are_scoped_to_the_list(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, other_list: BookmarkList
) -> None:
    video = await make.video(bl.id)
    with pytest.raises(NotFound):
        await videos.update(
            conn, list_id=other_list.id, video_id=video.id, data=VideoUpdate(title="x")
        )
    with pytest.raises(NotFound):
        await videos.delete(conn, list_id=other_list.id, video_id=video.id)
    assert await videos.get(conn, list_id=bl.id, video_id=video.id) == video


async def test_delete_takes_values_and_tags_along(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList
) -> None:
    field = await make.field(bl.id)
    tag = await make.tag(bl.id)
    video = await make.video(bl.id)
    await make.value(video, field, 2)
    await tags.set_video_tags(conn, list_id=bl.id, video_id=video.id, tag_ids=[tag.id])

    await videos.delete(conn, list_id=bl.id, video_id=video.id)

    with pytest.raises(NotFound):
        await videos.get(conn, list_id=bl.id, video_id=video.id)
    assert await make.count("video_field_values") == 0
    assert await make.count("video_tags") == 0
    with pytest.raises(NotFound):
        await videos.delete(conn, list_id=bl.id, video_id=video.id)
    with pytest.raises(NotFound):
        await field_values.fields_of_video(conn, list_id=bl.id, video_id=video.id)


@pytest.mark.parametrize(
    ("youtube_id", "title", "rule"),
    [
        ("has space", "t", "videos_youtube_id_format"),
        ("x" * 65, "t", "videos_youtube_id_format"),
        ("a'b", "t", "videos_youtube_id_format"),
        ("ok", "   ", "videos_title"),
        ("ok", "t" * 501, "videos_title"),
    ],
)
async def test_the_database_refuses_a_bad_video(
    conn: asyncpg.Connection,
    make: Builder,
    bl: BookmarkList,
    youtube_id: str,
    title: str,
    rule: str,
) -> None:
    with pytest.raises(InvalidValue) as info:
        data = VideoCreate.model_construct(youtube_id=youtube_id, title=title)
        await videos.create(conn, list_id=bl.id, data=data)
    assert info.value.problems[0].rule == rule
    video = await make.video(bl.id)
    with pytest.raises(InvalidValue) as info:
        data = VideoUpdate.model_construct(youtube_id=youtube_id, title=title)
        await videos.update(conn, list_id=bl.id, video_id=video.id, data=data)
    assert info.value.problems[0].rule == rule
    assert await videos.get(conn, list_id=bl.id, video_id=video.id) == video
