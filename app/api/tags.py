from uuid import UUID

from litestar import Controller, Response, delete, get, patch, post, put
from litestar.params import FromPath, JSONBody

from app.api.dependencies import Conn, Read
from app.api.responses import LOCATION, AnyRequest, created
from app.models.tags import Tag, TagCreate, TagUpdate, VideoTagsSet
from app.repositories import tags


class TagController(Controller):
    path = "/lists/{list_id:uuid}/tags"
    tags = ["tags"]

    @post("/", operation_id="createTag", response_headers=[LOCATION])
    async def create(
        self, request: AnyRequest, conn: Conn, list_id: FromPath[UUID], data: JSONBody[TagCreate]
    ) -> Response[Tag]:
        return created(request, await tags.create(conn, list_id=list_id, data=data))

    @get("/", operation_id="listTags")
    async def list_by_list(self, read: Read, list_id: FromPath[UUID]) -> list[Tag]:
        return await read(tags.list_by_list, list_id=list_id)

    @get("/{tag_id:uuid}", operation_id="getTag")
    async def get(self, read: Read, list_id: FromPath[UUID], tag_id: FromPath[UUID]) -> Tag:
        return await read(tags.get, list_id=list_id, tag_id=tag_id)

    @patch("/{tag_id:uuid}", operation_id="updateTag")
    async def update(
        self, conn: Conn, list_id: FromPath[UUID], tag_id: FromPath[UUID], data: JSONBody[TagUpdate]
    ) -> Tag:
        """Rename the tag and/or set its schema (schema_id null detaches it)."""
        return await tags.update(conn, list_id=list_id, tag_id=tag_id, data=data)

    @put("/{tag_id:uuid}", operation_id="replaceTag", include_in_schema=False)
    async def replace(
        self, conn: Conn, list_id: FromPath[UUID], tag_id: FromPath[UUID], data: JSONBody[TagUpdate]
    ) -> Tag:
        return await tags.update(conn, list_id=list_id, tag_id=tag_id, data=data)

    @delete("/{tag_id:uuid}", operation_id="deleteTag")
    async def delete(self, conn: Conn, list_id: FromPath[UUID], tag_id: FromPath[UUID]) -> None:
        await tags.delete(conn, list_id=list_id, tag_id=tag_id)


class VideoTagController(Controller):
    path = "/lists/{list_id:uuid}/videos/{video_id:uuid}/tags"
    tags = ["tags"]

    @get("/", operation_id="listVideoTags")
    async def of_video(
        self, read: Read, list_id: FromPath[UUID], video_id: FromPath[UUID]
    ) -> list[Tag]:
        return await read(tags.of_video, list_id=list_id, video_id=video_id)

    @put("/", operation_id="setVideoTags")
    async def set_video_tags(
        self,
        conn: Conn,
        list_id: FromPath[UUID],
        video_id: FromPath[UUID],
        data: JSONBody[VideoTagsSet],
    ) -> list[Tag]:
        """Make these the video's tags: {"tag_ids": [...]} or a bare array of tag ids."""
        return await tags.set_video_tags(
            conn, list_id=list_id, video_id=video_id, tag_ids=data.tag_ids
        )
