"""Deleted lists and fields in raw SQL (migrations/0017_purges.sql): nothing attaches to them,
whoever writes and however the write races the delete; the purge takes them apart in small
batches, touches nothing alive and keeps the counts exact."""

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from tests.db.factories import (
    add_schema_field,
    count,
    create_field,
    create_full_list,
    create_list,
    create_schema,
    create_tag,
    create_video,
    refused,
    set_value,
    tag_video,
)
from tests.db.test_value_counts import assert_exact

Row = tuple[str, Callable[[dict[str, uuid.UUID]], list[Any]]]

# A new row of each table that attaches to the list `w["list"]`, deleted in the test.
INTO_A_DELETED_LIST: dict[str, Row] = {
    "videos": (
        "INSERT INTO videos (list_id, youtube_id, title) VALUES (%s, 'new', 'New')",
        lambda w: [w["list"]],
    ),
    "custom_fields": (
        "INSERT INTO custom_fields (list_id, name, field_type) VALUES (%s, 'New', 'boolean')",
        lambda w: [w["list"]],
    ),
    "field_schemas": (
        "INSERT INTO field_schemas (list_id, name) VALUES (%s, 'New')",
        lambda w: [w["list"]],
    ),
    "tags": ("INSERT INTO tags (list_id, name) VALUES (%s, 'New')", lambda w: [w["list"]]),
    "schema_fields": (
        "INSERT INTO schema_fields (schema_id, field_id) VALUES (%s, %s)",
        lambda w: [w["schema"], w["spare_field"]],
    ),
    "video_tags": (
        "INSERT INTO video_tags (video_id, tag_id) VALUES (%s, %s)",
        lambda w: [w["spare_video"], w["tag"]],
    ),
    "video_field_values": (
        "INSERT INTO video_field_values (video_id, field_id, value_numeric) VALUES (%s, %s, 1)",
        lambda w: [w["spare_video"], w["field"]],
    ),
}


def world(conn: psycopg.Connection) -> dict[str, uuid.UUID]:
    full = create_full_list(conn)
    return {
        "list": full.list_id,
        "video": full.video_id,
        "field": full.field_id,
        "schema": full.schema_id,
        "tag": full.tag_id,
        "spare_video": create_video(conn, list_id=full.list_id),
        "spare_field": create_field(conn, list_id=full.list_id),
    }


def test_every_table_with_a_list_is_tried_here(postgresql: psycopg.Connection) -> None:
    guarded = postgresql.execute(
        "SELECT c.relname FROM pg_trigger AS t JOIN pg_class AS c ON c.oid = t.tgrelid"
        " WHERE t.tgname LIKE '%%_refuse_purged_lists_insert'"
        " OR t.tgname = 'video_field_values_refuse_purged_insert'"
    ).fetchall()
    assert {name for (name,) in guarded} == set(INTO_A_DELETED_LIST)


@pytest.mark.parametrize("table", sorted(INTO_A_DELETED_LIST))
def test_a_raw_insert_into_a_deleted_list_is_refused(
    postgresql: psycopg.Connection, table: str
) -> None:
    w = world(postgresql)
    postgresql.execute("UPDATE bookmark_lists SET deleted_at = now() WHERE id = %s", [w["list"]])
    statement, args = INTO_A_DELETED_LIST[table]
    with refused(postgresql, psycopg.errors.ForeignKeyViolation, "bookmark_lists_deleted"):
        postgresql.execute(statement, args(w))


# Each table's row and the key it is found by, to move it to another list.
MOVABLE = {
    "videos": ("id", "spare_video"),
    "custom_fields": ("id", "spare_field"),
    "field_schemas": ("id", "schema"),
    "tags": ("id", "tag"),
    "schema_fields": ("schema_id", "schema"),
    "video_tags": ("video_id", "video"),
    "video_field_values": ("video_id", "video"),
}


