"""The video search against the database: every operator of every field type, combined
conditions, sorts with missing values, refusals, and hostile strings matched literally."""

import math
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, get_args

import asyncpg
import pytest

from app import field_types
from app.config import DEFAULT_APP_ROLE
from app.errors import InvalidInput, InvalidValue, NotFound
from app.models.custom_fields import CustomField, FieldType
from app.models.lists import BookmarkList
from app.models.video_facets import VideoFacetsQuery
from app.models.video_search import Condition, Op, Sort, VideoSearch
from app.models.videos import Video
from app.repositories import field_values, lists, paging, video_facets, video_search
from tests.conftest import OWNER
from tests.repositories.conftest import Builder, expected_order, plan_mode, plan_nodes

# Each video's values, by field type; None means the video has no value for that field.
VALUES: dict[str, dict[str, Any]] = {
    "v1": {
        "rating": 1,
        "text": "Alpha",
        "select": "good",
        "boolean": True,
        "number": -2.5,
        "date": "2024-01-10",
        "url": "https://a.example/x",
        "multi_select": ["good"],
    },
    "v2": {
        "rating": 2,
        "text": "alphabet",
        "select": "ok",
        "boolean": False,
        "number": 0,
        "date": "2024-03-01",
        "url": "https://b.example/alpha",
        "multi_select": ["good", "ok"],
    },
    "v3": {
        "rating": 3,
        "text": "Beta",
        "select": "bad",
        "boolean": True,
        "number": None,
        "date": None,
        "url": "http://a.example/y?q=1",
        "multi_select": None,
    },
    "v4": {
        "rating": 4.5,
        "text": None,
        "select": "good",
        "boolean": None,
        "number": 999.99,
        "date": "2023-12-31",
        "url": None,
        "multi_select": ["bad"],
    },
    "v5": {
        "rating": None,
        "text": "gamma alpha",
        "select": None,
        "boolean": False,
        "number": 10,
        "date": "2024-01-10",
        "url": None,
        "multi_select": ["ok", "bad"],
    },
    "v6": {
        "rating": None,
        "text": None,
        "select": None,
        "boolean": None,
        "number": None,
        "date": None,
        "url": None,
        "multi_select": None,
    },
}


@dataclass
class Catalog:
    list: BookmarkList
    fields: dict[str, CustomField]
    videos: dict[str, Video]

    def titles(self, items: list[Video]) -> list[str]:
        return [v.title for v in items]


@pytest.fixture
async def catalog(make: Builder, bl: BookmarkList) -> Catalog:
    fields = {t: await make.field(bl.id, t) for t in VALUES["v1"]}
    created = {}
    for title, values in VALUES.items():
        video = await make.video(bl.id, title=title)
        for field_type, value in values.items():
            if value is not None:
                await make.value(video, fields[field_type], value)
        created[title] = video
    return Catalog(bl, fields, created)


async def search(
    conn: asyncpg.Connection,
    catalog: Catalog,
    *conditions: tuple[str, str, Any],
    by: str = "title",
    direction: str | None = "asc",
    limit: int = 200,
) -> list[str]:
    """Titles found by the conditions (field type, op, value) on the catalog's fields."""
    query = VideoSearch(
        filters=[
            Condition(field_id=catalog.fields[t].id, op=op, value=value)
            for t, op, value in conditions
        ],
        sort=Sort(by=by, direction=direction),
        limit=limit,
    )
    page = await video_search.search(conn, list_id=catalog.list.id, query=query)
    return catalog.titles(page.items)


async def every_page(
    conn: asyncpg.Connection, list_id: uuid.UUID, query: VideoSearch
) -> list[Video]:
    """The videos of every page of a search, following next_cursor to the end."""
    seen: list[Video] = []
    while True:
        page = await video_search.search(conn, list_id=list_id, query=query)
        seen += page.items
        if page.next_cursor is None:
            return seen
        query = query.model_copy(update={"cursor": page.next_cursor})


CASES = [
    # rating (numeric)
    ("rating", "eq", 3, ["v3"]),
    ("rating", "eq", 4.5, ["v4"]),
    ("rating", "eq", "2", ["v2"]),
    ("rating", "ne", 3, ["v1", "v2", "v4"]),
    ("rating", "gt", 2, ["v3", "v4"]),
    ("rating", "gte", 2, ["v2", "v3", "v4"]),
    ("rating", "lt", 3, ["v1", "v2"]),
    ("rating", "lte", 3, ["v1", "v2", "v3"]),
    ("rating", "between", [2, 4], ["v2", "v3"]),
    ("rating", "between", [4.5, 4.5], ["v4"]),
    ("rating", "between", [3.5, 4], []),  # no video holds a value in it
    ("rating", "is_empty", None, ["v5", "v6"]),
    ("rating", "is_not_empty", None, ["v1", "v2", "v3", "v4"]),
    # text
    ("text", "eq", "Alpha", ["v1"]),
    ("text", "eq", "alpha", []),
    ("text", "ne", "Alpha", ["v2", "v3", "v5"]),
    ("text", "contains", "ALPHA", ["v1", "v2", "v5"]),
    ("text", "contains", "ta", ["v3"]),
    ("text", "starts_with", "alpha", ["v2"]),
    ("text", "starts_with", "Alpha", ["v1"]),
    ("text", "is_empty", None, ["v4", "v6"]),
    ("text", "is_not_empty", None, ["v1", "v2", "v3", "v5"]),
    # select
    ("select", "eq", "good", ["v1", "v4"]),
    ("select", "ne", "good", ["v2", "v3"]),
    ("select", "in", ["good", "ok"], ["v1", "v2", "v4"]),
    ("select", "not_in", ["good"], ["v2", "v3"]),
    ("select", "is_empty", None, ["v5", "v6"]),
    ("select", "is_not_empty", None, ["v1", "v2", "v3", "v4"]),
    # boolean
    ("boolean", "eq", True, ["v1", "v3"]),
    ("boolean", "eq", False, ["v2", "v5"]),
    ("boolean", "is_empty", None, ["v4", "v6"]),
    ("boolean", "is_not_empty", None, ["v1", "v2", "v3", "v5"]),
    # number (numeric, may be negative)
    ("number", "eq", -2.5, ["v1"]),
    ("number", "eq", "999.990", ["v4"]),
    ("number", "ne", 0, ["v1", "v4", "v5"]),
    ("number", "gt", 0, ["v4", "v5"]),
    ("number", "gte", 0, ["v2", "v4", "v5"]),
    ("number", "lt", 0, ["v1"]),
    ("number", "lte", 10, ["v1", "v2", "v5"]),
    ("number", "between", [-3, 0], ["v1", "v2"]),
    ("number", "between", [10, 10], ["v5"]),
    ("number", "is_empty", None, ["v3", "v6"]),
    ("number", "is_not_empty", None, ["v1", "v2", "v4", "v5"]),
    # date
    ("date", "eq", "2024-01-10", ["v1", "v5"]),
    ("date", "ne", "2024-01-10", ["v2", "v4"]),
    ("date", "before", "2024-01-10", ["v4"]),
    ("date", "after", "2024-01-10", ["v2"]),
    ("date", "on_or_before", "2024-01-10", ["v1", "v4", "v5"]),
    ("date", "on_or_after", "2024-01-10", ["v1", "v2", "v5"]),
    ("date", "between", ["2024-01-01", "2024-02-01"], ["v1", "v5"]),
    ("date", "between", ["2023-12-31", "2023-12-31"], ["v4"]),
    ("date", "is_empty", None, ["v3", "v6"]),
    ("date", "is_not_empty", None, ["v1", "v2", "v4", "v5"]),
    # url
    ("url", "eq", "https://a.example/x", ["v1"]),
    ("url", "contains", "A.EXAMPLE", ["v1", "v3"]),
    ("url", "starts_with", "https://", ["v1", "v2"]),
    ("url", "is_empty", None, ["v4", "v5", "v6"]),
    ("url", "is_not_empty", None, ["v1", "v2", "v3"]),
    # multi_select
    ("multi_select", "has_any", ["good"], ["v1", "v2"]),
    ("multi_select", "has_any", ["ok", "bad"], ["v2", "v4", "v5"]),
    ("multi_select", "has_all", ["good", "ok"], ["v2"]),
    ("multi_select", "has_none", ["good"], ["v4", "v5"]),
    ("multi_select", "is_empty", None, ["v3", "v6"]),
    ("multi_select", "is_not_empty", None, ["v1", "v2", "v4", "v5"]),
]


def newest_first(catalog: Catalog, titles: list[str]) -> list[str]:
    videos = [catalog.videos[t] for t in titles]
    return [v.title for v in sorted(videos, key=lambda v: (v.created_at, v.id), reverse=True)]


@pytest.mark.parametrize(
    ("field_type", "op", "value", "expected"),
    CASES,
    ids=[f"{t}-{op}-{value}" for t, op, value, _ in CASES],
)
async def test_each_operator_of_each_type(
    conn: asyncpg.Connection,
    catalog: Catalog,
    field_type: str,
    op: str,
    value: Any,
    expected: list[str],
) -> None:
    assert await search(conn, catalog, (field_type, op, value)) == expected
    # Sorted by created_at, an equality drives the page through its value index's stream.
    titles = await search(conn, catalog, (field_type, op, value), by="created_at", direction="desc")
    assert titles == newest_first(catalog, expected)
    oldest_first = await search(
        conn, catalog, (field_type, op, value), by="created_at", direction="asc"
    )
    assert oldest_first == titles[::-1]


def test_the_cases_cover_every_operator_of_every_type() -> None:
    covered = {(FieldType(t), op) for t, op, _, _ in CASES}
    declared = {(t, op) for t, spec in field_types.TYPES.items() for op in spec.operators}
    assert covered == declared


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        ([("rating", "gte", 2), ("select", "in", ["good", "ok"])], ["v2", "v4"]),
        (
            [
                ("rating", "gte", 2),
                ("select", "in", ["good", "ok"]),
                ("boolean", "is_not_empty", None),
            ],
            ["v2"],
        ),
        ([("text", "contains", "alpha"), ("rating", "is_empty", None)], ["v5"]),
        ([("rating", "gte", 2), ("rating", "lte", 3)], ["v2", "v3"]),
        ([("boolean", "eq", True), ("boolean", "eq", False)], []),
        ([("text", "is_empty", None), ("select", "is_empty", None)], ["v6"]),
    ],
)
async def test_conditions_combine_with_and(
    conn: asyncpg.Connection, catalog: Catalog, conditions: list[Any], expected: list[str]
) -> None:
    assert await search(conn, catalog, *conditions) == expected


COMBINED = [
    ([("rating", "gte", 2), ("select", "in", ["good", "ok"])], ["v2", "v4"]),
    ([("select", "eq", "good"), ("boolean", "eq", True)], ["v1"]),
    ([("select", "in", ["good", "bad"]), ("boolean", "eq", True), ("rating", "eq", 3)], ["v3"]),
    ([("boolean", "eq", False), ("text", "eq", "alphabet")], ["v2"]),
    ([("rating", "between", [1, 1]), ("select", "eq", "good")], ["v1"]),
    # two ranges of few values: each read as the values it holds (held_union)
    ([("rating", "gt", 1), ("rating", "lt", 4)], ["v2", "v3"]),
]


@pytest.mark.parametrize(("conditions", "expected"), COMBINED)
async def test_combined_equalities_drive_by_one_and_probe_the_others(
    conn: asyncpg.Connection, catalog: Catalog, conditions: list[Any], expected: list[str]
) -> None:
    titles = await search(conn, catalog, *conditions, by="created_at", direction="desc")
    assert titles == newest_first(catalog, expected)


