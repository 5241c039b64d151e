"""The rules on video_field_values (and the same-list rules of the other link tables),
exercised through raw SQL as a psql user would type it."""

import random
import re
import string
import time
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from psycopg import errors, sql
from psycopg.types.json import Jsonb

from tests.db.factories import (
    DEFAULT_CONFIGS,
    add_schema_field,
    count,
    create_field,
    create_list,
    create_schema,
    create_tag,
    create_video,
    refused,
    set_value,
    tag_video,
)


@dataclass
class World:
    """One list with a video and one field of each type, plus a second list with the same."""

    list_id: uuid.UUID
    video_id: uuid.UUID
    fields: dict[str, uuid.UUID]
    other_list_id: uuid.UUID
    other_video_id: uuid.UUID
    other_fields: dict[str, uuid.UUID]


def build_list(conn: psycopg.Connection) -> tuple[uuid.UUID, uuid.UUID, dict[str, uuid.UUID]]:
    list_id = create_list(conn)
    video_id = create_video(conn, list_id=list_id)
    fields = {
        "rating": create_field(conn, list_id=list_id, field_type="rating"),
        "select": create_field(conn, list_id=list_id, field_type="select"),
        "text": create_field(conn, list_id=list_id, field_type="text", config={"max_length": 10}),
        "free_text": create_field(conn, list_id=list_id, field_type="text"),
        "boolean": create_field(conn, list_id=list_id, field_type="boolean"),
        "number": create_field(conn, list_id=list_id, field_type="number"),  # -100..1000, 2 dp
        "date": create_field(conn, list_id=list_id, field_type="date"),  # 2000..2030
        "url": create_field(conn, list_id=list_id, field_type="url"),
        # options good, ok, bad; at most 2
        "multi_select": create_field(conn, list_id=list_id, field_type="multi_select"),
    }
    return list_id, video_id, fields


@pytest.fixture
def world(postgresql: psycopg.Connection) -> World:
    return World(*build_list(postgresql), *build_list(postgresql))


def stored_values(conn: psycopg.Connection) -> int:
    return count(conn, "video_field_values")


# A valid value for each field of `world`, as (value_numeric, value_text, value_boolean).
VALID = {
    "rating": (Decimal(3), None, None),
    "select": (None, "good", None),
    "text": (None, "short", None),
    "free_text": (None, "no limit", None),
    "boolean": (None, None, True),
    "number": (Decimal("-12.5"), None, None),
    "date": (None, None, None, date(2024, 2, 29)),
    "url": (None, "https://example.com/watch?v=1", None),
    "multi_select": (None, None, None, None, ["good", "bad"]),
}


def insert_value(
    conn: psycopg.Connection,
    *,
    video_id: uuid.UUID,
    field_id: uuid.UUID,
    values: tuple[Any, ...],
) -> None:
    """values: (value_numeric, value_text, value_boolean[, value_date[, value_options]])."""
    numeric, text, boolean, *rest = values
    day, options = [*rest, None, None][:2]
    set_value(
        conn,
        video_id=video_id,
        field_id=field_id,
        numeric=numeric,
        text=text,
        boolean=boolean,
        day=day,
        options=options,
    )


# ------------------------------------------------------------------------------------------------
# Rule 1: exactly one value column
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "values"),
    [
        pytest.param("rating", (None, None, None), id="none"),
        pytest.param("rating", (Decimal(3), "3", None), id="numeric-and-text"),
        pytest.param("boolean", (None, "yes", True), id="boolean-and-text"),
        pytest.param("rating", (Decimal(3), None, False), id="numeric-and-boolean"),
        pytest.param("select", (Decimal(1), "good", True), id="all-three"),
        pytest.param("date", (None, None, None, None), id="date-none"),
        pytest.param("date", (None, "x", None, date(2024, 1, 1)), id="date-and-text"),
    ],
)
def test_value_needs_exactly_one_column(
    postgresql: psycopg.Connection, world: World, field: str, values: tuple[Any, Any, Any]
) -> None:
    with refused(postgresql, errors.CheckViolation, "video_field_values_exactly_one_value"):
        insert_value(
            postgresql, video_id=world.video_id, field_id=world.fields[field], values=values
        )
    assert stored_values(postgresql) == 0


@pytest.mark.parametrize("field", sorted(VALID))
def test_one_value_in_the_right_column_is_stored(
    postgresql: psycopg.Connection, world: World, field: str
) -> None:
    insert_value(
        postgresql, video_id=world.video_id, field_id=world.fields[field], values=VALID[field]
    )
    assert stored_values(postgresql) == 1


# ------------------------------------------------------------------------------------------------
# Rule 2: the column matches the field type
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "values"),
    [
        pytest.param("rating", (None, "4", None), id="rating-as-text"),
        pytest.param("rating", (None, None, True), id="rating-as-boolean"),
        pytest.param("select", (Decimal(1), None, None), id="select-as-numeric"),
        pytest.param("select", (None, None, False), id="select-as-boolean"),
        pytest.param("text", (Decimal(1), None, None), id="text-as-numeric"),
        pytest.param("boolean", (None, "true", None), id="boolean-as-text"),
        pytest.param("boolean", (Decimal(1), None, None), id="boolean-as-numeric"),
        pytest.param("number", (None, "4", None), id="number-as-text"),
        pytest.param("number", (None, None, True), id="number-as-boolean"),
        pytest.param("date", (None, "2024-01-01", None), id="date-as-text"),
        pytest.param("rating", (None, None, None, date(2024, 1, 1)), id="rating-as-date"),
        pytest.param("url", (None, None, None, date(2024, 1, 1)), id="url-as-date"),
        pytest.param("multi_select", (None, "good", None), id="multi-select-as-text"),
        pytest.param("select", (None, None, None, None, ["good"]), id="select-as-options"),
    ],
)
def test_value_column_must_match_field_type(
    postgresql: psycopg.Connection, world: World, field: str, values: tuple[Any, Any, Any]
) -> None:
    with refused(postgresql, errors.CheckViolation, "video_field_values_value_matches_type"):
        insert_value(
            postgresql, video_id=world.video_id, field_id=world.fields[field], values=values
        )


def test_field_type_given_explicitly_must_be_the_fields_type(
    postgresql: psycopg.Connection, world: World
) -> None:
    with refused(postgresql, errors.ForeignKeyViolation, "video_field_values_field_fkey"):
        postgresql.execute(
            "INSERT INTO video_field_values (video_id, field_id, list_id, field_type, value_text)"
            " VALUES (%s, %s, %s, 'text', 'five')",
            [world.video_id, world.fields["rating"], world.list_id],
        )


def test_value_row_cannot_switch_to_another_type(
    postgresql: psycopg.Connection, world: World
) -> None:
    set_value(postgresql, video_id=world.video_id, field_id=world.fields["rating"], numeric=3)
    with refused(postgresql, errors.ForeignKeyViolation, "video_field_values_field_fkey"):
        postgresql.execute(
            "UPDATE video_field_values"
            " SET field_type = 'text', value_text = 'three', value_numeric = NULL"
        )


