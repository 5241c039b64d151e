from collections.abc import Collection, Iterable
from uuid import UUID

import asyncpg

from app.db import access, queries
from app.db.execute import execute, fetch, fetchrow, transaction
from app.errors import NotFound
from app.models.custom_fields import CustomField, CustomFieldCreate, CustomFieldUpdate
from app.repositories import lists

SQL = queries.load("custom_fields")


async def create(
    conn: asyncpg.Connection, *, list_id: UUID, data: CustomFieldCreate
) -> CustomField:
    row = await fetchrow(conn, SQL["create"], list_id, data.name, data.field_type, data.config)
    return CustomField.from_row(row)


async def get(conn: asyncpg.Connection, *, list_id: UUID, field_id: UUID) -> CustomField:
    row = await fetchrow(conn, SQL["get"], list_id, field_id)
    if row is None:
        raise NotFound("custom field", field_id)
    return CustomField.from_row(row)


async def list_by_list(conn: asyncpg.Connection, *, list_id: UUID) -> list[CustomField]:
    rows = await fetch(conn, SQL["list_by_list"], list_id)
    if not rows:
        await lists.ensure_exists(conn, list_id=list_id)
    return [CustomField.from_row(row) for row in rows]


async def get_many(
    conn: asyncpg.Connection,
    *,
    list_id: UUID,
    field_ids: Iterable[UUID],
    generic_for: Collection[str] = (),
) -> dict[UUID, CustomField]:
    """The given fields by id. NotFound names the list when it does not exist (or is not the
    caller's), else the first id that is not in it. generic_for: when a field found is of one
    of these types, the statements after the lookup are planned once for any values
    (app/db/plans.py), switched by the lookup itself."""
    wanted = list(dict.fromkeys(field_ids))
    if not wanted:
        return {}
    # For the transaction; outside one (the bench, a script) it stays on the connection.
    switch = conn.is_in_transaction() if generic_for else None
    rows = await fetch(conn, SQL["get_many"], list_id, wanted, switch, list(generic_for))
    found = {row["id"]: CustomField.from_row(row) for row in rows}
    missing = next((field_id for field_id in wanted if field_id not in found), None)
    if missing is not None:
        await lists.ensure_exists(conn, list_id=list_id)  # the list's NotFound first
        raise NotFound("custom field", missing)
    return found


async def fill(
    conn: asyncpg.Connection, *, list_id: UUID, field_ids: Iterable[UUID]
) -> dict[UUID, tuple[int, int]]:
    """field id -> (videos holding a value of it, videos in its list), from the kept counts."""
    rows = await fetch(conn, SQL["fill_of_fields"], list_id, list(field_ids))
    return {row["field_id"]: (row["filled"], row["videos"]) for row in rows}


async def update(
    conn: asyncpg.Connection, *, list_id: UUID, field_id: UUID, data: CustomFieldUpdate
) -> CustomField:
    row = await fetchrow(
        conn, SQL["update"], list_id, field_id, data.name, data.field_type, data.config
    )
    if row is None:
        raise NotFound("custom field", field_id)
    return CustomField.from_row(row)


async def delete(conn: asyncpg.Connection, *, list_id: UUID, field_id: UUID) -> None:
    """Delete the field at once: it is marked deleted, which hides it and frees its name from
    this commit on, and the purge worker (app/purger.py) removes its values in the background."""
    async with transaction(conn):
        await execute(conn, access.SQL["set_purging"], str(field_id))
        deleted = await fetchrow(conn, SQL["mark_deleted"], list_id, field_id)
        await execute(conn, access.SQL["set_purging"], "")
    if deleted is None:
        raise NotFound("custom field", field_id)
