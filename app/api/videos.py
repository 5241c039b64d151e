from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, delete, get, patch, post, put
from litestar.exceptions import ValidationException
from litestar.params import FromPath, JSONBody, QueryParameter

from app.api.dependencies import Conn, Read
from app.api.responses import LOCATION, AnyRequest, created
from app.models.videos import (
    MAX_INCLUDED_FIELDS,
    Video,
    VideoCreate,
    VideoPage,
    VideoUpdate,
)
from app.repositories import paging, videos

# The schema of ?include_fields= as clients should write it: field ids (read as text, so that
# ids separated by commas reach field_ids()).
UUID_LIST = {"type": "array", "items": {"type": "string", "format": "uuid"}}


def field_ids(values: list[str] | None) -> list[UUID] | None:
    """?include_fields=: the parameter repeated (OpenAPI's way), ids separated by commas (the
    other common way), or both; up to MAX_INCLUDED_FIELDS ids in all."""
    if values is None:
        return None
    ids = [part.strip() for value in values for part in value.split(",") if part.strip()]
    if len(ids) > MAX_INCLUDED_FIELDS:
        raise _refused(f"at most {MAX_INCLUDED_FIELDS} field ids, got {len(ids)}")
    found = []
    for part in ids:
        try:
            found.append(UUID(part))
        except ValueError:
            raise _refused(f"not a field id (a UUID): {part[:40]!r}") from None
    return found


def _refused(message: str) -> ValidationException:
    # As Litestar refuses a query parameter: a 400 naming it (app/api/errors.py).
    return ValidationException(extra=[{"key": "include_fields", "message": message}])


class VideoController(Controller):
    path = "/lists/{list_id:uuid}/videos"
    tags = ["videos"]

    @post("/", operation_id="createVideo", response_headers=[LOCATION])
    async def create(
        self, request: AnyRequest, conn: Conn, list_id: FromPath[UUID], data: JSONBody[VideoCreate]
    ) -> Response[Video]:
        return created(request, await videos.create(conn, list_id=list_id, data=data))

    @get("/", operation_id="listVideos")
    async def list_newest(
        self,
        read: Read,
        list_id: FromPath[UUID],
        limit: Annotated[
            int, QueryParameter(ge=1, le=paging.MAX_PAGE_SIZE)
        ] = paging.DEFAULT_PAGE_SIZE,
        cursor: Annotated[str | None, QueryParameter(max_length=2000)] = None,
        include_fields: Annotated[
            list[str] | None,
            QueryParameter(
                description=f"up to {MAX_INCLUDED_FIELDS} field ids whose values each item "
                "carries: repeat the parameter, or separate the ids with commas",
                schema_extra={"oneOf": [UUID_LIST, {"type": "null"}]},
            ),
        ] = None,
    ) -> VideoPage:
        """A list's videos, newest first; pass next_cursor back as cursor for the next page."""
        return await read(
            videos.list_newest,
            list_id=list_id,
            limit=limit,
            cursor=cursor,
            include_fields=field_ids(include_fields),
        )

    @get("/{video_id:uuid}", operation_id="getVideo")
    async def get(self, read: Read, list_id: FromPath[UUID], video_id: FromPath[UUID]) -> Video:
        return await read(videos.get, list_id=list_id, video_id=video_id)

    @patch("/{video_id:uuid}", operation_id="updateVideo")
    async def update(
        self,
        conn: Conn,
        list_id: FromPath[UUID],
        video_id: FromPath[UUID],
        data: JSONBody[VideoUpdate],
    ) -> Video:
        return await videos.update(conn, list_id=list_id, video_id=video_id, data=data)

    @put("/{video_id:uuid}", operation_id="replaceVideo", include_in_schema=False)
    async def replace(
        self,
        conn: Conn,
        list_id: FromPath[UUID],
        video_id: FromPath[UUID],
        data: JSONBody[VideoUpdate],
    ) -> Video:
        return await videos.update(conn, list_id=list_id, video_id=video_id, data=data)

    @delete("/{video_id:uuid}", operation_id="deleteVideo")
    async def delete(self, conn: Conn, list_id: FromPath[UUID], video_id: FromPath[UUID]) -> None:
        await videos.delete(conn, list_id=list_id, video_id=video_id)
