"""The shape of custom_fields.config per field type, and the naming rules of every table."""

import string
import uuid
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from psycopg import errors

from tests.db.factories import (
    count,
    create_field,
    create_list,
    create_schema,
    create_tag,
    create_video,
    refused,
    set_value,
)


@pytest.fixture
def list_id(postgresql: psycopg.Connection) -> uuid.UUID:
    return create_list(postgresql)


# ------------------------------------------------------------------------------------------------
# Config shape per field type
# ------------------------------------------------------------------------------------------------

BAD_CONFIGS = [
    # rating: exactly {"max_rating": integer 1..10}
    pytest.param("rating", {}, id="rating-missing"),
    pytest.param("rating", {"max_rating": 0}, id="rating-0"),
    pytest.param("rating", {"max_rating": -1}, id="rating-negative"),
    pytest.param("rating", {"max_rating": 11}, id="rating-11"),
    pytest.param("rating", {"max_rating": 2.5}, id="rating-decimal"),
    # an integer written as one: the value rules read it as an integer
    pytest.param("rating", {"max_rating": 5.0}, id="rating-5.0"),
    pytest.param("text", {"max_length": 10.0}, id="text-max-length-10.0"),
    pytest.param("number", {"decimals": 2.0}, id="number-decimals-2.0"),
    pytest.param("rating", {"max_rating": "5"}, id="rating-string"),
    pytest.param("rating", {"max_rating": None}, id="rating-null"),
    pytest.param("rating", {"max_rating": True}, id="rating-boolean"),
    pytest.param("rating", {"max_rating": 5, "step": 1}, id="rating-unknown-key"),
    pytest.param("rating", {"options": ["a"]}, id="rating-with-select-config"),
    # select: exactly {"options": non-empty array of distinct non-blank strings}
    pytest.param("select", {}, id="select-missing"),
    pytest.param("select", {"options": []}, id="select-empty"),
    pytest.param("select", {"options": "a"}, id="select-not-array"),
    pytest.param("select", {"options": ["a", "a"]}, id="select-duplicates"),
    pytest.param("select", {"options": ["a", 1]}, id="select-number"),
    pytest.param("select", {"options": ["a", None]}, id="select-null"),
    pytest.param("select", {"options": [["a"]]}, id="select-nested"),
    pytest.param("select", {"options": [""]}, id="select-empty-string"),
    pytest.param("select", {"options": ["a", "   "]}, id="select-blank"),
    pytest.param("select", {"options": ["a", "\t\n"]}, id="select-whitespace"),
    pytest.param("select", {"options": ["a"], "default": "a"}, id="select-unknown-key"),
    pytest.param("select", {"options": [str(i) for i in range(201)]}, id="select-201-options"),
    pytest.param("select", {"options": ["x" * 201]}, id="select-option-too-long"),
    # text: {} or {"max_length": integer 1..2000}
    pytest.param("text", {"max_length": 0}, id="text-0"),
    pytest.param("text", {"max_length": -5}, id="text-negative"),
    pytest.param("text", {"max_length": 2.5}, id="text-decimal"),
    pytest.param("text", {"max_length": "10"}, id="text-string"),
    pytest.param("text", {"max_length": None}, id="text-null"),
    pytest.param("text", {"max_length": 2001}, id="text-above-size-limit"),
    pytest.param("text", {"max_length": 10, "multiline": True}, id="text-unknown-key"),
    pytest.param("text", {"min_length": 1}, id="text-only-unknown-key"),
    # boolean: {} only
    pytest.param("boolean", {"default": True}, id="boolean-unknown-key"),
    pytest.param("boolean", {"max_rating": 5}, id="boolean-with-rating-config"),
    # number: {} or some of {"min": number, "max": number, "decimals": integer 0..6}
    pytest.param("number", {"min": "0"}, id="number-min-string"),
    pytest.param("number", {"max": None}, id="number-max-null"),
    pytest.param("number", {"min": 5, "max": 4}, id="number-min-above-max"),
    pytest.param("number", {"decimals": 7}, id="number-decimals-7"),
    pytest.param("number", {"decimals": -1}, id="number-decimals-negative"),
    pytest.param("number", {"decimals": 1.5}, id="number-decimals-fraction"),
    pytest.param("number", {"step": 1}, id="number-unknown-key"),
    pytest.param("number", {"max_rating": 5}, id="number-with-rating-config"),
    # min and max as a client reads them back: at most 15 significant digits
    pytest.param("number", {"max": 1234567890123456}, id="number-max-16-digits"),
    pytest.param("number", {"min": 1e301}, id="number-min-beyond-1e300"),
    # date: {} or some of {"min": "YYYY-MM-DD", "max": "YYYY-MM-DD"}, real dates, min <= max
    pytest.param("date", {"min": "2024-02-30"}, id="date-not-a-calendar-date"),
    pytest.param("date", {"min": "2024-1-1"}, id="date-not-iso"),
    pytest.param("date", {"max": 20240101}, id="date-number"),
    pytest.param("date", {"min": "2024-01-02", "max": "2024-01-01"}, id="date-min-after-max"),
    pytest.param("date", {"default": "2024-01-01"}, id="date-unknown-key"),
    # url: {} only
    pytest.param("url", {"max_length": 100}, id="url-with-text-config"),
    # multi_select: {"options": [...]} and optionally "max_selected": integer 1..200
    pytest.param("multi_select", {}, id="multi-select-missing"),
    pytest.param("multi_select", {"options": ["a", "a"]}, id="multi-select-duplicates"),
    pytest.param("multi_select", {"options": ["a"], "max_selected": 0}, id="multi-select-max-0"),
    pytest.param(
        "multi_select", {"options": ["a"], "max_selected": 1.0}, id="multi-select-max-1.0"
    ),
    pytest.param(
        "multi_select", {"options": ["a"], "max_selected": 201}, id="multi-select-max-201"
    ),
    pytest.param("multi_select", {"options": ["a"], "min": 1}, id="multi-select-unknown-key"),
]


