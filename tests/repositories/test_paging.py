"""Keyset paging: every sort kind and direction walks a result set page by page, returning each
video exactly once in the right order; and the cursors themselves."""

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import asyncpg
import pydantic
import pytest

from app.errors import InvalidInput, NotFound
from app.models.custom_fields import CustomField
from app.models.lists import BookmarkList
from app.models.video_search import Condition, Sort, VideoSearch
from app.models.videos import Video
from app.repositories import paging, video_search, videos
from tests.repositories.conftest import Builder, expected_order

COUNT = 23
PAGE = 5


def field_values(i: int) -> dict[str, Any]:
    """Values of the i-th video: ties on every field, and some videos without a value."""
    return {
        "rating": None if i % 4 == 0 else Decimal(i % 5) / 2,
        "select": None if i % 3 == 0 else ["good", "ok", "bad"][i % 3],
        "text": None if i % 5 == 1 else ["apple", "banana", "cherry"][i % 3],
        "boolean": None if i % 6 == 2 else i % 2 == 0,
    }


@dataclass
class Shelf:
    list: BookmarkList
    fields: dict[str, CustomField]
    videos: list[Video]
    values: dict[str, dict[uuid.UUID, Any]]  # field type -> video id -> value or None


@pytest.fixture
async def shelf(make: Builder, bl: BookmarkList) -> Shelf:
    fields = {t: await make.field(bl.id, t) for t in ("rating", "select", "text", "boolean")}
    created: list[Video] = []
    values: dict[str, dict[uuid.UUID, Any]] = {t: {} for t in fields}
    for i in range(COUNT):
        # Titles repeat, so the id decides among equal titles.
        video = await make.video(bl.id, title=f"title {i % 7:02d}")
        for field_type, value in field_values(i).items():
            values[field_type][video.id] = value
            if value is not None:
                await make.value(video, fields[field_type], value)
        created.append(video)
    return Shelf(bl, fields, created, values)


async def walk(conn: asyncpg.Connection, list_id: uuid.UUID, query: VideoSearch) -> list[Video]:
    """Every page of a search, following next_cursor; checks each page's size."""
    found: list[Video] = []
    for _ in range(COUNT + 2):
        page = await video_search.search(conn, list_id=list_id, query=query)
        found += page.items
        if page.next_cursor is None:
            assert len(page.items) <= query.limit
            return found
        assert len(page.items) == query.limit
        query = query.model_copy(update={"cursor": page.next_cursor})
    raise AssertionError("paging did not end")


def sort_keys(shelf: Shelf, by: str) -> dict[uuid.UUID, Any]:
    if by in ("created_at", "title"):
        return {v.id: getattr(v, by) for v in shelf.videos}
    return shelf.values[by]


SORTS = ["created_at", "title", "rating", "select", "text", "boolean"]


@pytest.mark.parametrize("direction", ["asc", "desc"])
@pytest.mark.parametrize("by", SORTS)
async def test_paging_returns_each_video_exactly_once_in_order(
    conn: asyncpg.Connection, shelf: Shelf, by: str, direction: str
) -> None:
    sort_by = by if by in ("created_at", "title") else str(shelf.fields[by].id)
    query = VideoSearch(sort=Sort(by=sort_by, direction=direction), limit=PAGE)
    found = [v.id for v in await walk(conn, shelf.list.id, query)]

    assert len(found) == len(set(found)) == COUNT
    keys = sort_keys(shelf, by)
    # Titles and texts are lower-case ASCII words and digits, which sort alike in every collation.
    assert found == expected_order(
        shelf.videos, keys, direction, field=by not in ("created_at", "title")
    )
    missing = [v.id for v in shelf.videos if keys[v.id] is None]
    assert set(found[len(found) - len(missing) :]) == set(missing)


@pytest.mark.parametrize("direction", ["asc", "desc"])
async def test_paging_a_filtered_search(
    conn: asyncpg.Connection, shelf: Shelf, direction: str
) -> None:
    rating = shelf.fields["rating"]
    query = VideoSearch(
        filters=[
            Condition(field_id=rating.id, op="gte", value=1),
            Condition(field_id=shelf.fields["select"].id, op="is_not_empty"),
        ],
        sort=Sort(by=str(shelf.fields["boolean"].id), direction=direction),
        limit=3,
    )
    found = [v.id for v in await walk(conn, shelf.list.id, query)]
    matching = [
        v
        for v in shelf.videos
        if (shelf.values["rating"][v.id] or -1) >= 1 and shelf.values["select"][v.id] is not None
    ]
    assert 3 < len(matching) < COUNT
    assert found == expected_order(matching, shelf.values["boolean"], direction)


