from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, delete, get, patch, post, put
from litestar.params import FromPath, JSONBody
from pydantic import Field

from app.api.dependencies import Conn, Read
from app.api.responses import LOCATION, AnyRequest, created
from app.models.field_schemas import (
    MAX_SCHEMA_FIELDS,
    FieldSchema,
    FieldSchemaCreate,
    FieldSchemaUpdate,
    SchemaFieldIn,
)
from app.repositories import field_schemas


class FieldSchemaController(Controller):
    path = "/lists/{list_id:uuid}/schemas"
    tags = ["field schemas"]

    @post("/", operation_id="createFieldSchema", response_headers=[LOCATION])
    async def create(
        self,
        request: AnyRequest,
        conn: Conn,
        list_id: FromPath[UUID],
        data: JSONBody[FieldSchemaCreate],
    ) -> Response[FieldSchema]:
        return created(request, await field_schemas.create(conn, list_id=list_id, data=data))

    @get("/", operation_id="listFieldSchemas")
    async def list_by_list(self, read: Read, list_id: FromPath[UUID]) -> list[FieldSchema]:
        return await read(field_schemas.list_by_list, list_id=list_id)

    @get("/{schema_id:uuid}", operation_id="getFieldSchema")
    async def get(
        self, read: Read, list_id: FromPath[UUID], schema_id: FromPath[UUID]
    ) -> FieldSchema:
        return await read(field_schemas.get, list_id=list_id, schema_id=schema_id)

    @patch("/{schema_id:uuid}", operation_id="updateFieldSchema")
    async def update(
        self,
        conn: Conn,
        list_id: FromPath[UUID],
        schema_id: FromPath[UUID],
        data: JSONBody[FieldSchemaUpdate],
    ) -> FieldSchema:
        return await field_schemas.update(conn, list_id=list_id, schema_id=schema_id, data=data)

    @put("/{schema_id:uuid}", operation_id="replaceFieldSchema", include_in_schema=False)
    async def replace(
        self,
        conn: Conn,
        list_id: FromPath[UUID],
        schema_id: FromPath[UUID],
        data: JSONBody[FieldSchemaUpdate],
    ) -> FieldSchema:
        return await field_schemas.update(conn, list_id=list_id, schema_id=schema_id, data=data)

    @put("/{schema_id:uuid}/fields", operation_id="replaceFieldSchemaFields")
    async def replace_fields(
        self,
        conn: Conn,
        list_id: FromPath[UUID],
        schema_id: FromPath[UUID],
        data: JSONBody[Annotated[list[SchemaFieldIn], Field(max_length=MAX_SCHEMA_FIELDS)]],
    ) -> FieldSchema:
        """Replace the schema's ordered fields with these."""
        return await field_schemas.replace_fields(
            conn, list_id=list_id, schema_id=schema_id, fields=data
        )

    @delete("/{schema_id:uuid}", operation_id="deleteFieldSchema")
    async def delete(self, conn: Conn, list_id: FromPath[UUID], schema_id: FromPath[UUID]) -> None:
        """Delete the schema; tags that pointed at it keep existing without a schema."""
        await field_schemas.delete(conn, list_id=list_id, schema_id=schema_id)