@pytest.mark.parametrize(("field_type", "config"), BAD_CONFIGS)
def test_bad_config_is_refused(
    postgresql: psycopg.Connection, list_id: uuid.UUID, field_type: str, config: Any
) -> None:
    with refused(postgresql, errors.CheckViolation, f"custom_fields_{field_type}_config"):
        create_field(postgresql, list_id=list_id, field_type=field_type, config=config)
    assert count(postgresql, "custom_fields") == 0


GOOD_CONFIGS = [
    pytest.param("rating", {"max_rating": 1}, id="rating-1"),
    pytest.param("rating", {"max_rating": 5}, id="rating-5"),
    pytest.param("rating", {"max_rating": 10}, id="rating-10"),
    pytest.param("select", {"options": ["only"]}, id="select-one"),
    pytest.param("select", {"options": ["a", "A", "b c"]}, id="select-case-differs"),
    pytest.param("select", {"options": [str(i) for i in range(200)]}, id="select-200-options"),
    pytest.param("text", {}, id="text-no-limit"),
    pytest.param("text", {"max_length": 1}, id="text-1"),
    pytest.param("text", {"max_length": 2000}, id="text-2000"),
    pytest.param("boolean", {}, id="boolean"),
    pytest.param("number", {}, id="number-no-limits"),
    pytest.param("number", {"min": -1.5, "max": 1e9, "decimals": 6}, id="number-all"),
    pytest.param("number", {"min": 3, "max": 3, "decimals": 0}, id="number-one-value"),
    pytest.param("number", {"min": -123456789012345, "max": 0.1}, id="number-15-digits"),
    pytest.param("date", {}, id="date-no-limits"),
    pytest.param("date", {"min": "2024-02-29", "max": "2024-02-29"}, id="date-one-day"),
    pytest.param("url", {}, id="url"),
    pytest.param("multi_select", {"options": ["a", "b"]}, id="multi-select"),
    pytest.param(
        "multi_select", {"options": ["a", "b"], "max_selected": 200}, id="multi-select-max"
    ),
]


@pytest.mark.parametrize(("field_type", "config"), GOOD_CONFIGS)
def test_good_config_is_stored(
    postgresql: psycopg.Connection, list_id: uuid.UUID, field_type: str, config: Any
) -> None:
    field_id = create_field(postgresql, list_id=list_id, field_type=field_type, config=config)
    row = postgresql.execute(
        "SELECT config FROM custom_fields WHERE id = %s", [field_id]
    ).fetchone()
    assert row == (config,)