# ------------------------------------------------------------------------------------------------
# Rule 3: everything linked lives in one list
# ------------------------------------------------------------------------------------------------


def test_value_for_video_of_another_list_is_refused(
    postgresql: psycopg.Connection, world: World
) -> None:
    # The short form takes list_id from the field, so the video is the one out of place.
    with refused(postgresql, errors.ForeignKeyViolation, "video_field_values_video_fkey"):
        set_value(
            postgresql, video_id=world.other_video_id, field_id=world.fields["rating"], numeric=3
        )


def test_value_for_field_of_another_list_is_refused(
    postgresql: psycopg.Connection, world: World
) -> None:
    with refused(postgresql, errors.ForeignKeyViolation, "video_field_values_field_fkey"):
        postgresql.execute(
            "INSERT INTO video_field_values"
            " (video_id, field_id, list_id, field_type, value_numeric)"
            " VALUES (%s, %s, %s, 'rating', 3)",
            [world.video_id, world.other_fields["rating"], world.list_id],
        )


def test_value_cannot_be_moved_to_field_of_another_list(
    postgresql: psycopg.Connection, world: World
) -> None:
    set_value(postgresql, video_id=world.video_id, field_id=world.fields["rating"], numeric=3)
    with refused(postgresql, errors.ForeignKeyViolation, "video_field_values_field_fkey"):
        postgresql.execute(
            "UPDATE video_field_values SET field_id = %s", [world.other_fields["rating"]]
        )


def test_video_with_values_cannot_move_to_another_list(
    postgresql: psycopg.Connection, world: World
) -> None:
    set_value(postgresql, video_id=world.video_id, field_id=world.fields["rating"], numeric=3)
    # Refused by its own rule since 0051 (by its values' key before, which left one without).
    with refused(postgresql, errors.CheckViolation, "videos_list_fixed"):
        postgresql.execute(
            "UPDATE videos SET list_id = %s WHERE id = %s", [world.other_list_id, world.video_id]
        )


def test_schema_field_from_another_list_is_refused(
    postgresql: psycopg.Connection, world: World
) -> None:
    schema_id = create_schema(postgresql, list_id=world.list_id)
    with refused(postgresql, errors.ForeignKeyViolation, "schema_fields_field_fkey"):
        add_schema_field(postgresql, schema_id=schema_id, field_id=world.other_fields["rating"])


def test_schema_field_with_explicit_list_of_the_field_is_refused(
    postgresql: psycopg.Connection, world: World
) -> None:
    schema_id = create_schema(postgresql, list_id=world.list_id)
    with refused(postgresql, errors.ForeignKeyViolation, "schema_fields_schema_fkey"):
        postgresql.execute(
            "INSERT INTO schema_fields (schema_id, field_id, list_id) VALUES (%s, %s, %s)",
            [schema_id, world.other_fields["rating"], world.other_list_id],
        )


def test_tag_cannot_point_at_schema_of_another_list(
    postgresql: psycopg.Connection, world: World
) -> None:
    other_schema_id = create_schema(postgresql, list_id=world.other_list_id)
    with refused(postgresql, errors.ForeignKeyViolation, "tags_schema_fkey"):
        create_tag(postgresql, list_id=world.list_id, schema_id=other_schema_id)


def test_video_tag_across_lists_is_refused(postgresql: psycopg.Connection, world: World) -> None:
    other_tag_id = create_tag(postgresql, list_id=world.other_list_id)
    with refused(postgresql, errors.ForeignKeyViolation, "video_tags_tag_fkey"):
        tag_video(postgresql, video_id=world.video_id, tag_id=other_tag_id)


def test_links_within_one_list_are_stored(postgresql: psycopg.Connection, world: World) -> None:
    schema_id = create_schema(postgresql, list_id=world.list_id)
    add_schema_field(postgresql, schema_id=schema_id, field_id=world.fields["rating"])
    tag_id = create_tag(postgresql, list_id=world.list_id, schema_id=schema_id)
    tag_video(postgresql, video_id=world.video_id, tag_id=tag_id)

    rows = postgresql.execute(
        "SELECT (SELECT list_id FROM schema_fields), (SELECT list_id FROM video_tags)"
    ).fetchone()
    assert rows == (world.list_id, world.list_id)


# ------------------------------------------------------------------------------------------------
# Rule 4: the value fits the field's config
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rating",
    [Decimal(-1), Decimal("-0.5")],
    ids=["minus-one", "minus-half"],
)
def test_negative_rating_is_refused(
    postgresql: psycopg.Connection, world: World, rating: Decimal
) -> None:
    with refused(postgresql, errors.CheckViolation, "video_field_values_rating_in_range"):
        set_value(
            postgresql, video_id=world.video_id, field_id=world.fields["rating"], numeric=rating
        )


@pytest.mark.parametrize(
    "rating",
    [Decimal(6), Decimal("5.01")],
    ids=["six", "just-above"],
)
def test_rating_above_max_is_refused(
    postgresql: psycopg.Connection, world: World, rating: Decimal
) -> None:
    with refused(postgresql, errors.CheckViolation, "video_field_values_rating_in_range"):
        set_value(
            postgresql, video_id=world.video_id, field_id=world.fields["rating"], numeric=rating
        )


@pytest.mark.parametrize("rating", ["0", "4.5", "5"])
def test_rating_within_range_is_stored(
    postgresql: psycopg.Connection, world: World, rating: str
) -> None:
    set_value(
        postgresql,
        video_id=world.video_id,
        field_id=world.fields["rating"],
        numeric=Decimal(rating),
    )
    row = postgresql.execute("SELECT value_numeric FROM video_field_values").fetchone()
    assert row == (Decimal(rating),)


def test_rating_message_names_field_and_range(postgresql: psycopg.Connection) -> None:
    list_id = create_list(postgresql)
    video_id = create_video(postgresql, list_id=list_id)
    field_id = create_field(postgresql, list_id=list_id, name="Overall", config={"max_rating": 5})
    with pytest.raises(errors.CheckViolation) as info:
        set_value(postgresql, video_id=video_id, field_id=field_id, numeric=7)
    assert 'rating 7 for field "Overall" is outside 0..5' in str(info.value)


@pytest.mark.parametrize(
    ("number", "rule"),
    [
        ("-100.01", "video_field_values_number_in_range"),
        ("1000.5", "video_field_values_number_in_range"),
        ("1e6", "video_field_values_number_in_range"),
        ("1.234", "video_field_values_number_decimals"),
        ("-0.001", "video_field_values_number_decimals"),
    ],
)
def test_number_outside_its_range_or_decimals_is_refused(
    postgresql: psycopg.Connection, world: World, number: str, rule: str
) -> None:
    # The field's config is {"min": -100, "max": 1000, "decimals": 2}.
    with refused(postgresql, errors.CheckViolation, rule):
        set_value(
            postgresql,
            video_id=world.video_id,
            field_id=world.fields["number"],
            numeric=Decimal(number),
        )
    assert stored_values(postgresql) == 0


