"""The migrations themselves: apply, roll back and apply again to the same schema; a failing
migration leaves nothing behind; the schema documents itself with comments."""

import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pytest_postgresql.executors import PostgreSQLExecutor
from yoyo.backends import DatabaseBackend

from app.config import DEFAULT_APP_ROLE
from app.db import migrate
from tests.conftest import server_url
from tests.db.factories import (
    create_field,
    create_full_list,
    create_list,
    create_video,
    set_value,
)


@pytest.fixture(autouse=True)
def _cluster_grants_restored(postgresql_proc: PostgreSQLExecutor) -> Iterator[None]:
    """A rollback past 0024 revokes the app role's SET on wal_compression, a grant of the whole
    cluster, which the next tests of this worker share: granted again, as make migrate does."""
    yield
    with psycopg.connect(server_url(postgresql_proc, "postgres"), autocommit=True) as conn:
        conn.execute(f"GRANT SET ON PARAMETER wal_compression TO {DEFAULT_APP_ROLE}")


# Every migration, in the order they apply.
MIGRATIONS = sorted(
    p.stem for p in migrate.MIGRATIONS_DIR.glob("*.sql") if not p.name.endswith(".rollback.sql")
)
LATEST = MIGRATIONS[-1]

# yoyo's own bookkeeping tables (and their indexes) live in public too; they are not ours.
# The queries that could see them take this pattern as their %(yoyo)s parameter.
YOYO = {"yoyo": "^(_yoyo_|yoyo_lock)"}

# Each query lists one kind of object by name, never by oid, so two applies compare equal.
CATALOG = {
    "relations": """
        SELECT c.relname, c.relkind::text, obj_description(c.oid, 'pg_class')
        FROM pg_class AS c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relname !~ %(yoyo)s""",
    "columns": """
        SELECT c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod),
               a.attnotnull, pg_get_expr(d.adbin, d.adrelid), col_description(c.oid, a.attnum)
        FROM pg_class AS c
        JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        LEFT JOIN pg_attrdef AS d ON d.adrelid = c.oid AND d.adnum = a.attnum
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'v')
          AND c.relname !~ %(yoyo)s""",
    "constraints": """
        SELECT c.relname, k.conname, pg_get_constraintdef(k.oid)
        FROM pg_constraint AS k JOIN pg_class AS c ON c.oid = k.conrelid
        WHERE c.relnamespace = 'public'::regnamespace AND c.relname !~ %(yoyo)s""",
    "indexes": """
        SELECT tablename, indexname, indexdef FROM pg_indexes
        WHERE schemaname = 'public' AND tablename !~ %(yoyo)s""",
    "triggers": """
        SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid)
        FROM pg_trigger AS t JOIN pg_class AS c ON c.oid = t.tgrelid
        WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace
          AND c.relname !~ %(yoyo)s""",
    "functions": """
        SELECT proname, pg_get_function_identity_arguments(oid), pg_get_functiondef(oid),
               obj_description(oid, 'pg_proc')
        FROM pg_proc WHERE pronamespace = 'public'::regnamespace""",
    "policies": """
        SELECT tablename, policyname, cmd, roles::text[], qual, with_check FROM pg_policies
        WHERE schemaname = 'public'""",
    "row_security": """
        SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class
        WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'
          AND relname !~ %(yoyo)s""",
    "views": """
        SELECT v.viewname, v.definition, c.reloptions FROM pg_views AS v
        JOIN pg_class AS c ON c.relname = v.viewname AND c.relnamespace = 'public'::regnamespace
        WHERE v.schemaname = 'public'""",
    "types": """
        SELECT t.typname, t.typtype::text, obj_description(t.oid, 'pg_type'),
               array(SELECT enumlabel::text FROM pg_enum
                     WHERE enumtypid = t.oid ORDER BY enumsortorder)
        FROM pg_type AS t
        WHERE t.typnamespace = 'public'::regnamespace AND t.typrelid = 0
          AND t.typcategory <> 'A'""",
}


