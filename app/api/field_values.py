from uuid import UUID

from litestar import Controller, delete, get, post, put
from litestar.params import FromPath, JSONBody

from app.api.dependencies import Conn, Read
from app.models.field_values import (
    BulkEdit,
    BulkEditResult,
    FieldValue,
    FieldValueSet,
    FieldValueSets,
    ValueIn,
    VideoField,
)
from app.repositories import field_values


class VideoFieldController(Controller):
    path = "/lists/{list_id:uuid}/videos/{video_id:uuid}/fields"
    tags = ["field values"]

    @get("/", operation_id="getVideoFields")
    async def fields_of_video(
        self, read: Read, list_id: FromPath[UUID], video_id: FromPath[UUID]
    ) -> list[VideoField]:
        """The fields of the video's tags' schemas in display order, each with value or null."""
        return await read(field_values.fields_of_video, list_id=list_id, video_id=video_id)

    @put("/", operation_id="setVideoFieldValues")
    async def set_many(
        self,
        conn: Conn,
        list_id: FromPath[UUID],
        video_id: FromPath[UUID],
        data: JSONBody[FieldValueSets],
    ) -> list[VideoField]:
        """Set many values of the video at once, all or nothing; answers the video's fields."""
        await field_values.set_many(conn, list_id=list_id, video_id=video_id, values=data.root)
        return await field_values.fields_of_video(conn, list_id=list_id, video_id=video_id)

    @put("/{field_id:uuid}", operation_id="setVideoFieldValue")
    async def set_one(
        self,
        conn: Conn,
        list_id: FromPath[UUID],
        video_id: FromPath[UUID],
        field_id: FromPath[UUID],
        data: JSONBody[ValueIn],
    ) -> FieldValue:
        value = FieldValueSet(field_id=field_id, **data.model_dump())
        return await field_values.set_one(conn, list_id=list_id, video_id=video_id, value=value)

    @delete("/{field_id:uuid}", operation_id="clearVideoFieldValue")
    async def clear_one(
        self,
        conn: Conn,
        list_id: FromPath[UUID],
        video_id: FromPath[UUID],
        field_id: FromPath[UUID],
    ) -> None:
        """Clear the video's value for the field (nothing to clear is fine)."""
        await field_values.clear_one(conn, list_id=list_id, video_id=video_id, field_id=field_id)


class BulkValueController(Controller):
    path = "/lists/{list_id:uuid}/values"
    tags = ["field values"]

    @post("/", operation_id="bulkEditValues", status_code=200)
    async def bulk_edit(
        self, conn: Conn, list_id: FromPath[UUID], data: JSONBody[BulkEdit]
    ) -> BulkEditResult:
        """Set and clear values on many videos of the list in one all-or-nothing call."""
        return await field_values.bulk_edit(conn, list_id=list_id, edit=data)