NUMERIC_PRECISION = "video_field_values_numeric_precision"
# What a double holds exactly: at most 15 significant digits, 0 or within 1e-300..1e300.
DOUBLE_EXACT = [
    "123456789012345", "-98765.4321098765", "0.000123456789012345", "1200.50", "1e300",
    "-1e-300", "0",
]  # fmt: skip
# (1e301 and 1e-301 are doubles too: the bound leaves a margin below the double's own range.)
DOUBLE_INEXACT = [
    "1234567890123456", "0.1234567890123456", "123456789012345678.123456", "1e301", "1e-301",
    "-1.00000000000000001", "NaN", "Infinity", "-Infinity",
]  # fmt: skip


def set_number(postgresql: psycopg.Connection, number: str) -> None:
    """Sets `number` on a video, in a number field without a config."""
    list_id = create_list(postgresql)
    video_id = create_video(postgresql, list_id=list_id)
    field_id = create_field(postgresql, list_id=list_id, field_type="number", config={})
    set_value(postgresql, video_id=video_id, field_id=field_id, numeric=Decimal(number))


@pytest.mark.parametrize("number", DOUBLE_EXACT)
def test_a_number_a_double_holds_is_stored_and_reads_back_through_one(
    postgresql: psycopg.Connection, number: str
) -> None:
    set_number(postgresql, number)
    (stored,) = postgresql.execute("SELECT value_numeric FROM video_field_values").fetchone()
    # What a JSON client gets: the double, written shortest, is the value as stored.
    assert Decimal(repr(float(stored))) == Decimal(number)


@pytest.mark.parametrize("number", DOUBLE_INEXACT)
def test_a_number_a_double_would_round_is_refused(
    postgresql: psycopg.Connection, number: str
) -> None:
    with refused(postgresql, errors.CheckViolation, NUMERIC_PRECISION):
        set_number(postgresql, number)
    assert stored_values(postgresql) == 0


@pytest.mark.parametrize("number", ["-100", "-0.5", "0", "12.34", "12.300", "1000"])
def test_number_within_its_range_and_decimals_is_stored(
    postgresql: psycopg.Connection, world: World, number: str
) -> None:
    set_value(
        postgresql,
        video_id=world.video_id,
        field_id=world.fields["number"],
        numeric=Decimal(number),
    )
    row = postgresql.execute("SELECT value_numeric FROM video_field_values").fetchone()
    assert row == (Decimal(number),)


def test_number_without_a_config_takes_any_number(postgresql: psycopg.Connection) -> None:
    list_id = create_list(postgresql)
    video_id = create_video(postgresql, list_id=list_id)
    field_id = create_field(postgresql, list_id=list_id, field_type="number", config={})
    set_value(postgresql, video_id=video_id, field_id=field_id, numeric=Decimal("-123456.789012"))
    assert stored_values(postgresql) == 1


def test_number_message_names_field_and_range(postgresql: psycopg.Connection) -> None:
    list_id = create_list(postgresql)
    video_id = create_video(postgresql, list_id=list_id)
    field_id = create_field(
        postgresql, list_id=list_id, name="Minutes", field_type="number", config={"max": 90}
    )
    with pytest.raises(errors.CheckViolation) as info:
        set_value(postgresql, video_id=video_id, field_id=field_id, numeric=91)
    assert 'number 91 for field "Minutes" is outside ..90' in str(info.value)


@pytest.mark.parametrize("day", [date(1999, 12, 31), date(2031, 1, 1)])
def test_date_outside_its_range_is_refused(
    postgresql: psycopg.Connection, world: World, day: date
) -> None:
    # The field's config is {"min": "2000-01-01", "max": "2030-12-31"}.
    with refused(postgresql, errors.CheckViolation, "video_field_values_date_in_range"):
        set_value(postgresql, video_id=world.video_id, field_id=world.fields["date"], day=day)
    assert stored_values(postgresql) == 0


@pytest.mark.parametrize("day", [date(2000, 1, 1), date(2024, 2, 29), date(2030, 12, 31)])
def test_date_within_its_range_is_stored(
    postgresql: psycopg.Connection, world: World, day: date
) -> None:
    set_value(postgresql, video_id=world.video_id, field_id=world.fields["date"], day=day)
    row = postgresql.execute(
        "SELECT fv.value_date, r.value FROM video_field_values AS fv"
        " JOIN video_field_values_readable AS r USING (video_id, field_id)"
    )
    assert row.fetchone() == (day, day.isoformat())


@pytest.mark.parametrize("day", ["infinity", "-infinity", "10000-01-01", "0001-12-31 BC"])
def test_a_date_no_client_can_write_is_refused(postgresql: psycopg.Connection, day: str) -> None:
    list_id = create_list(postgresql)
    video_id = create_video(postgresql, list_id=list_id)
    field_id = create_field(postgresql, list_id=list_id, field_type="date", config={})
    with refused(postgresql, errors.CheckViolation, "video_field_values_date_range"):
        postgresql.execute(
            "INSERT INTO video_field_values (video_id, field_id, value_date)"
            " VALUES (%s, %s, %s::date)",
            [video_id, field_id, day],
        )
    assert stored_values(postgresql) == 0


def test_date_message_names_field_and_range(postgresql: psycopg.Connection) -> None:
    list_id = create_list(postgresql)
    video_id = create_video(postgresql, list_id=list_id)
    field_id = create_field(
        postgresql, list_id=list_id, name="Seen on", field_type="date", config={"min": "2020-01-01"}
    )
    with pytest.raises(errors.CheckViolation) as info:
        set_value(postgresql, video_id=video_id, field_id=field_id, day=date(2019, 5, 1))
    assert 'date 2019-05-01 for field "Seen on" is outside 2020-01-01..' in str(info.value)


BAD_URLS = [
    "example.com",
    "ftp://example.com/file",
    "https://",
    "https:///path",
    "https://exa mple.com",
    "https://example.com/a b",
    "https://example.com/\t",
    "https://bücher.example/",
    "javascript:alert(1)",
    "http://user@/x",
    "//example.com",
    # A port past 65535 (0049).
    "https://example.com:65536/",
    "https://example.com:99999",
    "http://user:pw@example.com:0123456#x",
]


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_url_that_is_not_absolute_http_with_a_host_is_refused(
    postgresql: psycopg.Connection, world: World, url: str
) -> None:
    with refused(postgresql, errors.CheckViolation, "video_field_values_url_format"):
        set_value(postgresql, video_id=world.video_id, field_id=world.fields["url"], text=url)
    assert stored_values(postgresql) == 0