@pytest.mark.parametrize("field_type", ["rating", "select", "text"])
@pytest.mark.parametrize("config", [[], "x", None, 5], ids=["array", "string", "null", "number"])
def test_config_must_be_an_object(
    postgresql: psycopg.Connection, list_id: uuid.UUID, field_type: str, config: Any
) -> None:
    # Rules are checked in name order; a boolean field's {} rule would name itself first.
    with refused(postgresql, errors.CheckViolation, "custom_fields_config_is_object"):
        create_field(postgresql, list_id=list_id, field_type=field_type, config=config)


def test_config_defaults_to_empty_object_for_boolean(
    postgresql: psycopg.Connection, list_id: uuid.UUID
) -> None:
    postgresql.execute(
        "INSERT INTO custom_fields (list_id, name, field_type) VALUES (%s, 'Seen', 'boolean')",
        [list_id],
    )
    assert postgresql.execute("SELECT config FROM custom_fields").fetchone() == ({},)


def test_config_change_is_checked_too(postgresql: psycopg.Connection, list_id: uuid.UUID) -> None:
    field_id = create_field(postgresql, list_id=list_id, field_type="rating")
    with refused(postgresql, errors.CheckViolation, "custom_fields_rating_config"):
        postgresql.execute(
            """UPDATE custom_fields SET config = '{"max_rating": 20}' WHERE id = %s""", [field_id]
        )


def test_a_config_change_in_repeatable_read_is_refused(
    postgresql: psycopg.Connection, database_url: str, list_id: uuid.UUID
) -> None:
    """Its check reads the values its snapshot saw: a value committed since passed unseen, and
    a change refusing it committed (0053)."""
    field_id = create_field(
        postgresql, list_id=list_id, field_type="select", config={"options": ["a", "b"]}
    )
    video_id = create_video(postgresql, list_id=list_id)
    postgresql.commit()
    narrow = """UPDATE custom_fields SET config = '{"options": ["b"]}' WHERE id = %s"""
    with (
        psycopg.connect(database_url, autocommit=True) as changer,
        psycopg.connect(database_url) as writer,
    ):
        changer.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        changer.execute("SELECT 1")  # the snapshot
        set_value(writer, video_id=video_id, field_id=field_id, text="a")
        writer.commit()
        with refused(changer, errors.CheckViolation, "custom_fields_config_change_isolation"):
            changer.execute(narrow, [field_id])
        changer.execute("ROLLBACK")
        # In READ COMMITTED, the app's, the check sees the value and names it.
        with refused(changer, errors.CheckViolation, "custom_fields_config_breaks_values"):
            changer.execute(narrow, [field_id])
    assert postgresql.execute(
        "SELECT config FROM custom_fields WHERE id = %s", [field_id]
    ).fetchone() == ({"options": ["a", "b"]},)


def test_type_change_needs_a_config_of_the_new_type(
    postgresql: psycopg.Connection, list_id: uuid.UUID
) -> None:
    field_id = create_field(postgresql, list_id=list_id, field_type="rating")
    with refused(postgresql, errors.CheckViolation, "custom_fields_select_config"):
        postgresql.execute(
            "UPDATE custom_fields SET field_type = 'select' WHERE id = %s", [field_id]
        )


# ------------------------------------------------------------------------------------------------
# Names
# ------------------------------------------------------------------------------------------------

Create = Callable[[psycopg.Connection, uuid.UUID, str], uuid.UUID]

NAMED: dict[str, Create] = {
    "custom_fields": lambda conn, list_id, name: create_field(conn, list_id=list_id, name=name),
    "field_schemas": lambda conn, list_id, name: create_schema(conn, list_id=list_id, name=name),
    "tags": lambda conn, list_id, name: create_tag(conn, list_id=list_id, name=name),
}