@pytest.mark.parametrize("table", sorted(MOVABLE))
def test_a_row_stays_in_its_list(postgresql: psycopg.Connection, table: str) -> None:
    # Before 0051 a video or field without values could be moved by an UPDATE, into a deleted
    # list too: refuse_purged_lists checks inserts only.
    w = world(postgresql)
    elsewhere = create_list(postgresql)
    postgresql.execute("UPDATE bookmark_lists SET deleted_at = now() WHERE id = %s", [elsewhere])
    column, row = MOVABLE[table]
    move = f"UPDATE {table} SET list_id = %s WHERE {column} = %s"  # noqa: S608
    with refused(postgresql, psycopg.errors.CheckViolation, f"{table}_list_fixed"):
        postgresql.execute(move, [elsewhere, w[row]])
    # Naming its own list again changes nothing and is no move.
    postgresql.execute(move, [w["list"], w[row]])
    assert set(MOVABLE) == {
        name
        for (name,) in postgresql.execute(
            "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE '%%_list_fixed'"
        )
    }


def test_raw_values_and_schema_places_of_a_deleted_field_are_refused(
    postgresql: psycopg.Connection,
) -> None:
    w = world(postgresql)
    postgresql.execute("UPDATE custom_fields SET deleted_at = now() WHERE id = %s", [w["field"]])
    rule = "custom_fields_deleted"
    with refused(postgresql, psycopg.errors.ForeignKeyViolation, rule):
        set_value(postgresql, video_id=w["spare_video"], field_id=w["field"], numeric=1)
    with refused(postgresql, psycopg.errors.ForeignKeyViolation, rule):
        postgresql.execute(
            "UPDATE video_field_values SET value_numeric = 2 WHERE field_id = %s", [w["field"]]
        )
    other_schema = create_schema(postgresql, list_id=w["list"])
    with refused(postgresql, psycopg.errors.ForeignKeyViolation, rule):
        add_schema_field(postgresql, schema_id=other_schema, field_id=w["field"])
    # The list itself lives on.
    set_value(postgresql, video_id=w["spare_video"], field_id=w["spare_field"], numeric=1)


@pytest.mark.parametrize("table", ["bookmark_lists", "custom_fields"])
def test_a_deleted_list_or_field_cannot_come_back(
    postgresql: psycopg.Connection, table: str
) -> None:
    w = world(postgresql)
    row = w["list"] if table == "bookmark_lists" else w["field"]
    update = f"UPDATE {table} SET deleted_at = %s WHERE id = %s"  # noqa: S608
    postgresql.execute(update, ["2026-01-01", row])
    for again in (None, "2026-02-02"):
        with refused(postgresql, psycopg.errors.CheckViolation, f"{table}_deleted_for_good"):
            postgresql.execute(update, [again, row])


def test_a_deleted_fields_name_is_free_at_once(postgresql: psycopg.Connection) -> None:
    list_id = create_list(postgresql)
    field = create_field(postgresql, list_id=list_id, name="Rating")
    postgresql.execute("UPDATE custom_fields SET deleted_at = now() WHERE id = %s", [field])
    create_field(postgresql, list_id=list_id, name=" rating ")


def test_marking_queues_one_purge_with_its_estimate(postgresql: psycopg.Connection) -> None:
    w = world(postgresql)
    postgresql.execute("UPDATE custom_fields SET deleted_at = now() WHERE id = %s", [w["field"]])
    postgresql.execute("UPDATE bookmark_lists SET deleted_at = now() WHERE id = %s", [w["list"]])
    queued = postgresql.execute(
        "SELECT list_id, field_id, rows_estimated FROM purges ORDER BY id"
    ).fetchall()
    # The field: its one value. The list: two videos and the field's value, still counted.
    assert queued == [(w["list"], w["field"], 1), (w["list"], None, 3)]


# Races: the marking and a write that attaches to the same list or field, each starting first.