async def test_the_rarest_equality_drives(
    conn: asyncpg.Connection, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    drivers: list[int] = []
    choose = video_search._driver

    async def recording(*args: Any) -> int:
        drivers.append(await choose(*args))
        return drivers[-1]

    monkeypatch.setattr(video_search, "_driver", recording)
    # boolean = true matches 2 videos, select = bad 1: the select (the second filter) drives.
    assert await search(
        conn, catalog, ("boolean", "eq", True), ("select", "eq", "bad"), by="created_at"
    ) == ["v3"]
    assert drivers == [1]


async def test_two_counted_equalities_sorted_by_a_field_read_their_matches_joined(
    conn: asyncpg.Connection, catalog: Catalog, statements: list[str]
) -> None:
    # Both on fields the kept counts hold by value: they choose the first (no sparseness
    # probe), and its matches are joined with the second's in the capped read.
    by_rating = str(catalog.fields["rating"].id)
    sparseness_probe = "SELECT candidate, matches, oldest, newest FROM ("
    assert await search(
        conn,
        catalog,
        ("select", "in", ["good", "ok"]),
        ("boolean", "eq", True),
        by=by_rating,
        direction="desc",
    ) == ["v1"]
    assert "video_search.kept_matches" in statements[0]
    assert not any(sparseness_probe in text for text in statements)
    assert any(") AS also ON" in text for text in statements)
    # A text equality is not counted by value: the probe chooses, nothing is joined.
    statements.clear()
    assert await search(
        conn,
        catalog,
        ("boolean", "eq", False),
        ("text", "eq", "alphabet"),
        by=by_rating,
        direction="desc",
    ) == ["v2"]
    assert any(sparseness_probe in text for text in statements)
    assert not any("kept_matches" in text or ") AS also ON" in text for text in statements)


async def test_the_second_equality_is_joined_while_at_most_ten_times_as_common(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Watched on 11 videos, "bad" on one: reading 11 entries to join costs more than probing
    # the one match, so the rare one's matches are read alone and probed; on two (11 <= 10 x 2),
    # both are read and joined. Either way the page holds the videos with both, by Rating.
    monkeypatch.setattr(video_search, "SORT_VALUE_FIRST_FACTOR", 0.0)
    rating, seen = await make.field(bl.id, "rating"), await make.field(bl.id, "boolean")
    status = await make.field(bl.id, "select")
    made = []
    for number in range(12):
        video = await make.video(bl.id, title=f"v{number:02d}")
        await make.value(video, rating, number % 5)
        await make.value(video, seen, number < 11)
        made.append(video)
    await make.value(made[3], status, "bad")
    query = VideoSearch(
        filters=[
            Condition(field_id=seen.id, op="eq", value=True),
            Condition(field_id=status.id, op="eq", value="bad"),
        ],
        sort=Sort(by=str(rating.id), direction="desc"),
    )

    async def joined() -> bool:
        found = await video_search.statement_of(conn, list_id=bl.id, query=query)
        assert found is not None
        return ") AS also ON" in found[0]

    assert not await joined()
    page = await video_search.search(conn, list_id=bl.id, query=query)
    assert [v.title for v in page.items] == ["v03"]
    await make.value(made[9], status, "bad")
    assert await joined()
    page = await video_search.search(conn, list_id=bl.id, query=query)
    assert [v.title for v in page.items] == ["v09", "v03"]


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The text of every statement the search runs from here on."""
    texts: list[str] = []
    fetch = video_search._fetch

    async def recording(conn: asyncpg.Connection, statement: Any) -> list[asyncpg.Record]:
        texts.append(statement.text)
        return await fetch(conn, statement)

    monkeypatch.setattr(video_search, "_fetch", recording)
    return texts


async def pages_alike(
    conn: asyncpg.Connection,
    list_id: uuid.UUID,
    query: VideoSearch,
    expected: list[tuple[Any, uuid.UUID, str]],
    statements: list[str],
    per_page: int,
) -> int:
    """Reads every page of `query` and checks that they hold the titles of `expected`
    ((created_at, id, title) in the page's order; not none), each page in `per_page`
    statements; the number of pages."""
    found = await every_page(conn, list_id, query)
    assert [v.title for v in found] == [t for _, _, t in expected] != []
    pages = math.ceil(len(expected) / query.limit)
    assert len(statements) == per_page * pages
    return pages


async def titles_paged_by_one(
    conn: asyncpg.Connection, catalog: Catalog, conditions: list[Any], direction: str
) -> list[str]:
    """The titles a search of the catalog by `conditions` (field type, op, value) finds, by
    creation time in `direction`, in pages of one (every cursor)."""
    query = VideoSearch(
        filters=[
            Condition(field_id=catalog.fields[t].id, op=op, value=v) for t, op, v in conditions
        ],
        sort=Sort(by="created_at", direction=direction),
        limit=1,
    )
    return [v.title for v in await every_page(conn, catalog.list.id, query)]


def page_statements(statements: list[str]) -> list[str]:
    """The page statements among those a search ran (not its probes, samples or reads)."""
    return [text for text in statements if text.startswith("/* video_search.search */")]


def by_creation(
    fields: dict[str, CustomField], conditions: list[Any], direction: str, limit: int = 2
) -> VideoSearch:
    """A search by `conditions` (field type, op, value) on `fields` (by type), by creation
    time in `direction`, in pages of `limit`."""
    return VideoSearch(
        filters=[Condition(field_id=fields[t].id, op=op, value=v) for t, op, v in conditions],
        sort=Sort(by="created_at", direction=direction),
        limit=limit,
    )


def stream_or_read(monkeypatch: pytest.MonkeyPatch, way: str) -> tuple[int, bool]:
    """Sets the stream's factor and sample depth of TEXT_WAYS[way]; (statements a page runs,
    whether it reads the range)."""
    factor, depth, per_page, reads_the_range = TEXT_WAYS[way]
    monkeypatch.setattr(video_search, "STREAM_FACTOR", factor)
    monkeypatch.setattr(video_search, "STREAM_PROBE_DEPTH", depth)
    return per_page, reads_the_range


def matching_rows(
    values: dict[str, dict[str, Any]],
    conditions: list[Any],
    matches: dict[str, Any],
    direction: str,
) -> list[tuple[Any, uuid.UUID, str]]:
    """(created_at, id, title) of the videos of `values` (title -> {"video", type: value})
    whose value of each condition's type matches it, in the page's order: what a search of
    `conditions` must find."""
    return sorted(
        (
            (row["video"].created_at, row["video"].id, title)
            for title, row in values.items()
            if all(t in row and matches[op](row[t], v) for t, op, v in conditions)
        ),
        reverse=direction == "desc",
    )


TEXT_RANGES = [
    [("text", "contains", "alpha")],
    [("text", "contains", "LPH"), ("number", "gte", 2)],
    [("text", "starts_with", "alpha")],
    [("text", "starts_with", "Al"), ("text", "contains", "pha")],
    [("text", "contains", "a b")],  # no three letters in a row: no trigram, always the walk
]
MATCHES = {
    "contains": lambda value, needle: needle.lower() in value.lower(),
    "starts_with": lambda value, prefix: value.startswith(prefix),
    "gte": lambda value, low: value >= low,
    "lt": lambda value, high: value < high,
    "between": lambda value, bounds: bounds[0] <= value <= bounds[1],
    "after": lambda value, day: value > date.fromisoformat(day),
    "on_or_before": lambda value, day: value <= date.fromisoformat(day),
    "is_not_empty": lambda value, _: True,
}


# (STREAM_FACTOR, STREAM_PROBE_DEPTH, statements a page runs, whether it reads the range):
TEXT_WAYS = {
    # the stream costs nothing: every page streams the field (after measuring the density)
    "streamed": (0.0, 100, 2, False),
    # the stream costs more than any read: every page reads the matches and sorts them
    "read": (1e9, 1, 2, True),
    # no sample and a cap of one match: every page reads up to the cap, then streams
    "past_the_cap": (1e-6, 0, 3, True),
}


@pytest.mark.parametrize("conditions", TEXT_RANGES)
@pytest.mark.parametrize("way", TEXT_WAYS)
@pytest.mark.parametrize("direction", ["desc", "asc"])
async def test_a_text_range_pages_alike_streamed_or_read(
    conn: asyncpg.Connection,
    make: Builder,
    bl: BookmarkList,
    monkeypatch: pytest.MonkeyPatch,
    statements: list[str],
    conditions: list[Any],
    way: str,
    direction: str,
) -> None:
    # A "contains" or "starts_with" condition, newest first: the field's first values tell
    # how dense its matches are. Dense, the page streams the field's values in order, each
    # checked; sparse, it reads the matches from the trigram or prefix index up to a cap and
    # sorts them, and streams past the cap. A value without a trigram is always streamed. All
    # give the same pages, whatever the way.
    per_page, reads_the_range = stream_or_read(monkeypatch, way)
    if conditions[0][2] == "a b":
        per_page, reads_the_range = 1, False
    fields = {t: await make.field(bl.id, t) for t in ("number", "text")}
    texts = ["alpha", "Alphabet", "a beta", "xalphax", "Al pha", "a b", "gamma"]
    values: dict[str, dict[str, Any]] = {}
    for i in range(21):
        video = await make.video(bl.id, title=f"m{i:02d}")
        values[video.title] = {"video": video, "text": texts[i % len(texts)]}
        await make.value(video, fields["text"], values[video.title]["text"])
        if i % 3:
            values[video.title]["number"] = i % 5
            await make.value(video, fields["number"], i % 5)
    expected = matching_rows(values, conditions, MATCHES, direction)
    query = by_creation(fields, conditions, direction)
    await pages_alike(conn, bl.id, query, expected, statements, per_page)
    assert any("WITH matches" in text for text in statements) == reads_the_range


# Ranges on numbers and dates (a rating's range drives as its few values instead: below).
VALUE_RANGE_SEARCHES = [
    [("number", "gte", 4)],
    [("number", "between", [1, 3])],
    [("date", "after", "2024-01-05"), ("number", "gte", 2)],
    [("date", "on_or_before", "2024-01-15"), ("number", "lt", 9)],
    [("date", "is_not_empty", None), ("number", "lt", 9)],
    [("date", "is_not_empty", None)],  # every value streamed matches: always streamed
]


@pytest.mark.parametrize("conditions", VALUE_RANGE_SEARCHES)
@pytest.mark.parametrize("way", TEXT_WAYS)
@pytest.mark.parametrize("direction", ["desc", "asc"])
async def test_a_number_or_date_range_pages_alike_streamed_or_read(
    conn: asyncpg.Connection,
    make: Builder,
    bl: BookmarkList,
    monkeypatch: pytest.MonkeyPatch,
    statements: list[str],
    conditions: list[Any],
    way: str,
    direction: str,
) -> None:
    # A range of numbers or dates, newest first, as a text range: the field's first values
    # tell how dense the range is. Dense, the page streams the field's values in order, each
    # checked; sparse, it reads the range's matches from the value index up to a cap and sorts
    # them, and streams past the cap. All give the same pages, whatever the way.
    per_page, reads_the_range = stream_or_read(monkeypatch, way)
    if conditions == [("date", "is_not_empty", None)]:
        per_page, reads_the_range = 1, False
    fields = {t: await make.field(bl.id, t) for t in ("number", "date")}
    values: dict[str, dict[str, Any]] = {}
    for i in range(21):
        video = await make.video(bl.id, title=f"r{i:02d}")
        row: dict[str, Any] = {"video": video}
        if i % 5:
            row["number"] = Decimal(i % 10)
        if i % 4:
            row["date"] = date(2024, 1, 1 + i)
        values[video.title] = row
        for t in ("number", "date"):
            if t in row:
                await make.value(video, fields[t], str(row[t]) if t == "date" else row[t])
    expected = matching_rows(values, conditions, MATCHES, direction)
    field_type, op, value = conditions[0]  # the range streamed or read
    range_matches = [
        r for r in values.values() if field_type in r and MATCHES[op](r[field_type], value)
    ]
    assert len(range_matches) >= 6
    query = by_creation(fields, conditions, direction)
    await pages_alike(conn, bl.id, query, expected, statements, per_page)
    assert any("WITH matches" in text for text in statements) == reads_the_range
    assert all("video_search.density" in text for text in statements[:: per_page or 1]) == (
        per_page > 1
    )


# A range of a number or a date beside an equality (select = good on every video here).
RANGE_BESIDE_EQUALITY = [
    [("select", "eq", "good"), ("number", "between", [3, 5])],
    [("date", "after", "2024-01-05"), ("select", "eq", "good")],
    [("select", "eq", "good"), ("number", "gte", 2), ("date", "on_or_before", "2024-01-15")],
]
EQUALS = {**MATCHES, "eq": lambda value, other: value == other}


@pytest.mark.parametrize("conditions", RANGE_BESIDE_EQUALITY)
@pytest.mark.parametrize("cap", [1_000, 2])
@pytest.mark.parametrize("direction", ["desc", "asc"])
async def test_a_range_beside_an_equality_drives_when_it_has_fewer_matches_than_the_cap(
    conn: asyncpg.Connection,
    make: Builder,
    bl: BookmarkList,
    monkeypatch: pytest.MonkeyPatch,
    statements: list[str],
    conditions: list[Any],
    cap: int,
    direction: str,
) -> None:
    # The range's matches are counted up to RANGE_FIRST_CAP first. Fewer: they are read from
    # the value index and sorted, the equality probed per match; at the cap, the equality's
    # stream drives, the range probed per video. Two statements a page either way, the same
    # pages.
    monkeypatch.setattr(video_search, "RANGE_FIRST_CAP", cap)
    fields = {t: await make.field(bl.id, t) for t in ("select", "number", "date")}
    values: dict[str, dict[str, Any]] = {}
    for i in range(16):
        video = await make.video(bl.id, title=f"q{i:02d}")
        row: dict[str, Any] = {"video": video, "number": Decimal(i % 10)}
        if i % 3:
            row["select"] = "good"
        if i % 4:
            row["date"] = date(2024, 1, 1 + i)
        values[video.title] = row
        for t in ("select", "number", "date"):
            if t in row:
                await make.value(video, fields[t], str(row[t]) if t == "date" else row[t])
    expected = matching_rows(values, conditions, EQUALS, direction)
    field_type, op, value = next(c for c in conditions if c[1] != "eq")  # the range read first
    range_matches = [
        r for r in values.values() if field_type in r and MATCHES[op](r[field_type], value)
    ]
    assert 2 <= len(range_matches) < 1_000
    query = by_creation(fields, conditions, direction)
    await pages_alike(conn, bl.id, query, expected, statements, 2)
    assert all("video_search.range_count" in text for text in statements[::2])
    assert all(("WITH matches" in text) == (cap > 2) for text in statements[1::2])
    # At the cap, the range is probed per video of the stream, not left to a semi-join.
    assert all(("AND (SELECT\nEXISTS" in text) == (cap == 2) for text in statements[1::2])


async def test_a_rating_range_beside_an_equality_is_probed_without_a_count(
    conn: asyncpg.Connection, catalog: Catalog, statements: list[str]
) -> None:
    # A rating's values are few and counted: its range never drives before an equality.
    await search(conn, catalog, ("select", "eq", "good"), ("rating", "gte", 2), by="created_at")
    assert statements and not any("video_search.range_count" in text for text in statements)


TEXT_BESIDE_EQUALITY = [
    [("select", "eq", "good"), ("text", "contains", "alpha")],
    [("text", "starts_with", "Al"), ("select", "eq", "good")],
    [("select", "eq", "good"), ("text", "contains", "pha"), ("text", "starts_with", "x")],
    [("select", "eq", "good"), ("text", "contains", "a b")],  # no trigram: the equality drives
]


@pytest.mark.parametrize("conditions", TEXT_BESIDE_EQUALITY)
@pytest.mark.parametrize("way", TEXT_WAYS)
@pytest.mark.parametrize("direction", ["desc", "asc"])
async def test_a_sparse_text_range_beside_an_equality_drives(
    conn: asyncpg.Connection,
    make: Builder,
    bl: BookmarkList,
    monkeypatch: pytest.MonkeyPatch,
    statements: list[str],
    conditions: list[Any],
    way: str,
    direction: str,
) -> None:
    # Beside an equality, a text range's density is sampled as it is alone (with a prefix's
    # reads priced as a range's). Dense, the equality's stream drives and a prefix is probed
    # per video; sparse, the text's matches are read by its index up to a cap and sorted, the
    # equality probed per match, and past the cap the equality drives. The same pages.
    per_page, reads_the_text = stream_or_read(monkeypatch, way)
    monkeypatch.setattr(video_search, "RANGE_READ_FACTOR", video_search.STREAM_FACTOR)
    if conditions[1][2] == "a b":
        per_page, reads_the_text = 1, False
    fields = {t: await make.field(bl.id, t) for t in ("select", "text")}
    texts = ["alpha", "Alphabet", "a beta", "xalphax", "Al pha", "a b", "gamma"]
    values: dict[str, dict[str, Any]] = {}
    for i in range(24):
        video = await make.video(bl.id, title=f"t{i:02d}")
        row: dict[str, Any] = {"video": video, "text": texts[i % len(texts)]}
        if i % 3:
            row["select"] = "good"
        values[video.title] = row
        for t in ("select", "text"):
            if t in row:
                await make.value(video, fields[t], row[t])
    expected = matching_rows(values, conditions, EQUALS, direction)
    query = by_creation(fields, conditions, direction)
    await pages_alike(conn, bl.id, query, expected, statements, per_page)
    # Each page's statement (past the cap, the equality's follows it), after its sample.
    pages = [text for text in statements if "video_search.search" in text]
    firsts = pages[::2] if per_page == 3 else pages
    assert all(("WITH matches" in text) == reads_the_text for text in firsts)
    if not reads_the_text and any(c[1] == "starts_with" for c in conditions):
        assert all("AND (SELECT\nEXISTS" in text for text in pages)


# Conditions no index finds the matches of (STREAM_ONLY) and presences on the types that stream
# (a second condition beside some): always the field's stream, one statement a page.
STREAM_ONLY_SEARCHES = [
    [("number", "ne", 3)],
    [("date", "ne", "2024-01-05")],
    [("text", "ne", "alpha")],
    [("text", "is_not_empty", None)],
    [("url", "is_not_empty", None), ("number", "ne", 1)],
    [("number", "ne", 3), ("text", "ne", "gamma")],
]
STREAM_ONLY_MATCHES = {
    "ne": lambda value, other: (
        value != (date.fromisoformat(other) if isinstance(value, date) else other)
    ),
    "is_not_empty": lambda value, _: True,
}


@pytest.mark.parametrize("conditions", STREAM_ONLY_SEARCHES)
@pytest.mark.parametrize("direction", ["desc", "asc"])
async def test_a_condition_no_index_finds_pages_alike_as_its_fields_stream(
    conn: asyncpg.Connection,
    make: Builder,
    bl: BookmarkList,
    statements: list[str],
    conditions: list[Any],
    direction: str,
) -> None:
    # "ne" on a number, date or text, is_not_empty on a text or url: the field's values streamed
    # newest (or oldest) first, each checked from its index, the other conditions probed; never
    # the walk of the whole list.
    fields = {t: await make.field(bl.id, t) for t in ("number", "date", "text", "url")}
    texts = ["alpha", "beta", "gamma"]
    values: dict[str, dict[str, Any]] = {}
    for i in range(21):
        video = await make.video(bl.id, title=f"s{i:02d}")
        row: dict[str, Any] = {"video": video}
        if i % 5:
            row["number"] = Decimal(i % 4)
        if i % 4:
            row["date"] = date(2024, 1, 1 + i % 7)
        if i % 3:
            row["text"] = texts[i % 3]
        if i % 2:
            row["url"] = f"https://example.com/{i}"
        values[video.title] = row
        for t in fields:
            if t in row:
                await make.value(video, fields[t], str(row[t]) if t == "date" else row[t])
    expected = matching_rows(values, conditions, STREAM_ONLY_MATCHES, direction)
    query = by_creation(fields, conditions, direction)
    await pages_alike(conn, bl.id, query, expected, statements, 1)
    streams = ("fv.field_type IN ('text', 'url')", "fv.field_type IN ('number', 'date')")
    assert all(any(stream in text for stream in streams) for text in statements)
    assert not any("(SELECT\nEXISTS" in text for text in statements)


@pytest.mark.parametrize("field_type", list(VALUES["v1"]))
@pytest.mark.parametrize("direction", ["desc", "asc"])
@pytest.mark.parametrize("second", [None, "is_empty"])
async def test_an_is_empty_holding_for_few_videos_pages_alike_as_a_merge_anti_join(
    conn: asyncpg.Connection,
    catalog: Catalog,
    monkeypatch: pytest.MonkeyPatch,
    statements: list[str],
    field_type: str,
    direction: str,
    second: str | None,
) -> None:
    # Under ABSENT_DENSITY (here: whatever the share), the page reads the list's videos less the
    # field's values, both in the page's order, instead of probing each video it walks: the
    # same pages (of one, through every cursor), on every type; a second is_empty is probed.
    monkeypatch.setattr(video_search, "ABSENT_DENSITY", 1.01)
    other = "url" if field_type == "text" else "text"
    conditions = [(field_type, "is_empty", None), *([(other, second, None)] if second else [])]
    expected = [
        title
        for title, values in VALUES.items()
        if all(values[t] is None for t, _, _ in conditions)
    ]
    found = await titles_paged_by_one(conn, catalog, conditions, direction)
    assert found == (expected if direction == "asc" else expected[::-1])
    pages = page_statements(statements)
    assert expected and pages
    assert all("AND NOT EXISTS (SELECT FROM (" in text for text in pages)
    assert not any("(SELECT\nEXISTS" in text for text in pages)


async def test_an_is_empty_of_more_held_values_than_streams_walks(
    conn: asyncpg.Connection,
    catalog: Catalog,
    monkeypatch: pytest.MonkeyPatch,
    statements: list[str],
) -> None:
    # A rating holding more values than MAX_STREAMS: its values are no few streams; the walk.
    monkeypatch.setattr(video_search, "ABSENT_DENSITY", 1.01)
    monkeypatch.setattr(video_search, "MAX_STREAMS", 1)
    assert await search(conn, catalog, ("rating", "is_empty", None), by="created_at") == [
        "v5",
        "v6",
    ]
    assert not any("AND NOT EXISTS (SELECT FROM (" in text for text in statements)


async def test_an_is_empty_holding_for_many_videos_walks(
    conn: asyncpg.Connection, catalog: Catalog, statements: list[str]
) -> None:
    # 2 of the 6 videos lack a rating: far above ABSENT_DENSITY, the walk finds them at once.
    assert await search(conn, catalog, ("rating", "is_empty", None), by="created_at") == [
        "v5",
        "v6",
    ]
    assert not any("AND NOT EXISTS (SELECT FROM (" in text for text in statements)


# A rating holding 0.0..3.9 (tenths, more values than MAX_STREAMS in every range here), whose
# range is walked or read.
RATING_WALK_SEARCHES = [
    [("rating", "gte", 0.5)],
    [("rating", "between", [0.3, 3.5])],
    [("rating", "gt", 0.2), ("rating", "lt", 3.5)],
]
# (RANGE_READ_FACTOR, RANGE_PROBE_DEPTH, statements a page runs, whether it reads the range):
RANGE_WAYS = {
    # the walk costs nothing: every page walks (after measuring the density)
    "walked": (0.0, 100, 3, False),
    # the walk costs more than any read: every page reads the range's matches and sorts them
    "read": (1e9, 100, 3, True),
    # no sample and a cap of 6 matches: every page reads up to the cap, then walks
    "past_the_cap": (0.1, 0, 4, True),
}


@pytest.mark.parametrize("conditions", RATING_WALK_SEARCHES)
@pytest.mark.parametrize("way", RANGE_WAYS)
@pytest.mark.parametrize("direction", ["desc", "asc"])
async def test_a_rating_range_of_many_values_pages_alike_walked_or_read(
    conn: asyncpg.Connection,
    make: Builder,
    bl: BookmarkList,
    monkeypatch: pytest.MonkeyPatch,
    statements: list[str],
    conditions: list[Any],
    way: str,
    direction: str,
) -> None:
    # A rating's range over more held values than MAX_STREAMS, newest first: after the read
    # of its held values (too many), the first videos a walk reads tell how dense the
    # conditions are. Dense, the page walks the list; sparse, it reads the range's matches up
    # to a cap and sorts them, and walks past the cap. All give the same pages.
    factor, depth, per_page, reads_the_range = RANGE_WAYS[way]
    monkeypatch.setattr(video_search, "RANGE_READ_FACTOR", factor)
    monkeypatch.setattr(video_search, "RANGE_PROBE_DEPTH", depth)
    rating = await make.field(bl.id, "rating")
    stars: dict[str, tuple[Video, Decimal]] = {}
    for i in range(2 * video_search.MAX_STREAMS):
        video = await make.video(bl.id, title=f"w{i:02d}")
        stars[video.title] = (video, Decimal(i) / 10)
        await make.value(video, rating, stars[video.title][1])
    expected = sorted(
        (
            (video.created_at, video.id, title)
            for title, (video, v) in stars.items()
            if all(
                MATCHES[op](v, [Decimal(str(b)) for b in bound])
                if isinstance(bound, list)
                else RATING_MATCHES[op](v, Decimal(str(bound)))
                for _, op, bound in conditions
            )
        ),
        reverse=direction == "desc",
    )
    query = VideoSearch(
        filters=[Condition(field_id=rating.id, op=op, value=v) for _, op, v in conditions],
        sort=Sort(by="created_at", direction=direction),
        limit=8,
    )
    assert len(expected) >= 9  # past the cap of "past_the_cap"
    pages = await pages_alike(conn, bl.id, query, expected, statements, per_page)
    assert any("WITH matches" in text for text in statements) == reads_the_range
    assert sum("video_search.held_values" in text for text in statements) == pages


RATING_RANGES = [
    # a rating holds 0..5 here, 2.5 too (and a quarter of the videos none)
    ("gt", 3),
    ("gte", 2.5),
    ("lt", 2),
    ("lte", 2.5),
    ("between", [1, 4]),
    ("ne", 2.5),
    ("is_not_empty", None),
]
RATING_MATCHES = {
    "gt": lambda value, low: value > low,
    "gte": lambda value, low: value >= low,
    "lt": lambda value, high: value < high,
    "lte": lambda value, high: value <= high,
    "between": lambda value, bounds: bounds[0] <= value <= bounds[1],
    "ne": lambda value, other: value != other,
    "is_not_empty": lambda value, _: True,
}


@pytest.mark.parametrize(("op", "value"), RATING_RANGES)
@pytest.mark.parametrize("direction", ["desc", "asc"])
async def test_a_rating_range_ne_or_presence_pages_as_a_stream_per_value_it_holds(
    conn: asyncpg.Connection,
    make: Builder,
    bl: BookmarkList,
    statements: list[str],
    op: str,
    value: Any,
    direction: str,
) -> None:
    # The kept counts name the values the list's videos hold that match (in the range, other
    # than the value, or any), and each page merges one stream per value in order (no walk,
    # no density probe): two statements a page, the same pages as the condition itself.
    rating = await make.field(bl.id, "rating")
    held = [0, 1, 2, 2.5, 3, 4, 5]
    stars: dict[str, tuple[Video, Decimal]] = {}
    for i in range(23):
        video = await make.video(bl.id, title=f"f{i:02d}")
        if i % 4:
            stars[video.title] = (video, Decimal(str(held[i % len(held)])))
            await make.value(video, rating, stars[video.title][1])
    bound: Any = [Decimal(str(v)) for v in value] if isinstance(value, list) else value
    bound = Decimal(str(bound)) if isinstance(bound, (int, float)) else bound
    expected = sorted(
        (
            (video.created_at, video.id, title)
            for title, (video, v) in stars.items()
            if RATING_MATCHES[op](v, bound)
        ),
        reverse=direction == "desc",
    )
    query = VideoSearch(
        filters=[Condition(field_id=rating.id, op=op, value=value)],
        sort=Sort(by="created_at", direction=direction),
        limit=2,
    )
    pages = await pages_alike(conn, bl.id, query, expected, statements, 2)
    assert sum("video_search.held_values" in text for text in statements) == pages
    assert all("video_search.density" not in text for text in statements)
    # Alone in the search, the range's streams plan alike for any values: its read switched
    # to one generic plan (outside a transaction, for the connection).
    assert await conn.fetchval("SHOW plan_cache_mode") == "force_generic_plan"


async def test_a_rating_range_no_video_holds_a_value_in_runs_no_page(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, statements: list[str]
) -> None:
    rating = await make.field(bl.id, "rating")
    for stars in (1, 2, 5):
        await make.value(await make.video(bl.id), rating, stars)
    query = VideoSearch(filters=[Condition(field_id=rating.id, op="between", value=[3, 4])])
    page = await video_search.search(conn, list_id=bl.id, query=query)
    assert page.items == [] and page.next_cursor is None
    assert len(statements) == 1 and "video_search.held_values" in statements[0]


async def test_a_rating_range_of_many_values_is_walked_or_read(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, statements: list[str]
) -> None:
    # More than MAX_STREAMS values held in the range (tenths): the range takes its usual way
    # (density, then a walk or a read), and finds them all.
    rating = await make.field(bl.id, "rating")
    for tenth in range(video_search.MAX_STREAMS + 2):
        await make.value(await make.video(bl.id), rating, Decimal(tenth) / 10)
    query = VideoSearch(filters=[Condition(field_id=rating.id, op="gte", value=0)], limit=50)
    page = await video_search.search(conn, list_id=bl.id, query=query)
    assert len(page.items) == video_search.MAX_STREAMS + 2
    assert "video_search.held_values" in statements[0]
    assert "video_search.density" in statements[1]
    # a walk plans for its values (the app's default)
    assert await conn.fetchval("SHOW plan_cache_mode") == "force_custom_plan"


SELECT_HELD = [
    # the select's options are a..e; the videos hold a, b, c and d (and a quarter none)
    ("ne", "b"),
    ("ne", "e"),
    ("not_in", ["a", "c"]),
    ("not_in", ["a", "e"]),
    ("is_not_empty", None),
]
SELECT_MATCHES = {
    "ne": lambda value, other: value != other,
    "not_in": lambda value, others: value not in others,
    "is_not_empty": lambda value, _: True,
}


@pytest.mark.parametrize(("op", "value"), SELECT_HELD)
@pytest.mark.parametrize("direction", ["desc", "asc"])
async def test_a_select_ne_not_in_or_presence_pages_as_a_stream_per_option_held(
    conn: asyncpg.Connection,
    make: Builder,
    bl: BookmarkList,
    statements: list[str],
    op: str,
    value: Any,
    direction: str,
) -> None:
    # As a rating's: the kept counts name the options the videos hold that match, and each
    # page merges one stream per option (no walk), two statements a page.
    select = await make.field(bl.id, "select", config={"options": ["a", "b", "c", "d", "e"]})
    chosen: dict[str, tuple[Video, str]] = {}
    for i in range(23):
        video = await make.video(bl.id, title=f"s{i:02d}")
        if i % 4:
            chosen[video.title] = (video, "abcd"[i % 7 % 4])
            await make.value(video, select, chosen[video.title][1])
    expected = sorted(
        (
            (video.created_at, video.id, title)
            for title, (video, option) in chosen.items()
            if SELECT_MATCHES[op](option, value)
        ),
        reverse=direction == "desc",
    )
    query = VideoSearch(
        filters=[Condition(field_id=select.id, op=op, value=value)],
        sort=Sort(by="created_at", direction=direction),
        limit=2,
    )
    pages = await pages_alike(conn, bl.id, query, expected, statements, 2)
    assert sum("video_search.held_values" in text for text in statements) == pages
    assert await conn.fetchval("SHOW plan_cache_mode") == "force_generic_plan"


async def test_a_select_not_in_every_option_held_runs_no_page(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, statements: list[str]
) -> None:
    select = await make.field(bl.id, "select", config={"options": ["a", "b", "c"]})
    for option in ("a", "b", "a"):
        await make.value(await make.video(bl.id), select, option)
    query = VideoSearch(filters=[Condition(field_id=select.id, op="not_in", value=["a", "b"])])
    page = await video_search.search(conn, list_id=bl.id, query=query)
    assert page.items == [] and page.next_cursor is None
    assert len(statements) == 1 and "video_search.held_values" in statements[0]


async def test_a_select_of_many_options_held_is_walked(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, statements: list[str]
) -> None:
    # More than MAX_STREAMS options held: "ne" is probed per video walked, and finds them all.
    options = [f"o{i:02d}" for i in range(video_search.MAX_STREAMS + 2)]
    select = await make.field(bl.id, "select", config={"options": options})
    for option in options:
        await make.value(await make.video(bl.id), select, option)
    query = VideoSearch(filters=[Condition(field_id=select.id, op="ne", value="o00")], limit=50)
    page = await video_search.search(conn, list_id=bl.id, query=query)
    assert len(page.items) == video_search.MAX_STREAMS + 1
    assert "video_search.held_values" in statements[0] and len(statements) == 2
    assert await conn.fetchval("SHOW plan_cache_mode") == "force_custom_plan"


@pytest.mark.parametrize("field_type", sorted(video_search.HELD_OPEN))
async def test_the_database_counts_by_value_the_types_a_search_reads_held_values_of(
    conn: asyncpg.Connection, field_type: str
) -> None:
    # The search reads these types' values from the kept counts (HELD_OPEN).
    assert await conn.fetchval("SELECT is_counted_by_value($1)", field_type) is True


# Options conditions on a multi_select field (a number's range beside one): has_none and
# is_not_empty are always streamed (no index finds what an array lacks; every value matches).
OPTION_SEARCHES = [
    [("multi_select", "has_any", ["good"])],
    [("multi_select", "has_any", ["bad", "ok"])],
    [("multi_select", "has_all", ["good"])],
    [("multi_select", "has_all", ["good", "ok"]), ("number", "gte", 1)],
    [("number", "gte", 1), ("multi_select", "has_any", ["good"])],
    [("multi_select", "has_none", ["good"])],
    [("multi_select", "is_not_empty", None)],
]
OPTION_MATCHES = {
    "has_any": lambda held, options: any(o in held for o in options),
    "has_all": lambda held, options: all(o in held for o in options),
    "has_none": lambda held, options: not any(o in held for o in options),
    "is_not_empty": lambda held, _: True,
    "gte": lambda value, low: value >= low,
}


@pytest.mark.parametrize("conditions", OPTION_SEARCHES)
@pytest.mark.parametrize("way", TEXT_WAYS)
@pytest.mark.parametrize("direction", ["desc", "asc"])
async def test_an_options_search_pages_alike_streamed_or_read(
    conn: asyncpg.Connection,
    make: Builder,
    bl: BookmarkList,
    monkeypatch: pytest.MonkeyPatch,
    statements: list[str],
    conditions: list[Any],
    way: str,
    direction: str,
) -> None:
    # An options condition, newest first, as a number's range: the field's first values tell
    # how dense its matches are. Dense, the page streams the field's values in order, each
    # array checked; sparse, it reads the matches from the options' GIN index up to a cap and
    # sorts them, and streams past the cap. All give the same pages, whatever the way.
    per_page, reads_the_range = stream_or_read(monkeypatch, way)
    if conditions[0][1] in ("has_none", "is_not_empty"):
        per_page, reads_the_range = 1, False
    fields = {t: await make.field(bl.id, t) for t in ("number", "multi_select")}
    values: dict[str, dict[str, Any]] = {}
    for i in range(21):
        video = await make.video(bl.id, title=f"o{i:02d}")
        row: dict[str, Any] = {"video": video}
        chosen = [["good"], ["good", "ok"], ["bad"], [], ["ok", "bad"], ["good", "bad"]][i % 6]
        if chosen:
            row["multi_select"] = chosen
        if i % 4:
            row["number"] = Decimal(i % 3)
        values[video.title] = row
        for t in ("number", "multi_select"):
            if t in row:
                await make.value(video, fields[t], row[t])
    expected = matching_rows(values, conditions, OPTION_MATCHES, direction)
    query = by_creation(fields, conditions, direction)
    await pages_alike(conn, bl.id, query, expected, statements, per_page)
    assert any("WITH matches" in text for text in statements) == reads_the_range
    # The first streamed condition drives every statement (read or streamed), never walked.
    if conditions[0][0] == "multi_select":
        assert all("'multi_select'" in text or "value_options" in text for text in statements)
    assert not any("(SELECT\nEXISTS" in text for text in statements)


@pytest.mark.parametrize(
    "conditions",
    [
        [("rating", "eq", 3), ("rating", "eq", 2)],
        [("select", "eq", "good"), ("select", "not_in", ["good", "bad"])],
        [("select", "in", ["good"]), ("select", "ne", "good")],
        [("select", "in", ["good", "ok"]), ("select", "in", ["bad"])],
        [("boolean", "eq", True), ("boolean", "eq", False)],
        [("text", "is_empty", None), ("text", "contains", "alpha")],
        # Ranges and equalities on an ordered value that no value meets, and a range past
        # the field's config (a rating's max_rating is 5).
        [("rating", "eq", 4), ("rating", "lt", 2)],
        [("rating", "gt", 4), ("rating", "lt", 3)],
        [("rating", "gte", 4), ("rating", "lt", 4)],
        [("rating", "between", [1, 2]), ("rating", "gt", 2)],
        [("rating", "gt", 5)],
        [("rating", "lt", 0), ("select", "eq", "good")],
        [("number", "gt", 10), ("number", "between", [0, 10])],
        [("date", "after", "2024-01-03"), ("date", "before", "2024-01-04")],
        [("date", "on_or_after", "2024-02-01"), ("date", "eq", "2024-01-10")],
        [("number", "gt", 1000)],
        [("date", "before", "2000-01-01")],
    ],
)
async def test_contradicting_conditions_find_nothing_without_a_query(
    conn: asyncpg.Connection,
    catalog: Catalog,
    conditions: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def no_query(*_: Any) -> list[Any]:
        raise AssertionError("a contradiction needs no search statement")

    monkeypatch.setattr(video_search, "_fetch", no_query)
    for by in ("created_at", "title", str(catalog.fields["rating"].id)):
        assert await search(conn, catalog, *conditions, by=by) == []


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        ([("rating", "gte", 1), ("rating", "lte", 1)], ["v1"]),
        ([("rating", "gt", 4), ("rating", "lte", 5)], ["v4"]),
        ([("date", "on_or_after", "2024-01-10"), ("date", "before", "2024-01-11")], ["v1", "v5"]),
        ([("number", "between", [10, 10]), ("number", "gte", 10)], ["v5"]),
    ],
)
async def test_ranges_that_meet_at_one_value_are_searched(
    conn: asyncpg.Connection, catalog: Catalog, conditions: list[Any], expected: list[str]
) -> None:
    # The ends of a field's conditions leave one value: not a contradiction.
    assert await search(conn, catalog, *conditions) == expected


@pytest.mark.parametrize("cap", [None, 1])
@pytest.mark.parametrize(
    ("condition", "by", "direction", "expected"),
    [
        (("text", "contains", "alpha"), "rating", "asc", ["v1", "v2", "v5"]),
        (("text", "contains", "alpha"), "rating", "desc", ["v2", "v1", "v5"]),
        (("text", "contains", "alpha"), "title", "desc", ["v5", "v2", "v1"]),
        (("number", "gt", 0), "rating", "asc", ["v4", "v5"]),
        (("url", "starts_with", "https://"), "number", "desc", ["v2", "v1"]),
        (("multi_select", "has_any", ["bad"]), "title", "asc", ["v4", "v5"]),
    ],
)
async def test_a_sort_under_a_range_reads_the_ranges_matches_and_sorts_them(
    conn: asyncpg.Connection,
    catalog: Catalog,
    statements: list[str],
    monkeypatch: pytest.MonkeyPatch,
    cap: int | None,
    condition: tuple[str, str, Any],
    by: str,
    direction: str,
    expected: list[str],
) -> None:
    # With no equality to drive a page sorted by a field or the title, a range an index reads
    # (a text's, a number's, an options' one) gives its matches, which are sorted: walking the
    # sort's order for a rare one read the whole list (at 100k, 1.3 s). Past the cap, the walk
    # answers, alike, page after page.
    if cap is not None:
        monkeypatch.setattr(video_search, "SORT_CAP", cap)
    field_type, op, value = condition
    sort_by = by if by == "title" else str(catalog.fields[by].id)
    query = VideoSearch(
        filters=[Condition(field_id=catalog.fields[field_type].id, op=op, value=value)],
        sort=Sort(by=sort_by, direction=direction),
        limit=1,
    )
    seen = await every_page(conn, catalog.list.id, query)
    assert [video.title for video in seen] == expected
    assert "WITH matches" in page_statements(statements)[0]
    if cap is None:  # the matches were sorted: no statement walked the sort's order
        assert all("WITH matches" in text for text in page_statements(statements))


@pytest.mark.parametrize("direction", ["desc", "asc"])
@pytest.mark.parametrize("second", [None, ("select", "eq", "good")])
async def test_a_booleans_presence_drives_as_its_two_values(
    conn: asyncpg.Connection,
    catalog: Catalog,
    statements: list[str],
    direction: str,
    second: tuple[str, str, Any] | None,
) -> None:
    # is_not_empty on a boolean is "true or false": the two ranges of its value index merged in
    # the page's order, as a select's "in" is, never the walk probing each video.
    conditions = [("boolean", "is_not_empty", None), *([second] if second else [])]
    expected = [
        title
        for title, values in VALUES.items()
        if values["boolean"] is not None and (not second or values["select"] == "good")
    ]
    found = await titles_paged_by_one(conn, catalog, conditions, direction)
    assert found == (expected if direction == "asc" else expected[::-1]) != []
    pages = page_statements(statements)
    assert pages and not any("(SELECT\nEXISTS" in text for text in pages)
    assert all(
        text.count("fv.value_boolean = ") >= 2 or "fv.value_text = " in text for text in pages
    )


async def test_the_kept_counts_settle_presence_on_a_full_or_unused_field(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, statements: list[str]
) -> None:
    full, unused = await make.field(bl.id, "rating"), await make.field(bl.id, "boolean")
    videos = [await make.video(bl.id, title=f"f{i}") for i in range(3)]
    for video in videos:
        await make.value(video, full, 4)

    async def titles(*conditions: tuple[CustomField, str]) -> list[str]:
        query = VideoSearch(
            filters=[Condition(field_id=f.id, op=op) for f, op in conditions],  # type: ignore[arg-type]
            sort=Sort(by="title", direction="asc"),
        )
        page = await video_search.search(conn, list_id=bl.id, query=query)
        return [v.title for v in page.items]

    # Every video has a value of `full`, none of `unused`: no statement reads the list.
    assert await titles((full, "is_empty")) == []
    assert await titles((unused, "is_not_empty")) == []
    assert await titles((full, "is_empty"), (unused, "is_empty")) == []
    assert statements == []
    # The conditions that hold for every video are dropped: the page is the whole list.
    assert await titles((full, "is_not_empty"), (unused, "is_empty")) == ["f0", "f1", "f2"]
    assert len(statements) == 1 and "EXISTS" not in statements[0]
    # Once one value is cleared, the field is no longer full, and the condition is searched.
    await field_values.clear_one(conn, list_id=bl.id, video_id=videos[1].id, field_id=full.id)
    assert await titles((full, "is_empty")) == ["f1"]
    assert await titles((full, "is_not_empty")) == ["f0", "f2"]


async def test_no_condition_finds_every_video(conn: asyncpg.Connection, catalog: Catalog) -> None:
    assert await search(conn, catalog) == ["v1", "v2", "v3", "v4", "v5", "v6"]


@pytest.mark.parametrize("field_type", ["rating", "select", "boolean"])
@pytest.mark.parametrize("direction", ["asc", "desc"])
async def test_sort_by_a_field_puts_videos_without_a_value_last(
    conn: asyncpg.Connection, catalog: Catalog, field_type: str, direction: str
) -> None:
    field = catalog.fields[field_type]
    key = {catalog.videos[t].id: values[field_type] for t, values in VALUES.items()}
    expected = expected_order(list(catalog.videos.values()), key, direction)
    titles = await search(conn, catalog, by=str(field.id), direction=direction)
    by_id = {v.id: v.title for v in catalog.videos.values()}
    assert titles == [by_id[i] for i in expected]
    missing = [t for t, values in VALUES.items() if values[field_type] is None]
    assert sorted(titles[-len(missing) :]) == missing


@pytest.mark.parametrize("direction", ["asc", "desc"])
async def test_a_sort_by_a_field_every_video_holds_reads_no_videos_without_one(
    conn: asyncpg.Connection, catalog: Catalog, make: Builder, statements: list[str], direction: str
) -> None:
    # The kept counts say so; the read of the videos without a value walked the whole list by
    # id for none (the last page sorted by Rating: 171 ms at 100k).
    held = await make.field(catalog.list.id, "rating")
    stars = {title: 1 + n % 5 for n, title in enumerate(catalog.videos)}
    for title, video in catalog.videos.items():
        await make.value(video, held, stars[title])
    found = await search(conn, catalog, by=str(held.id), direction=direction)
    assert [stars[t] for t in found] == sorted(stars.values(), reverse=direction == "desc")
    unvalued = "NULL AS sort_value"
    assert statements and not any(unvalued in text for text in statements)
    # One video without a value: it is read, and comes last.
    late = await make.video(catalog.list.id, title="late")
    statements.clear()
    found = await search(conn, catalog, by=str(held.id), direction=direction)
    assert found[-1] == late.title and len(found) == len(stars) + 1
    assert any(unvalued in text for text in statements)


@pytest.mark.parametrize(
    ("field_type", "op", "value", "holds"),
    [
        ("rating", "gte", 3, lambda v: v is not None and v >= 3),
        ("number", "gte", 0, lambda v: v is not None and v >= 0),
        ("select", "ne", "bad", lambda v: v is not None and v != "bad"),
        ("date", "is_not_empty", None, lambda v: v is not None),
    ],
)
@pytest.mark.parametrize("direction", ["asc", "desc"])
async def test_a_condition_on_the_sort_field_reads_only_the_part_it_can_match(
    conn: asyncpg.Connection,
    catalog: Catalog,
    statements: list[str],
    field_type: str,
    op: str,
    value: Any,
    holds: Any,
    direction: str,
) -> None:
    """Sorted by a field with "is_empty" on it, only the videos without a value are read (at
    1M, the field's every value was walked first to find none); with any other condition on
    it, the videos without a value are not walked after the valued ones, and the condition is
    checked on the row the field's value index walks."""
    field = str(catalog.fields[field_type].id)
    everything = await search(conn, catalog, by=field, direction=direction)
    missing = [t for t in everything if VALUES[t][field_type] is None]
    statements.clear()
    empty = await search(
        conn, catalog, (field_type, "is_empty", None), by=field, direction=direction
    )
    assert empty == missing
    unvalued = "NULL AS sort_value"
    assert len(statements) == 1 and unvalued in statements[0]
    statements.clear()
    valued = await search(conn, catalog, (field_type, op, value), by=field, direction=direction)
    assert valued == [t for t in everything if holds(VALUES[t][field_type])]
    assert statements and not any(unvalued in text for text in statements)
    # Checked on the row the walk reads (sorted_*), not probed per video.
    assert not any("EXISTS (SELECT FROM video_field_values AS fv" in t for t in statements)


@pytest.mark.parametrize(
    ("field_type", "value"),
    [
        ("select", "good"),
        ("text", "Beta"),
        ("url", "https://a.example/x"),
        ("rating", 2),
        ("number", 10),
        ("date", "2024-01-10"),
        ("boolean", True),
    ],
)
@pytest.mark.parametrize("direction", ["asc", "desc"])
async def test_an_equality_on_the_sort_field_reads_its_value_range_in_order(
    conn: asyncpg.Connection,
    catalog: Catalog,
    statements: list[str],
    field_type: str,
    value: Any,
    direction: str,
) -> None:
    """Sorted by a field with an equality on it, the page is its value's range of the field's
    value index, read in order: one statement, no match of the equality read beforehand and
    none hashed (Status = done sorted by Status walked the field's every value, 9.5 ms at
    100k, against 0.7)."""
    field = catalog.fields[field_type]
    everything = await search(conn, catalog, by="created_at", direction=direction)
    statements.clear()
    condition = (field_type, "eq", value)
    found = await search(conn, catalog, condition, by=str(field.id), direction=direction)
    expected = [t for t in everything if VALUES[t][field_type] == value]
    assert found == expected and found
    assert len(statements) == 1, statements
    assert "hashed" not in statements[0].lower() and "matches" not in statements[0]


async def test_sort_by_a_text_field(conn: asyncpg.Connection, catalog: Catalog) -> None:
    # Only the values' relative order that every collation agrees on is asserted.
    titles = await search(conn, catalog, by=str(catalog.fields["text"].id))
    assert set(titles[:4]) == {"v1", "v2", "v3", "v5"}
    assert titles.index("v1") < titles.index("v2") < titles.index("v5")
    assert titles[4:] == sorted(["v4", "v6"], key=lambda t: catalog.videos[t].id)
    descending = await search(conn, catalog, by=str(catalog.fields["text"].id), direction="desc")
    assert descending[:4] == titles[:4][::-1]
    assert set(descending[4:]) == {"v4", "v6"}


async def test_sort_by_a_number_field_orders_negatives_first_and_pages(
    conn: asyncpg.Connection, catalog: Catalog
) -> None:
    number = str(catalog.fields["number"].id)
    missing = sorted(["v3", "v6"], key=lambda t: catalog.videos[t].id)
    assert await search(conn, catalog, by=number) == ["v1", "v2", "v5", "v4", *missing]
    descending = await search(conn, catalog, by=number, direction="desc")
    assert descending == ["v4", "v5", "v2", "v1", *missing[::-1]]
    # Pages of 1 through the cursor give the same order.
    query = VideoSearch(sort=Sort(by=number, direction="asc"), limit=1)
    seen = await every_page(conn, catalog.list.id, query)
    assert [v.title for v in seen] == ["v1", "v2", "v5", "v4", *missing]


async def test_sort_by_a_multi_select_orders_option_sets_as_arrays_compare_and_pages(
    conn: asyncpg.Connection, catalog: Catalog
) -> None:
    """Option by option, a set before the longer ones it begins (["good"] before ["good",
    "ok"]): the order of the first two options (the index's), then of the whole sets."""
    options = str(catalog.fields["multi_select"].id)
    missing = sorted(["v3", "v6"], key=lambda t: catalog.videos[t].id)
    # v4 ["bad"], v1 ["good"], v2 ["good", "ok"], v5 ["ok", "bad"]
    ascending = ["v4", "v1", "v2", "v5", *missing]
    descending = ["v5", "v2", "v1", "v4", *missing[::-1]]
    for direction, expected in (("asc", ascending), ("desc", descending)):
        assert await search(conn, catalog, by=options, direction=direction) == expected
        # Pages of 1 through the cursor (bounded on the first option) give the same order.
        query = VideoSearch(sort=Sort(by=options, direction=direction), limit=1)
        assert [v.title for v in await every_page(conn, catalog.list.id, query)] == expected


async def test_a_walk_sorted_by_a_multi_select_looks_up_only_its_pages_videos(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList
) -> None:
    """Sets sharing their first two options are sorted whole (all 30 here): their videos are
    looked up once the page is cut, not before the sort (at 1M, 7,413 lookups for a page)."""
    topics = await make.field(bl.id, "multi_select", config={"options": ["a", "b"]})
    for _ in range(30):
        await make.value(await make.video(bl.id), topics, ["a"])
    query = VideoSearch(sort=Sort(by=str(topics.id), direction="asc"), limit=5)
    found = await video_search.statement_of(conn, list_id=bl.id, query=query)
    assert found is not None
    await conn.execute("SET enable_seqscan = off")  # a list this small would be read whole
    try:
        nodes = await plan_nodes(conn, *found, analyze=True)
    finally:
        await conn.execute("RESET enable_seqscan")
    lookups = [n for n in nodes if n.get("Relation Name") == "videos"]
    assert [n["Actual Rows"] * n["Actual Loops"] for n in lookups] == [6]  # a page and one
    page = await video_search.search(conn, list_id=bl.id, query=query)
    assert len(page.items) == 5 and page.items[0].youtube_id


ORDER_INDEX = "video_field_values_options_order_idx"
RECENT_INDEX = "video_field_values_options_recent_idx"


async def indexes_in_plan(conn: asyncpg.Connection, statement: str, params: list[Any]) -> set[str]:
    """The indexes of `statement`'s plan, planned for `params` ($1.. in order)."""
    return {n["Index Name"] for n in await plan_nodes(conn, statement, params) if "Index Name" in n}


async def analyzed_as(
    conn: asyncpg.Connection,
    found: tuple[str, list[Any]],
    list_id: uuid.UUID,
    *,
    as_the_app: bool,
    settings: str = "",
) -> list[dict[str, Any]]:
    """The nodes of `found`'s plan, run in a transaction rolled back: under `settings` (SET
    LOCAL statements), and as the app (its role, under row-level security) when `as_the_app`."""
    tx = conn.transaction()
    await tx.start()
    try:
        if settings:
            await conn.execute(settings)
        if as_the_app:
            await conn.execute(f"SET LOCAL ROLE {DEFAULT_APP_ROLE}")
            await conn.execute(
                "SELECT set_config('app.owner', $1, true), set_config('app.list_id', $2, true)",
                OWNER,
                str(list_id),
            )
        return await plan_nodes(conn, *found, analyze=True)
    finally:
        await tx.rollback()


async def test_the_multi_select_order_index_serves_its_sort_and_no_stream(
    conn: asyncpg.Connection, catalog: Catalog
) -> None:
    """video_field_values_options_order_idx (0045) holds option sets by their first two
    options: a sort by the field reads it. A stream of the field's values cannot use it, even
    planned generically without its own index (one row estimated, it read a common option's
    every match in that order and sorted them by creation: 22 ms at 100k), so only the sort
    states its predicate."""
    options = catalog.fields["multi_select"]
    sort = VideoSearch(sort=Sort(by=str(options.id), direction="asc"))
    found = await video_search.statement_of(conn, list_id=catalog.list.id, query=sort)
    assert found is not None
    stream = video_search.Statement()
    stream.add("stream_options_open", field_id=options.id, list_id=catalog.list.id)
    stream.add("checked_options_has_all", values=["good"])
    stream.add("stream_desc")
    literals = [f"'{options.id}'::uuid", f"'{catalog.list.id}'::uuid", "ARRAY['good']::text[]"]
    tx = conn.transaction()
    await tx.start()
    try:
        await conn.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off")
        assert ORDER_INDEX in await indexes_in_plan(conn, *found)
        await conn.execute("DROP INDEX video_field_values_options_recent_idx")
        await conn.execute(f"PREPARE options_stream (uuid, uuid, text[]) AS {stream.text}")
        await conn.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        generic = f"EXECUTE options_stream ({', '.join(literals)})"
        assert ORDER_INDEX not in await indexes_in_plan(conn, generic, [])
    finally:
        await tx.rollback()
        await conn.execute("DEALLOCATE ALL")


@pytest.mark.parametrize("direction", ["asc", "desc"])
async def test_a_multi_select_walk_reads_its_short_sets_by_creation_not_their_whole_group(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, direction: str
) -> None:
    """0050: the sets of at most two options are all one set within a group of their first
    two, so the order index holds them by creation: a page reads a page of them, not the
    group (the 40 sets {a} here, 7,413 of one option at 1M), and the sets of more options are
    sorted by groups apart. Every page keeps the order (set, creation, id)."""
    field = await make.field(bl.id, "multi_select", config={"options": ["a", "b", "c", "d"]})
    sets = [["a"]] * 40 + [["a", "b"]] * 3 + [["a", "b", "d"], ["a", "b", "c"]] * 2
    sets += [["b"], ["a", "c", "d"], ["c", "d"], ["b", "a"], ["a", "c", "b", "d"]]
    made = []
    for options in sets:
        video = await make.video(bl.id)
        await make.value(video, field, options)
        made.append((options, video.created_at, video.id))
    made.sort(reverse=direction == "desc")
    query = VideoSearch(sort=Sort(by=str(field.id), direction=direction), limit=3)
    found = await video_search.statement_of(conn, list_id=bl.id, query=query)
    assert found is not None and "UNION ALL" in found[0]
    scans_off = "SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off"
    for under_rls in (False, True):
        # As the app: cardinality(), which each part's condition reads, is marked LEAKPROOF
        # (0050), else the policy kept it from the index (a filter).
        nodes = await analyzed_as(conn, found, bl.id, as_the_app=under_rls, settings=scans_off)
        walked = [node for node in nodes if node.get("Index Name") == ORDER_INDEX]
        assert len(walked) == 2, (under_rls, walked)
        assert max(node["Actual Rows"] for node in walked) <= 8, (under_rls, walked)
        assert all("cardinality" in node["Index Cond"] for node in walked), (under_rls, walked)
    ids = [video.id for video in await every_page(conn, bl.id, query)]
    assert ids == [video_id for _, _, video_id in made]


@pytest.mark.parametrize("min_sets", [40, 41])
async def test_past_a_range_s_cap_a_big_multi_select_s_walk_probes_each_video(
    conn: asyncpg.Connection,
    make: Builder,
    bl: BookmarkList,
    monkeypatch: pytest.MonkeyPatch,
    min_sets: int,
) -> None:
    """Under two ranges past their cap (10 here) and no equality, a sort by a multi_select
    holding SPLIT_WALK_MIN_SETS sets walks its order in two parts, each video probed for both
    ranges (at 1M, Minutes >= 300 and Rating >= 4 by Topics: 460-540 ms hashed, 13-21
    probed); a smaller field's sets are hashed against the range's matches, and so are they
    under a condition on the field itself. Every way, the same page."""
    monkeypatch.setattr(video_search, "SORT_CAP", 10)
    monkeypatch.setattr(video_search, "SPLIT_WALK_MIN_SETS", min_sets)
    topics = await make.field(bl.id, "multi_select", config={"options": ["a", "b", "c", "d"]})
    minutes, rating = await make.field(bl.id, "number"), await make.field(bl.id, "rating")
    sets = [["a"], ["a", "b"], ["a", "b", "c"], ["b", "d"], ["c"], ["a", "c", "d"], ["d"]]
    made = []
    for number in range(40):
        video = await make.video(bl.id)
        options = sets[number % len(sets)]
        await make.value(video, topics, options)
        await make.value(video, minutes, number)
        await make.value(video, rating, number % 5)
        if number >= 10 and number % 5 >= 3:
            made.append((options, video.created_at, video.id))
    made.sort()
    ranges = [
        Condition(field_id=minutes.id, op="gte", value=10),
        Condition(field_id=rating.id, op="gte", value=3),
    ]
    query = VideoSearch(filters=ranges, sort=Sort(by=str(topics.id), direction="asc"), limit=5)
    found = await video_search.statement_of(conn, list_id=bl.id, query=query)
    assert found is not None
    split = "UNION ALL" in found[0] and "(SELECT\nEXISTS" in found[0]
    assert split == (min_sets == 40)
    ids = [video.id for video in await every_page(conn, bl.id, query)]
    assert ids == [video_id for _, _, video_id in made]
    held = Condition(field_id=topics.id, op="has_any", value=["a", "b"])
    query = query.model_copy(update={"filters": [*ranges, held]})
    found = await video_search.statement_of(conn, list_id=bl.id, query=query)
    assert found is not None and "UNION ALL" not in found[0]
    page = await video_search.search(conn, list_id=bl.id, query=query)
    expected = [video_id for options, _, video_id in made if {"a", "b"} & set(options)]
    assert [item.id for item in page.items] == expected[:5]


async def test_sort_direction_defaults(conn: asyncpg.Connection, catalog: Catalog) -> None:
    assert await search(conn, catalog, by="title", direction=None) == [
        "v1",
        "v2",
        "v3",
        "v4",
        "v5",
        "v6",
    ]
    assert await search(conn, catalog, by="created_at", direction=None) == [
        "v6",
        "v5",
        "v4",
        "v3",
        "v2",
        "v1",
    ]
    rating = str(catalog.fields["rating"].id)
    assert (await search(conn, catalog, by=rating, direction=None))[:4] == ["v1", "v2", "v3", "v4"]


@pytest.mark.parametrize("direction", ["asc", "desc"])
async def test_sort_by_title_and_created_at(
    conn: asyncpg.Connection, catalog: Catalog, direction: str
) -> None:
    ascending = ["v1", "v2", "v3", "v4", "v5", "v6"]
    expected = ascending if direction == "asc" else ascending[::-1]
    assert await search(conn, catalog, by="title", direction=direction) == expected
    assert await search(conn, catalog, by="created_at", direction=direction) == expected


async def test_an_empty_list_gives_an_empty_page(
    conn: asyncpg.Connection, bl: BookmarkList
) -> None:
    page = await video_search.search(conn, list_id=bl.id, query=VideoSearch())
    assert page.items == [] and page.next_cursor is None


async def test_a_missing_list_is_not_found(conn: asyncpg.Connection) -> None:
    missing = uuid.uuid4()
    with pytest.raises(NotFound) as info:
        await video_search.search(conn, list_id=missing, query=VideoSearch())
    assert info.value.resource == "list" and info.value.resource_id == missing


async def test_an_empty_page_checks_its_list_only_when_no_field_lookup_did(
    conn: asyncpg.Connection, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[uuid.UUID] = []
    ensure_exists = lists.ensure_exists

    async def recording(conn: asyncpg.Connection, *, list_id: uuid.UUID) -> None:
        checked.append(list_id)
        await ensure_exists(conn, list_id=list_id)

    monkeypatch.setattr(lists, "ensure_exists", recording)
    assert await search(conn, catalog, ("text", "eq", "no such text")) == []
    assert checked == []  # the field was found in the list: the list exists
    with pytest.raises(NotFound):
        await video_search.search(conn, list_id=uuid.uuid4(), query=VideoSearch())
    assert len(checked) == 1


async def test_only_the_lists_own_videos_are_found(
    conn: asyncpg.Connection, make: Builder, catalog: Catalog, other_list: BookmarkList
) -> None:
    await make.video(other_list.id, title="elsewhere")
    assert "elsewhere" not in await search(conn, catalog)
    page = await video_search.search(conn, list_id=other_list.id, query=VideoSearch())
    assert [v.title for v in page.items] == ["elsewhere"]


# ------------------------------------------------------------------------------------------
# Refusals
# ------------------------------------------------------------------------------------------


async def test_a_condition_on_a_field_of_another_list_is_not_found(
    conn: asyncpg.Connection, make: Builder, catalog: Catalog, other_list: BookmarkList
) -> None:
    foreign = await make.field(other_list.id, "rating")
    query = VideoSearch(filters=[Condition(field_id=foreign.id, op="eq", value=1)])
    with pytest.raises(NotFound) as info:
        await video_search.search(conn, list_id=catalog.list.id, query=query)
    assert info.value.resource == "custom field" and info.value.resource_id == foreign.id


async def test_a_sort_by_a_field_of_another_list_is_not_found(
    conn: asyncpg.Connection, make: Builder, catalog: Catalog, other_list: BookmarkList
) -> None:
    foreign = await make.field(other_list.id, "rating")
    query = VideoSearch(sort=Sort(by=str(foreign.id)))
    with pytest.raises(NotFound) as info:
        await video_search.search(conn, list_id=catalog.list.id, query=query)
    assert info.value.resource_id == foreign.id


async def test_a_condition_on_a_missing_field_is_not_found(
    conn: asyncpg.Connection, catalog: Catalog
) -> None:
    query = VideoSearch(filters=[Condition(field_id=uuid.uuid4(), op="is_empty")])
    with pytest.raises(NotFound):
        await video_search.search(conn, list_id=catalog.list.id, query=query)


@pytest.mark.parametrize("op", ["is_empty", "is_not_empty"])
async def test_a_field_deleted_between_its_lookup_and_its_counts_is_not_found(
    conn: asyncpg.Connection,
    pool: asyncpg.Pool,
    catalog: Catalog,
    monkeypatch: pytest.MonkeyPatch,
    op: Op,
) -> None:
    # A search in READ COMMITTED (as on a replica) looks the field up, then reads its kept
    # counts: a delete committed in between left it out of the counts, a KeyError and a 500.
    field = catalog.fields["rating"]
    counts = video_search.custom_fields.fill

    async def fill_after_a_delete(*args: Any, **kwargs: Any) -> Any:
        async with pool.acquire() as other:
            # Gone from the counts: deleted outright here, as the app role's policies hide a
            # field marked deleted (the owning role's view still shows it).
            await other.execute("DELETE FROM custom_fields WHERE id = $1", field.id)
        return await counts(*args, **kwargs)

    monkeypatch.setattr(video_search.custom_fields, "fill", fill_after_a_delete)
    query = VideoSearch(filters=[Condition(field_id=field.id, op=op)])
    with pytest.raises(NotFound) as info:
        await video_search.search(conn, list_id=catalog.list.id, query=query)
    assert info.value.resource_id == field.id


UNFIT = [
    (field_type, op)
    for field_type in FieldType
    for op in get_args(Op)
    if op not in field_types.TYPES[field_type].operators
]


@pytest.mark.parametrize(("field_type", "op"), UNFIT, ids=[f"{t}-{op}" for t, op in UNFIT])
async def test_an_operator_that_does_not_fit_the_type_is_refused(
    conn: asyncpg.Connection, catalog: Catalog, field_type: FieldType, op: str
) -> None:
    field = catalog.fields[field_type]
    query = VideoSearch(filters=[Condition(field_id=field.id, op=op, value="good")])
    with pytest.raises(InvalidValue) as info:
        await video_search.search(conn, list_id=catalog.list.id, query=query)
    [problem] = info.value.problems
    assert problem.rule == "search_operator" and problem.field_id == field.id
    assert field.name in problem.message


BAD_VALUES = [
    ("rating", "eq", "abc", "search_value_type"),
    ("rating", "eq", True, "search_value_type"),
    ("rating", "eq", None, "search_value_type"),
    ("rating", "gt", [1], "search_value_type"),
    ("rating", "eq", "NaN", "search_value_type"),
    ("rating", "lte", "Infinity", "search_value_type"),
    ("rating", "between", [1], "search_value_type"),
    ("rating", "between", "1..2", "search_value_type"),
    ("rating", "between", [1, "x"], "search_value_type"),
    ("rating", "between", [3, 1], "search_value_range"),
    ("rating", "is_empty", 1, "search_value_type"),
    ("text", "eq", "", "search_value_type"),
    ("text", "contains", 5, "search_value_type"),
    ("text", "starts_with", None, "search_value_type"),
    ("text", "is_not_empty", "x", "search_value_type"),
    ("select", "eq", "nope", "search_value_option"),
    ("select", "in", [], "search_value_type"),
    ("select", "in", "good", "search_value_type"),
    ("select", "in", ["good", "nope"], "search_value_option"),
    ("select", "not_in", ["good"] * 201, "search_value_type"),
    ("boolean", "eq", "true", "search_value_type"),
    ("boolean", "eq", 1, "search_value_type"),
    ("boolean", "eq", None, "search_value_type"),
]


@pytest.mark.parametrize(
    ("field_type", "op", "value", "rule"),
    BAD_VALUES,
    ids=[f"{t}-{op}-{v!r}"[:40] for t, op, v, _ in BAD_VALUES],
)
async def test_a_value_that_does_not_fit_is_refused(
    conn: asyncpg.Connection, catalog: Catalog, field_type: str, op: str, value: Any, rule: str
) -> None:
    field = catalog.fields[field_type]
    query = VideoSearch(filters=[Condition(field_id=field.id, op=op, value=value)])
    with pytest.raises(InvalidValue) as info:
        await video_search.search(conn, list_id=catalog.list.id, query=query)
    [problem] = info.value.problems
    assert (problem.rule, problem.field_id) == (rule, field.id)


@pytest.mark.parametrize("by", ["name", "created_at; DROP TABLE videos", "", "CREATED_AT"])
async def test_an_unknown_sort_is_refused(
    conn: asyncpg.Connection, catalog: Catalog, by: str
) -> None:
    with pytest.raises(InvalidValue) as info:
        await video_search.search(
            conn, list_id=catalog.list.id, query=VideoSearch(sort=Sort(by=by))
        )
    assert info.value.problems[0].rule == "search_sort"


@pytest.mark.parametrize("cursor", ["garbage", "", "e30", "WyJ0aXRsZTphc2MiLDEsIngiXQ"])
async def test_a_malformed_cursor_is_refused(
    conn: asyncpg.Connection, catalog: Catalog, cursor: str
) -> None:
    query = VideoSearch(sort=Sort(by="title"), cursor=cursor)
    with pytest.raises(InvalidInput):
        await video_search.search(conn, list_id=catalog.list.id, query=query)


@pytest.mark.parametrize("direction", ["asc", "desc"])
async def test_a_cursor_with_an_empty_option_set_is_refused(
    conn: asyncpg.Connection, catalog: Catalog, direction: str
) -> None:
    # No value is an empty set; ascending, [] (its first option NULL) skipped every value.
    field = catalog.fields["multi_select"].id
    position = [[], datetime(2000, 1, 1, tzinfo=UTC)]
    cursor = paging.encode(f"field:{field}:{direction}", position, uuid.uuid4(), catalog.list.id)
    query = VideoSearch(sort=Sort(by=str(field), direction=direction), cursor=cursor)
    with pytest.raises(InvalidInput, match="not valid"):
        await video_search.search(conn, list_id=catalog.list.id, query=query)


async def test_a_cursor_of_another_sort_is_refused(
    conn: asyncpg.Connection, catalog: Catalog
) -> None:
    first = await video_search.search(
        conn, list_id=catalog.list.id, query=VideoSearch(sort=Sort(by="title"), limit=2)
    )
    assert first.next_cursor is not None
    query = VideoSearch(sort=Sort(by="title", direction="desc"), cursor=first.next_cursor)
    with pytest.raises(InvalidInput, match="another sort"):
        await video_search.search(conn, list_id=catalog.list.id, query=query)
    # A title cursor holds a string where a created_at cursor holds a time: the sort is
    # what the error names.
    query = VideoSearch(sort=Sort(by="created_at"), cursor=first.next_cursor)
    with pytest.raises(InvalidInput, match="another sort"):
        await video_search.search(conn, list_id=catalog.list.id, query=query)


@pytest.mark.parametrize(
    ("cap", "few_factor", "first_factor"),
    [
        (video_search.SORT_CAP, 1000.0, 0.0),
        (video_search.SORT_CAP, 0.0, 0.0),
        (3, 0.0, 0.0),
        (video_search.SORT_CAP, 1000.0, video_search.SORT_VALUE_FIRST_FACTOR),
        (3, 0.0, 1.0),
    ],
    ids=["sorted-matches", "hashed-walk", "walked", "first-value", "first-value-gives-up"],
)
@pytest.mark.parametrize("direction", ["asc", "desc"])
async def test_a_sort_by_a_field_with_an_equality_pages_alike_sorted_or_walked(
    conn: asyncpg.Connection,
    make: Builder,
    bl: BookmarkList,
    monkeypatch: pytest.MonkeyPatch,
    direction: str,
    cap: int,
    few_factor: float,
    first_factor: float,
) -> None:
    # The equality's matches are sorted by the field (up to sqrt(SORT_FEW_FACTOR x videos)),
    # or looked up in a hash along the field's value index (up to SORT_CAP); past the cap the
    # page walks that index. Before them, the matches of the page's first value may fill it
    # (SORT_VALUE_FIRST_FACTOR; 0: never tried). Each gives the brute-force order, page after
    # page, with the videos without a value last.
    monkeypatch.setattr(video_search, "SORT_CAP", cap)
    monkeypatch.setattr(video_search, "SORT_FEW_FACTOR", few_factor)
    monkeypatch.setattr(video_search, "SORT_VALUE_FIRST_FACTOR", first_factor)
    rng = random.Random(5)
    rating, status, seen = [await make.field(bl.id, t) for t in ("rating", "select", "boolean")]
    truth: dict[str, dict[uuid.UUID, Any]] = {"rating": {}, "select": {}, "boolean": {}}
    made = []
    for number in range(24):
        video = await make.video(bl.id, title=f"v{number:02d}")
        made.append(video)
        for field, choices in ((rating, [1, 2, 3, None]), (status, ["good", "ok", None]),
                               (seen, [True, False])):  # fmt: skip
            value = rng.choice(choices)
            if value is not None:
                await make.value(video, field, value)
                truth[field.field_type.value][video.id] = value
    for filters in (
        [("select", "eq", "good")],
        [("select", "in", ["good", "ok"]), ("boolean", "eq", True)],
    ):
        fields = {"select": status, "boolean": seen}
        matching = [
            v for v in made
            if all(truth[t].get(v.id) in (value if op == "in" else [value])
                   for t, op, value in filters)
        ]  # fmt: skip
        expected = expected_order(matching, truth["rating"], direction)
        query = VideoSearch(
            filters=[Condition(field_id=fields[t].id, op=op, value=v) for t, op, v in filters],
            sort=Sort(by=str(rating.id), direction=direction),
            limit=4,
        )
        found = await every_page(conn, bl.id, query)
        assert [v.id for v in found] == expected, filters


@pytest.mark.parametrize("direction", ["asc", "desc"])
@pytest.mark.parametrize(
    ("phrase", "walked"), [("needle", False), ("e", True)], ids=["rare-range", "common-range"]
)
async def test_past_an_equalitys_cap_a_range_an_index_reads_is_read_before_the_walk(
    conn: asyncpg.Connection,
    make: Builder,
    bl: BookmarkList,
    monkeypatch: pytest.MonkeyPatch,
    statements: list[str],
    direction: str,
    phrase: str,
    walked: bool,
) -> None:
    """Sorted by a field under a common equality (past SORT_CAP) and a range an index reads
    (a substring), the range's matches are read and sorted before any walk of the field's
    order, which for a rare range read the whole order (at 100k, Watched = true and Notes
    containing "quebec romeo" sorted by Rating: 840 ms): walked only when both are past the
    cap. The videos without a value skip the equality's read the first part found past its
    cap. Every page gives the brute-force order, the videos without a value last."""
    monkeypatch.setattr(video_search, "SORT_CAP", 5)
    monkeypatch.setattr(video_search, "SORT_VALUE_FIRST_FACTOR", 0.0)
    rating, seen = await make.field(bl.id, "rating"), await make.field(bl.id, "boolean")
    notes = await make.field(bl.id, "text")
    ratings: dict[uuid.UUID, Any] = {}
    matching = []
    for number in range(30):
        video = await make.video(bl.id, title=f"v{number:02d}")
        await make.value(video, seen, number % 5 != 0)  # 24 of 30: past the cap
        text = "a needle here" if number % 10 == 3 else "some hay"  # 3 needles, each seen
        await make.value(video, notes, text)
        if number % 4 != 3:  # two needles without a rating
            ratings[video.id] = number % 3
            await make.value(video, rating, number % 3)
        if number % 5 != 0 and phrase in text:
            matching.append(video)
    query = VideoSearch(
        filters=[
            Condition(field_id=seen.id, op="eq", value=True),
            Condition(field_id=notes.id, op="contains", value=phrase),
        ],
        sort=Sort(by=str(rating.id), direction=direction),
        limit=2,
    )
    statements.clear()
    found = await every_page(conn, bl.id, query)
    assert [v.id for v in found] == expected_order(matching, ratings, direction)
    # Each capped read opens with its matches (capped_open); the walk of the field's order
    # and the walk of the videos without a value do not.
    walks = [text for text in statements if "WITH matches AS MATERIALIZED" not in text]
    assert bool(walks) == walked, walks
    if not walked:
        # One page of all: after the first part's reads, the videos without a value are read
        # among the phrase's matches only (the equality's are past the cap there too).
        statements.clear()
        page = await video_search.search(
            conn, list_id=bl.id, query=query.model_copy(update={"limit": 50})
        )
        assert [v.id for v in page.items] == [v.id for v in found]
        unvalued = [text for text in statements if "NULL AS sort_value" in text]
        assert len(unvalued) == 1 and "ILIKE" in unvalued[0], statements


async def test_an_empty_page_answered_by_the_hashed_walk_after_a_range_is_empty(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the equality's few, the range is tried (past its own few here), then the
    equality's hashed walk answers: a capped statement too, whose count comes as a row of no
    video when the page is empty (read as a video: a 500)."""
    monkeypatch.setattr(video_search, "SORT_FEW_FACTOR", 0.01)  # few: 0
    monkeypatch.setattr(video_search, "SORT_VALUE_FIRST_FACTOR", 0.0)
    rating, seen = await make.field(bl.id, "rating"), await make.field(bl.id, "boolean")
    notes = await make.field(bl.id, "text")
    for number in range(6):
        video = await make.video(bl.id)
        await make.value(video, rating, number % 3)
        await make.value(video, seen, number < 3)
        await make.value(video, notes, "needle" if number < 3 else "hay")
    query = VideoSearch(
        filters=[
            Condition(field_id=seen.id, op="eq", value=False),
            Condition(field_id=notes.id, op="contains", value="needle"),
        ],
        sort=Sort(by=str(rating.id), direction="desc"),
    )
    page = await video_search.search(conn, list_id=bl.id, query=query)
    assert page.items == [] and page.next_cursor is None


async def test_with_another_condition_twice_the_few_matches_are_still_sorted(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 36 videos: the few is 6. Seen's 9 matches (fewer than good's 12; the two not joined
    # here) are past it, but with a second condition to probe, up to 12 are still sorted
    # (OTHERS_FEW_FACTOR): the hashed walk of Rating's order stops at a full page, which few
    # matches holding both may never fill. With the factor 1, the walk answers.
    monkeypatch.setattr(video_search, "SORT_VALUE_FIRST_FACTOR", 0.0)
    rating, seen = await make.field(bl.id, "rating"), await make.field(bl.id, "boolean")
    status = await make.field(bl.id, "select")
    made = []
    for number in range(36):
        video = await make.video(bl.id, title=f"v{number:02d}")
        await make.value(video, rating, number % 5)
        await make.value(video, seen, number % 4 == 0)
        made.append(video)
    for video in made[:12]:
        await make.value(video, status, "good")
    query = VideoSearch(
        filters=[
            Condition(field_id=status.id, op="eq", value="good"),
            Condition(field_id=seen.id, op="eq", value=True),
        ],
        sort=Sort(by=str(rating.id), direction="desc"),
    )
    monkeypatch.setattr(video_search, "INTERSECT_FACTOR", 0)

    async def hashed() -> bool:
        found = await video_search.statement_of(conn, list_id=bl.id, query=query)
        assert found is not None
        return ") IS TRUE" in found[0]

    assert not await hashed()
    page = await video_search.search(conn, list_id=bl.id, query=query)
    assert [v.title for v in page.items] == ["v04", "v08", "v00"]
    monkeypatch.setattr(video_search, "OTHERS_FEW_FACTOR", 1)
    assert await hashed()
    page = await video_search.search(conn, list_id=bl.id, query=query)
    assert [v.title for v in page.items] == ["v04", "v08", "v00"]


async def seen_and_alpha_by_rating(
    make: Builder, bl: BookmarkList, *, alpha: int
) -> tuple[VideoSearch, list[str]]:
    """40 videos seen, each rated (number % 5), the first `alpha` with Notes starting with
    "alpha": the search for seen ones starting with "alpha" by Rating descending, and the
    titles it finds in order."""
    rating, seen = await make.field(bl.id, "rating"), await make.field(bl.id, "boolean")
    notes = await make.field(bl.id, "text")
    ratings = {}
    for number in range(40):
        video = await make.video(bl.id, title=f"v{number:02d}")
        await make.value(video, rating, number % 5)
        await make.value(video, seen, True)
        await make.value(video, notes, "alpha beta" if number < alpha else "gamma")
        if number < alpha:
            ratings[video.title] = (number % 5, video.created_at, video.id)
    query = VideoSearch(
        filters=[
            Condition(field_id=seen.id, op="eq", value=True),
            Condition(field_id=notes.id, op="starts_with", value="alpha"),
        ],
        sort=Sort(by=str(rating.id), direction="desc"),
    )
    return query, sorted(ratings, key=lambda title: ratings[title], reverse=True)


async def test_a_range_beside_a_common_equality_is_read_and_sorted_up_to_its_own_few(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 40 videos seen, Notes starting with "alpha" on 15 of them. Seen's 40 matches are more
    # than its few (sqrt(40): 6), and its walks stop at a full page, reading most of Rating's
    # order when few matches hold the range; the range's 15 are within its own few
    # (sqrt(10 x 40): 20), so they are read, probed for seen and sorted.
    monkeypatch.setattr(video_search, "SORT_VALUE_FIRST_FACTOR", 0.0)
    query, expected = await seen_and_alpha_by_rating(make, bl, alpha=15)
    found = await video_search.statement_of(conn, list_id=bl.id, query=query)
    assert found is not None
    assert "LIKE" in found[0].split("SELECT m.matched")[0]  # the capped read is the range's
    # Each match is probed for seen before its sort value is read (capped_valued_probed_open).
    probed = found[0].split("FROM matches AS v (video_created_at, id) WHERE true")[1]
    assert "value_boolean" in probed.split("OFFSET 0)")[0]
    page = await video_search.search(conn, list_id=bl.id, query=query)
    assert [v.title for v in page.items] == expected
    monkeypatch.setattr(video_search, "RANGE_FIRST_FEW_FACTOR", 1.0)  # its few: 6
    found = await video_search.statement_of(conn, list_id=bl.id, query=query)
    assert found is not None and "LIKE" not in found[0].split("SELECT m.matched")[0]


async def test_past_an_equality_s_cap_a_range_is_read_up_to_sqrt_wanted_x_videos(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 40 videos seen, past a cap of 35: the equality's walk of Rating's order would probe each
    # video for both. Notes starting with "alpha" holds 30, past the range's own few
    # (sqrt(10 x 40): 20) but within sqrt(wanted x videos) (sqrt(51 x 40): 45), where reading
    # the range costs no more than the walk: read, probed for seen and sorted.
    monkeypatch.setattr(video_search, "SORT_VALUE_FIRST_FACTOR", 0.0)
    monkeypatch.setattr(video_search, "SORT_CAP", 35)
    query, expected = await seen_and_alpha_by_rating(make, bl, alpha=30)
    found = await video_search.statement_of(conn, list_id=bl.id, query=query)
    assert found is not None and "SELECT m.matched" in found[0]
    assert "LIKE" in found[0].split("SELECT m.matched")[0]  # the capped read is the range's
    page = await video_search.search(conn, list_id=bl.id, query=query)
    assert [v.title for v in page.items] == expected
    # Pages of 10 (11 rows wanted): sqrt(11 x 40) is 20, so the walk answers, with the same rows.
    query = query.model_copy(update={"limit": 10})
    found = await video_search.statement_of(conn, list_id=bl.id, query=query)
    assert found is not None and "SELECT m.matched" not in found[0]
    page = await video_search.search(conn, list_id=bl.id, query=query)
    assert [v.title for v in page.items] == expected[:10]


@pytest.mark.parametrize("rarer", ["starts_with", "contains"])
async def test_of_two_text_ranges_the_one_with_fewer_matches_is_read(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, rarer: str
) -> None:
    # Sorted by Rating with no equality, one range is read and sorted, the other probed: the
    # one whose index holds fewer matches (counted), not the prefix by default (at 1M, Notes
    # starting with "alpha" (6,784) and containing "quebec romeo" (278) by Topics: 1.46 s).
    rating, notes = await make.field(bl.id, "rating"), await make.field(bl.id, "text")
    ratings = {}
    for number in range(30):
        video = await make.video(bl.id, title=f"v{number:02d}")
        await make.value(video, rating, number % 5)
        both, one = "alpha quebec romeo", "alpha" if rarer == "contains" else "quebec romeo"
        await make.value(video, notes, both if number < 3 else one if number < 25 else "gamma")
        if number < 3:
            ratings[video.title] = (number % 5, video.created_at, video.id)
    query = VideoSearch(
        filters=[
            Condition(field_id=notes.id, op="starts_with", value="alpha"),
            Condition(field_id=notes.id, op="contains", value="quebec romeo"),
        ],
        sort=Sort(by=str(rating.id), direction="desc"),
    )
    found = await video_search.statement_of(conn, list_id=bl.id, query=query)
    assert found is not None
    read = found[0].split("SELECT m.matched")[0]
    assert ("ILIKE" in read) == (rarer == "contains")
    assert ('COLLATE "C" LIKE' in read) == (rarer == "starts_with")
    page = await video_search.search(conn, list_id=bl.id, query=query)
    assert [v.title for v in page.items] == sorted(
        ratings, key=lambda title: ratings[title], reverse=True
    )


async def test_a_title_sort_beside_an_equality_reads_a_rare_phrase_first(
    conn: asyncpg.Connection, catalog: Catalog
) -> None:
    # At 1M, Status = done and Notes containing "quebec romeo" by title walked the title's
    # order probing each video (7.4 s for 2 rows): the phrase's matches are read first, as
    # without the equality.
    query = VideoSearch(
        filters=[
            Condition(field_id=catalog.fields["select"].id, op="in", value=["good", "ok"]),
            Condition(field_id=catalog.fields["text"].id, op="contains", value="alpha"),
        ],
        sort=Sort(by="title", direction="asc"),
    )
    found = await video_search.statement_of(conn, list_id=catalog.list.id, query=query)
    assert found is not None and "ILIKE" in found[0].split("SELECT m.matched")[0]
    page = await video_search.search(conn, list_id=catalog.list.id, query=query)
    assert catalog.titles(page.items) == ["v1", "v2"]


async def test_past_the_few_a_title_sort_walks_probing_every_condition_per_video(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList
) -> None:
    # Pages of 1 (2 rows wanted): the few is sqrt(2 x 40) = 8, and Minutes >= 20 holds 20, so
    # the title's order is walked, each video probed for both ranges (walked_open): left to
    # the planner, it read every match of the range and sorted them.
    minutes, rating = await make.field(bl.id, "number"), await make.field(bl.id, "rating")
    expected = []
    for number in range(40):
        video = await make.video(bl.id, title=f"v{number:02d}")
        await make.value(video, minutes, number)
        await make.value(video, rating, number % 5)
        if number >= 20 and number % 5 >= 3:
            expected.append(video.title)
    query = VideoSearch(
        filters=[
            Condition(field_id=minutes.id, op="gte", value=20),
            Condition(field_id=rating.id, op="gte", value=3),
        ],
        sort=Sort(by="title", direction="asc"),
        limit=1,
    )
    found = await video_search.statement_of(conn, list_id=bl.id, query=query)
    assert found is not None and found[0].count("(SELECT\nEXISTS") == 2
    assert [v.title for v in await every_page(conn, bl.id, query)] == expected


async def test_past_a_ranges_cap_a_field_sort_walks_its_value_keys_probing_per_video(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No equality, and the range past its cap (5 here): the walk of Difficulty's order reads
    # its value rows alone (valued_numeric_keys), each video probed for both ranges, and the
    # page's videos are looked up once it is cut (looked_up_open).
    monkeypatch.setattr(video_search, "SORT_CAP", 5)
    minutes, rating = await make.field(bl.id, "number"), await make.field(bl.id, "rating")
    difficulty = await make.field(bl.id, "rating")
    ranks = {}
    for number in range(40):
        video = await make.video(bl.id, title=f"v{number:02d}")
        await make.value(video, minutes, number)
        await make.value(video, rating, number % 5)
        await make.value(video, difficulty, number % 6)
        if number >= 20 and number % 5 >= 3:
            ranks[video.title] = (number % 6, video.created_at, video.id)
    query = VideoSearch(
        filters=[
            Condition(field_id=minutes.id, op="gte", value=20),
            Condition(field_id=rating.id, op="gte", value=3),
        ],
        sort=Sort(by=str(difficulty.id), direction="asc"),
        limit=3,
    )
    found = await video_search.statement_of(conn, list_id=bl.id, query=query)
    assert found is not None and found[0].count("(SELECT\nEXISTS") == 2
    assert "CROSS JOIN LATERAL (SELECT s.video_id AS id) AS v" in found[0]
    assert ") AS cut" in found[0]
    seen = [v.title for v in await every_page(conn, bl.id, query)]
    assert seen == sorted(ranks, key=lambda title: ranks[title])


async def test_a_sort_by_a_field_sorts_up_to_the_square_root_of_the_list_of_matches(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Up to sqrt(videos) matches of the equality are sorted by looking each one's value up;
    # with more, the field's value index is walked against a hash of them. The threshold comes
    # from the list's kept count, so the same 6 matches are hashed among 25 videos (5) and
    # sorted among 100 (10). (The first value's matches are not tried first here.)
    monkeypatch.setattr(video_search, "SORT_VALUE_FIRST_FACTOR", 0.0)
    rating, status = await make.field(bl.id, "rating"), await make.field(bl.id, "select")
    for number in range(25):
        video = await make.video(bl.id, title=f"v{number:02d}")
        await make.value(video, rating, number % 5 + 1)
        if number < 6:
            await make.value(video, status, "good")
    query = VideoSearch(
        filters=[Condition(field_id=status.id, op="eq", value="good")],
        sort=Sort(by=str(rating.id), direction="desc"),
    )

    async def answered_by_the_hashed_walk() -> bool:
        found = await video_search.statement_of(conn, list_id=bl.id, query=query)
        assert found is not None
        return ") IS TRUE" in found[0]

    assert await answered_by_the_hashed_walk()
    for number in range(25, 100):
        await make.video(bl.id, title=f"v{number:02d}")
    assert not await answered_by_the_hashed_walk()
    page = await video_search.search(conn, list_id=bl.id, query=query)
    assert [v.title for v in page.items] == ["v04", "v03", "v02", "v01", "v05", "v00"]


@pytest.mark.parametrize("direction", ["asc", "desc"])
async def test_a_sort_by_a_field_answers_from_the_first_values_matches_when_they_fill_the_page(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, direction: str
) -> None:
    # 40 videos, "good" on every other one, the matches rated 1..4 in turn. By rating, the matches
    # of the first value (4 descending, 1 ascending) fill pages of 3 from the first stream
    # entries (SORT_VALUE_FIRST_FACTOR), page after page through the cursor, until that value
    # runs out; then all the matches are sorted. Rating 5 on one match only: descending, that
    # first value cannot fill a page, and the sort of all the matches answers.
    rating, status = await make.field(bl.id, "rating"), await make.field(bl.id, "select")
    made, ratings = [], {}
    for number in range(40):
        video = await make.video(bl.id, title=f"v{number:02d}")
        ratings[video.id] = number // 2 % 4 + 1
        await make.value(video, rating, ratings[video.id])
        if number % 2 == 0:
            await make.value(video, status, "good")
            made.append(video)
    query = VideoSearch(
        filters=[Condition(field_id=status.id, op="eq", value="good")],
        sort=Sort(by=str(rating.id), direction=direction),
        limit=3,
    )

    async def answered_by_the_first_value() -> bool:
        found = await video_search.statement_of(conn, list_id=bl.id, query=query)
        assert found is not None
        return ") AS most ORDER BY" in found[0]

    assert await answered_by_the_first_value()
    found = await every_page(conn, bl.id, query)
    assert [v.id for v in found] == expected_order(made, ratings, direction)
    await make.value(made[0], rating, 5)
    ratings[made[0].id] = 5
    assert await answered_by_the_first_value() == (direction == "asc")
    found = await every_page(conn, bl.id, query)
    assert [v.id for v in found] == expected_order(made, ratings, direction)


async def test_the_first_values_page_probes_each_other_condition_per_video(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList
) -> None:
    # The first value's page reads at most SORT_VALUE_FIRST_FACTOR x the page's entries of the
    # equality's stream, so each other condition is probed per entry: left to the planner, a
    # "contains" beside it became a hash join over the text field's every value (at 100k,
    # Watched = true and Notes containing "quebec romeo" sorted by Rating: 13 ms for no row).
    rating, seen = await make.field(bl.id, "rating"), await make.field(bl.id, "boolean")
    notes = await make.field(bl.id, "text")
    made = []
    for number in range(12):
        video = await make.video(bl.id, title=f"v{number:02d}")
        await make.value(video, rating, 5 if number < 8 else 1)
        await make.value(video, seen, number % 2 == 0)
        await make.value(video, notes, "a needle here" if number < 10 else "hay")
        made.append(video)
    query = VideoSearch(
        filters=[
            Condition(field_id=seen.id, op="eq", value=True),
            Condition(field_id=notes.id, op="contains", value="NEEDLE"),
        ],
        sort=Sort(by=str(rating.id), direction="desc"),
        limit=3,
    )
    found = await video_search.statement_of(conn, list_id=bl.id, query=query)
    assert found is not None and ") AS most ORDER BY" in found[0]
    # The contains and the first value's equality, each a scalar subquery (walked_open).
    assert found[0].count("(SELECT\nEXISTS") == 2
    page = await video_search.search(conn, list_id=bl.id, query=query)
    assert [v.title for v in page.items] == ["v06", "v04", "v02"]


# ------------------------------------------------------------------------------------------
# Every fragment of sql/video_search.sql runs in a real search
# ------------------------------------------------------------------------------------------


async def test_every_fragment_runs_in_a_real_search(
    conn: asyncpg.Connection,
    catalog: Catalog,
    monkeypatch: pytest.MonkeyPatch,
    used_fragments: set[str],
) -> None:
    for field_type, op, value, expected in CASES:
        assert await search(conn, catalog, (field_type, op, value)) == expected
        newest = await search(conn, catalog, (field_type, op, value), by="created_at")
        assert sorted(newest) == expected
    for conditions, expected in COMBINED:
        for direction in ("asc", "desc"):
            titles = await search(conn, catalog, *conditions, by="created_at", direction=direction)
            assert sorted(titles) == expected
    sorts = ["created_at", "title"] + [str(f.id) for f in catalog.fields.values()]
    for by in sorts:
        for direction in ("asc", "desc"):
            # Pages of 1 reach cursors on a value and cursors among the videos without one.
            query = VideoSearch(sort=Sort(by=by, direction=direction), limit=1)
            seen = await every_page(conn, catalog.list.id, query)
            assert sorted(v.title for v in seen) == list(VALUES)
    # Sorted by a field with an equality, pages of 1 again: the matches of the page's first
    # value first (either direction), or all of them sorted, then looked up in a hash along
    # the field's index.
    select = catalog.fields["select"]
    in_good_or_ok = [Condition(field_id=select.id, op="in", value=["good", "ok"])]
    for first_factor, few_factor in ((video_search.SORT_VALUE_FIRST_FACTOR, 1.0), (0.0, 0.0)):
        monkeypatch.setattr(video_search, "SORT_VALUE_FIRST_FACTOR", first_factor)
        monkeypatch.setattr(video_search, "SORT_FEW_FACTOR", few_factor)
        for direction in ("asc", "desc"):
            by_rating = Sort(by=str(catalog.fields["rating"].id), direction=direction)
            query = VideoSearch(filters=in_good_or_ok, sort=by_rating, limit=1)
            seen = await every_page(conn, catalog.list.id, query)
            assert sorted(v.title for v in seen) == ["v1", "v2", "v4"]
    # Sorted by the select under an equality: its matches sorted by their value (the head
    # that reads each value's video, valued_text_field).
    seen_only = [Condition(field_id=catalog.fields["boolean"].id, op="eq", value=True)]
    for direction in ("asc", "desc"):
        by_select = Sort(by=str(catalog.fields["select"].id), direction=direction)
        query = VideoSearch(filters=seen_only, sort=by_select, limit=1)
        seen = await every_page(conn, catalog.list.id, query)
        assert [v.title for v in seen] == (["v3", "v1"] if direction == "asc" else ["v1", "v3"])
    # Two equalities the kept counts hold by value, their matches joined (capped_also_open).
    good_and_seen = [
        *in_good_or_ok,
        Condition(field_id=catalog.fields["boolean"].id, op="eq", value=True),
    ]
    for direction in ("asc", "desc"):
        by_rating = Sort(by=str(catalog.fields["rating"].id), direction=direction)
        query = VideoSearch(filters=good_and_seen, sort=by_rating, limit=1)
        seen = await every_page(conn, catalog.list.id, query)
        assert [v.title for v in seen] == ["v1"]
    # A text range its first value shows sparse: its matches read by the trigram or prefix
    # index (the catalog's fields hold fewer values than the sample's depth: always streamed).
    monkeypatch.setattr(video_search, "STREAM_PROBE_DEPTH", 1)
    monkeypatch.setattr(video_search, "STREAM_FACTOR", 1e9)
    text_ranges = [case for case in CASES if case[1] in video_search.TEXT_RANGES]
    assert {op for _, op, _, _ in text_ranges} == set(video_search.TEXT_RANGES)
    for field_type, op, value, expected in text_ranges:
        newest = await search(conn, catalog, (field_type, op, value), by="created_at")
        assert sorted(newest) == expected
    # So is a range on a number or date (its matches read from the value index) and an
    # options condition on a multi_select (from the options' GIN index).
    value_ranges = [
        case
        for case in CASES
        if case[0] in ("number", "date", "multi_select")
        and case[1] not in ("eq", "ne", "is_empty", "is_not_empty")
    ]
    assert {"has_any", "has_all"} <= {op for _, op, _, _ in value_ranges}
    for field_type, op, value, expected in value_ranges:
        newest = await search(conn, catalog, (field_type, op, value), by="created_at")
        assert sorted(newest) == expected
    # An is_empty read as the videos less the field's values, pages of 1 (cursors).
    monkeypatch.setattr(video_search, "ABSENT_DENSITY", 1.01)
    for direction in ("asc", "desc"):
        empty = Condition(field_id=catalog.fields["number"].id, op="is_empty")
        query = VideoSearch(filters=[empty], sort=Sort(direction=direction), limit=1)
        seen = await every_page(conn, catalog.list.id, query)
        assert sorted(v.title for v in seen) == ["v3", "v6"]
    # And a rating's range of more held values than MAX_STREAMS: walked.
    monkeypatch.setattr(video_search, "MAX_STREAMS", 0)
    rating_ranges = [case for case in CASES if case[0] == "rating" and case[1] in ("gt", "lte")]
    for field_type, op, value, expected in rating_ranges:
        newest = await search(conn, catalog, (field_type, op, value), by="created_at")
        assert sorted(newest) == expected
    # A number's range beside an equality: counted, then read first (under the cap) or probed
    # per video of the equality's stream (at it).
    for cap in (video_search.RANGE_FIRST_CAP, 1):
        monkeypatch.setattr(video_search, "RANGE_FIRST_CAP", cap)
        beside = [("select", "eq", "good"), ("number", "gte", -5)]
        assert sorted(await search(conn, catalog, *beside, by="created_at")) == ["v1", "v4"]
    # Sorted by a multi_select under an equality's matches (capped): its sort_head, which
    # looks the videos up itself (a walk reads the value rows alone, valued_options_keys).
    good = ("select", "eq", "good")
    for direction in ("asc", "desc"):
        by = str(catalog.fields["multi_select"].id)
        found = await search(conn, catalog, good, by=by, direction=direction)
        assert sorted(found) == sorted(await search(conn, catalog, good, by="created_at"))
    # Sorted by another field under an equality past the cap, a substring's few matches
    # (capped_close_few_only) before the walk.
    monkeypatch.setattr(video_search, "SORT_VALUE_FIRST_FACTOR", 0.0)
    sort_cap = video_search.SORT_CAP
    monkeypatch.setattr(video_search, "SORT_CAP", 1)
    both = [("select", "eq", "good"), ("text", "contains", "alpha")]
    by = str(catalog.fields["rating"].id)
    assert await search(conn, catalog, *both, by=by) == ["v1"]
    monkeypatch.setattr(video_search, "SORT_CAP", sort_cap)
    # Sorted by its own field, each condition is checked on the row the field's value index
    # walks (sorted_*): an equality's too, once its matches are past the cap.
    for cap in (video_search.SORT_CAP, 1):
        monkeypatch.setattr(video_search, "SORT_CAP", cap)
        for field_type, op, value, expected in CASES:
            by = str(catalog.fields[field_type].id)
            for direction in ("asc", "desc"):
                found = await search(
                    conn, catalog, (field_type, op, value), by=by, direction=direction
                )
                assert sorted(found) == expected, (field_type, op, value, direction)
    # The facets read an is_not_empty from its field's value index (range_present_*) where
    # nothing else reads their matches; each type's presence beside the rating's.
    for field_type, field in catalog.fields.items():
        present = [
            Condition(field_id=f.id, op="is_not_empty") for f in (field, catalog.fields["rating"])
        ]
        query = VideoFacetsQuery(filters=present, fields=[catalog.fields["rating"].id])
        found = await video_facets.facets(conn, list_id=catalog.list.id, query=query)
        expected = [
            title
            for title, values in VALUES.items()
            if values[field_type] is not None and values["rating"] is not None
        ]
        assert found.total == len(expected), field_type

    assert used_fragments - set(video_facets.SQL) == set(video_search.SQL)


# ------------------------------------------------------------------------------------------
# Hostile strings are values, matched literally
# ------------------------------------------------------------------------------------------

HOSTILE = [
    "a'b",
    "x; DROP TABLE videos; --",
    "100%",
    "a_b",
    "back\\slash",
    "Grüße 🎉",
    'say "hi"',
    "$1",
    ":value",
    "*/ SELECT 1 /*",
]
# Near misses: what a pattern reading of a hostile string (LIKE wildcards, escapes) would match.
PLAIN = ["ab", "axb", "100", "1000", "backslash", "back/slash", "abc"]


@dataclass
class Hostile:
    list: BookmarkList
    text: CustomField
    select: CustomField
    by_text: dict[str, Video]


@pytest.fixture
async def hostile(make: Builder) -> Hostile:
    bl = await make.bookmark_list()
    text = await make.field(bl.id, "text")
    select = await make.field(bl.id, "select", config={"options": HOSTILE + PLAIN})
    by_text = {}
    for i, value in enumerate(HOSTILE + PLAIN):
        video = await make.video(bl.id, title=f"t{i:02d}")
        await make.value(video, text, value)
        await make.value(video, select, value)
        by_text[value] = video
    return Hostile(bl, text, select, by_text)


async def hostile_search(
    conn: asyncpg.Connection, hostile: Hostile, field: CustomField, op: str, value: Any
) -> set[str]:
    query = VideoSearch(filters=[Condition(field_id=field.id, op=op, value=value)])
    page = await video_search.search(conn, list_id=hostile.list.id, query=query)
    titles = {v.title: v for v in page.items}
    return {text for text, video in hostile.by_text.items() if video.title in titles}


@pytest.mark.parametrize("value", HOSTILE)
async def test_a_hostile_string_is_matched_literally_by_every_text_operator(
    conn: asyncpg.Connection, make: Builder, hostile: Hostile, value: str
) -> None:
    counts = {t: await make.count(t) for t in ("videos", "custom_fields", "video_field_values")}
    everything = set(hostile.by_text)
    text, select = hostile.text, hostile.select

    assert await hostile_search(conn, hostile, text, "eq", value) == {value}
    assert await hostile_search(conn, hostile, text, "ne", value) == everything - {value}
    assert await hostile_search(conn, hostile, text, "starts_with", value) == {value}
    assert await hostile_search(conn, hostile, text, "contains", value) == {value}
    if value.isascii():  # lower() beyond ASCII depends on the collation
        assert await hostile_search(conn, hostile, text, "contains", value.upper()) == {value}
    assert await hostile_search(conn, hostile, select, "eq", value) == {value}
    assert await hostile_search(conn, hostile, select, "ne", value) == everything - {value}
    assert await hostile_search(conn, hostile, select, "in", [value, "abc"]) == {value, "abc"}
    assert await hostile_search(conn, hostile, select, "not_in", [value]) == everything - {value}

    assert counts == {t: await make.count(t) for t in counts}
    assert await conn.fetchval("SELECT to_regclass('videos') IS NOT NULL")


@pytest.mark.parametrize(
    ("needle", "expected"),
    [
        ("%", {"100%"}),
        ("_", {"a_b"}),
        ("\\", {"back\\slash"}),
        ("'", {"a'b"}),
        (";", {"x; DROP TABLE videos; --"}),
        ("--", {"x; DROP TABLE videos; --"}),
        ("🎉", {"Grüße 🎉"}),
        ("grüße", {"Grüße 🎉"}),
        ("a_", {"a_b"}),
        ("$", {"$1"}),
        ("/*", {"*/ SELECT 1 /*"}),
    ],
)
async def test_contains_treats_wildcards_and_quotes_as_plain_characters(
    conn: asyncpg.Connection, hostile: Hostile, needle: str, expected: set[str]
) -> None:
    assert await hostile_search(conn, hostile, hostile.text, "contains", needle) == expected


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("%", set()),
        ("_", set()),
        ("a_", {"a_b"}),
        ("back\\", {"back\\slash"}),
        ("100", {"100%", "100", "1000"}),
    ],
)
async def test_starts_with_treats_wildcards_as_plain_characters(
    conn: asyncpg.Connection, hostile: Hostile, prefix: str, expected: set[str]
) -> None:
    assert await hostile_search(conn, hostile, hostile.text, "starts_with", prefix) == expected


async def test_a_hostile_sort_by_title_orders_and_pages_normally(
    conn: asyncpg.Connection, hostile: Hostile
) -> None:
    # Hostile values as sort keys travel inside cursors; paging must still see each video once.
    query = VideoSearch(sort=Sort(by=str(hostile.text.id)), limit=3)
    seen = await every_page(conn, hostile.list.id, query)
    assert sorted(v.id for v in seen) == sorted(v.id for v in hostile.by_text.values())


async def test_included_values_cost_one_statement_per_page(
    conn: asyncpg.Connection, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    statements: list[str] = []
    fetch = field_values.fetch

    async def counting(conn: asyncpg.Connection, query: Any, *args: Any) -> Any:
        statements.append(query.name)
        return await fetch(conn, query, *args)

    monkeypatch.setattr(field_values, "fetch", counting)
    ids = [f.id for f in catalog.fields.values()]
    query = VideoSearch(sort=Sort(by="title"), include_fields=ids)
    page = await video_search.search(conn, list_id=catalog.list.id, query=query)
    assert statements == ["values_of_videos"]
    values = {v.title: v.fields for v in page.items}
    assert values["v4"] == {
        catalog.fields["rating"].id: 4.5,
        catalog.fields["text"].id: None,
        catalog.fields["select"].id: "good",
        catalog.fields["boolean"].id: None,
        catalog.fields["number"].id: Decimal("999.99"),
        catalog.fields["date"].id: date(2023, 12, 31),
        catalog.fields["url"].id: None,
        catalog.fields["multi_select"].id: ["bad"],
    }


async def test_only_a_search_by_one_equality_or_range_newest_first_is_planned_generically(
    conn: asyncpg.Connection, catalog: Catalog
) -> None:
    list_id, rating = catalog.list.id, catalog.fields["rating"].id
    number, date_ = catalog.fields["number"].id, catalog.fields["date"].id
    text, options = catalog.fields["text"].id, catalog.fields["multi_select"].id
    generic = [
        VideoSearch(filters=[Condition(field_id=rating, op="eq", value=2)]),
        VideoSearch(
            filters=[Condition(field_id=catalog.fields["select"].id, op="in", value=["good"])],
            sort=Sort(by="created_at", direction="asc"),
        ),
        # a rating's range drives as the few values it holds: an "in" of them
        VideoSearch(filters=[Condition(field_id=rating, op="gte", value=2)]),
        # a number's or a date's range, or is_not_empty, streams its field or reads its range
        VideoSearch(filters=[Condition(field_id=number, op="gte", value=2)]),
        VideoSearch(filters=[Condition(field_id=date_, op="after", value="2024-01-01")]),
        VideoSearch(filters=[Condition(field_id=date_, op="is_not_empty")]),
        # a "contains" streams its field or reads its trigram index
        VideoSearch(filters=[Condition(field_id=text, op="contains", value="alpha")]),
        # no index finds these: they always stream their field
        VideoSearch(filters=[Condition(field_id=number, op="ne", value=2)]),
        VideoSearch(filters=[Condition(field_id=text, op="ne", value="alpha")]),
        VideoSearch(filters=[Condition(field_id=catalog.fields["url"].id, op="is_not_empty")]),
        # an options condition streams its field or reads its GIN index
        VideoSearch(filters=[Condition(field_id=options, op="has_any", value=["good"])]),
        VideoSearch(filters=[Condition(field_id=options, op="has_none", value=["good"])]),
    ]
    by_values = [
        VideoSearch(),
        VideoSearch(filters=[Condition(field_id=options, op="is_empty")]),
        # a prefix index bounds its range by the pattern itself
        VideoSearch(filters=[Condition(field_id=text, op="starts_with", value="alpha")]),
        VideoSearch(
            filters=[
                Condition(field_id=number, op="gte", value=2),
                Condition(field_id=date_, op="is_not_empty"),
            ]
        ),
        VideoSearch(filters=[Condition(field_id=number, op="gte", value=2)], sort=Sort(by="title")),
        VideoSearch(filters=[Condition(field_id=rating, op="eq", value=2)], sort=Sort(by="title")),
        VideoSearch(sort=Sort(by=str(rating))),
        VideoSearch(
            filters=[
                Condition(field_id=rating, op="eq", value=2),
                Condition(field_id=catalog.fields["boolean"].id, op="eq", value=True),
            ]
        ),
    ]
    for query, mode in [(q, "force_generic_plan") for q in generic] + [
        (q, "force_custom_plan") for q in by_values
    ]:
        async with conn.transaction():
            await video_search.search(conn, list_id=list_id, query=query)
            assert await plan_mode(conn) == mode, query


@pytest.mark.parametrize("value", [False, True])
async def test_a_boolean_equality_reads_its_index_range_for_either_value(
    conn: asyncpg.Connection, catalog: Catalog, value: bool
) -> None:
    # Planned for the value false, "= false" becomes "NOT value_boolean", from which PostgreSQL
    # does not infer the partial index's predicate: without it said outright, the stream read
    # and sorted the whole field (370 ms at 1M).
    boolean = catalog.fields["boolean"].id
    query = VideoSearch(filters=[Condition(field_id=boolean, op="eq", value=value)])
    found = await video_search.statement_of(conn, list_id=catalog.list.id, query=query)
    assert found is not None
    sql, params = found
    async with conn.transaction():
        await conn.execute("SET LOCAL enable_seqscan = off")  # a tiny table: any index will do
        # EXPLAIN given bound parameters plans for their values, as a custom plan does.
        plan = "\n".join(r[0] for r in await conn.fetch(f"EXPLAIN {sql}", *params))
    assert "video_field_values_boolean_idx" in plan


@pytest.mark.parametrize("direction", ["asc", "desc"])
async def test_a_page_after_a_multi_select_cursor_walks_the_order_index(
    conn: asyncpg.Connection, make: Builder, bl: BookmarkList, direction: str
) -> None:
    """A page after the cursor reads the order index from the cursor on, as the first page
    reads it from the start. Its keyset compared whole option sets, whose statistics count every
    other field's row as a NULL set: estimated at a few rows, the planner read the field's
    every set from video_field_values_options_recent_idx and sorted them (at 100k, page 2 of
    Topics under Watched = true took 200 ms against 8 for page 1)."""
    field = await make.field(bl.id, "multi_select", config={"options": list("abcdefgh")})
    ratings = [await make.field(bl.id, "rating") for _ in range(6)]
    await conn.execute(
        """
        INSERT INTO videos (list_id, youtube_id, title)
        SELECT $1, 'yt' || n, 'Video ' || n FROM generate_series(1, 2000) AS n
        """,
        bl.id,
    )
    # Sets of one or two options, and every video rated in six fields: nine rows in ten hold
    # no set, as in the bench's list.
    await conn.execute(
        """
        INSERT INTO video_field_values (list_id, video_id, field_id, value_options)
        SELECT v.list_id, v.id, $2,
               CASE WHEN row_number() OVER (ORDER BY v.id) % 3 = 0
                    THEN ARRAY[chr(97 + (hashtext(v.id::text) & 7))]
                    ELSE ARRAY[chr(97 + (hashtext(v.id::text) & 3)),
                               chr(101 + (hashtext(v.title) & 3))] END
        FROM videos AS v WHERE v.list_id = $1
        """,
        bl.id,
        field.id,
    )
    await conn.execute(
        """
        INSERT INTO video_field_values (list_id, video_id, field_id, value_numeric)
        SELECT v.list_id, v.id, f.id, 3 FROM videos AS v, unnest($2::uuid[]) AS f(id)
        WHERE v.list_id = $1
        """,
        bl.id,
        [rating.id for rating in ratings],
    )
    await conn.execute("ANALYZE video_field_values")
    query = VideoSearch(sort=Sort(by=str(field.id), direction=direction), limit=20)
    first = await video_search.search(conn, list_id=bl.id, query=query)
    after = query.model_copy(update={"cursor": first.next_cursor})
    found = await video_search.statement_of(conn, list_id=bl.id, query=after)
    assert found is not None
    for under_rls in (False, True):
        # As the app: the keyset's comparisons are LEAKPROOF (0057), else it was only a filter
        # and the walk started at the field's first set.
        nodes = await analyzed_as(conn, found, bl.id, as_the_app=under_rls)
        walked = [n for n in nodes if n.get("Index Name") == ORDER_INDEX]
        assert len(walked) == 2 and not [n for n in nodes if n.get("Index Name") == RECENT_INDEX]
        assert sum(n["Actual Rows"] for n in walked) <= query.limit + 1, (under_rls, walked)
        # The cause, which only a larger list turns into the other plan: the keyset's estimate.
        assert all(n["Plan Rows"] >= query.limit + 1 for n in walked), (under_rls, walked)
        assert all("value_options[1]" in n["Index Cond"] for n in walked), (under_rls, walked)
        # The sets of at most two options start at the cursor itself (0062): none before it
        # is read again, where a keyset led by the first option alone re-read its group.
        short = [n for n in walked if "> 2) = false" in n["Index Cond"]]
        assert len(short) == 1 and "ROW(value_options[1], CASE" in short[0]["Index Cond"]
        assert short[0].get("Rows Removed by Filter", 0) == 0, (under_rls, short)