def catalog_snapshot(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    with psycopg.connect(database_url) as conn:
        return {
            kind: sorted(conn.execute(query, YOYO).fetchall()) for kind, query in CATALOG.items()
        }


def applied_migrations(database_url: str) -> list[str]:
    with psycopg.connect(database_url) as conn:
        return [row[0] for row in conn.execute("SELECT migration_id FROM _yoyo_migration")]


def test_snapshot_sees_the_schema(empty_database_url: str) -> None:
    migrate.apply(empty_database_url)
    snapshot = catalog_snapshot(empty_database_url)
    tables = {name for name, kind, _ in snapshot["relations"] if kind == "r"}
    assert "video_field_values" in tables
    assert not any(name.startswith(("_yoyo", "yoyo")) for name, _, _ in snapshot["relations"])
    assert all(snapshot.values()), "every kind of object should have at least one entry"


def test_apply_rollback_apply_gives_the_same_schema(empty_database_url: str) -> None:
    assert migrate.apply(empty_database_url) == MIGRATIONS
    first = catalog_snapshot(empty_database_url)

    assert migrate.rollback(empty_database_url, count=None) == MIGRATIONS[::-1]
    assert migrate.apply(empty_database_url) == MIGRATIONS

    assert catalog_snapshot(empty_database_url) == first


def test_rollback_all_leaves_no_app_object(empty_database_url: str) -> None:
    migrate.apply(empty_database_url)
    migrate.rollback(empty_database_url, count=None)

    assert catalog_snapshot(empty_database_url) == {kind: [] for kind in CATALOG}
    assert applied_migrations(empty_database_url) == []


def test_rollback_all_works_with_data_in_every_table(database_url: str) -> None:
    # database_url is the migrated clone of this test; fill it, then drop it all.
    with psycopg.connect(database_url) as conn:
        create_full_list(conn)
    assert migrate.rollback(database_url, count=None) == MIGRATIONS[::-1]
    assert catalog_snapshot(database_url) == {kind: [] for kind in CATALOG}


def test_applying_twice_is_a_no_op(empty_database_url: str) -> None:
    assert migrate.apply(empty_database_url) == MIGRATIONS
    first = catalog_snapshot(empty_database_url)

    assert migrate.apply(empty_database_url) == []

    assert catalog_snapshot(empty_database_url) == first
    assert applied_migrations(empty_database_url) == MIGRATIONS


def test_a_run_stopped_after_a_migration_ran_leaves_it_unapplied_and_unrecorded(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Stopped (Ctrl-C, SIGTERM) between a migration's steps and its record: yoyo's apply_one
    # had committed the steps, so the next run applied 0040 again and failed ("function
    # set_one_value already exists"), and a rollback undid 0039 instead.
    real_mark = DatabaseBackend.mark_one

    def stop_before_the_record(self: DatabaseBackend, migration: Any, log: bool = True) -> None:
        if migration.id == MIGRATIONS[1]:
            raise KeyboardInterrupt
        real_mark(self, migration, log=log)

    monkeypatch.setattr(DatabaseBackend, "mark_one", stop_before_the_record)
    with pytest.raises(KeyboardInterrupt):
        migrate.apply(empty_database_url)
    assert applied_migrations(empty_database_url) == MIGRATIONS[:1]
    monkeypatch.undo()
    assert migrate.apply(empty_database_url) == MIGRATIONS[1:]
    with psycopg.connect(empty_database_url) as conn:
        assert conn.execute("SELECT count(*) FROM yoyo_lock").fetchone() == (0,)


def test_a_lock_left_by_a_killed_run_is_named_and_removed_by_unlock(
    empty_database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    migrate.apply(empty_database_url)
    with psycopg.connect(empty_database_url) as conn:
        # What a run killed outright (SIGKILL) leaves: yoyo's row naming its process.
        conn.execute("INSERT INTO yoyo_lock (locked, ctime, pid) VALUES (1, now(), 4242)")
    monkeypatch.setenv("DATABASE_URL", empty_database_url)
    monkeypatch.setattr(migrate, "LOCK_TIMEOUT_SECONDS", 1)
    assert migrate.main(["apply"]) == 1
    said = capsys.readouterr().err
    assert "taken by process 4242" in said and "make migrate-unlock" in said
    # One line each, no traceback.
    assert said.count("\n") == 2 and "Traceback" not in said
    assert migrate.main(["unlock"]) == 0
    assert "removed the migration lock of process 4242" in capsys.readouterr().out
    assert migrate.main(["apply"]) == 0
    assert migrate.main(["unlock"]) == 0
    assert capsys.readouterr().out.endswith("no migration lock to remove\n")


def test_a_url_or_an_app_role_migrate_cannot_use_is_one_line_without_the_password(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://owner:se#cret@127.0.0.1:5432/app")
    assert migrate.main(["apply"]) == 2
    said = capsys.readouterr().err
    assert said.startswith("migrate: DATABASE_URL: its port is not a number")
    assert said.count("\n") == 1 and "se#" not in said and "cret" not in said
    # The app role a superuser (DATABASE_APP_URL naming the owner): refused, in one line.
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("DATABASE_APP_URL", database_url)
    assert migrate.main(["apply"]) == 1
    said = capsys.readouterr().err
    assert "must be a plain LOGIN role" in said and "Traceback" not in said


def test_migrate_waits_a_bounded_time_for_a_login() -> None:
    # A server that takes connections but never answers held make migrate for good.
    url = migrate.yoyo_url("postgresql://owner:pw@db:5432/app")
    assert url == "postgresql+psycopg://owner:pw@db:5432/app?connect_timeout=10"
    kept = migrate.yoyo_url("postgresql://owner@db/app?sslmode=require&connect_timeout=3")
    assert kept == "postgresql+psycopg://owner@db/app?sslmode=require&connect_timeout=3"


BROKEN_MIGRATION = """\
-- A migration that fails after creating something.
-- depends: {latest}
CREATE TABLE broken_probe (id integer PRIMARY KEY);
INSERT INTO broken_probe VALUES (1);
SELECT 1 / 0;
"""


def test_failing_migration_leaves_nothing_applied(empty_database_url: str, tmp_path: Path) -> None:
    migrations_dir = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, migrations_dir)
    (migrations_dir / "9999_broken.sql").write_text(BROKEN_MIGRATION.format(latest=LATEST))

    with pytest.raises(psycopg.errors.DivisionByZero):
        migrate.apply(empty_database_url, migrations_dir=migrations_dir)

    with psycopg.connect(empty_database_url) as conn:
        probe = conn.execute("SELECT to_regclass('public.broken_probe')").fetchone()
        values = conn.execute("SELECT to_regclass('public.video_field_values')").fetchone()
    assert probe == (None,)
    assert values == ("video_field_values",)
    assert applied_migrations(empty_database_url) == MIGRATIONS


# ------------------------------------------------------------------------------------------------
# The schema explains itself
# ------------------------------------------------------------------------------------------------


def test_every_table_and_view_has_a_comment(postgresql: psycopg.Connection) -> None:
    missing = postgresql.execute(
        """SELECT relname FROM pg_class
            WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'v')
              AND relname !~ %(yoyo)s AND obj_description(oid, 'pg_class') IS NULL""",
        YOYO,
    ).fetchall()
    assert missing == []


# Columns whose meaning a reader cannot guess from the name alone.
EXPLAINED_COLUMNS = [
    ("videos", "youtube_id"),
    ("custom_fields", "field_type"),
    ("custom_fields", "config"),
    ("schema_fields", "list_id"),
    ("schema_fields", "show_on_card"),
    ("tags", "schema_id"),
    ("video_tags", "list_id"),
    ("video_field_values", "list_id"),
    ("video_field_values", "field_type"),
    ("video_field_values", "value_numeric"),
    ("video_field_values", "value_boolean"),
    ("video_field_values", "value_text"),
]


@pytest.mark.parametrize(("table", "column"), EXPLAINED_COLUMNS)
def test_non_obvious_column_has_a_comment(
    postgresql: psycopg.Connection, table: str, column: str
) -> None:
    row = postgresql.execute(
        """SELECT col_description(a.attrelid, a.attnum) FROM pg_attribute AS a
           WHERE a.attrelid = %s::regclass AND a.attname = %s""",
        [table, column],
    ).fetchone()
    assert row is not None, f"{table}.{column} does not exist"
    assert row[0], f"{table}.{column} has no comment"


def test_every_index_on_values_has_a_comment(postgresql: psycopg.Connection) -> None:
    indexes = dict(
        postgresql.execute(
            """SELECT indexrelid::regclass::text, obj_description(indexrelid, 'pg_class')
               FROM pg_index WHERE indrelid = 'video_field_values'::regclass"""
        ).fetchall()
    )
    assert len(indexes) >= 4  # the primary key and one partial index per value column
    assert {name for name, comment in indexes.items() if not comment} == set()


def test_every_index_has_a_comment(postgresql: psycopg.Connection) -> None:
    # Those behind primary keys and unique constraints too (0051).
    missing = postgresql.execute(
        """SELECT i.indexrelid::regclass::text
            FROM pg_index AS i JOIN pg_class AS t ON t.oid = i.indrelid
            WHERE t.relnamespace = 'public'::regnamespace AND t.relname !~ %(yoyo)s
              AND obj_description(i.indexrelid, 'pg_class') IS NULL""",
        YOYO,
    ).fetchall()
    assert missing == []


def test_no_two_indexes_hold_the_same_key(postgresql: psycopg.Connection) -> None:
    """The same key columns in any order, on the same rows and collations, are one index too
    many: before 0051 each UNIQUE (list_id, id) of 0001 repeated a primary key (id, list_id)."""
    twins = postgresql.execute(
        """WITH keys AS (
               SELECT i.indrelid, i.indexrelid,
                      ARRAY(SELECT k FROM unnest((i.indkey::int2[])[:i.indnkeyatts - 1]) AS k
                            ORDER BY k) AS columns,
                      coalesce(pg_get_expr(i.indexprs, i.indrelid), '') AS expressions,
                      coalesce(pg_get_expr(i.indpred, i.indrelid), '') AS predicate,
                      i.indcollation::text AS collations
               FROM pg_index AS i JOIN pg_class AS t ON t.oid = i.indrelid
               WHERE t.relnamespace = 'public'::regnamespace AND t.relname !~ %(yoyo)s)
           SELECT a.indexrelid::regclass::text, b.indexrelid::regclass::text
           FROM keys AS a JOIN keys AS b
             ON b.indrelid = a.indrelid AND b.indexrelid > a.indexrelid
            AND b.columns = a.columns AND b.expressions = a.expressions
            AND b.predicate = a.predicate AND b.collations = a.collations""",
        YOYO,
    ).fetchall()
    assert twins == []


def test_readable_view_shows_a_value_row(postgresql: psycopg.Connection) -> None:
    list_id = create_list(postgresql, name="Cooking")
    video_id = create_video(postgresql, list_id=list_id, youtube_id="abc123", title="Pasta")
    field_id = create_field(
        postgresql, list_id=list_id, name="Taste", field_type="rating", config={"max_rating": 5}
    )
    set_value(postgresql, video_id=video_id, field_id=field_id, numeric=Decimal("4.5"))

    row = postgresql.execute(
        """SELECT list_name, youtube_id, video_title, field_name, field_type::text, value,
                  list_id, video_id, field_id
           FROM video_field_values_readable"""
    ).fetchone()
    assert row == (
        "Cooking",
        "abc123",
        "Pasta",
        "Taste",
        "rating",
        "4.5",
        list_id,
        video_id,
        field_id,
    )


def test_readable_view_hides_a_deleted_list_or_field_at_once(
    postgresql: psycopg.Connection,
) -> None:
    # To the owning role, which row-level security does not restrict, their values showed
    # until the purge, under the same names as live ones (0055).
    list_id, gone_list = create_list(postgresql, name="Kept"), create_list(postgresql, name="Gone")
    shown = "SELECT list_name, field_name, value FROM video_field_values_readable ORDER BY 1, 2"
    for lst in (list_id, gone_list):
        video_id = create_video(postgresql, list_id=lst)
        for name in ("Mood", "Taste"):
            field_id = create_field(postgresql, list_id=lst, name=name)
            set_value(postgresql, video_id=video_id, field_id=field_id, numeric=2)
    postgresql.execute("UPDATE bookmark_lists SET deleted_at = now() WHERE id = %s", [gone_list])
    postgresql.execute(
        "UPDATE custom_fields SET deleted_at = now() WHERE list_id = %s AND name = 'Mood'",
        [list_id],
    )
    assert postgresql.execute(shown).fetchall() == [("Kept", "Taste", "2")]
    assert postgresql.execute(
        "SELECT reloptions FROM pg_class WHERE oid = 'video_field_values_readable'::regclass"
    ).fetchone() == (["security_invoker=true"],)


@pytest.mark.parametrize(
    ("field_type", "config", "values", "shown"),
    [
        ("select", {"options": ["yes", "no"]}, {"text": "no"}, "no"),
        ("text", {}, {"text": "Great sauce"}, "Great sauce"),
        ("boolean", {}, {"boolean": False}, "false"),
    ],
)
def test_readable_view_shows_each_type_as_text(
    postgresql: psycopg.Connection,
    field_type: str,
    config: Any,
    values: dict[str, Any],
    shown: str,
) -> None:
    list_id = create_list(postgresql)
    video_id = create_video(postgresql, list_id=list_id)
    field_id = create_field(postgresql, list_id=list_id, field_type=field_type, config=config)
    set_value(postgresql, video_id=video_id, field_id=field_id, **values)
    row = postgresql.execute("SELECT field_type::text, value FROM video_field_values_readable")
    assert row.fetchone() == (field_type, shown)


def test_the_latest_migration_rolls_back_and_reapplies_with_data(database_url: str) -> None:
    with psycopg.connect(database_url) as conn:
        full = create_full_list(conn)
    schema = catalog_snapshot(database_url)
    values = "SELECT video_id, field_id, value_numeric, updated_at FROM video_field_values"
    with psycopg.connect(database_url) as conn:
        before = conn.execute(values).fetchall()

    assert migrate.rollback(database_url) == [LATEST]
    assert migrate.apply(database_url) == [LATEST]

    def by_name(snapshot: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
        # A column dropped and added again gets a new attnum; compare columns by name.
        return {**snapshot, "columns": sorted((c[0], *c[2:]) for c in snapshot["columns"])}

    assert by_name(catalog_snapshot(database_url)) == by_name(schema)
    with psycopg.connect(database_url) as conn:
        assert conn.execute(values).fetchall() == before  # updated_at did not move
        assert conn.execute(
            """SELECT count(*) FROM video_field_values AS fv JOIN videos AS v ON v.id = fv.video_id
               WHERE fv.video_created_at = v.created_at AND v.id = %s""",
            [full.video_id],
        ).fetchone() == (1,)


def _rows(conn: psycopg.Connection) -> dict[str, int]:
    tables = ("bookmark_lists", "videos", "custom_fields", "video_field_values", "video_tags")
    counts = {}
    for table in tables:  # fixed names, not input
        row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
        assert row is not None
        counts[table] = row[0]
    return counts


def test_a_new_field_type_rolls_back_and_reapplies_keeping_existing_data(
    database_url: str,
) -> None:
    # Types arrive as an enum label (a migration of its own) and then their rules; PostgreSQL
    # cannot drop a label, so a rollback keeps it and custom_fields_known_type refuses it.
    since_number = MIGRATIONS[MIGRATIONS.index("0006_field_type_number") :]
    with psycopg.connect(database_url, autocommit=True) as conn:
        create_full_list(conn)
        before = _rows(conn)
    assert migrate.rollback(database_url, count=len(since_number)) == since_number[::-1]
    with psycopg.connect(database_url, autocommit=True) as conn:
        assert _rows(conn) == before
        with pytest.raises(psycopg.errors.CheckViolation, match="custom_fields_known_type"):
            conn.execute(
                "INSERT INTO custom_fields (list_id, name, field_type)"
                " SELECT id, 'n', 'number' FROM bookmark_lists LIMIT 1"
            )
    assert migrate.apply(database_url) == since_number
    with psycopg.connect(database_url, autocommit=True) as conn:
        assert _rows(conn) == before
        conn.execute(
            "INSERT INTO custom_fields (list_id, name, field_type)"
            " SELECT id, 'n', 'number' FROM bookmark_lists LIMIT 1"
        )
    # With a field of the type stored, the rollback of its rules is refused, and they stay.
    with pytest.raises(psycopg.Error, match="number fields exist"):
        migrate.rollback(database_url, count=len(since_number))
    up_to_number = MIGRATIONS[: MIGRATIONS.index("0007_number_fields") + 1]
    assert set(up_to_number) <= set(applied_migrations(database_url))


def test_a_rollback_that_one_migration_refuses_rolls_nothing_back(database_url: str) -> None:
    # One at a time, rollback-all undid 0050 .. 0010 before 0009 refused: the lists had lost
    # their owners (0015) by then, and the running app its schema (newcomer probe).
    with psycopg.connect(database_url, autocommit=True) as conn:
        list_id = create_list(conn)
        create_field(conn, list_id=list_id, field_type="url")
        before = catalog_snapshot(database_url)
    with pytest.raises(psycopg.Error, match="date or url fields exist"):
        migrate.rollback(database_url, count=None)
    assert applied_migrations(database_url) == MIGRATIONS
    assert catalog_snapshot(database_url) == before


def test_value_sums_are_filled_in_for_the_values_already_kept(database_url: str) -> None:
    # 0022 keeps each number field's sum beside its counts; values written before it get theirs
    # from the migration, spread over several slots as concurrent writers leave them.
    assert migrate.rollback(database_url, count=MIGRATIONS[::-1].index("0022_value_sums") + 1)
    with psycopg.connect(database_url, autocommit=True) as conn:
        # A second writer whose counts land in another slot (pg_backend_pid() % 16).
        others = [psycopg.connect(database_url, autocommit=True)]
        while others[-1].info.backend_pid % 16 == conn.info.backend_pid % 16:
            others.append(psycopg.connect(database_url, autocommit=True))
        list_id = create_list(conn)
        number = create_field(conn, list_id=list_id, field_type="number")
        rating = create_field(conn, list_id=list_id, field_type="rating")
        for writer, amount in ((conn, "1.5"), (others[-1], "-3"), (conn, "40")):
            video = create_video(writer, list_id=list_id)
            set_value(writer, video_id=video, field_id=number, numeric=Decimal(amount))
            set_value(writer, video_id=video, field_id=rating, numeric=Decimal(4))
        for other in others:
            other.close()
        slots = conn.execute(
            "SELECT count(*) FROM field_value_counts WHERE field_id = %s", [number]
        ).fetchone()
        assert slots == (2,)
    migrate.apply(database_url)
    with psycopg.connect(database_url) as conn:
        sums = conn.execute(
            "SELECT field_id, sum(sum_numeric), sum(count) FROM field_value_counts"
            " WHERE list_id = %s GROUP BY 1",
            [list_id],
        ).fetchall()
    assert sorted(sums) == sorted([(number, Decimal("38.5"), 3), (rating, Decimal(0), 3)])


def test_config_integers_written_as_decimals_are_rewritten_as_integers(database_url: str) -> None:
    # Before 0037, {"max_length": 10.0} passed the config rule and then broke every value
    # rule that read it as an integer; 0037 writes it as 10 and refuses 10.0 from then on.
    since_0037 = MIGRATIONS[MIGRATIONS.index("0037_values_as_clients_write_them") :]
    assert migrate.rollback(database_url, count=len(since_0037)) == since_0037[::-1]
    with psycopg.connect(database_url, autocommit=True) as conn:
        list_id = create_list(conn)
        text = create_field(conn, list_id=list_id, field_type="text", config={"max_length": 10.0})
        rating = create_field(conn, list_id=list_id, config={"max_rating": 5.0})
    assert migrate.apply(database_url) == since_0037
    with psycopg.connect(database_url, autocommit=True) as conn:
        configs = conn.execute(
            "SELECT id, config::text FROM custom_fields WHERE list_id = %s", [list_id]
        ).fetchall()
        expected = [(text, '{"max_length": 10}'), (rating, '{"max_rating": 5}')]
        assert sorted(configs) == sorted(expected)
        video_id = create_video(conn, list_id=list_id)
        set_value(conn, video_id=video_id, field_id=text, text="abc")
        with pytest.raises(psycopg.errors.CheckViolation, match="custom_fields_text_config"):
            conn.execute(
                "UPDATE custom_fields SET config = '{\"max_length\": 20.0}' WHERE id = %s", [text]
            )


def test_option_sets_numbered_from_another_index_are_renumbered(database_url: str) -> None:
    # Before 0046, '[0:0]={x}' passed the multi_select rule and sorted out of place (its
    # value_options[1] is NULL); 0046 renumbers such sets from 1 and refuses them from then on.
    since_0046 = MIGRATIONS[MIGRATIONS.index("0046_option_sets_numbered_from_one") :]
    assert migrate.rollback(database_url, count=len(since_0046)) == since_0046[::-1]
    with psycopg.connect(database_url, autocommit=True) as conn:
        list_id = create_list(conn)
        topics = create_field(
            conn, list_id=list_id, field_type="multi_select", config={"options": ["a", "b"]}
        )
        video_id = create_video(conn, list_id=list_id)
        conn.execute(
            "INSERT INTO video_field_values (video_id, field_id, value_options)"
            " VALUES (%s, %s, '[0:1]={b,a}')",
            [video_id, topics],
        )
    assert migrate.apply(database_url) == since_0046
    with psycopg.connect(database_url, autocommit=True) as conn:
        stored = conn.execute(
            "SELECT value_options, array_lower(value_options, 1), value_options[1]"
            " FROM video_field_values WHERE field_id = %s",
            [topics],
        ).fetchall()
        assert stored == [(["b", "a"], 1, "b")]
        with pytest.raises(psycopg.errors.CheckViolation, match="video_field_values_options_shape"):
            conn.execute(
                "UPDATE video_field_values SET value_options = '[0:0]={a}' WHERE field_id = %s",
                [topics],
            )