@pytest.mark.parametrize("direction", ["asc", "desc"])
@pytest.mark.parametrize(
    "conditions",
    [
        [("select", "in", ["good", "ok"])],
        [("text", "eq", "banana"), ("boolean", "eq", True)],
        [("rating", "gte", 1), ("select", "eq", "ok")],
    ],
)
async def test_paging_a_search_driven_by_an_equality(
    conn: asyncpg.Connection, shelf: Shelf, direction: str, conditions: list[Any]
) -> None:
    query = VideoSearch(
        filters=[
            Condition(field_id=shelf.fields[t].id, op=op, value=value)  # type: ignore[arg-type]
            for t, op, value in conditions
        ],
        sort=Sort(by="created_at", direction=direction),  # type: ignore[arg-type]
        limit=2,
    )
    found = [v.id for v in await walk(conn, shelf.list.id, query)]

    def matches(video: Video, field_type: str, op: str, value: Any) -> bool:
        held = shelf.values[field_type][video.id]
        if held is None:
            return False
        if op == "in":
            return bool(held in value)
        return bool(held == value if op == "eq" else held >= value)

    matching = [v for v in shelf.videos if all(matches(v, *c) for c in conditions)]
    assert len(matching) > 2  # more than one page
    created = {v.id: v.created_at for v in shelf.videos}
    assert found == expected_order(matching, created, direction, field=False)


@pytest.mark.parametrize("limit", [1, 7, COUNT, 200])
async def test_page_sizes(conn: asyncpg.Connection, shelf: Shelf, limit: int) -> None:
    query = VideoSearch(sort=Sort(by="title"), limit=limit)
    found = await walk(conn, shelf.list.id, query)
    assert len({v.id for v in found}) == COUNT


async def test_the_last_full_page_has_no_next_cursor(
    conn: asyncpg.Connection, shelf: Shelf
) -> None:
    page = await video_search.search(conn, list_id=shelf.list.id, query=VideoSearch(limit=COUNT))
    assert len(page.items) == COUNT and page.next_cursor is None


@pytest.mark.parametrize("limit", [0, 201])
def test_the_page_size_is_limited(limit: int) -> None:
    with pytest.raises(pydantic.ValidationError):
        VideoSearch(limit=limit)


async def test_a_value_set_after_a_cursor_is_taken_moves_the_video_once(
    conn: asyncpg.Connection, make: Builder, shelf: Shelf
) -> None:
    # Keyset paging never repeats a row that stays put and never skips one whose key is fixed.
    rating = shelf.fields["rating"]
    query = VideoSearch(sort=Sort(by=str(rating.id)), limit=PAGE)
    first = await video_search.search(conn, list_id=shelf.list.id, query=query)
    newcomer = await make.video(shelf.list.id, title="newcomer")
    await make.value(newcomer, rating, 5)
    rest = await walk(conn, shelf.list.id, query.model_copy(update={"cursor": first.next_cursor}))
    ids = [v.id for v in first.items + rest]
    assert len(ids) == len(set(ids)) == COUNT + 1


# ------------------------------------------------------------------------------------------
# The newest-first listing of videos
# ------------------------------------------------------------------------------------------


async def test_list_newest_pages_through_every_video(
    conn: asyncpg.Connection, shelf: Shelf
) -> None:
    found: list[Video] = []
    cursor = None
    while True:
        page = await videos.list_newest(conn, list_id=shelf.list.id, limit=PAGE, cursor=cursor)
        found += page.items
        if page.next_cursor is None:
            break
        assert len(page.items) == PAGE
        cursor = page.next_cursor
    keys = {v.id: v.created_at for v in shelf.videos}
    assert [v.id for v in found] == expected_order(shelf.videos, keys, "desc")


async def test_list_newest_of_an_empty_or_missing_list(
    conn: asyncpg.Connection, bl: BookmarkList
) -> None:
    page = await videos.list_newest(conn, list_id=bl.id)
    assert page.items == [] and page.next_cursor is None
    with pytest.raises(NotFound):
        await videos.list_newest(conn, list_id=uuid.uuid4())


async def test_list_newest_refuses_a_search_cursor(conn: asyncpg.Connection, shelf: Shelf) -> None:
    query = VideoSearch(sort=Sort(by="created_at", direction="asc"), limit=2)
    page = await video_search.search(conn, list_id=shelf.list.id, query=query)
    with pytest.raises(InvalidInput):
        await videos.list_newest(conn, list_id=shelf.list.id, cursor=page.next_cursor)


# ------------------------------------------------------------------------------------------
# Cursors
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "value_type"),
    [
        (datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC), datetime),
        (Decimal("4.50"), Decimal),
        ("it's; -- %_\\ Grüße 🎉", str),
        (True, bool),
        (False, bool),
        (None, str),
    ],
)
def test_a_cursor_round_trips(value: Any, value_type: type) -> None:
    row_id = uuid.uuid4()
    cursor = paging.encode("some:sort", value, row_id, LIST)
    assert "=" not in cursor
    decoded = paging.decode(cursor, "some:sort", value_type, LIST, nullable=True)
    assert decoded == (value, row_id)
    assert type(decoded[0]) is type(value)


def test_a_cursor_of_another_sort_is_refused() -> None:
    cursor = paging.encode("title:asc", "x", uuid.uuid4(), LIST)
    with pytest.raises(InvalidInput, match="another sort"):
        paging.decode(cursor, "title:desc", str, LIST)


