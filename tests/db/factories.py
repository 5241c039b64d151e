"""Test data through raw SQL, one function per table, and `refused` for asserting a rule.

Every builder takes the connection first and keyword-only arguments, fills sensible defaults
(unique names, a valid config for the field type) and returns the new row's id.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg.types.json import Jsonb

from tests.conftest import OWNER

DEFAULT_CONFIGS: dict[str, dict[str, Any]] = {
    "rating": {"max_rating": 5},
    "select": {"options": ["good", "bad"]},
    "text": {},
    "boolean": {},
    "number": {"min": -100, "max": 1000, "decimals": 2},
    "date": {"min": "2000-01-01", "max": "2030-12-31"},
    "url": {},
    "multi_select": {"options": ["good", "ok", "bad"], "max_selected": 2},
}


# Stands for "the valid config of the field type" (None would mean JSON null).
TYPE_DEFAULT: Any = object()


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def create_list(
    conn: psycopg.Connection, *, name: str | None = None, owner: str = OWNER
) -> uuid.UUID:
    row = conn.execute(
        "INSERT INTO bookmark_lists (owner, name) VALUES (%s, %s) RETURNING id",
        [owner, unique("List") if name is None else name],
    ).fetchone()
    assert row
    return row[0]


def create_video(
    conn: psycopg.Connection,
    *,
    list_id: uuid.UUID,
    youtube_id: str | None = None,
    title: str = "A video",
) -> uuid.UUID:
    row = conn.execute(
        "INSERT INTO videos (list_id, youtube_id, title) VALUES (%s, %s, %s) RETURNING id",
        [list_id, uuid.uuid4().hex[:11] if youtube_id is None else youtube_id, title],
    ).fetchone()
    assert row
    return row[0]


def create_field(
    conn: psycopg.Connection,
    *,
    list_id: uuid.UUID,
    field_type: str = "rating",
    name: str | None = None,
    config: Any = TYPE_DEFAULT,
) -> uuid.UUID:
    """A custom field; config defaults to a valid one for field_type (see DEFAULT_CONFIGS)."""
    row = conn.execute(
        "INSERT INTO custom_fields (list_id, name, field_type, config)"
        " VALUES (%s, %s, %s, %s) RETURNING id",
        [
            list_id,
            unique("Field") if name is None else name,
            field_type,
            Jsonb(DEFAULT_CONFIGS[field_type] if config is TYPE_DEFAULT else config),
        ],
    ).fetchone()
    assert row
    return row[0]


def create_schema(
    conn: psycopg.Connection, *, list_id: uuid.UUID, name: str | None = None
) -> uuid.UUID:
    row = conn.execute(
        "INSERT INTO field_schemas (list_id, name) VALUES (%s, %s) RETURNING id",
        [list_id, unique("Schema") if name is None else name],
    ).fetchone()
    assert row
    return row[0]


def add_schema_field(
    conn: psycopg.Connection, *, schema_id: uuid.UUID, field_id: uuid.UUID
) -> None:
    """The short form: list_id is filled in from the schema."""
    conn.execute(
        "INSERT INTO schema_fields (schema_id, field_id) VALUES (%s, %s)", [schema_id, field_id]
    )


def create_tag(
    conn: psycopg.Connection,
    *,
    list_id: uuid.UUID,
    name: str | None = None,
    schema_id: uuid.UUID | None = None,
) -> uuid.UUID:
    row = conn.execute(
        "INSERT INTO tags (list_id, name, schema_id) VALUES (%s, %s, %s) RETURNING id",
        [list_id, unique("Tag") if name is None else name, schema_id],
    ).fetchone()
    assert row
    return row[0]


def tag_video(conn: psycopg.Connection, *, video_id: uuid.UUID, tag_id: uuid.UUID) -> None:
    """The short form: list_id is filled in from the video."""
    conn.execute("INSERT INTO video_tags (video_id, tag_id) VALUES (%s, %s)", [video_id, tag_id])


def set_value(
    conn: psycopg.Connection,
    *,
    video_id: uuid.UUID,
    field_id: uuid.UUID,
    numeric: Any = None,
    text: str | None = None,
    boolean: bool | None = None,
    day: date | None = None,
    options: list[Any] | None = None,
) -> None:
    """The short form: list_id and field_type are filled in from the field."""
    conn.execute(
        "INSERT INTO video_field_values"
        " (video_id, field_id, value_numeric, value_text, value_boolean, value_date,"
        " value_options)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s)",
        [video_id, field_id, numeric, text, boolean, day, options],
    )


@dataclass(frozen=True)
class FullList:
    """A list with one row in every table: a video with a tag and a rating, a field in a schema."""

    list_id: uuid.UUID
    video_id: uuid.UUID
    field_id: uuid.UUID
    schema_id: uuid.UUID
    tag_id: uuid.UUID


def create_full_list(conn: psycopg.Connection, *, owner: str = OWNER) -> FullList:
    list_id = create_list(conn, owner=owner)
    video_id = create_video(conn, list_id=list_id)
    field_id = create_field(conn, list_id=list_id, field_type="rating")
    schema_id = create_schema(conn, list_id=list_id)
    add_schema_field(conn, schema_id=schema_id, field_id=field_id)
    tag_id = create_tag(conn, list_id=list_id, schema_id=schema_id)
    tag_video(conn, video_id=video_id, tag_id=tag_id)
    set_value(conn, video_id=video_id, field_id=field_id, numeric=4)
    return FullList(list_id, video_id, field_id, schema_id, tag_id)


def count(conn: psycopg.Connection, table: str, where: str = "true", params: Any = ()) -> int:
    """Rows of a table matching a condition; table and where are fixed strings in the tests."""
    query = sql.SQL("SELECT count(*) FROM {} WHERE {}").format(
        sql.Identifier(table), sql.SQL(where)
    )
    row = conn.execute(query, params).fetchone()
    assert row
    return int(row[0])


@contextmanager
def refused(
    conn: psycopg.Connection, error: type[psycopg.Error], constraint: str
) -> Iterator[None]:
    """Assert the block fails with this SQLSTATE class and names this constraint.

    The block runs in a savepoint, so the connection stays usable after the refusal.
    """
    with pytest.raises(error) as info, conn.transaction():
        yield
    assert info.value.diag.constraint_name == constraint, str(info.value)