GOOD_URLS = [
    "https://example.com",
    "HTTP://EXAMPLE.COM/Path?q=1#top",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42s",
    "http://user:pw@host.example:8080/a/b",
    "https://[2001:db8::1]:443/x",
    "https://xn--bcher-kva.example/%C3%BC",
    "https://example.com/" + "a" * 2028,
    "https://example.com:65535/x",
    "https://example.com:0/",
    "https://example.com:000443?x",
    "https://example.com:/",
    "http://[::1]:8080",
]


@pytest.mark.parametrize("url", GOOD_URLS, ids=range(len(GOOD_URLS)))
def test_an_absolute_http_url_is_stored(
    postgresql: psycopg.Connection, world: World, url: str
) -> None:
    set_value(postgresql, video_id=world.video_id, field_id=world.fields["url"], text=url)
    assert stored_values(postgresql) == 1


def test_a_url_over_2048_characters_is_refused(
    postgresql: psycopg.Connection, world: World
) -> None:
    url = "https://example.com/" + "a" * 2029
    with refused(postgresql, errors.CheckViolation, "video_field_values_text_size"):
        set_value(postgresql, video_id=world.video_id, field_id=world.fields["url"], text=url)


@pytest.mark.parametrize(
    ("options", "rule"),
    [
        (["good", "great"], "video_field_values_multi_select_option"),
        (["Good"], "video_field_values_multi_select_option"),
        (["good", "ok", "bad"], "video_field_values_multi_select_max"),
        ([], "video_field_values_options_shape"),
        (["good", "good"], "video_field_values_options_shape"),
        (["good", None], "video_field_values_options_shape"),
        (["good", " "], "video_field_values_options_shape"),
        ([["good"]], "video_field_values_options_shape"),
    ],
    ids=["not-an-option", "case", "over-max", "empty", "duplicate", "null", "blank", "nested"],
)
def test_multi_select_value_that_breaks_a_rule_is_refused(
    postgresql: psycopg.Connection, world: World, options: list[Any], rule: str
) -> None:
    with refused(postgresql, errors.CheckViolation, rule):
        set_value(
            postgresql,
            video_id=world.video_id,
            field_id=world.fields["multi_select"],
            options=options,
        )
    assert stored_values(postgresql) == 0


@pytest.mark.parametrize("literal", ["[0:0]={good}", "[2:3]={good,bad}", "[-1:0]={ok,bad}"])
def test_multi_select_value_numbered_from_other_than_one_is_refused(
    postgresql: psycopg.Connection, world: World, literal: str
) -> None:
    # Its value_options[1] would be NULL or another option: out of the sort's order.
    with refused(postgresql, errors.CheckViolation, "video_field_values_options_shape"):
        postgresql.execute(
            "INSERT INTO video_field_values (video_id, field_id, value_options)"
            " VALUES (%s, %s, %s::text[])",
            [world.video_id, world.fields["multi_select"], literal],
        )
    assert stored_values(postgresql) == 0


@pytest.mark.parametrize("options", [["good"], ["bad", "good"], ["ok", "bad"]])
def test_multi_select_options_are_stored(
    postgresql: psycopg.Connection, world: World, options: list[str]
) -> None:
    set_value(
        postgresql, video_id=world.video_id, field_id=world.fields["multi_select"], options=options
    )
    row = postgresql.execute("SELECT value_options FROM video_field_values").fetchone()
    assert row == (options,)


@pytest.mark.parametrize("text", ["ugly", "Good", " good", "good "])
def test_select_value_not_an_option_is_refused(
    postgresql: psycopg.Connection, world: World, text: str
) -> None:
    with refused(postgresql, errors.CheckViolation, "video_field_values_select_option"):
        set_value(postgresql, video_id=world.video_id, field_id=world.fields["select"], text=text)


@pytest.mark.parametrize("text", ["good", "bad"])
def test_select_option_is_stored(postgresql: psycopg.Connection, world: World, text: str) -> None:
    set_value(postgresql, video_id=world.video_id, field_id=world.fields["select"], text=text)
    assert stored_values(postgresql) == 1


def test_text_longer_than_max_length_is_refused(
    postgresql: psycopg.Connection, world: World
) -> None:
    with refused(postgresql, errors.CheckViolation, "video_field_values_text_length"):
        set_value(postgresql, video_id=world.video_id, field_id=world.fields["text"], text="x" * 11)


@pytest.mark.parametrize("text", ["x" * 10, "é" * 10], ids=["ascii", "multibyte"])
def test_text_of_max_length_characters_is_stored(
    postgresql: psycopg.Connection, world: World, text: str
) -> None:
    set_value(postgresql, video_id=world.video_id, field_id=world.fields["text"], text=text)
    assert stored_values(postgresql) == 1


@pytest.mark.parametrize("field", ["text", "free_text", "select"])
@pytest.mark.parametrize(
    "text",
    ["", " ", "   ", "\t", "\n", " \r\n ", "\u00a0\u00a0", "\u3000", "\u200b"],
    ids=["empty", "space", "spaces", "tab", "newline", "mixed", "nbsp", "wide", "zero-width"],
)
def test_empty_or_blank_text_is_refused(
    postgresql: psycopg.Connection, world: World, field: str, text: str
) -> None:
    with refused(postgresql, errors.CheckViolation, "video_field_values_text_not_empty"):
        set_value(postgresql, video_id=world.video_id, field_id=world.fields[field], text=text)


def test_huge_text_is_refused(postgresql: psycopg.Connection, world: World) -> None:
    with refused(postgresql, errors.CheckViolation, "video_field_values_text_size"):
        set_value(
            postgresql, video_id=world.video_id, field_id=world.fields["free_text"], text="x" * 2001
        )


def test_long_text_without_max_length_is_stored(
    postgresql: psycopg.Connection, world: World
) -> None:
    set_value(
        postgresql, video_id=world.video_id, field_id=world.fields["free_text"], text="x" * 2000
    )
    assert stored_values(postgresql) == 1


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("free_text", "".join(random.Random(1).choices(string.ascii_letters, k=2000))),
        ("free_text", "".join(random.Random(2).choices("😀🎵🌍🚀", k=500))),  # 2,000 bytes
        (
            "url",
            "https://example.com/"
            + "".join(random.Random(3).choices(string.ascii_letters, k=2048 - 20)),
        ),
    ],
    ids=["text-2000-bytes", "text-multibyte", "url-2048-bytes"],
)
def test_the_longest_values_fit_the_primary_key_that_carries_them(
    postgresql: psycopg.Connection, world: World, field: str, text: str
) -> None:
    # The primary key carries value_text (0030) and a btree entry holds at most 2,704 bytes:
    # the longest values the rules allow, random so that they do not compress, still fit.
    set_value(postgresql, video_id=world.video_id, field_id=world.fields[field], text=text)
    row = postgresql.execute("SELECT value_text FROM video_field_values").fetchone()
    assert row == (text,)


