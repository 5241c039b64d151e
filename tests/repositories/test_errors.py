"""Database errors become domain errors: each mapped constraint or rule, raised by the real
schema, translates to the right error; anything unexpected is left alone."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import asyncpg
import pytest

from app.db import errors
from app.db.errors import translate
from app.db.execute import execute, transaction
from app.db.queries import Query
from app.errors import Conflict, DomainError, InvalidValue, NotFound, Unavailable
from app.models.lists import BookmarkList
from tests.repositories.conftest import Builder


@dataclass
class World:
    list: uuid.UUID
    other_list: uuid.UUID
    video: uuid.UUID
    rating: uuid.UUID  # max_rating 5
    choice: uuid.UUID  # options good, ok, bad
    text: uuid.UUID  # max_length 5
    url: uuid.UUID
    tags: uuid.UUID  # multi_select
    day: uuid.UUID  # date
    schema: uuid.UUID
    tag: uuid.UUID
    foreign_video: uuid.UUID
    foreign_field: uuid.UUID
    foreign_schema: uuid.UUID
    foreign_tag: uuid.UUID


@pytest.fixture
async def world(make: Builder, bl: BookmarkList, other_list: BookmarkList) -> World:
    schema = await make.schema(bl.id)
    return World(
        list=bl.id,
        other_list=other_list.id,
        video=(await make.video(bl.id)).id,
        rating=(await make.field(bl.id, "rating", name="Stars")).id,
        choice=(await make.field(bl.id, "select", name="Choice")).id,
        text=(await make.field(bl.id, "text", name="Note", config={"max_length": 5})).id,
        url=(await make.field(bl.id, "url", name="Link")).id,
        tags=(await make.field(bl.id, "multi_select", name="Tags")).id,
        day=(await make.field(bl.id, "date", name="Day")).id,
        schema=schema.id,
        tag=(await make.tag(bl.id, schema_id=schema.id)).id,
        foreign_video=(await make.video(other_list.id)).id,
        foreign_field=(await make.field(other_list.id)).id,
        foreign_schema=(await make.schema(other_list.id)).id,
        foreign_tag=(await make.tag(other_list.id)).id,
    )


async def raised(conn: asyncpg.Connection, sql: str, *args: object) -> DomainError | None:
    """What translate makes of the error a statement raises (inside a savepoint)."""
    with pytest.raises(asyncpg.PostgresError) as info:
        async with conn.transaction():
            await conn.execute(sql, *args)
    return translate(info.value)


MISSING = uuid.UUID("00000000-0000-4000-8000-000000000001")

# (constraint, statement, its arguments from the world, resource, the id NotFound names)
NOT_FOUND: list[tuple[str, str, Callable[[World], tuple[object, ...]], str, object]] = [
    (
        "videos_list_id_fkey",
        "INSERT INTO videos (list_id, youtube_id, title) VALUES ($1, 'abc', 't')",
        lambda w: (MISSING,),
        "list",
        MISSING,
    ),
    (
        "custom_fields_list_id_fkey",
        "INSERT INTO custom_fields (list_id, name, field_type) VALUES ($1, 'f', 'boolean')",
        lambda w: (MISSING,),
        "list",
        MISSING,
    ),
    (
        "field_schemas_list_id_fkey",
        "INSERT INTO field_schemas (list_id, name) VALUES ($1, 's')",
        lambda w: (MISSING,),
        "list",
        MISSING,
    ),
    (
        "tags_list_id_fkey",
        "INSERT INTO tags (list_id, name) VALUES ($1, 't')",
        lambda w: (MISSING,),
        "list",
        MISSING,
    ),
    (
        "video_field_values_video_fkey",
        "INSERT INTO video_field_values (list_id, video_id, field_id, field_type, value_numeric)"
        " VALUES ($1, $2, $3, 'rating', 1)",
        lambda w: (w.list, w.foreign_video, w.rating),
        "video",
        "foreign_video",
    ),
    (
        "video_field_values_field_fkey",  # by the fill-in trigger: no such field at all
        "INSERT INTO video_field_values (video_id, field_id, value_numeric) VALUES ($1, $2, 1)",
        lambda w: (w.video, MISSING),
        "custom field",
        None,
    ),
    (
        "video_field_values_field_fkey",  # by the foreign key: a field of another list
        "INSERT INTO video_field_values (list_id, video_id, field_id, field_type, value_numeric)"
        " VALUES ($1, $2, $3, 'rating', 1)",
        lambda w: (w.list, w.video, w.foreign_field),
        "custom field",
        "foreign_field",
    ),
    (
        "schema_fields_schema_fkey",
        "INSERT INTO schema_fields (schema_id, field_id) VALUES ($1, $2)",
        lambda w: (MISSING, w.rating),
        "field schema",
        None,
    ),
    (
        "schema_fields_field_fkey",
        "INSERT INTO schema_fields (schema_id, field_id) VALUES ($1, $2)",
        lambda w: (w.schema, w.foreign_field),
        "custom field",
        "foreign_field",
    ),
    (
        "tags_schema_fkey",
        "INSERT INTO tags (list_id, name, schema_id) VALUES ($1, 'x', $2)",
        lambda w: (w.list, w.foreign_schema),
        "field schema",
        "foreign_schema",
    ),
    (
        "video_tags_video_fkey",
        "INSERT INTO video_tags (video_id, tag_id) VALUES ($1, $2)",
        lambda w: (MISSING, w.tag),
        "video",
        None,
    ),
    (
        "video_tags_tag_fkey",
        "INSERT INTO video_tags (video_id, tag_id) VALUES ($1, $2)",
        lambda w: (w.video, w.foreign_tag),
        "tag",
        "foreign_tag",
    ),
    (
        "bookmark_lists_deleted",  # a row attaching to a list that is being purged
        "WITH gone AS (UPDATE bookmark_lists SET deleted_at = now() WHERE id = $1 RETURNING id)"
        " INSERT INTO tags (list_id, name) SELECT id, 'x' FROM gone",
        lambda w: (w.other_list,),
        "list",
        "other_list",
    ),
    (
        "custom_fields_deleted",  # a value of a field that is being purged
        "WITH gone AS (UPDATE custom_fields SET deleted_at = now() WHERE id = $2 RETURNING id)"
        " INSERT INTO video_field_values (video_id, field_id, value_numeric)"
        " SELECT $1, id, 1 FROM gone",
        lambda w: (w.video, w.rating),
        "custom field",
        "rating",
    ),
]


@pytest.mark.parametrize(
    ("constraint", "sql", "args", "resource", "named"),
    NOT_FOUND,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(NOT_FOUND)],
)
async def test_a_missing_or_foreign_reference_is_not_found(
    conn: asyncpg.Connection,
    world: World,
    constraint: str,
    sql: str,
    args: Callable[[World], tuple[object, ...]],
    resource: str,
    named: object,
) -> None:
    error = await raised(conn, sql, *args(world))
    assert isinstance(error, NotFound)
    assert error.resource == resource
    expected_id = getattr(world, named) if isinstance(named, str) else named
    assert error.resource_id == expected_id


def test_every_mapped_foreign_key_is_tested() -> None:
    assert {c[0] for c in NOT_FOUND} == set(errors._MISSING)


DUPLICATES = [
    (
        "videos_youtube_id_unique",
        "INSERT INTO videos (list_id, youtube_id, title) VALUES ($1, $2, 't')",
    ),
    (
        "custom_fields_name_unique",
        "INSERT INTO custom_fields (list_id, name, field_type) VALUES ($1, $2, 'boolean')",
    ),
    ("field_schemas_name_unique", "INSERT INTO field_schemas (list_id, name) VALUES ($1, $2)"),
    ("tags_name_unique", "INSERT INTO tags (list_id, name) VALUES ($1, $2)"),
]


@pytest.mark.parametrize(("constraint", "sql"), DUPLICATES)
async def test_a_duplicate_is_a_conflict(
    conn: asyncpg.Connection, bl: BookmarkList, constraint: str, sql: str
) -> None:
    await conn.execute(sql, bl.id, "Same")
    error = await raised(conn, sql, bl.id, "Same")
    assert isinstance(error, Conflict) and error.rule == constraint
    assert error.message == errors._DUPLICATES[constraint]


def test_every_mapped_duplicate_is_tested() -> None:
    assert {c for c, _ in DUPLICATES} == set(errors._DUPLICATES)


async def test_a_field_twice_in_a_schema_is_invalid(conn: asyncpg.Connection, world: World) -> None:
    sql = "INSERT INTO schema_fields (schema_id, field_id) VALUES ($1, $2)"
    await conn.execute(sql, world.schema, world.rating)
    error = await raised(conn, sql, world.schema, world.rating)
    assert isinstance(error, InvalidValue) and error.problems[0].rule == "schema_fields_pkey"


FIELD_VALUE = (
    "INSERT INTO video_field_values (video_id, field_id, value_text, value_numeric, value_boolean)"
    " VALUES ($1, $2, $3, $4, $5)"
)

# (constraint, statement, arguments from the world)
CHECKS: list[tuple[str, str, Callable[[World], tuple[object, ...]]]] = [
    (
        "bookmark_lists_name",
        "INSERT INTO bookmark_lists (owner, name) VALUES ('alice', ' ')",
        lambda w: (),
    ),
    (
        "bookmark_lists_description_length",
        "INSERT INTO bookmark_lists (owner, name, description)"
        " VALUES ('alice', 'n', repeat('d', 2001))",
        lambda w: (),
    ),
    (
        "videos_youtube_id_format",
        "INSERT INTO videos (list_id, youtube_id, title) VALUES ($1, 'no spaces', 't')",
        lambda w: (w.list,),
    ),
    (
        "videos_title",
        "INSERT INTO videos (list_id, youtube_id, title) VALUES ($1, 'abc', E'\\t')",
        lambda w: (w.list,),
    ),
    (
        "custom_fields_name",
        "INSERT INTO custom_fields (list_id, name, field_type) VALUES ($1, '', 'boolean')",
        lambda w: (w.list,),
    ),
    (
        "custom_fields_config_is_object",
        "INSERT INTO custom_fields (list_id, name, field_type, config)"
        " VALUES ($1, 'f', 'text', '[]')",
        lambda w: (w.list,),
    ),
    (
        "custom_fields_rating_config",
        "INSERT INTO custom_fields (list_id, name, field_type) VALUES ($1, 'f', 'rating')",
        lambda w: (w.list,),
    ),
    (
        "custom_fields_select_config",
        "INSERT INTO custom_fields (list_id, name, field_type) VALUES ($1, 'f', 'select')",
        lambda w: (w.list,),
    ),
    (
        "custom_fields_text_config",
        "INSERT INTO custom_fields (list_id, name, field_type, config)"
        " VALUES ($1, 'f', 'text', '{\"max_length\": 0}')",
        lambda w: (w.list,),
    ),
    (
        "custom_fields_number_config",
        "INSERT INTO custom_fields (list_id, name, field_type, config)"
        " VALUES ($1, 'f', 'number', '{\"min\": 2, \"max\": 1}')",
        lambda w: (w.list,),
    ),
    (
        "custom_fields_date_config",
        "INSERT INTO custom_fields (list_id, name, field_type, config)"
        " VALUES ($1, 'f', 'date', '{\"min\": \"2024-02-30\"}')",
        lambda w: (w.list,),
    ),
    (
        "custom_fields_url_config",
        "INSERT INTO custom_fields (list_id, name, field_type, config)"
        " VALUES ($1, 'f', 'url', '{\"a\": 1}')",
        lambda w: (w.list,),
    ),
    (
        "custom_fields_multi_select_config",
        "INSERT INTO custom_fields (list_id, name, field_type, config)"
        " VALUES ($1, 'f', 'multi_select', '{\"options\": []}')",
        lambda w: (w.list,),
    ),
    (
        "custom_fields_boolean_config",
        "INSERT INTO custom_fields (list_id, name, field_type, config)"
        " VALUES ($1, 'f', 'boolean', '{\"a\": 1}')",
        lambda w: (w.list,),
    ),
    (
        "field_schemas_name",
        "INSERT INTO field_schemas (list_id, name) VALUES ($1, ' ')",
        lambda w: (w.list,),
    ),
    (
        "field_schemas_description_length",
        "INSERT INTO field_schemas (list_id, name, description)"
        " VALUES ($1, 's', repeat('d', 2001))",
        lambda w: (w.list,),
    ),
    (
        "schema_fields_display_order",
        "INSERT INTO schema_fields (schema_id, field_id, display_order) VALUES ($1, $2, -1)",
        lambda w: (w.schema, w.rating),
    ),
    ("tags_name", "INSERT INTO tags (list_id, name) VALUES ($1, '')", lambda w: (w.list,)),
    (
        "video_field_values_exactly_one_value",
        FIELD_VALUE,
        lambda w: (w.video, w.choice, "good", 1, None),
    ),
    (
        "video_field_values_value_matches_type",
        FIELD_VALUE,
        lambda w: (w.video, w.rating, "5", None, None),
    ),
    (
        "video_field_values_text_not_empty",
        FIELD_VALUE,
        lambda w: (w.video, w.text, "  ", None, None),
    ),
    (
        "video_field_values_text_size",
        FIELD_VALUE,
        lambda w: (w.video, w.choice, "é" * 1001, None, None),
    ),
    (
        "video_field_values_rating_in_range",
        FIELD_VALUE,
        lambda w: (w.video, w.rating, None, -1, None),
    ),
    (
        "video_field_values_date_range",
        "INSERT INTO video_field_values (video_id, field_id, value_date)"
        " VALUES ($1, $2, 'infinity')",
        lambda w: (w.video, w.day),
    ),
    (
        "video_field_values_numeric_precision",
        FIELD_VALUE,
        lambda w: (w.video, w.rating, None, Decimal("3.0000000000000001"), None),
    ),
    (
        "video_field_values_options_shape",
        "INSERT INTO video_field_values (video_id, field_id, value_options)"
        " VALUES ($1, $2, ARRAY[]::text[])",
        lambda w: (w.video, w.tags),
    ),
    (
        "video_field_values_url_format",
        FIELD_VALUE,
        lambda w: (w.video, w.url, "www.example.com", None, None),
    ),
]


@pytest.mark.parametrize(("constraint", "sql", "args"), CHECKS, ids=[c[0] for c in CHECKS])
async def test_a_broken_check_is_invalid_with_its_sentence(
    conn: asyncpg.Connection,
    world: World,
    constraint: str,
    sql: str,
    args: Callable[[World], tuple[object, ...]],
) -> None:
    error = await raised(conn, sql, *args(world))
    assert isinstance(error, InvalidValue)
    [problem] = error.problems
    assert (problem.rule, problem.message) == (constraint, errors._CHECK_MESSAGES[constraint])


def test_every_check_sentence_is_tested() -> None:
    assert {c[0] for c in CHECKS} == set(errors._CHECK_MESSAGES)


# Rules checked by the statement trigger against the field's config: the sentence comes from
# the database and names the field; field_id and video_id come from the error's detail.
TRIGGER_RULES = [
    (
        "video_field_values_rating_in_range",
        "rating",
        (None, 6, None),
        'rating 6 for field "Stars" is outside 0..5',
    ),
    (
        "video_field_values_select_option",
        "choice",
        ("nope", None, None),
        'field "Choice" is not one of its options',
    ),
    (
        "video_field_values_text_length",
        "text",
        ("too long", None, None),
        'text for field "Note" is 8 characters long',
    ),
]


@pytest.mark.parametrize(("rule", "field", "value", "sentence"), TRIGGER_RULES)
async def test_a_value_breaking_its_fields_config_names_the_rule_field_and_video(
    conn: asyncpg.Connection,
    world: World,
    rule: str,
    field: str,
    value: tuple[object, ...],
    sentence: str,
) -> None:
    field_id = getattr(world, field)
    error = await raised(conn, FIELD_VALUE, world.video, field_id, *value)
    assert isinstance(error, InvalidValue)
    [problem] = error.problems
    assert (problem.rule, problem.field_id, problem.video_id) == (rule, field_id, world.video)
    assert sentence in problem.message and not problem.message.startswith("rule ")


async def test_a_type_change_with_values_is_a_conflict(
    conn: asyncpg.Connection, world: World
) -> None:
    await conn.execute(FIELD_VALUE, world.video, world.rating, None, 3, None)
    error = await raised(
        conn,
        "UPDATE custom_fields SET field_type = 'boolean', config = '{}' WHERE id = $1",
        world.rating,
    )
    assert isinstance(error, Conflict) and error.rule == "custom_fields_type_change_with_values"
    assert error.message.startswith('field "Stars" has values')


async def test_a_config_change_breaking_values_is_a_conflict(
    conn: asyncpg.Connection, world: World
) -> None:
    await conn.execute(FIELD_VALUE, world.video, world.rating, None, 5, None)
    error = await raised(
        conn, "UPDATE custom_fields SET config = '{\"max_rating\": 3}' WHERE id = $1", world.rating
    )
    assert isinstance(error, Conflict) and error.rule == "custom_fields_config_breaks_values"
    assert "rating 5" in error.message


async def test_a_missing_required_column(conn: asyncpg.Connection) -> None:
    error = await raised(conn, "INSERT INTO bookmark_lists (owner, name) VALUES ('alice', NULL)")
    assert isinstance(error, InvalidValue) and error.problems[0].rule == "name_required"


async def test_a_key_twice_in_one_upsert(conn: asyncpg.Connection, world: World) -> None:
    error = await raised(
        conn,
        "INSERT INTO video_field_values (video_id, field_id, value_numeric)"
        " SELECT $1, $2, n FROM generate_series(1, 2) AS n"
        " ON CONFLICT (video_id, field_id, list_id)"
        " DO UPDATE SET value_numeric = excluded.value_numeric",
        world.video,
        world.rating,
    )
    assert isinstance(error, InvalidValue) and error.problems[0].rule == "batch_duplicate_key"


async def test_a_data_error(conn: asyncpg.Connection) -> None:
    error = await raised(conn, "SELECT 'colour'::field_type")
    assert isinstance(error, InvalidValue) and error.problems[0].rule == "invalid_value"


async def test_a_statement_timeout_is_unavailable(conn: asyncpg.Connection) -> None:
    with pytest.raises(asyncpg.PostgresError) as info:
        async with conn.transaction():
            await conn.execute("SET LOCAL statement_timeout = 10")
            await conn.execute("SELECT pg_sleep(1)")
    assert isinstance(translate(info.value), Unavailable)


@pytest.mark.parametrize(
    "exc",
    [
        asyncpg.DeadlockDetectedError("deadlock"),
        asyncpg.SerializationError("serialization"),
        asyncpg.TooManyConnectionsError("too many"),
        asyncpg.AdminShutdownError("shutdown"),
        asyncpg.InterfaceError("closed"),
        ConnectionRefusedError(),
        TimeoutError(),
    ],
)
def test_an_unreachable_or_busy_database_is_unavailable(exc: BaseException) -> None:
    assert isinstance(translate(exc), Unavailable)


async def test_an_unexpected_error_is_left_alone(conn: asyncpg.Connection) -> None:
    assert await raised(conn, "SELECT no_such_column FROM videos") is None
    assert translate(ValueError("a bug")) is None
    assert translate(asyncpg.UniqueViolationError("unknown constraint")) is None
    bug = Query("tests", "bug", "A broken statement.", "SELECT FROM no_such_table")
    with pytest.raises(asyncpg.UndefinedTableError):
        await execute(conn, bug)


async def test_execute_and_transaction_raise_domain_errors(
    conn: asyncpg.Connection, make: Builder
) -> None:
    bad = Query(
        "tests",
        "bad",
        "A refused insert.",
        "INSERT INTO bookmark_lists (owner, name) VALUES ('alice', '')",
    )
    with pytest.raises(InvalidValue) as info:
        await execute(conn, bad)
    assert isinstance(info.value.__cause__, asyncpg.CheckViolationError)
    # A refusal inside a unit of work rolls the whole unit back.
    good = Query(
        "tests",
        "good",
        "An insert.",
        "INSERT INTO bookmark_lists (owner, name) VALUES ('alice', 'ok')",
    )
    with pytest.raises(InvalidValue):
        async with transaction(conn):
            await execute(conn, good)
            await execute(conn, bad)
    assert await make.count("bookmark_lists") == 0
