import json
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import asyncpg

from app import field_types
from app.db import plans, queries
from app.db.execute import (
    execute,
    fetch,
    fetchrow,
    fetchval,
    retried,
    statement_transaction,
    transaction,
)
from app.errors import (
    DomainError,
    InvalidInput,
    InvalidValue,
    NotFound,
    Problem,
    WriteConflict,
)
from app.models.custom_fields import CustomField
from app.models.field_values import (
    MAX_BATCH,
    BulkEdit,
    BulkEditResult,
    FieldValue,
    FieldValueSet,
    ValueIn,
    VideoField,
)
from app.models.videos import Video
from app.repositories import custom_fields, lists

SQL = queries.load("field_values")

# (video_id, field_id, value) — one row of a batch write.
Item = tuple[UUID, UUID, ValueIn]
# (video_id, field_id) — a value's key.
Key = tuple[UUID, UUID]


async def _fields(
    conn: asyncpg.Connection, list_id: UUID, field_ids: list[UUID]
) -> dict[UUID, CustomField]:
    """The fields by id; NotFound names a list or field that does not exist."""
    if not field_ids:
        await lists.ensure_exists(conn, list_id=list_id)
        return {}
    return await custom_fields.get_many(conn, list_id=list_id, field_ids=field_ids)


async def _check_videos(conn: asyncpg.Connection, list_id: UUID, video_ids: list[UUID]) -> None:
    missing = await fetch(conn, SQL["missing_videos"], list_id, list(dict.fromkeys(video_ids)))
    if missing:
        await lists.ensure_exists(conn, list_id=list_id)
        raise NotFound("video", missing[0]["id"])


def _columns(items: list[Item]) -> list[list[Any]]:
    """Arguments $2..$8 of set_many and batch_problems: one array per column."""
    return [
        [video_id for video_id, _, _ in items],
        [field_id for _, field_id, _ in items],
        [value.value_text for _, _, value in items],
        [value.value_numeric for _, _, value in items],
        [value.value_boolean for _, _, value in items],
        [value.value_date for _, _, value in items],
        # Option lists of different lengths go as JSON text (a text[][] must be rectangular).
        [
            None if value.value_options is None else json.dumps(value.value_options)
            for _, _, value in items
        ],
    ]


async def _refusal(conn: asyncpg.Connection, list_id: UUID, items: list[Item]) -> DomainError:
    """Why the database refused a batch, in its own rules' words (batch_problems): the list
    not found; else every item whose value breaks a rule or repeats an earlier item's (video,
    field), with every item whose field or video is not in the list (each named by its foreign
    key), so one answer names all there is to fix; else the first field, then the first video,
    not in the list (a 404, as a single write answers). WriteConflict when nothing explains it
    any more: a concurrent change came in between, and the write (retried) runs again."""
    await lists.ensure_exists(conn, list_id=list_id)
    rows = await fetch(conn, SQL["batch_problems"], list_id, *_columns(items))
    problems = []  # in item order: batch_problems orders its rows by index
    broken = False  # a value breaks a rule, or a key repeats: more than ids not in the list
    first_missing: dict[str, UUID] = {}  # by resource, the first id not in the list
    for row in rows:
        where = {"field_id": row["field_id"], "video_id": row["video_id"], "index": row["index"]}
        if row["field_missing"]:
            message = f"custom field {row['field_id']} is not in this list"
            problems.append(Problem(rule="video_field_values_field_fkey", message=message, **where))
            first_missing.setdefault("custom field", row["field_id"])
        elif row["rule"]:
            problems.append(Problem(rule=row["rule"], message=row["problem"], **where))
            broken = True
        if row["video_missing"]:
            message = f"video {row['video_id']} is not in this list"
            problems.append(Problem(rule="video_field_values_video_fkey", message=message, **where))
            first_missing.setdefault("video", row["video_id"])
        if row["repeated"]:
            message = (
                f"the batch sets field {row['field_id']} of video {row['video_id']} more than once"
            )
            problems.append(Problem(rule="batch_duplicate_key", message=message, **where))
            broken = True
    if broken:
        return InvalidValue(problems)
    for resource in ("custom field", "video"):  # the field first, as a single write says
        if resource in first_missing:
            return NotFound(resource, first_missing[resource])
    # Such as a field's type changed under the write: it read the old type, and the values'
    # foreign key, which reads the newest row, refused it as a field not in the list (a 404
    # for a field that is there). Written again, it reads the new type.
    return WriteConflict("a field or video changed while the values were written; try again")