@pytest.mark.parametrize("value", [True, False])
def test_boolean_value_is_stored(postgresql: psycopg.Connection, world: World, value: bool) -> None:
    set_value(postgresql, video_id=world.video_id, field_id=world.fields["boolean"], boolean=value)
    row = postgresql.execute("SELECT value_boolean FROM video_field_values").fetchone()
    assert row == (value,)


def test_update_to_a_bad_value_is_refused(postgresql: psycopg.Connection, world: World) -> None:
    set_value(postgresql, video_id=world.video_id, field_id=world.fields["rating"], numeric=3)
    with refused(postgresql, errors.CheckViolation, "video_field_values_rating_in_range"):
        postgresql.execute("UPDATE video_field_values SET value_numeric = 9")
    row = postgresql.execute("SELECT value_numeric FROM video_field_values").fetchone()
    assert row == (Decimal(3),)


# ------------------------------------------------------------------------------------------------
# One statement of the rules: field_value_broken_rule() and its report
# ------------------------------------------------------------------------------------------------


def test_every_broken_row_of_a_statement_is_reported_in_one_error(
    postgresql: psycopg.Connection, world: World
) -> None:
    for _ in range(2):
        create_video(postgresql, list_id=world.list_id)
    with pytest.raises(errors.CheckViolation) as info, postgresql.transaction():
        postgresql.execute(
            "INSERT INTO video_field_values (video_id, field_id, value_numeric)"
            " SELECT id, %s, 9 FROM videos WHERE list_id = %s",
            [world.fields["rating"], world.list_id],
        )
    assert info.value.diag.constraint_name == "video_field_values_rating_in_range"
    assert "(and 2 more rows break rules)" in str(info.value)
    lines = (info.value.diag.message_detail or "").splitlines()
    assert len(lines) == 3
    assert all("video_field_values_rating_in_range: rating 9" in line for line in lines)
    assert stored_values(postgresql) == 0


def test_a_write_naming_one_list_with_a_field_and_video_of_another_is_refused(
    postgresql: psycopg.Connection, world: World
) -> None:
    # The fill-in trigger takes field_type from the field but keeps the list the writer named,
    # so the row cannot land in the other list.
    with refused(postgresql, errors.ForeignKeyViolation, "video_field_values_field_fkey"):
        postgresql.execute(
            "INSERT INTO video_field_values (video_id, field_id, list_id, value_numeric)"
            " VALUES (%s, %s, %s, 3)",
            [world.other_video_id, world.other_fields["rating"], world.list_id],
        )
    assert stored_values(postgresql) == 0


# (field, the row's value columns, the CHECK that refuses it)
CHECKED_ROWS = [
    ("rating", {"value_numeric": 1, "value_text": "1"}, "video_field_values_exactly_one_value"),
    ("rating", {"value_text": "3"}, "video_field_values_value_matches_type"),
    ("free_text", {"value_text": " \t"}, "video_field_values_text_not_empty"),
    ("free_text", {"value_text": "x" * 2001}, "video_field_values_text_size"),
    ("url", {"value_text": "example.com"}, "video_field_values_url_format"),
    ("multi_select", {"value_options": ["good", "good"]}, "video_field_values_options_shape"),
    ("rating", {"value_numeric": -1}, "video_field_values_rating_in_range"),
    # 16 digits (an int: the row goes through JSON too, below).
    ("rating", {"value_numeric": 1234567890123456}, "video_field_values_numeric_precision"),
]


@pytest.mark.parametrize(
    ("field", "columns", "constraint"), CHECKED_ROWS, ids=[c for _, _, c in CHECKED_ROWS]
)
def test_the_rule_function_names_the_check_that_refuses_a_row(
    postgresql: psycopg.Connection,
    world: World,
    field: str,
    columns: dict[str, Any],
    constraint: str,
) -> None:
    # The repository explains a refused batch with field_value_broken_rule(): it must name the
    # CHECK that refused the row, with a sentence.
    with refused(postgresql, errors.CheckViolation, constraint):
        postgresql.execute(
            sql.SQL(
                "INSERT INTO video_field_values (video_id, field_id, {}) VALUES (%s, %s, {})"
            ).format(
                sql.SQL(", ").join(map(sql.Identifier, columns)),
                sql.SQL(", ").join(sql.Placeholder() * len(columns)),
            ),
            [world.video_id, world.fields[field], *columns.values()],
        )
    row = postgresql.execute(
        "SELECT rule, field_value_problem(rule, f, v)"
        " FROM custom_fields AS f,"
        " jsonb_populate_record(NULL::video_field_values, %s) AS v,"
        " field_value_broken_rule(f, v) AS rule"
        " WHERE f.id = %s",
        [Jsonb({"field_type": field.replace("free_", ""), **columns}), world.fields[field]],
    ).fetchone()
    assert row is not None
    rule, sentence = row
    assert rule == constraint
    assert sentence and "field" in sentence


def test_the_rule_function_knows_every_check_and_has_a_sentence_for_each_rule(
    postgresql: psycopg.Connection,
) -> None:
    def rules_in(function: str) -> set[str]:
        row = postgresql.execute(
            "SELECT pg_get_functiondef(oid) FROM pg_proc WHERE proname = %s", [function]
        ).fetchone()
        assert row is not None
        return set(re.findall(r"'(video_field_values_[a-z_]+)'", row[0]))

    checks = {
        name
        for (name,) in postgresql.execute(
            "SELECT conname FROM pg_constraint"
            " WHERE conrelid = 'video_field_values'::regclass AND contype = 'c'"
            # Not a value's rule: the row's times, which the database sets (0059).
            " AND conname <> 'video_field_values_times_finite'"
        )
    }
    rules = rules_in("field_value_broken_rule")
    assert checks <= rules
    assert rules == rules_in("field_value_problem")


# ------------------------------------------------------------------------------------------------
# Rule 5: a field's type and config against its stored values
# ------------------------------------------------------------------------------------------------


def change_field(
    conn: psycopg.Connection, field_id: uuid.UUID, *, field_type: str | None = None, config: Any
) -> None:
    conn.execute(
        "UPDATE custom_fields SET field_type = coalesce(%s::field_type, field_type), config = %s"
        " WHERE id = %s",
        [field_type, Jsonb(config), field_id],
    )


def field_row(conn: psycopg.Connection, field_id: uuid.UUID) -> tuple[Any, ...] | None:
    return conn.execute(
        "SELECT field_type::text, config FROM custom_fields WHERE id = %s", [field_id]
    ).fetchone()


def test_type_change_of_field_with_values_is_refused(
    postgresql: psycopg.Connection, world: World
) -> None:
    field_id = world.fields["rating"]
    set_value(postgresql, video_id=world.video_id, field_id=field_id, numeric=3)
    with refused(postgresql, errors.CheckViolation, "custom_fields_type_change_with_values"):
        change_field(postgresql, field_id, field_type="select", config={"options": ["3"]})
    assert field_row(postgresql, field_id) == ("rating", {"max_rating": 5})


