"""What a DELETE takes with it, and the created_at / updated_at bookkeeping on every table."""

import uuid
from datetime import datetime

import psycopg
import pytest
from psycopg import sql

from tests.db.factories import (
    FullList,
    add_schema_field,
    count,
    create_field,
    create_full_list,
    create_list,
    create_tag,
    create_video,
    refused,
    set_value,
    tag_video,
)

LIST_TABLES = [
    "videos",
    "custom_fields",
    "field_schemas",
    "schema_fields",
    "tags",
    "video_tags",
    "video_field_values",
]


def rows_per_table(conn: psycopg.Connection, list_id: uuid.UUID) -> dict[str, int]:
    return {table: count(conn, table, "list_id = %s", [list_id]) for table in LIST_TABLES}


@pytest.fixture
def full(postgresql: psycopg.Connection) -> FullList:
    return create_full_list(postgresql)


@pytest.fixture
def other(postgresql: psycopg.Connection) -> FullList:
    return create_full_list(postgresql)


# ------------------------------------------------------------------------------------------------
# Deletes
# ------------------------------------------------------------------------------------------------


def test_deleting_a_list_removes_everything_in_it(
    postgresql: psycopg.Connection, full: FullList, other: FullList
) -> None:
    assert rows_per_table(postgresql, full.list_id) == dict.fromkeys(LIST_TABLES, 1)

    postgresql.execute("DELETE FROM bookmark_lists WHERE id = %s", [full.list_id])

    assert rows_per_table(postgresql, full.list_id) == dict.fromkeys(LIST_TABLES, 0)
    assert rows_per_table(postgresql, other.list_id) == dict.fromkeys(LIST_TABLES, 1)
    assert count(postgresql, "bookmark_lists") == 1


def test_deleting_a_video_removes_its_values_and_tags(
    postgresql: psycopg.Connection, full: FullList
) -> None:
    second_video_id = create_video(postgresql, list_id=full.list_id)
    set_value(postgresql, video_id=second_video_id, field_id=full.field_id, numeric=1)
    tag_video(postgresql, video_id=second_video_id, tag_id=full.tag_id)

    postgresql.execute("DELETE FROM videos WHERE id = %s", [full.video_id])

    assert count(postgresql, "video_field_values", "video_id = %s", [full.video_id]) == 0
    assert count(postgresql, "video_tags", "video_id = %s", [full.video_id]) == 0
    # The second video, the field and the tag stay.
    assert count(postgresql, "video_field_values", "video_id = %s", [second_video_id]) == 1
    assert count(postgresql, "video_tags", "video_id = %s", [second_video_id]) == 1
    assert count(postgresql, "custom_fields", "id = %s", [full.field_id]) == 1
    assert count(postgresql, "tags", "id = %s", [full.tag_id]) == 1


def test_deleting_a_field_removes_its_values_and_schema_entries(
    postgresql: psycopg.Connection, full: FullList
) -> None:
    second_field_id = create_field(postgresql, list_id=full.list_id, field_type="boolean")
    set_value(postgresql, video_id=full.video_id, field_id=second_field_id, boolean=True)
    add_schema_field(postgresql, schema_id=full.schema_id, field_id=second_field_id)

    postgresql.execute("DELETE FROM custom_fields WHERE id = %s", [full.field_id])

    assert count(postgresql, "video_field_values", "field_id = %s", [full.field_id]) == 0
    assert count(postgresql, "schema_fields", "field_id = %s", [full.field_id]) == 0
    # The second field's value and schema entry, the video and the schema stay.
    assert count(postgresql, "video_field_values", "field_id = %s", [second_field_id]) == 1
    assert count(postgresql, "schema_fields", "field_id = %s", [second_field_id]) == 1
    assert count(postgresql, "videos", "id = %s", [full.video_id]) == 1
    assert count(postgresql, "field_schemas", "id = %s", [full.schema_id]) == 1


