from uuid import UUID

import asyncpg

from app.db import queries
from app.db.execute import (
    execute,
    fetch,
    fetchrow,
    fetchval,
    retried,
    statement_transaction,
    transaction,
)
from app.errors import InvalidInput, NotFound
from app.models.field_schemas import (
    MAX_SCHEMA_FIELDS,
    FieldSchema,
    FieldSchemaCreate,
    FieldSchemaUpdate,
    SchemaFieldIn,
)
from app.repositories import custom_fields, lists

SQL = queries.load("field_schemas")


async def _add_fields(
    conn: asyncpg.Connection, list_id: UUID, schema_id: UUID, fields: list[SchemaFieldIn]
) -> None:
    if not fields:
        return
    field_ids = [f.field_id for f in fields]
    try:
        async with statement_transaction(conn):
            await execute(
                conn,
                SQL["add_fields"],
                list_id,
                schema_id,
                field_ids,
                [
                    position if f.display_order is None else f.display_order
                    for position, f in enumerate(fields)
                ],
                [f.show_on_card for f in fields],
            )
    except NotFound as missing:
        if missing.resource != "custom field" or missing.resource_id is not None:
            raise
        # Row-level security keeps the foreign key's error from naming the field: the lookup
        # raises the NotFound that does.
        await custom_fields.get_many(conn, list_id=list_id, field_ids=field_ids)
        raise


async def create(
    conn: asyncpg.Connection, *, list_id: UUID, data: FieldSchemaCreate
) -> FieldSchema:
    async with transaction(conn):
        schema_id = await fetchval(conn, SQL["create"], list_id, data.name, data.description)
        await _add_fields(conn, list_id, schema_id, data.fields)
        return await get(conn, list_id=list_id, schema_id=schema_id)


async def get(conn: asyncpg.Connection, *, list_id: UUID, schema_id: UUID) -> FieldSchema:
    row = await fetchrow(conn, SQL["with_fields"], list_id, schema_id)
    if row is None:
        raise NotFound("field schema", schema_id)
    return FieldSchema.from_row(row)


async def list_by_list(conn: asyncpg.Connection, *, list_id: UUID) -> list[FieldSchema]:
    rows = await fetch(conn, SQL["with_fields"], list_id, None)
    if not rows:
        await lists.ensure_exists(conn, list_id=list_id)
    return [FieldSchema.from_row(row) for row in rows]


async def update(
    conn: asyncpg.Connection, *, list_id: UUID, schema_id: UUID, data: FieldSchemaUpdate
) -> FieldSchema:
    async with transaction(conn):
        if (
            await fetchval(conn, SQL["update"], list_id, schema_id, data.name, data.description)
            is None
        ):
            raise NotFound("field schema", schema_id)
        return await get(conn, list_id=list_id, schema_id=schema_id)


@retried
async def replace_fields(
    conn: asyncpg.Connection, *, list_id: UUID, schema_id: UUID, fields: list[SchemaFieldIn]
) -> FieldSchema:
    """Make `fields` the schema's whole ordered field list, all or nothing."""
    if len(fields) > MAX_SCHEMA_FIELDS:
        # The API's body type cannot carry the cap (Litestar drops max_length on a list body).
        raise InvalidInput(
            f"a schema has at most {MAX_SCHEMA_FIELDS} fields, got {len(fields)}", field="fields"
        )
    async with transaction(conn):
        if await fetchval(conn, SQL["touch"], list_id, schema_id) is None:
            raise NotFound("field schema", schema_id)
        await execute(conn, SQL["clear_fields"], list_id, schema_id)
        await _add_fields(conn, list_id, schema_id, fields)
        return await get(conn, list_id=list_id, schema_id=schema_id)


async def delete(conn: asyncpg.Connection, *, list_id: UUID, schema_id: UUID) -> None:
    if await fetchrow(conn, SQL["delete"], list_id, schema_id) is None:
        raise NotFound("field schema", schema_id)