def test_type_change_of_a_number_field_with_values_is_refused(
    postgresql: psycopg.Connection, world: World
) -> None:
    field_id = world.fields["number"]
    set_value(postgresql, video_id=world.video_id, field_id=field_id, numeric=3)
    with refused(postgresql, errors.CheckViolation, "custom_fields_type_change_with_values"):
        change_field(postgresql, field_id, field_type="rating", config={"max_rating": 5})
    assert field_row(postgresql, field_id) == ("number", DEFAULT_CONFIGS["number"])


@pytest.mark.parametrize(
    ("field", "new_type", "config"),
    [
        ("rating", "select", {"options": ["a"]}),
        ("select", "text", {}),
        ("text", "rating", {"max_rating": 3}),
        ("boolean", "text", {"max_length": 5}),
        ("number", "rating", {"max_rating": 5}),
        ("rating", "number", {}),
    ],
)
def test_type_change_of_field_without_values_is_allowed(
    postgresql: psycopg.Connection, world: World, field: str, new_type: str, config: Any
) -> None:
    # Another field of the list has a value: only the changed field's own values matter.
    set_value(postgresql, video_id=world.video_id, field_id=world.fields["free_text"], text="hi")
    change_field(postgresql, world.fields[field], field_type=new_type, config=config)
    assert field_row(postgresql, world.fields[field]) == (new_type, config)


def test_type_change_is_allowed_once_values_are_deleted(
    postgresql: psycopg.Connection, world: World
) -> None:
    field_id = world.fields["boolean"]
    set_value(postgresql, video_id=world.video_id, field_id=field_id, boolean=True)
    postgresql.execute("DELETE FROM video_field_values WHERE field_id = %s", [field_id])
    change_field(postgresql, field_id, field_type="rating", config={"max_rating": 10})
    assert field_row(postgresql, field_id) == ("rating", {"max_rating": 10})


@pytest.mark.parametrize(
    ("field", "values", "config"),
    [
        pytest.param("rating", (Decimal(4), None, None), {"max_rating": 3}, id="max-rating-below"),
        pytest.param(
            "rating", (Decimal("3.5"), None, None), {"max_rating": 3}, id="max-rating-below-decimal"
        ),
        pytest.param(
            "select", (None, "bad", None), {"options": ["good", "ok"]}, id="option-removed"
        ),
        pytest.param("text", (None, "ten chars!", None), {"max_length": 9}, id="max-length-below"),
        pytest.param("number", (Decimal("-12.5"), None, None), {"min": 0}, id="min-above-value"),
        pytest.param("number", (Decimal("12.5"), None, None), {"max": 12}, id="max-below-value"),
        pytest.param(
            "number", (Decimal("12.25"), None, None), {"decimals": 1}, id="decimals-lowered"
        ),
        pytest.param(
            "date", (None, None, None, date(2024, 2, 29)), {"min": "2025-01-01"}, id="date-min"
        ),
        pytest.param(
            "date", (None, None, None, date(2024, 2, 29)), {"max": "2024-02-28"}, id="date-max"
        ),
        pytest.param(
            "multi_select",
            (None, None, None, None, ["good", "bad"]),
            {"options": ["good", "ok"]},
            id="chosen-option-removed",
        ),
        pytest.param(
            "multi_select",
            (None, None, None, None, ["good", "bad"]),
            {"options": ["good", "ok", "bad"], "max_selected": 1},
            id="max-selected-below-value",
        ),
        pytest.param(
            "free_text", (None, "ten chars!", None), {"max_length": 5}, id="max-length-added"
        ),
    ],
)
def test_config_that_would_break_stored_values_is_refused(
    postgresql: psycopg.Connection,
    world: World,
    field: str,
    values: tuple[Any, Any, Any],
    config: Any,
) -> None:
    field_id = world.fields[field]
    insert_value(postgresql, video_id=world.video_id, field_id=field_id, values=values)
    before = field_row(postgresql, field_id)
    with refused(postgresql, errors.CheckViolation, "custom_fields_config_breaks_values"):
        change_field(postgresql, field_id, config=config)
    assert field_row(postgresql, field_id) == before


@pytest.mark.parametrize(
    ("field", "values", "config", "rule"),
    [
        pytest.param(
            "rating", (Decimal(3), None, None), {"max_rating": 0}, "rating", id="max-rating-0"
        ),
        pytest.param("select", (None, "good", None), {"options": []}, "select", id="no-options"),
        pytest.param(
            "free_text", (None, "ten chars!", None), {"max_length": 0}, "text", id="len-0"
        ),
        pytest.param(
            "number", (Decimal(12), None, None), {"min": 100, "max": 5}, "number", id="min-over-max"
        ),
        pytest.param(
            "date",
            (None, None, None, date(2024, 2, 29)),
            {"min": "2020-02-30"},
            "date",
            id="no-such-day",
        ),
        pytest.param(
            "multi_select",
            (None, None, None, None, ["good"]),
            {"options": ["good", "bad"], "max_selected": 0},
            "multi_select",
            id="max-selected-0",
        ),
    ],
)
def test_a_config_of_the_wrong_shape_names_its_shape_not_the_values_it_would_break(
    postgresql: psycopg.Connection,
    world: World,
    field: str,
    values: tuple[Any, ...],
    config: Any,
    rule: str,
) -> None:
    # Checked against the stored values before the constraints (0058), it was refused as
    # breaking them, or as PostgreSQL's own error for a date that does not exist.
    field_id = world.fields[field]
    insert_value(postgresql, video_id=world.video_id, field_id=field_id, values=values)
    before = field_row(postgresql, field_id)
    with refused(postgresql, errors.CheckViolation, f"custom_fields_{rule}_config"):
        change_field(postgresql, field_id, config=config)
    assert field_row(postgresql, field_id) == before


@pytest.mark.parametrize(
    ("field", "values", "config"),
    [
        pytest.param(
            "rating", (Decimal(3), None, None), {"max_rating": 3}, id="max-rating-to-value"
        ),
        pytest.param(
            "rating", (Decimal(3), None, None), {"max_rating": 10}, id="max-rating-raised"
        ),
        pytest.param(
            "select", (None, "good", None), {"options": ["good", "ok"]}, id="unused-option-removed"
        ),
        pytest.param(
            "text", (None, "ten chars!", None), {"max_length": 10}, id="max-length-to-value"
        ),
        pytest.param("text", (None, "ten chars!", None), {}, id="max-length-removed"),
        pytest.param(
            "number", (Decimal("12.5"), None, None), {"min": 12.5, "decimals": 1}, id="to-value"
        ),
        pytest.param("number", (Decimal("12.5"), None, None), {}, id="number-limits-removed"),
        pytest.param(
            "date", (None, None, None, date(2024, 2, 29)), {"max": "2024-02-29"}, id="date-to-value"
        ),
        pytest.param(
            "multi_select",
            (None, None, None, None, ["good", "bad"]),
            {"options": ["good", "bad"]},
            id="unchosen-option-removed",
        ),
    ],
)
def test_config_that_keeps_stored_values_valid_is_allowed(
    postgresql: psycopg.Connection,
    world: World,
    field: str,
    values: tuple[Any, Any, Any],
    config: Any,
) -> None:
    field_id = world.fields[field]
    insert_value(postgresql, video_id=world.video_id, field_id=field_id, values=values)
    change_field(postgresql, field_id, config=config)
    assert field_row(postgresql, field_id) == (field_type_of(field), config)