def test_deleting_a_schema_removes_its_fields_and_unsets_its_tags(
    postgresql: psycopg.Connection, full: FullList
) -> None:
    postgresql.execute("DELETE FROM field_schemas WHERE id = %s", [full.schema_id])

    assert count(postgresql, "schema_fields", "schema_id = %s", [full.schema_id]) == 0
    tag = postgresql.execute(
        "SELECT list_id, schema_id FROM tags WHERE id = %s", [full.tag_id]
    ).fetchone()
    assert tag == (full.list_id, None)
    # The field itself, its value and the tag's videos stay.
    assert count(postgresql, "custom_fields", "id = %s", [full.field_id]) == 1
    assert count(postgresql, "video_field_values", "field_id = %s", [full.field_id]) == 1
    assert count(postgresql, "video_tags", "tag_id = %s", [full.tag_id]) == 1


def test_deleting_a_schema_leaves_tags_of_other_schemas(
    postgresql: psycopg.Connection, full: FullList, other: FullList
) -> None:
    postgresql.execute("DELETE FROM field_schemas WHERE id = %s", [full.schema_id])
    tag = postgresql.execute("SELECT schema_id FROM tags WHERE id = %s", [other.tag_id]).fetchone()
    assert tag == (other.schema_id,)


def test_deleting_a_tag_removes_its_video_tags(
    postgresql: psycopg.Connection, full: FullList
) -> None:
    second_tag_id = create_tag(postgresql, list_id=full.list_id)
    tag_video(postgresql, video_id=full.video_id, tag_id=second_tag_id)

    postgresql.execute("DELETE FROM tags WHERE id = %s", [full.tag_id])

    assert count(postgresql, "video_tags", "tag_id = %s", [full.tag_id]) == 0
    assert count(postgresql, "video_tags", "tag_id = %s", [second_tag_id]) == 1
    assert count(postgresql, "videos", "id = %s", [full.video_id]) == 1
    assert count(postgresql, "field_schemas", "id = %s", [full.schema_id]) == 1


# ------------------------------------------------------------------------------------------------
# created_at / updated_at
# ------------------------------------------------------------------------------------------------

# Per table: a change to make (each run changes the row again). A video's tag has nothing to
# change but its keys.
UPDATES = {
    "bookmark_lists": "description = description || '.'",
    "videos": "title = title || '.'",
    "custom_fields": "name = name || '.'",
    "field_schemas": "description = description || '.'",
    "schema_fields": "display_order = display_order + 1",
    "tags": "name = name || '.'",
    "video_field_values": "value_numeric = 5 - value_numeric",
}
# Per table: an update that changes nothing.
NO_CHANGES = {
    "bookmark_lists": "name = name",
    "videos": "title = title",
    "custom_fields": "config = config::text::jsonb",
    "field_schemas": "description = description",
    "schema_fields": "display_order = display_order",
    "tags": "name = name",
    "video_tags": "tag_id = tag_id",
    "video_field_values": "value_numeric = value_numeric * 1.0",
}


def list_column(table: str) -> sql.Identifier:
    """The column holding the list (each full list has one row in every table)."""
    return sql.Identifier("id" if table == "bookmark_lists" else "list_id")


def update_statement(table: str, list_id: uuid.UUID, *changes: str) -> sql.Composed:
    """UPDATE the full list's row of the table with the changes (UPDATES[table] by default)."""
    return sql.SQL("UPDATE {table} SET {changes} WHERE {key} = {list_id}").format(
        table=sql.Identifier(table),
        changes=sql.SQL(", ").join(sql.SQL(part) for part in changes or [UPDATES[table]]),
        key=list_column(table),
        list_id=sql.Literal(list_id),
    )


def select_timestamps(table: str, list_id: uuid.UUID) -> sql.Composed:
    return sql.SQL("SELECT created_at, updated_at FROM {table} WHERE {key} = {list_id}").format(
        table=sql.Identifier(table), key=list_column(table), list_id=sql.Literal(list_id)
    )