async def _write(conn: asyncpg.Connection, list_id: UUID, items: list[Item]) -> int:
    """Set a batch in one statement, all or nothing; a refusal names every broken item."""
    try:
        async with statement_transaction(conn):
            written: int = await fetchval(conn, SQL["set_many"], list_id, *_columns(items))
    except (InvalidValue, NotFound) as refused:
        raise await _refusal(conn, list_id, items) from refused
    return written


@retried
async def set_one(
    conn: asyncpg.Connection, *, list_id: UUID, video_id: UUID, value: FieldValueSet
) -> FieldValue:
    """Set (insert or replace) one value of a video; updated_at moves when the value changes."""
    item: list[Item] = [(video_id, value.field_id, value)]
    try:
        async with statement_transaction(conn):
            row = await fetchrow(
                conn,
                SQL["set_one"],
                list_id,
                video_id,
                value.field_id,
                value.value_text,
                value.value_numeric,
                value.value_boolean,
                value.value_date,
                value.value_options,
            )
    except (InvalidValue, NotFound) as refused:
        raise await _refusal(conn, list_id, item) from refused
    if row is None:  # the field is not in the list: nothing was written
        raise await _refusal(conn, list_id, item)
    return FieldValue.from_row(row)


@retried
async def set_many(
    conn: asyncpg.Connection, *, list_id: UUID, video_id: UUID, values: list[FieldValueSet]
) -> int:
    """Set many values of one video in one statement, all or nothing; returns how many."""
    if len(values) > MAX_BATCH:
        # The API's body type cannot carry the cap (Litestar drops max_length on a list body).
        raise InvalidInput(f"at most {MAX_BATCH} values can be set at once, got {len(values)}")
    if not values:
        await lists.ensure_exists(conn, list_id=list_id)
        return 0
    async with transaction(conn):
        await execute(conn, SQL["share_batch_turn"], list_id)
        return await _write(conn, list_id, [(video_id, value.field_id, value) for value in values])


@retried
async def bulk_edit(conn: asyncpg.Connection, *, list_id: UUID, edit: BulkEdit) -> BulkEditResult:
    """Set and clear values across many videos of a list, all or nothing."""
    items: list[Item] = [(row.video_id, row.field_id, row) for row in edit.set]
    clear_keys = [(row.video_id, row.field_id) for row in edit.clear]
    both = {(video_id, field_id) for video_id, field_id, _ in items} & set(clear_keys)
    if both:
        video_id, field_id = sorted(both)[0]
        raise InvalidValue.one(
            "bulk_edit_set_and_clear",
            f"field {field_id} of video {video_id} is both set and cleared",
            video_id=video_id,
            field_id=field_id,
        )
    async with transaction(conn):
        turn = "take_batch_turn" if items and clear_keys else "share_batch_turn"
        await execute(conn, SQL[turn], list_id)
        # A set row of an unknown video or field is refused by the write; a clear key of one
        # would just clear nothing, so those are looked up (and with nothing to do, the list).
        if clear_keys:
            await _check_videos(conn, list_id, [video_id for video_id, _ in clear_keys])
        if clear_keys or not items:
            await _fields(conn, list_id, [field_id for _, field_id in clear_keys])
        if items and clear_keys:
            return await _set_and_clear(conn, list_id, items, clear_keys)
        written = await _write(conn, list_id, items) if items else 0
        cleared = 0
        if clear_keys:
            rows = await fetch(
                conn,
                SQL["clear_many"],
                list_id,
                [video_id for video_id, _ in clear_keys],
                [field_id for _, field_id in clear_keys],
            )
            cleared = len(rows)
        return BulkEditResult(set=written, cleared=cleared)