def field_type_of(field: str) -> str:
    return "text" if field == "free_text" else field


def test_config_check_looks_only_at_the_fields_own_values(
    postgresql: psycopg.Connection, world: World
) -> None:
    # The other list's rating field holds a 5; lowering this field's max to 2 is still fine.
    set_value(
        postgresql, video_id=world.other_video_id, field_id=world.other_fields["rating"], numeric=5
    )
    set_value(postgresql, video_id=world.video_id, field_id=world.fields["rating"], numeric=1)
    change_field(postgresql, world.fields["rating"], config={"max_rating": 2})
    assert field_row(postgresql, world.fields["rating"]) == ("rating", {"max_rating": 2})


# ------------------------------------------------------------------------------------------------
# The raw SQL forms
# ------------------------------------------------------------------------------------------------


def test_short_insert_fills_list_and_type(postgresql: psycopg.Connection, world: World) -> None:
    postgresql.execute(
        "INSERT INTO video_field_values (video_id, field_id, value_numeric) VALUES (%s, %s, 4)",
        [world.video_id, world.fields["rating"]],
    )
    row = postgresql.execute(
        "SELECT list_id, field_type::text, value_numeric FROM video_field_values"
    ).fetchone()
    assert row == (world.list_id, "rating", Decimal(4))


def test_short_insert_into_schema_fields_fills_list(
    postgresql: psycopg.Connection, world: World
) -> None:
    schema_id = create_schema(postgresql, list_id=world.list_id)
    postgresql.execute(
        "INSERT INTO schema_fields (schema_id, field_id) VALUES (%s, %s)",
        [schema_id, world.fields["select"]],
    )
    row = postgresql.execute("SELECT list_id FROM schema_fields").fetchone()
    assert row == (world.list_id,)


def test_short_insert_into_video_tags_fills_list(
    postgresql: psycopg.Connection, world: World
) -> None:
    tag_id = create_tag(postgresql, list_id=world.list_id)
    postgresql.execute(
        "INSERT INTO video_tags (video_id, tag_id) VALUES (%s, %s)", [world.video_id, tag_id]
    )
    row = postgresql.execute("SELECT list_id FROM video_tags").fetchone()
    assert row == (world.list_id,)


@pytest.mark.parametrize(
    ("sql", "constraint"),
    [
        pytest.param(
            "INSERT INTO video_field_values (video_id, field_id, value_numeric)"
            " VALUES (%(video)s, %(missing)s, 1)",
            "video_field_values_field_fkey",
            id="value-missing-field",
        ),
        pytest.param(
            "INSERT INTO video_field_values (video_id, field_id, value_numeric)"
            " VALUES (%(missing)s, %(field)s, 1)",
            "video_field_values_video_fkey",
            id="value-missing-video",
        ),
        pytest.param(
            "INSERT INTO schema_fields (schema_id, field_id) VALUES (%(missing)s, %(field)s)",
            "schema_fields_schema_fkey",
            id="schema-field-missing-schema",
        ),
        pytest.param(
            "INSERT INTO schema_fields (schema_id, field_id) VALUES (%(schema)s, %(missing)s)",
            "schema_fields_field_fkey",
            id="schema-field-missing-field",
        ),
        pytest.param(
            "INSERT INTO video_tags (video_id, tag_id) VALUES (%(missing)s, %(tag)s)",
            "video_tags_video_fkey",
            id="video-tag-missing-video",
        ),
        pytest.param(
            "INSERT INTO video_tags (video_id, tag_id) VALUES (%(video)s, %(missing)s)",
            "video_tags_tag_fkey",
            id="video-tag-missing-tag",
        ),
    ],
)
def test_short_insert_of_missing_parent_names_the_foreign_key(
    postgresql: psycopg.Connection, world: World, sql: str, constraint: str
) -> None:
    params = {
        "video": world.video_id,
        "field": world.fields["rating"],
        "schema": create_schema(postgresql, list_id=world.list_id),
        "tag": create_tag(postgresql, list_id=world.list_id),
        "missing": uuid.uuid4(),
    }
    with refused(postgresql, errors.ForeignKeyViolation, constraint):
        postgresql.execute(sql, params)


def test_multi_row_insert_with_one_bad_row_stores_nothing(
    postgresql: psycopg.Connection, world: World
) -> None:
    second_video_id = create_video(postgresql, list_id=world.list_id)
    third_video_id = create_video(postgresql, list_id=world.list_id)
    with refused(postgresql, errors.CheckViolation, "video_field_values_rating_in_range"):
        postgresql.execute(
            "INSERT INTO video_field_values (video_id, field_id, value_numeric)"
            " VALUES (%(a)s, %(field)s, 1), (%(b)s, %(field)s, 99), (%(c)s, %(field)s, 2)",
            {
                "a": world.video_id,
                "b": second_video_id,
                "c": third_video_id,
                "field": world.fields["rating"],
            },
        )
    assert stored_values(postgresql) == 0


def test_multi_row_insert_of_good_rows_stores_them_all(
    postgresql: psycopg.Connection, world: World
) -> None:
    postgresql.execute(
        "INSERT INTO video_field_values"
        " (video_id, field_id, value_numeric, value_text, value_boolean)"
        " VALUES (%(v)s, %(rating)s, 2, NULL, NULL), (%(v)s, %(select)s, NULL, 'bad', NULL),"
        " (%(v)s, %(boolean)s, NULL, NULL, false)",
        {"v": world.video_id, **world.fields},
    )
    assert stored_values(postgresql) == 3


UPSERT = (
    "INSERT INTO video_field_values (video_id, field_id, value_numeric) VALUES (%s, %s, %s)"
    " ON CONFLICT (video_id, field_id, list_id)"
    " DO UPDATE SET value_numeric = EXCLUDED.value_numeric"
)


def test_upsert_to_a_bad_value_is_refused(postgresql: psycopg.Connection, world: World) -> None:
    field_id = world.fields["rating"]
    set_value(postgresql, video_id=world.video_id, field_id=field_id, numeric=2)
    with refused(postgresql, errors.CheckViolation, "video_field_values_rating_in_range"):
        postgresql.execute(UPSERT, [world.video_id, field_id, 6])
    row = postgresql.execute("SELECT value_numeric FROM video_field_values").fetchone()
    assert row == (Decimal(2),)