@pytest.mark.parametrize("table", sorted(NAMED))
@pytest.mark.parametrize(
    "second",
    [
        "Mood",
        "mood",
        "MOOD",
        " Mood",
        "mood  ",
        "  mOOd ",
        # Any space is_blank() ignores, not ASCII's only (0052).
        "Mood\u00a0",
        "Mood\n",
        "\u3000mood",
        "\u200bMood",
        "\tMOOD\ufeff",
    ],
)
def test_name_is_unique_per_list_ignoring_case_and_spaces(
    postgresql: psycopg.Connection, list_id: uuid.UUID, table: str, second: str
) -> None:
    NAMED[table](postgresql, list_id, "Mood")
    with refused(postgresql, errors.UniqueViolation, f"{table}_name_unique"):
        NAMED[table](postgresql, list_id, second)
    assert count(postgresql, table) == 1


@pytest.mark.parametrize("table", sorted(NAMED))
@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Caf\u00e9", "Cafe\u0301"),  # é as one character, and as e + a combining accent
        ("Cafe\u0301", "CAF\u00c9"),
        ("\u00c5ngstr\u00f6m", "A\u030angstro\u0308m"),
    ],
    ids=["composed-first", "decomposed-first", "two-accents"],
)
def test_name_is_unique_whichever_way_its_characters_are_encoded(
    postgresql: psycopg.Connection, list_id: uuid.UUID, table: str, first: str, second: str
) -> None:
    NAMED[table](postgresql, list_id, first)
    with refused(postgresql, errors.UniqueViolation, f"{table}_name_unique"):
        NAMED[table](postgresql, list_id, second)
    assert count(postgresql, table) == 1


@pytest.mark.parametrize("table", sorted(NAMED))
def test_same_name_in_another_list_is_fine(
    postgresql: psycopg.Connection, list_id: uuid.UUID, table: str
) -> None:
    other_list_id = create_list(postgresql)
    NAMED[table](postgresql, list_id, "Mood")
    NAMED[table](postgresql, other_list_id, "Mood")
    assert count(postgresql, table) == 2


@pytest.mark.parametrize("table", sorted(NAMED))
def test_similar_but_different_names_are_fine(
    postgresql: psycopg.Connection, list_id: uuid.UUID, table: str
) -> None:
    for name in ["Mood", "Mood 2", "Mo od", "Moods"]:
        NAMED[table](postgresql, list_id, name)
    assert count(postgresql, table) == 4


def test_rename_onto_an_existing_name_is_refused(
    postgresql: psycopg.Connection, list_id: uuid.UUID
) -> None:
    create_tag(postgresql, list_id=list_id, name="Music")
    tag_id = create_tag(postgresql, list_id=list_id, name="Talks")
    with refused(postgresql, errors.UniqueViolation, "tags_name_unique"):
        postgresql.execute("UPDATE tags SET name = 'music ' WHERE id = %s", [tag_id])


BLANKS = pytest.mark.parametrize(
    "blank",
    ["", " ", "   ", "\t", "\n", " \r\n ", "\u00a0", "\u3000\u2003", "\u200b\ufeff", " \u2028\x85"],
    # Unicode's whitespace and the invisible format characters too (migration 0048).
    ids=["empty", "space", "spaces", "tab", "lf", "mix", "nbsp", "wide", "zero-width", "others"],
)


@BLANKS
@pytest.mark.parametrize("table", sorted(NAMED))
def test_blank_name_is_refused(
    postgresql: psycopg.Connection, list_id: uuid.UUID, table: str, blank: str
) -> None:
    with refused(postgresql, errors.CheckViolation, f"{table}_name"):
        NAMED[table](postgresql, list_id, blank)


@BLANKS
def test_blank_list_name_is_refused(postgresql: psycopg.Connection, blank: str) -> None:
    with refused(postgresql, errors.CheckViolation, "bookmark_lists_name"):
        create_list(postgresql, name=blank)


@BLANKS
def test_blank_video_title_is_refused(
    postgresql: psycopg.Connection, list_id: uuid.UUID, blank: str
) -> None:
    with refused(postgresql, errors.CheckViolation, "videos_title"):
        create_video(postgresql, list_id=list_id, title=blank)


def test_a_vertical_tab_is_blank(postgresql: psycopg.Connection, list_id: uuid.UUID) -> None:
    with refused(postgresql, errors.CheckViolation, "videos_title"):
        create_video(postgresql, list_id=list_id, title="\v \v")