def in_thread(database_url: str, statements: list[tuple[str, list[Any]]]) -> dict[str, Any]:
    """Run statements in one transaction on a connection of its own, in a thread; the result
    holds 'error' (or None) once the thread ends."""
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            with psycopg.connect(database_url) as conn:
                for statement, args in statements:
                    conn.execute(statement, args)
            result["error"] = None
        except psycopg.Error as exc:
            result["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    result["thread"] = thread
    return result


def waiting_on_a_lock(database_url: str) -> bool:
    with psycopg.connect(database_url, autocommit=True) as observer:
        row = observer.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        ).fetchone()
    return bool(row and row[0])


def wait_for_lock_wait(database_url: str) -> None:
    deadline = time.monotonic() + 5
    while not waiting_on_a_lock(database_url):
        assert time.monotonic() < deadline, "the second transaction did not wait"
        time.sleep(0.02)


MARK = {
    "list": "UPDATE bookmark_lists SET deleted_at = now() WHERE id = %s",
    "field": "UPDATE custom_fields SET deleted_at = now() WHERE id = %s",
}
RULE = {"list": "bookmark_lists_deleted", "field": "custom_fields_deleted"}


@pytest.mark.parametrize("what", ["list", "field"])
def test_a_write_that_locked_first_makes_the_marking_wait_then_is_purged(
    postgresql: psycopg.Connection, database_url: str, what: str
) -> None:
    w = world(postgresql)
    postgresql.commit()
    with psycopg.connect(database_url) as writer:
        set_value(writer, video_id=w["spare_video"], field_id=w["field"], numeric=2)
        marking = in_thread(database_url, [(MARK[what], [w[what]])])
        # A foreign key check alone (FOR KEY SHARE) would not make it wait.
        wait_for_lock_wait(database_url)
        writer.commit()
    marking["thread"].join(10)
    assert marking["error"] is None
    assert count(postgresql, "purges") == 1


@pytest.mark.parametrize("what", ["list", "field"])
def test_a_write_that_comes_after_the_marking_waits_for_it_then_is_refused(
    postgresql: psycopg.Connection, database_url: str, what: str
) -> None:
    w = world(postgresql)
    postgresql.commit()
    with psycopg.connect(database_url) as marker:
        marker.execute(MARK[what], [w[what]])
        write = in_thread(
            database_url,
            [
                (
                    "INSERT INTO video_field_values (video_id, field_id, value_numeric)"
                    " VALUES (%s, %s, 3)",
                    [w["spare_video"], w["field"]],
                )
            ],
        )
        wait_for_lock_wait(database_url)
        marker.commit()
    write["thread"].join(10)
    error = write["error"]
    assert isinstance(error, psycopg.errors.ForeignKeyViolation), error
    assert error.diag.constraint_name == RULE[what]
    assert count(postgresql, "video_field_values", "video_id = %s", [w["spare_video"]]) == 0


# The purge.


def rows_of_every_table(conn: psycopg.Connection) -> dict[str, list[Any]]:
    tables = [
        "bookmark_lists",
        "videos",
        "custom_fields",
        "field_schemas",
        "schema_fields",
        "tags",
        "video_tags",
        "video_field_values",
        "list_video_counts",
        "field_value_counts",
    ]
    return {
        table: sorted(
            str(row)
            for row in conn.execute(f"SELECT to_jsonb(t) FROM {table} AS t")  # noqa: S608
        )
        for table in tables
    }


def purge_batches(conn: psycopg.Connection, max_rows: int) -> list[tuple[Any, ...]]:
    """Every batch until none is left, each committed on its own like the worker's."""
    conn.commit()
    batches = []
    while True:
        row = conn.execute(
            "SELECT field_id, rows_purged, finished FROM purge_next_batch(%s)", [max_rows]
        ).fetchone()
        conn.commit()
        if row is None:
            return batches
        batches.append(row)
        assert len(batches) < 1000, "the purge does not end"