def test_upsert_to_a_good_value_replaces_it(postgresql: psycopg.Connection, world: World) -> None:
    field_id = world.fields["rating"]
    set_value(postgresql, video_id=world.video_id, field_id=field_id, numeric=2)
    postgresql.execute(UPSERT, [world.video_id, field_id, 5])
    row = postgresql.execute(
        "SELECT count(*), max(value_numeric) FROM video_field_values"
    ).fetchone()
    assert row == (1, Decimal(5))


# ------------------------------------------------------------------------------------------------
# video_created_at: the video's created_at, copied for the newest-first value indexes
# ------------------------------------------------------------------------------------------------


def test_the_short_insert_copies_the_videos_created_at(
    postgresql: psycopg.Connection, world: World
) -> None:
    insert_value(
        postgresql, video_id=world.video_id, field_id=world.fields["rating"], values=VALID["rating"]
    )
    row = postgresql.execute(
        """SELECT fv.video_created_at = v.created_at FROM video_field_values AS fv
           JOIN videos AS v ON v.id = fv.video_id"""
    ).fetchone()
    assert row == (True,)


def test_a_wrong_video_created_at_is_refused(postgresql: psycopg.Connection, world: World) -> None:
    with refused(postgresql, errors.ForeignKeyViolation, "video_field_values_video_fkey"):
        postgresql.execute(
            """INSERT INTO video_field_values (video_id, field_id, video_created_at, value_numeric)
               VALUES (%s, %s, now() - interval '1 day', 3)""",
            [world.video_id, world.fields["rating"]],
        )
    assert stored_values(postgresql) == 0


def test_a_value_of_a_missing_video_is_refused_by_name(
    postgresql: psycopg.Connection, world: World
) -> None:
    with refused(postgresql, errors.ForeignKeyViolation, "video_field_values_video_fkey"):
        insert_value(
            postgresql,
            video_id=uuid.uuid4(),
            field_id=world.fields["rating"],
            values=VALID["rating"],
        )


def test_text_with_unicode_spaces_around_a_letter_is_stored(
    postgresql: psycopg.Connection, world: World
) -> None:
    # Blank is all whitespace, not some (0048): stored as written.
    for text in ("\u00a0x\u00a0", "\u3000\u6f22", "a\u200bb", "\ufeffz"):
        video_id = create_video(postgresql, list_id=world.list_id)
        insert_value(
            postgresql,
            video_id=video_id,
            field_id=world.fields["free_text"],
            values=(None, text, None),
        )
    assert stored_values(postgresql) == 4


def test_a_text_value_of_any_single_letter_is_stored(
    postgresql: psycopg.Connection, world: World
) -> None:
    """0001's is_blank() stripped the letter "v" as if it were a vertical tab."""
    field_id = world.fields["free_text"]
    for letter in string.ascii_letters:
        video_id = create_video(postgresql, list_id=world.list_id)
        insert_value(
            postgresql, video_id=video_id, field_id=field_id, values=(None, letter * 3, None)
        )
    assert stored_values(postgresql) == len(string.ascii_letters)


def table_stats(conn: psycopg.Connection, table: str) -> tuple[int, int]:
    """(sequential scans, rows inserted) of a table, as the statistics have them now."""
    conn.execute("SELECT pg_stat_clear_snapshot()")
    row = conn.execute(
        "SELECT seq_scan, n_tup_ins FROM pg_stat_user_tables WHERE relname = %s", [table]
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def test_a_batch_reads_the_fields_of_its_rows_by_key_whatever_the_other_lists_hold(
    postgresql: psycopg.Connection, database_url: str
) -> None:
    """The value triggers plan their reads once per session, for the first batch's size: a
    join of 1,000 new rows with custom_fields once hashed every field of every list, which
    under row-level security cost each foreign field a read of the caller's lists (29 ms at
    1M; migrations/0033). Every read of custom_fields a batch makes goes by key."""
    list_id = create_list(postgresql)
    rating = create_field(postgresql, list_id=list_id, field_type="rating")
    postgresql.execute(  # 2,000 fields in 200 other lists
        "WITH other AS (INSERT INTO bookmark_lists (owner, name)"
        "               SELECT 'bob', 'Other ' || n FROM generate_series(1, 200) AS n"
        "               RETURNING id)"
        " INSERT INTO custom_fields (list_id, name, field_type, config)"
        " SELECT other.id, 'Field ' || f, 'rating', '{\"max_rating\": 5}'"
        " FROM other, generate_series(1, 10) AS f"
    )
    postgresql.execute(
        "INSERT INTO videos (list_id, youtube_id, title)"
        " SELECT %s, 'v' || n, 'Video ' || n FROM generate_series(1, 1000) AS n",
        [list_id],
    )
    postgresql.execute("ANALYZE custom_fields")
    postgresql.commit()
    scans_before, _ = table_stats(postgresql, "custom_fields")
    _, inserted_before = table_stats(postgresql, "video_field_values")
    with psycopg.connect(database_url) as batch:  # a session whose first write is a batch
        batch.execute(
            "INSERT INTO video_field_values (video_id, field_id, value_numeric)"
            " SELECT id, %s, 4 FROM videos WHERE list_id = %s",
            [rating, list_id],
        )
        batch.execute(
            "UPDATE video_field_values SET value_numeric = 5 WHERE list_id = %s", [list_id]
        )
        batch.execute("DELETE FROM video_field_values WHERE list_id = %s", [list_id])
    # A session reports its statistics when it ends, a moment after it closes: wait for its
    # 1,000 inserts to show, so that its scans have too.
    for _ in range(100):
        if table_stats(postgresql, "video_field_values")[1] >= inserted_before + 1000:
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the batch's session never reported its statistics")
    assert table_stats(postgresql, "custom_fields")[0] == scans_before


def test_the_triggers_read_their_rows_ids_each_once(postgresql: psycopg.Connection) -> None:
    """A trigger's statements keep the plan of their session's first call. Planned for one
    row, the rule check probed custom_fields once per written row, each probe's index
    condition holding the array of every row's field id, sorted again by each probe: after a
    single value, a 1,000-value batch took 48 ms at 1M instead of 31 (migration 0041). Every
    array a trigger function makes of its transition rows' ids holds each id once."""
    functions = postgresql.execute(
        "SELECT proname, prosrc FROM pg_proc"
        " WHERE pronamespace = 'public'::regnamespace AND prosrc ~ '(new|old)_rows'"
    ).fetchall()
    of_rows = re.compile(r"ARRAY\s*\(\s*SELECT\s+(DISTINCT\s+)?\w+\s+FROM\s+(?:new|old)_rows")
    arrays = {name: of_rows.findall(source) for name, source in functions}
    assert sum(len(found) for found in arrays.values()) >= 10  # the value triggers' reads
    assert {name: found for name, found in arrays.items() if "" in found} == {}
