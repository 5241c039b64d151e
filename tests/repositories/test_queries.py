"""The SQL loader, and every query of sql/*.sql checked against the migrated schema."""

import re
from pathlib import Path

import asyncpg
import pytest

from app.db import queries
from app.db.queries import Query, QueryFileError, load, parse

RESOURCES = sorted(path.stem for path in queries.SQL_DIR.glob("*.sql"))
# The search's fragments are not statements; they are checked by assembling whole searches
# (tests/repositories/test_video_search.py::test_every_fragment_runs_in_a_real_search).
STATEMENT_RESOURCES = [r for r in RESOURCES if r != "video_search"]
# The same for the facets' fragments around a search's conditions (and an equality's stream,
# or a text range's read): every filtered facet in tests/repositories/test_video_facets.py
# assembles them.
FRAGMENTS = {
    ("video_facets", "facets_open"),
    ("video_facets", "facets_driven_open"),
    ("video_facets", "facets_driven_close"),
    ("video_facets", "facets_read_open"),
    ("video_facets", "facets_close"),
}
STATEMENTS = [
    (r, name) for r in STATEMENT_RESOURCES for name in load(r) if (r, name) not in FRAGMENTS
]


def test_every_resource_has_a_query_file() -> None:
    assert RESOURCES == [
        "access",
        "connections",
        "custom_fields",
        "field_schemas",
        "field_values",
        "lists",
        "plans",
        "purges",
        "replicas",
        "tags",
        "video_facets",
        "video_search",
        "videos",
    ]


def test_parse_reads_names_purposes_and_statements() -> None:
    source = (
        "-- Header of the file.\n\n"
        "-- name: first\n-- The first query.\nSELECT 1;\n\n"
        "-- name: second_one\n-- The second query.\nSELECT 2\nFROM x;\n"
    )
    parsed = parse("things", source)
    assert list(parsed) == ["first", "second_one"]
    assert len(parsed) == 2
    assert parsed["first"] == Query("things", "first", "The first query.", "SELECT 1")
    assert parsed["second_one"].sql == "SELECT 2\nFROM x"
    assert parsed["first"].text == "/* things.first */ SELECT 1"


def test_a_duplicate_name_fails() -> None:
    source = "-- name: q\n-- One.\nSELECT 1;\n-- name: q\n-- Two.\nSELECT 2;\n"
    with pytest.raises(QueryFileError, match="'q' is defined twice"):
        parse("things", source)


@pytest.mark.parametrize(
    "source",
    [
        "-- name: q\nSELECT 1;\n",  # no comment line at all
        "-- name: q\n--\nSELECT 1;\n",  # an empty comment
        "-- name: q\n--    \nSELECT 1;\n",  # a blank purpose
        "-- name: q\n",  # nothing after the name
    ],
)
def test_a_missing_purpose_fails(source: str) -> None:
    with pytest.raises(QueryFileError, match="needs a '-- purpose' line"):
        parse("things", source)


@pytest.mark.parametrize("body", ["", ";", "\n  ;\n"])
def test_an_empty_query_fails(body: str) -> None:
    with pytest.raises(QueryFileError, match="'q' is empty"):
        parse("things", f"-- name: q\n-- A purpose.\n{body}")


@pytest.mark.parametrize("source", ["", "-- Only a header.\nSELECT 1;\n"])
def test_a_file_without_queries_fails(source: str) -> None:
    with pytest.raises(QueryFileError, match="holds no '-- name:' query"):
        parse("things", source)


@pytest.mark.parametrize(
    "header", ["-- name: Bad", "-- name: get_thing!", "--name: q2", "-- NAME: q2", "-- name:  q2"]
)
def test_a_malformed_name_line_fails(header: str) -> None:
    # Before, it ran on as the previous query's SQL: two statements under one name.
    source = f"-- name: q\n-- A purpose.\nSELECT 1;\n\n{header}\n-- B.\nUPDATE x SET y = 1;\n"
    with pytest.raises(QueryFileError, match="is not a name line"):
        parse("things", source)


def test_a_missing_name_fails_loudly() -> None:
    parsed = parse("things", "-- name: q\n-- A purpose.\nSELECT 1;\n")
    with pytest.raises(KeyError, match=re.escape("sql/things.sql has no query named 'nope'")):
        parsed["nope"]


def test_load_of_a_missing_file_fails(tmp_path: Path) -> None:
    with pytest.raises(QueryFileError, match="does not exist"):
        load("nothing_here", sql_dir=tmp_path)


def test_load_reads_a_file(tmp_path: Path) -> None:
    (tmp_path / "things.sql").write_text("-- name: q\n-- A purpose.\nSELECT 1;\n")
    assert load("things", sql_dir=tmp_path)["q"].sql == "SELECT 1"


@pytest.mark.parametrize("resource", RESOURCES)
def test_every_file_has_a_header_and_one_line_purposes(resource: str) -> None:
    source = (queries.SQL_DIR / f"{resource}.sql").read_text()
    assert source.startswith("-- ") and not source.startswith("-- name:")
    for query in load(resource).values():
        # One line that says it all: a sentence, not the start of one.
        assert query.purpose.endswith((".", ")")), f"{resource}.{query.name}: {query.purpose}"
        assert ";" not in query.sql, f"{resource}.{query.name} holds more than one statement"


@pytest.mark.parametrize(("resource", "name"), STATEMENTS, ids=[f"{r}.{n}" for r, n in STATEMENTS])
async def test_every_query_prepares_on_the_migrated_schema(
    conn: asyncpg.Connection, resource: str, name: str
) -> None:
    # Preparing makes the server parse, resolve every table, column, function and type, and
    # infer every parameter, without running the statement.
    statement = await conn.prepare(load(resource)[name].text)
    assert statement.get_query().startswith(f"/* {resource}.{name} */")


def test_statement_queries_use_numbered_parameters_only() -> None:
    for resource, name in STATEMENTS:
        assert not re.search(r"(?<![:\w]):[a-z_]+\b", load(resource)[name].sql), (resource, name)


def test_every_search_fragment_placeholder_is_a_known_name() -> None:
    known = {
        "list_id",
        "sort_field_id",
        "field_id",
        "value",
        "values",
        "low",
        "high",
        "after_value",
        "after_id",
        "after_tie",
        "depth",
        "candidate",
        "limit",
        "pattern",
        "cap",
        "few_factor",
        "field_ids",
        "condition",
        "most",
        "switch",
        "probed_share",
        "option_field_ids",
        "scalar_field_ids",
        "conditions",
        "texts",
        "numbers",
        "booleans",
    }
    fragments = [*load("video_search").values()]
    fragments += [load("video_facets")[name] for _, name in sorted(FRAGMENTS)]
    for fragment in fragments:
        assert "$" not in fragment.sql, fragment.name
        assert set(re.findall(r"(?<![:\w]):([a-z_]+)\b", fragment.sql)) <= known, fragment.name


def test_the_purpose_is_one_line_and_notes_may_follow() -> None:
    source = (
        "-- name: q\n-- A purpose.\n-- Why it is so, which goes on\n-- over two lines.\nSELECT 1;\n"
    )
    query = parse("things", source)["q"]
    assert query.purpose == "A purpose."
    assert query.notes == "Why it is so, which goes on over two lines."
    assert query.sql == "SELECT 1"