def test_a_name_of_any_single_letter_is_not_blank(
    postgresql: psycopg.Connection, list_id: uuid.UUID
) -> None:
    """0001's is_blank() stripped the letter "v" as if it were a vertical tab."""
    for letter in string.ascii_letters:
        for name in (letter, letter * 3):
            other_list = create_list(postgresql, name=name)
            create_video(postgresql, list_id=other_list, title=name)
            for create in NAMED.values():
                create(postgresql, other_list, name)
    assert count(postgresql, "bookmark_lists") == 1 + 2 * len(string.ascii_letters)


@pytest.mark.parametrize("table", sorted(NAMED))
def test_name_of_100_characters_is_the_limit(
    postgresql: psycopg.Connection, list_id: uuid.UUID, table: str
) -> None:
    NAMED[table](postgresql, list_id, "x" * 100)
    with refused(postgresql, errors.CheckViolation, f"{table}_name"):
        NAMED[table](postgresql, list_id, "y" * 101)


# ------------------------------------------------------------------------------------------------
# YouTube ids
# ------------------------------------------------------------------------------------------------


def test_youtube_id_is_unique_per_list(postgresql: psycopg.Connection, list_id: uuid.UUID) -> None:
    create_video(postgresql, list_id=list_id, youtube_id="dQw4w9WgXcQ")
    with refused(postgresql, errors.UniqueViolation, "videos_youtube_id_unique"):
        create_video(postgresql, list_id=list_id, youtube_id="dQw4w9WgXcQ")


def test_same_youtube_id_in_two_lists_is_fine(
    postgresql: psycopg.Connection, list_id: uuid.UUID
) -> None:
    other_list_id = create_list(postgresql)
    create_video(postgresql, list_id=list_id, youtube_id="dQw4w9WgXcQ")
    create_video(postgresql, list_id=other_list_id, youtube_id="dQw4w9WgXcQ")
    assert count(postgresql, "videos", "youtube_id = %s", ["dQw4w9WgXcQ"]) == 2


@pytest.mark.parametrize("youtube_id", ["", "has space", "a/b", "é", "x" * 65])
def test_malformed_youtube_id_is_refused(
    postgresql: psycopg.Connection, list_id: uuid.UUID, youtube_id: str
) -> None:
    with refused(postgresql, errors.CheckViolation, "videos_youtube_id_format"):
        create_video(postgresql, list_id=list_id, youtube_id=youtube_id)


# ------------------------------------------------------------------------------------------------
# How many fields, schemas and tags a list holds
# ------------------------------------------------------------------------------------------------

CAPPED = {
    "custom_fields": (
        500,
        "INSERT INTO custom_fields (list_id, name, field_type) "
        "SELECT %s, 'F' || n, 'boolean' FROM generate_series(%s::int, %s::int) AS n",
    ),
    "field_schemas": (
        500,
        "INSERT INTO field_schemas (list_id, name) "
        "SELECT %s, 'S' || n FROM generate_series(%s::int, %s::int) AS n",
    ),
    "tags": (
        1000,
        "INSERT INTO tags (list_id, name) "
        "SELECT %s, 'T' || n FROM generate_series(%s::int, %s::int) AS n",
    ),
}


@pytest.mark.parametrize("table", sorted(CAPPED))
def test_a_list_holds_a_bounded_number_of_fields_schemas_and_tags(
    postgresql: psycopg.Connection, list_id: uuid.UUID, table: str
) -> None:
    # Their collections are answered whole: 5,000 fields inserted in psql made a 1 MB answer.
    cap, insert = CAPPED[table]
    postgresql.execute(insert, [list_id, 1, cap - 1])
    with refused(postgresql, errors.CheckViolation, f"{table}_per_list"):
        postgresql.execute(insert, [list_id, cap, cap + 1])  # one over, in one statement
    postgresql.execute(insert, [list_id, cap, cap])  # the last place
    with refused(postgresql, errors.CheckViolation, f"{table}_per_list"):
        postgresql.execute(insert, [list_id, cap + 1, cap + 1])
    # Another list has its own places.
    postgresql.execute(insert, [create_list(postgresql), 1, 1])
    if table == "custom_fields":
        # A deleted field's place is free at once, as its name is.
        postgresql.execute(
            "UPDATE custom_fields SET deleted_at = now() WHERE list_id = %s AND name = 'F1'",
            [list_id],
        )
        postgresql.execute(insert, [list_id, cap + 1, cap + 1])