def test_a_cursor_of_another_sort_with_another_type_of_value_names_the_sort() -> None:
    cursor = paging.encode("title:asc", "x", uuid.uuid4(), LIST)
    with pytest.raises(InvalidInput, match="another sort"):
        paging.decode(cursor, "created_at:desc", datetime, LIST)


def test_a_cursor_of_another_list_is_refused() -> None:
    # A position among another list's videos means nothing here: it skipped part of a list.
    cursor = paging.encode("title:asc", "melon", uuid.uuid4(), uuid.uuid4())
    with pytest.raises(InvalidInput, match="another list"):
        paging.decode(cursor, "title:asc", str, LIST)


def test_no_value_is_a_cursor_only_where_rows_may_lack_one() -> None:
    cursor = paging.encode("title:asc", None, uuid.uuid4(), LIST)
    with pytest.raises(InvalidInput, match="not valid"):
        paging.decode(cursor, "title:asc", str, LIST)
    assert paging.decode(cursor, "title:asc", str, LIST, nullable=True)[0] is None


@pytest.mark.parametrize("number", ["1e999999", "-1E+1001", "NaN", "Infinity"])
def test_a_cursor_with_a_number_the_app_never_writes_is_not_valid(number: str) -> None:
    # 1e999999 reached the database, whose refusal was a 422 "invalid value".
    with pytest.raises(InvalidInput, match="not valid"):
        paging.decode(b64(["s", {"n": number}, ZERO, str(LIST)]), "s", Decimal, LIST)


@pytest.mark.parametrize("number", [True, 4, 4.5, None, ["4"]])
def test_a_cursor_number_not_written_as_text_is_not_valid(number: Any) -> None:
    # {"n": true} read as Decimal(True), 1: a rating sort went on from 1.
    for value in ({"n": number}, [{"n": number}, {"t": "2024-01-01T00:00:00+00:00"}]):
        with pytest.raises(InvalidInput, match="not valid"):
            paging.decode(b64(["s", value, ZERO, str(LIST)]), "s", (Decimal, list), LIST)


@pytest.mark.parametrize(
    "moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2024-01-01T00:00:00"]
)
def test_a_cursor_with_a_time_outside_the_databases_is_not_valid(moment: str) -> None:
    # Year 0 or 10000 in UTC reached the driver, whose refusal was a 422 "invalid value"; a
    # time without its offset is no instant.
    for value in ({"t": moment}, [{"n": "4"}, {"t": moment}]):
        with pytest.raises(InvalidInput, match="not valid"):
            paging.decode(b64(["s", value, ZERO, str(LIST)]), "s", (datetime, list), LIST)


def test_a_cursor_with_a_value_of_another_type_is_refused() -> None:
    cursor = paging.encode("s", "2024-01-01", uuid.uuid4(), LIST)
    with pytest.raises(InvalidInput, match="not valid"):
        paging.decode(cursor, "s", datetime, LIST)


def test_a_cursor_with_characters_after_it_is_not_the_same_cursor() -> None:
    cursor = paging.encode("s", "x", uuid.uuid4(), LIST)
    with pytest.raises(InvalidInput, match="not valid"):
        paging.decode(cursor + "!!", "s", str, LIST)


def b64(payload: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


ZERO = "00000000-0000-0000-0000-000000000000"
LIST = uuid.UUID("11111111-1111-1111-1111-111111111111")


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "!!!",
        b64("not a list")[:-1],
        base64.urlsafe_b64encode(b"not json").decode(),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        b64([1, 2]),
        b64(["s", 1, "not-a-uuid", str(LIST)]),
        b64(["s", {"t": "not a time"}, ZERO, str(LIST)]),
        b64(["s", {"n": "not a number"}, ZERO, str(LIST)]),
        b64(["s", {"x": 1}, ZERO, str(LIST)]),
        b64(["s", [1], ZERO, str(LIST)]),
        b64(["s", 1.5, ZERO, str(LIST)]),
        b64(["s", {"n": "NaN"}, ZERO, str(LIST)]),
        b64(["s", {"n": "-Infinity"}, ZERO, str(LIST)]),
        b64(["s", {"t": 12}, ZERO, str(LIST)]),
        b64(["s", "x", 12, str(LIST)]),
        b64(["s", "x", None, str(LIST)]),
        b64(["s", "x", ZERO]),  # a cursor without its list (made before lists were named)
        b64(["s", "x", ZERO, "not-a-uuid"]),
        b64(["s", "x", ZERO, str(LIST), "extra"]),
        # Text PostgreSQL cannot hold reached it, and came back as its 422.
        b64(["s", "a\x00b", ZERO, str(LIST)]),
        b64(["s", "\ud800", ZERO, str(LIST)]),
        b64(["s", ["a", "\x00"], ZERO, str(LIST)]),
    ],
)
def test_a_malformed_cursor_is_refused(cursor: str) -> None:
    with pytest.raises(InvalidInput, match="not valid"):
        paging.decode(cursor, "s", (str, datetime, list), LIST, nullable=True)