async def _set_and_clear(
    conn: asyncpg.Connection, list_id: UUID, items: list[Item], clear_keys: list[Key]
) -> BulkEditResult:
    """A bulk edit's sets and clears, every existing row of both locked first, in key order."""
    keys = [(video_id, field_id, False) for video_id, field_id, _ in items]
    keys += [(video_id, field_id, True) for video_id, field_id in clear_keys]
    locked = await fetch(
        conn,
        SQL["lock_edit"],
        list_id,
        [video_id for video_id, _, _ in keys],
        [field_id for _, field_id, _ in keys],
        [clear for _, _, clear in keys],
    )
    written = await _write(conn, list_id, items)
    to_clear = [row["ctid"] for row in locked if row["clear"]]
    cleared = await fetch(conn, SQL["clear_locked"], list_id, to_clear) if to_clear else []
    return BulkEditResult(set=written, cleared=len(cleared))


async def clear_one(
    conn: asyncpg.Connection, *, list_id: UUID, video_id: UUID, field_id: UUID
) -> bool:
    """Clear a video's value for a field; True when there was one to clear."""
    row = await fetchrow(conn, SQL["clear_one"], list_id, video_id, field_id)
    assert row is not None
    if not row["video_exists"]:
        raise NotFound("video", video_id)
    if not row["field_exists"]:
        raise NotFound("custom field", field_id)
    return bool(row["cleared"])


@retried
async def clear_field(
    conn: asyncpg.Connection, *, list_id: UUID, field_id: UUID, video_ids: list[UUID]
) -> int:
    """Clear one field on many videos of a list; returns how many values were cleared."""
    async with transaction(conn):
        await _fields(conn, list_id, [field_id])
        return len(await fetch(conn, SQL["clear_field"], list_id, field_id, video_ids))


async def fields_of_video(
    conn: asyncpg.Connection, *, list_id: UUID, video_id: UUID
) -> list[VideoField]:
    """Every field that applies to the video, in display order, each with its value or None."""
    # Found by the video's key (its tags, their schemas, its values by key): one plan fits any
    # video of any list, and planning it each run took longer than running it (1.22 -> 0.49
    # ms at 1M).
    await plans.plan_generically(conn)
    rows = await fetch(conn, SQL["fields_of_video"], list_id, video_id)
    if not rows:
        raise NotFound("video", video_id)
    return [
        VideoField(
            field_id=row["field_id"],
            name=row["name"],
            field_type=row["field_type"],
            config=row["config"],
            display_order=row["display_order"],
            show_on_card=row["show_on_card"],
            value=next((row[c] for c in field_types.VALUE_COLUMNS if row[c] is not None), None),
            updated_at=row["updated_at"],
        )
        for row in rows
        if row["field_id"] is not None
    ]


async def videos_with_values(
    conn: asyncpg.Connection,
    *,
    list_id: UUID,
    rows: Sequence[Any],  # records, or rows already read as dicts
    field_ids: list[UUID] | None,
) -> list[Video]:
    """A page's videos from their rows, each with `fields`: its value (or None) for each of
    field_ids, read in one statement (none for []); without `fields` when field_ids is None
    (none asked). NotFound names a field id that is not in the list. The videos are validated
    once, values included: copying 51 validated videos to add their values cost 0.2 ms."""
    if field_ids is None:
        return Video.from_rows(rows)
    wanted = list(dict.fromkeys(field_ids))
    values: dict[UUID, dict[UUID, Any]] = {row["id"]: dict.fromkeys(wanted) for row in rows}
    if wanted:
        found = await fetch(
            conn, SQL["values_of_videos"], list_id, wanted, [row["id"] for row in rows]
        )
        present = {row["field_id"] for row in found}
        missing = next((field_id for field_id in wanted if field_id not in present), None)
        if missing is not None:
            raise NotFound("custom field", missing)
        for row in found:
            if row["video_id"] is not None:
                values[row["video_id"]][row["field_id"]] = row[
                    field_types.spec(row["field_type"]).column
                ]
    return Video.from_rows([dict(row) | {"fields": values[row["id"]]} for row in rows])