def big_list(conn: psycopg.Connection, videos: int = 30) -> uuid.UUID:
    """A list with every kind of row: fields of several types in a schema, tags, values."""
    list_id = create_list(conn)
    rating = create_field(conn, list_id=list_id, field_type="rating")
    choice = create_field(conn, list_id=list_id, field_type="select")
    options = create_field(conn, list_id=list_id, field_type="multi_select")
    schema = create_schema(conn, list_id=list_id)
    for field in (rating, choice, options):
        add_schema_field(conn, schema_id=schema, field_id=field)
    tags = [create_tag(conn, list_id=list_id, schema_id=schema) for _ in range(2)]
    for i in range(videos):
        video = create_video(conn, list_id=list_id)
        set_value(conn, video_id=video, field_id=rating, numeric=i % 5)
        if i % 2:
            set_value(conn, video_id=video, field_id=choice, text="good")
        if i % 3:
            set_value(conn, video_id=video, field_id=options, options=["ok", "bad"])
        tag_video(conn, video_id=video, tag_id=tags[i % 2])
    return list_id


def test_the_purge_of_a_list_goes_in_small_batches_and_leaves_only_the_others(
    postgresql: psycopg.Connection,
) -> None:
    kept = big_list(postgresql)
    kept_rows = rows_of_every_table(postgresql)
    doomed = big_list(postgresql)
    postgresql.execute("UPDATE bookmark_lists SET deleted_at = now() WHERE id = %s", [doomed])

    batches = purge_batches(postgresql, max_rows=20)

    assert len(batches) > 5 and all(rows <= 40 for _, rows, _ in batches), batches
    assert batches[-1][2] and count(postgresql, "purges") == 0
    assert rows_of_every_table(postgresql) == kept_rows
    assert count(postgresql, "bookmark_lists", "id = %s", [kept]) == 1
    assert_exact(postgresql)


def test_the_purge_of_a_field_takes_its_values_and_places_only(
    postgresql: psycopg.Connection,
) -> None:
    list_id = big_list(postgresql)
    fields = [
        row[0]
        for row in postgresql.execute(
            "SELECT id FROM custom_fields WHERE list_id = %s ORDER BY field_type", [list_id]
        )
    ]
    doomed = fields[0]
    postgresql.execute("UPDATE custom_fields SET deleted_at = now() WHERE id = %s", [doomed])
    before = count(postgresql, "video_field_values", "field_id <> %s", [doomed])

    batches = purge_batches(postgresql, max_rows=7)

    assert len(batches) > 2 and all(rows <= 7 for _, rows, _ in batches[:-2]), batches
    assert count(postgresql, "custom_fields", "id = %s", [doomed]) == 0
    assert count(postgresql, "video_field_values", "field_id = %s", [doomed]) == 0
    assert count(postgresql, "schema_fields", "field_id = %s", [doomed]) == 0
    assert count(postgresql, "video_field_values") == before
    assert count(postgresql, "videos", "list_id = %s", [list_id]) == 30
    assert_exact(postgresql)


def test_a_purge_naming_something_alive_deletes_nothing(postgresql: psycopg.Connection) -> None:
    w = world(postgresql)
    postgresql.execute(
        "INSERT INTO purges (owner, list_id, field_id) VALUES ('alice', %s, NULL),"
        " ('alice', %s, %s)",
        [w["list"], w["list"], w["field"]],
    )
    before = rows_of_every_table(postgresql)
    assert [rows for _, rows, _ in purge_batches(postgresql, max_rows=100)] == [0, 0]
    assert rows_of_every_table(postgresql) == before
    assert count(postgresql, "purges") == 0


