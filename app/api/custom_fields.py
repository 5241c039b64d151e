from uuid import UUID

from litestar import Controller, Response, delete, get, patch, post, put
from litestar.params import FromPath, JSONBody

from app.api.dependencies import Conn, Read
from app.api.responses import LOCATION, AnyRequest, created
from app.models.custom_fields import CustomField, CustomFieldCreate, CustomFieldUpdate
from app.repositories import custom_fields


class CustomFieldController(Controller):
    path = "/lists/{list_id:uuid}/custom-fields"
    tags = ["custom fields"]

    @post("/", operation_id="createCustomField", response_headers=[LOCATION])
    async def create(
        self,
        request: AnyRequest,
        conn: Conn,
        list_id: FromPath[UUID],
        data: JSONBody[CustomFieldCreate],
    ) -> Response[CustomField]:
        return created(request, await custom_fields.create(conn, list_id=list_id, data=data))

    @get("/", operation_id="listCustomFields")
    async def list_by_list(self, read: Read, list_id: FromPath[UUID]) -> list[CustomField]:
        return await read(custom_fields.list_by_list, list_id=list_id)

    @get("/{field_id:uuid}", operation_id="getCustomField")
    async def get(
        self, read: Read, list_id: FromPath[UUID], field_id: FromPath[UUID]
    ) -> CustomField:
        return await read(custom_fields.get, list_id=list_id, field_id=field_id)

    @patch("/{field_id:uuid}", operation_id="updateCustomField")
    async def update(
        self,
        conn: Conn,
        list_id: FromPath[UUID],
        field_id: FromPath[UUID],
        data: JSONBody[CustomFieldUpdate],
    ) -> CustomField:
        """Rename, change the config, or change the type (only while the field has no values)."""
        return await custom_fields.update(conn, list_id=list_id, field_id=field_id, data=data)

    @put("/{field_id:uuid}", operation_id="replaceCustomField", include_in_schema=False)
    async def replace(
        self,
        conn: Conn,
        list_id: FromPath[UUID],
        field_id: FromPath[UUID],
        data: JSONBody[CustomFieldUpdate],
    ) -> CustomField:
        return await custom_fields.update(conn, list_id=list_id, field_id=field_id, data=data)

    @delete("/{field_id:uuid}", operation_id="deleteCustomField")
    async def delete(self, conn: Conn, list_id: FromPath[UUID], field_id: FromPath[UUID]) -> None:
        await custom_fields.delete(conn, list_id=list_id, field_id=field_id)