def timestamps(conn: psycopg.Connection, table: str, list_id: uuid.UUID) -> tuple[datetime, ...]:
    row = conn.execute(select_timestamps(table, list_id)).fetchone()
    assert row
    return tuple(row)


def test_every_table_with_timestamps_is_covered(postgresql: psycopg.Connection) -> None:
    tables = {
        row[0]
        for row in postgresql.execute(
            "SELECT c.relname FROM pg_attribute AS a JOIN pg_class AS c ON c.oid = a.attrelid"
            " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'"
            " AND a.attname = 'updated_at'"
        )
    }
    assert tables == set(UPDATES) | {"video_tags"} == set(NO_CHANGES)


def test_every_table_with_times_refuses_infinite_ones(postgresql: psycopg.Connection) -> None:
    # A video created at 'infinity' came out of the API as 9999-12-31T23:59:59.999999 without
    # a time zone, and its page's cursor was refused (0059).
    timed = {
        row[0]
        for row in postgresql.execute(
            "SELECT DISTINCT c.relname FROM pg_attribute AS a"
            " JOIN pg_class AS c ON c.oid = a.attrelid JOIN pg_type AS t ON t.oid = a.atttypid"
            " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'"
            " AND t.typname = 'timestamptz' AND NOT a.attisdropped"
            " AND c.relname NOT LIKE '%yoyo%'"
        )
    }
    checked = {
        row[0].removesuffix("_times_finite")
        for row in postgresql.execute(
            "SELECT conname FROM pg_constraint WHERE conname LIKE '%\\_times\\_finite'"
        )
    }
    assert timed == checked
    list_id = create_list(postgresql)
    for created_at, updated_at in (("infinity", "now"), ("now", "-infinity")):
        with refused(postgresql, psycopg.errors.CheckViolation, "videos_times_finite"):
            postgresql.execute(
                "INSERT INTO videos (list_id, youtube_id, title, created_at, updated_at)"
                " VALUES (%s, 'inf', 'Infinite', %s::timestamptz, %s::timestamptz)",
                (list_id, created_at, updated_at),
            )
    with refused(postgresql, psycopg.errors.CheckViolation, "bookmark_lists_times_finite"):
        postgresql.execute(
            "INSERT INTO bookmark_lists (owner, name, created_at) VALUES ('o', 'n', 'infinity')"
        )


@pytest.mark.parametrize("table", sorted(UPDATES))
def test_new_row_has_equal_created_and_updated(
    postgresql: psycopg.Connection, full: FullList, table: str
) -> None:
    created_at, updated_at = timestamps(postgresql, table, full.list_id)
    assert created_at == updated_at


@pytest.mark.parametrize("table", sorted(UPDATES))
def test_update_in_the_inserting_transaction_moves_updated_at(
    postgresql: psycopg.Connection, full: FullList, table: str
) -> None:
    # `full` was inserted in the transaction still open on this connection.
    created_at, updated_at = timestamps(postgresql, table, full.list_id)
    postgresql.execute(update_statement(table, full.list_id))
    new_created_at, new_updated_at = timestamps(postgresql, table, full.list_id)
    assert new_created_at == created_at
    assert new_updated_at > updated_at


@pytest.mark.parametrize("table", sorted(UPDATES))
def test_update_in_a_later_transaction_moves_updated_at(
    postgresql: psycopg.Connection, full: FullList, table: str
) -> None:
    postgresql.commit()
    created_at, updated_at = timestamps(postgresql, table, full.list_id)
    postgresql.execute(update_statement(table, full.list_id))
    postgresql.commit()
    new_created_at, new_updated_at = timestamps(postgresql, table, full.list_id)
    assert new_created_at == created_at
    assert new_updated_at > updated_at