def test_a_list_waits_for_its_fields_purges_and_two_workers_never_share_a_purge(
    postgresql: psycopg.Connection, database_url: str
) -> None:
    w = world(postgresql)
    postgresql.execute("UPDATE custom_fields SET deleted_at = now() WHERE id = %s", [w["field"]])
    postgresql.execute("UPDATE bookmark_lists SET deleted_at = now() WHERE id = %s", [w["list"]])
    other = world(postgresql)
    postgresql.execute(
        "UPDATE bookmark_lists SET deleted_at = now() WHERE id = %s", [other["list"]]
    )
    postgresql.commit()
    batch = "SELECT list_id, field_id FROM purge_next_batch(1)"
    with psycopg.connect(database_url) as first, psycopg.connect(database_url) as second:
        # The first holds the field's purge for its batch: the second skips it, and its list
        # (which waits for its fields), and takes the other list.
        assert first.execute(batch).fetchone() == (w["list"], w["field"])
        assert second.execute(batch).fetchone() == (other["list"], None)
        with psycopg.connect(database_url) as third:
            assert third.execute(batch).fetchone() is None  # no wait: SKIP LOCKED


def test_every_field_type_has_its_purge_index(postgresql: psycopg.Connection) -> None:
    types = postgresql.execute("SELECT unnest(enum_range(NULL::field_type))::text").fetchall()
    indexes = postgresql.execute(
        "SELECT indexname FROM pg_indexes WHERE tablename = 'video_field_values'"
    ).fetchall()
    names = {name for (name,) in indexes}
    assert {f"video_field_values_{t}_field_idx" for (t,) in types} <= names


def test_a_field_id_in_two_lists_attaches_nothing_to_the_deleted_one(
    postgresql: psycopg.Connection,
) -> None:
    # A field is its (id, list_id): its id may repeat in another list (raw SQL). The refusals
    # matched alive fields by id alone, so a row for the deleted one passed beside a row for
    # the alive one (0061).
    one, two = create_full_list(postgresql), create_full_list(postgresql)
    postgresql.execute(
        "INSERT INTO custom_fields (id, list_id, name, field_type, config)"
        " VALUES (%s, %s, 'Twin', 'rating', '{\"max_rating\": 5}')",
        [one.field_id, two.list_id],
    )
    postgresql.execute(
        "UPDATE custom_fields SET deleted_at = now() WHERE id = %s AND list_id = %s",
        [one.field_id, one.list_id],
    )
    late = create_video(postgresql, list_id=one.list_id)
    with refused(postgresql, psycopg.errors.ForeignKeyViolation, "custom_fields_deleted"):
        postgresql.execute(
            "INSERT INTO video_field_values (list_id, video_id, field_id, field_type,"
            " value_numeric) VALUES (%s, %s, %s, 'rating', 1), (%s, %s, %s, 'rating', 1)",
            [one.list_id, late, one.field_id, two.list_id, two.video_id, one.field_id],
        )
    other_schema = create_schema(postgresql, list_id=one.list_id)
    with refused(postgresql, psycopg.errors.ForeignKeyViolation, "custom_fields_deleted"):
        postgresql.execute(
            "INSERT INTO schema_fields (list_id, schema_id, field_id)"
            " VALUES (%s, %s, %s), (%s, %s, %s)",
            [one.list_id, other_schema, one.field_id, two.list_id, two.schema_id, one.field_id],
        )


@pytest.mark.parametrize("table", ["bookmark_lists", "custom_fields"])
def test_a_list_or_field_is_not_inserted_deleted(
    postgresql: psycopg.Connection, table: str
) -> None:
    # Its purge is queued by the UPDATE that deletes it: inserted deleted, it stayed for good.
    list_id = create_list(postgresql)
    statement = {
        "bookmark_lists": "INSERT INTO bookmark_lists (owner, name, deleted_at)"
        " VALUES ('someone', 'Gone', now())",
        "custom_fields": "INSERT INTO custom_fields (list_id, name, field_type, config, deleted_at)"
        " VALUES (%s, 'Gone', 'text', '{}', now())",
    }[table]
    with refused(postgresql, psycopg.errors.CheckViolation, f"{table}_born_alive"):
        postgresql.execute(statement, [list_id] if "%s" in statement else None)