@pytest.mark.parametrize("table", sorted(UPDATES))
def test_updates_within_one_statement_each_move_updated_at(
    postgresql: psycopg.Connection, full: FullList, table: str
) -> None:
    # Every statement inside one DO block shares one statement_timestamp(); a psql user's
    # function or DO block that updates a row twice must still see updated_at move.
    postgresql.execute(
        "CREATE TEMP TABLE seen (n serial, created_at timestamptz, updated_at timestamptz)"
    )
    record = sql.SQL("INSERT INTO seen (created_at, updated_at) {select}").format(
        select=select_timestamps(table, full.list_id)
    )
    update = update_statement(table, full.list_id)
    postgresql.execute(
        sql.SQL("DO $$ BEGIN {record}; {update}; {record}; {update}; {record}; END $$").format(
            record=record, update=update
        )
    )
    rows = postgresql.execute("SELECT created_at, updated_at FROM seen ORDER BY n").fetchall()
    (created_at, first), (_, second), (_, third) = rows
    assert {row[0] for row in rows} == {created_at}
    assert first < second < third


@pytest.mark.parametrize("table", sorted(NO_CHANGES))
def test_update_that_changes_nothing_keeps_updated_at(
    postgresql: psycopg.Connection, full: FullList, table: str
) -> None:
    # updated_at says when the row last changed (a PATCH with an empty body changes nothing).
    postgresql.commit()
    before = timestamps(postgresql, table, full.list_id)
    postgresql.execute(update_statement(table, full.list_id, NO_CHANGES[table]))
    postgresql.commit()
    assert timestamps(postgresql, table, full.list_id) == before


@pytest.mark.parametrize("table", sorted(UPDATES))
def test_update_cannot_set_the_timestamps(
    postgresql: psycopg.Connection, full: FullList, table: str
) -> None:
    created_at, _ = timestamps(postgresql, table, full.list_id)
    postgresql.execute(
        update_statement(
            table,
            full.list_id,
            UPDATES[table],
            "created_at = '2000-01-01'",
            "updated_at = '2000-01-01'",
        )
    )
    new_created_at, new_updated_at = timestamps(postgresql, table, full.list_id)
    assert new_created_at == created_at
    assert new_updated_at > created_at


def test_every_column_under_a_timestamps_trigger_has_an_equality(
    postgresql: psycopg.Connection,
) -> None:
    # Each <table>_set_timestamps trigger fires WHEN (OLD.* IS DISTINCT FROM NEW.*), which
    # compares the columns in order with each type's equality: a column of a type without
    # one (json, point, xml) fails an UPDATE that leaves the columns before it unchanged
    # ("could not identify an equality operator for type json"; a no-op PATCH, for one). A
    # migration adding one must change the trigger's WHEN first.
    rows = postgresql.execute(
        """
        SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
        FROM pg_trigger AS tg
        JOIN pg_class AS c ON c.oid = tg.tgrelid
        JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        JOIN pg_type AS t ON t.oid = a.atttypid
        WHERE tg.tgname = c.relname || '_set_timestamps'
          AND NOT EXISTS (
              -- The type's own default opclass, its domain's base type's, or the polymorphic
              -- one an array or an enum uses.
              SELECT FROM pg_opclass AS oc
              JOIN pg_am AS am ON am.oid = oc.opcmethod
              WHERE am.amname IN ('btree', 'hash') AND oc.opcdefault
                AND oc.opcintype IN (t.oid, t.typbasetype,
                                     CASE WHEN t.typcategory = 'A' THEN 'anyarray'::regtype END,
                                     CASE WHEN t.typtype = 'e' THEN 'anyenum'::regtype END))
        ORDER BY 1, 2
        """
    ).fetchall()
    tables = postgresql.execute(
        "SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%\\_set\\_timestamps'"
    ).fetchone()
    assert tables is not None and tables[0] >= 8  # every table that keeps updated_at
    assert rows == []
