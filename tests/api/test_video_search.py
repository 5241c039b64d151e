from typing import Any

import pytest

from app.models.video_search import MAX_CURSOR_LENGTH
from tests.api.conftest import (
    Client,
    Setup,
    build_setup,
    make_field,
    make_list,
    make_video,
    ok,
    problem,
    tag_video,
    unknown_id,
)


class Data:
    """Setup's list with four tagged videos and values:
    First   rating 5, mood fun, notes "great stuff", seen true
    Second  rating 2, mood sad, notes "meh",         seen false
    Third   rating 4, no mood,  no notes,            seen true
    Fourth  no values at all"""

    def __init__(self, setup: Setup, ids: dict[str, str]) -> None:
        self.setup = setup
        self.ids = ids
        self.url = f"/lists/{setup.list_id}/videos/search"

    def titles(self, page: dict[str, Any]) -> list[str]:
        by_id = {v: k for k, v in self.ids.items()}
        return [by_id[item["id"]] for item in page["items"]]


@pytest.fixture
async def data(client: Client) -> Data:
    s = await build_setup(client)
    third = await make_video(client, s.list_id, "Third")
    fourth = await make_video(client, s.list_id, "Fourth")
    await tag_video(client, s.list_id, third["id"], [s.tag_id])
    await tag_video(client, s.list_id, fourth["id"], [s.tag_id])
    ids = {"First": s.video_id, "Second": s.video2_id, "Third": third["id"], "Fourth": fourth["id"]}
    body = {
        "set": [
            {"video_id": s.video_id, "field_id": s.rating, "value_numeric": 5},
            {"video_id": s.video_id, "field_id": s.select, "value_text": "fun"},
            {"video_id": s.video_id, "field_id": s.text, "value_text": "great stuff"},
            {"video_id": s.video_id, "field_id": s.boolean, "value_boolean": True},
            {"video_id": s.video2_id, "field_id": s.rating, "value_numeric": 2},
            {"video_id": s.video2_id, "field_id": s.select, "value_text": "sad"},
            {"video_id": s.video2_id, "field_id": s.text, "value_text": "meh"},
            {"video_id": s.video2_id, "field_id": s.boolean, "value_boolean": False},
            {"video_id": third["id"], "field_id": s.rating, "value_numeric": 4},
            {"video_id": third["id"], "field_id": s.boolean, "value_boolean": True},
        ]
    }
    ok(await client.post(f"/lists/{s.list_id}/values", json=body))
    return Data(s, ids)


async def search(client: Client, data: Data, **body: Any) -> dict[str, Any]:
    return ok(await client.post(data.url, json=body))


async def test_no_filters_is_every_video_newest_first(client: Client, data: Data) -> None:
    page = await search(client, data)
    assert data.titles(page) == ["Fourth", "Third", "Second", "First"]
    assert page["next_cursor"] is None
    assert set(page["items"][0]) >= {"id", "youtube_id", "title", "created_at", "updated_at"}


@pytest.mark.parametrize(
    ("field", "op", "value", "expected"),
    [
        ("rating", "gte", 4, {"First", "Third"}),
        ("rating", "gt", 4, {"First"}),
        ("rating", "lt", 4.5, {"Second", "Third"}),
        ("rating", "lte", 2, {"Second"}),
        ("rating", "eq", 4, {"Third"}),
        ("rating", "ne", 4, {"First", "Second"}),
        ("rating", "between", [2, 4], {"Second", "Third"}),
        ("rating", "is_empty", None, {"Fourth"}),
        ("rating", "is_not_empty", None, {"First", "Second", "Third"}),
        ("select", "eq", "fun", {"First"}),
        ("select", "in", ["fun", "sad"], {"First", "Second"}),
        ("select", "not_in", ["fun"], {"Second"}),
        ("select", "is_empty", None, {"Third", "Fourth"}),
        ("text", "contains", "stuff", {"First"}),
        ("text", "starts_with", "me", {"Second"}),
        ("text", "eq", "meh", {"Second"}),
        ("boolean", "eq", True, {"First", "Third"}),
        ("boolean", "eq", False, {"Second"}),
    ],
)
async def test_filters(
    client: Client, data: Data, field: str, op: str, value: Any, expected: set[str]
) -> None:
    condition = {"field_id": getattr(data.setup, field), "op": op}
    if value is not None:
        condition["value"] = value
    page = await search(client, data, filters=[condition])
    assert set(data.titles(page)) == expected


async def test_filters_combine_with_and(client: Client, data: Data) -> None:
    s = data.setup
    filters = [
        {"field_id": s.rating, "op": "gte", "value": 2},
        {"field_id": s.boolean, "op": "eq", "value": True},
        {"field_id": s.select, "op": "is_empty"},
    ]
    assert data.titles(await search(client, data, filters=filters)) == ["Third"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ({"by": "title"}, ["First", "Fourth", "Second", "Third"]),
        ({"by": "title", "direction": "desc"}, ["Third", "Second", "Fourth", "First"]),
        ({"by": "created_at", "direction": "asc"}, ["First", "Second", "Third", "Fourth"]),
        ({"by": "created_at"}, ["Fourth", "Third", "Second", "First"]),
        ({"by": "rating"}, ["Second", "Third", "First", "Fourth"]),
        ({"by": "rating", "direction": "desc"}, ["First", "Third", "Second", "Fourth"]),
    ],
)
@pytest.mark.parametrize("limit", [1, 3, 50])
async def test_sort_and_cursor_paging(
    client: Client, data: Data, sort: dict[str, str], expected: list[str], limit: int
) -> None:
    if sort["by"] == "rating":
        sort = sort | {"by": data.setup.rating}
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        page = await search(client, data, sort=sort, limit=limit, cursor=cursor)
        assert len(page["items"]) <= limit
        seen += data.titles(page)
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == expected


# The longest sort value of each kind, in the characters that make the longest cursor: JSON
# writes a control character as \uXXXX. Three videos, n = 0..2, each its own value.
LONGEST = {
    "text": lambda n: str(n) + "\x01" * 1999,  # 2,000 bytes, text's most
    "title": lambda n: str(n) + "\x01" * 499,  # 500 characters
    # every option of the field, each 200 characters, the n-th first
    "multi_select": lambda n: [f"{k % 200:03d}" + "\x01" * 197 for k in range(n, n + 200)],
}


@pytest.mark.parametrize("kind", list(LONGEST))
@pytest.mark.parametrize("direction", ["asc", "desc"])
async def test_paging_through_the_longest_sort_values_shows_each_video_once(
    client: Client, kind: str, direction: str
) -> None:
    # A cursor carries the sort value: it once outgrew the cursor's limit, and the next page
    # refused the server's own cursor (400).
    list_id = (await make_list(client, "Long values"))["id"]
    field_type = "text" if kind == "title" else kind
    config = {"options": LONGEST["multi_select"](0)} if kind == "multi_select" else {}
    field = await make_field(client, list_id, "Long", field_type, config)
    videos = []
    for n in range(3):
        title = LONGEST["title"](n) if kind == "title" else f"Video {n}"
        video = await make_video(client, list_id, title)
        videos.append(video["id"])
        if kind != "title":
            column = "value_options" if kind == "multi_select" else "value_text"
            value = {column: LONGEST[kind](n)}
            url = f"/lists/{list_id}/videos/{video['id']}/fields/{field['id']}"
            ok(await client.put(url, json=value))
    sort = {"by": "title" if kind == "title" else field["id"], "direction": direction}
    seen, cursor = [], None
    for _ in range(4):
        body = {"sort": sort, "limit": 1, "cursor": cursor}
        page = ok(await client.post(f"/lists/{list_id}/videos/search", json=body))
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == (videos if direction == "asc" else videos[::-1])


async def test_search_of_an_empty_list(client: Client, setup: Setup) -> None:
    empty = ok(await client.post("/lists", json={"name": "Empty"}), 201)
    page = ok(await client.post(f"/lists/{empty['id']}/videos/search", json={}))
    assert page == {"items": [], "next_cursor": None}


@pytest.mark.parametrize(
    ("field", "op", "value", "rule"),
    [
        ("rating", "contains", "x", "search_operator"),
        ("rating", "in", [1], "search_operator"),
        ("boolean", "gte", 1, "search_operator"),
        ("text", "gt", "a", "search_operator"),
        ("select", "starts_with", "f", "search_operator"),
        ("rating", "gte", "high", "search_value_type"),
        ("rating", "gte", True, "search_value_type"),
        ("rating", "gte", None, "search_value_type"),
        ("rating", "between", [4], "search_value_type"),
        ("rating", "between", [4, 2], "search_value_range"),
        ("boolean", "eq", "yes", "search_value_type"),
        ("text", "contains", 3, "search_value_type"),
        ("text", "contains", "alpha " * 342, "search_value_type"),  # over 2,048 characters
        ("text", "eq", "x" * 2049, "search_value_type"),
        ("text", "is_empty", "x", "search_value_type"),
        ("select", "eq", "angry", "search_value_option"),
        ("select", "in", [], "search_value_type"),
    ],
)
async def test_op_and_value_must_fit_the_field_type(
    client: Client, data: Data, field: str, op: str, value: Any, rule: str
) -> None:
    field_id = getattr(data.setup, field)
    body = {"filters": [{"field_id": field_id, "op": op, "value": value}]}
    found = problem(await client.post(data.url, json=body), 422)
    assert found["errors"][0]["rule"] == rule
    assert found["errors"][0]["field_id"] == field_id


@pytest.mark.parametrize(
    "body",
    [
        {"filters": [{"field_id": "x", "op": "eq", "value": 1}]},
        {"filters": [{"op": "eq", "value": 1}]},
        {"filters": [{"field_id": "00000000-0000-0000-0000-000000000000", "op": "like"}]},
        {"filters": "all"},
        {"sort": {"by": "title", "direction": "up"}},
        {"sort": {"by": "title", "order": "asc"}},
        {"limit": 0},
        {"limit": 201},
        {"limit": "ten"},
        {"limit": True},
        {"limit": "5"},
        {"limit": 5.5},
        {"cursor": "garbage"},
        {"cursor": "x" * (MAX_CURSOR_LENGTH + 1)},
        {"page": 2},
    ],
)
async def test_malformed_search_is_400(client: Client, data: Data, body: dict[str, Any]) -> None:
    problem(await client.post(data.url, json=body), 400)


@pytest.mark.parametrize("by", ["colour", "created_at; DROP TABLE videos", "TITLE"])
async def test_an_unknown_sort_is_refused(client: Client, data: Data, by: str) -> None:
    # Well-formed JSON, so the repository refuses it as a broken rule (422), not the model.
    found = problem(await client.post(data.url, json={"sort": {"by": by}}), 422)
    assert found["errors"][0]["rule"] == "search_sort"


async def test_too_many_filters_is_400(client: Client, data: Data) -> None:
    filters = [{"field_id": data.setup.rating, "op": "is_not_empty"}] * 21
    problem(await client.post(data.url, json={"filters": filters}), 400)


async def test_a_cursor_of_another_sort_is_refused(client: Client, data: Data) -> None:
    page = await search(client, data, limit=1)
    cursor = page["next_cursor"]
    assert cursor
    body = {"sort": {"by": "title"}, "limit": 1, "cursor": cursor}
    problem(await client.post(data.url, json=body), 400)


async def test_fields_of_another_list_are_404(client: Client, data: Data) -> None:
    for field_id in (data.setup.other_field_id, unknown_id()):
        body = {"filters": [{"field_id": field_id, "op": "gte", "value": 1}]}
        problem(await client.post(data.url, json=body), 404)
        problem(await client.post(data.url, json={"sort": {"by": field_id}}), 404)


async def test_unknown_list_is_404(client: Client, data: Data) -> None:
    problem(await client.post(f"/lists/{unknown_id()}/videos/search", json={}), 404)
    # With a field named (looked up in that list), the 404 names the list, as facets' does.
    missing_list = unknown_id()
    search = {"filters": [{"field_id": data.setup.rating, "op": "gte", "value": 1}]}
    facets = {**search, "fields": [data.setup.rating]}
    for path, body in (("search", search), ("facets", facets)):
        found = problem(await client.post(f"/lists/{missing_list}/videos/{path}", json=body), 404)
        assert found["detail"] == f"list {missing_list} not found"


async def test_search_never_returns_videos_of_another_list(client: Client, data: Data) -> None:
    other = f"/lists/{data.setup.other_list_id}/videos/search"
    page = ok(await client.post(other, json={}))
    assert [v["id"] for v in page["items"]] == [data.setup.other_video_id]


# ------------------------------------------------------------------------------------------
# Values in the results: include_fields
# ------------------------------------------------------------------------------------------


async def test_search_items_carry_the_included_fields_values(client: Client, data: Data) -> None:
    s = data.setup
    wanted = [s.rating, s.select, s.text, s.boolean]
    page = await search(client, data, include_fields=wanted)
    by_title = {
        title: item["fields"] for title, item in zip(data.titles(page), page["items"], strict=True)
    }
    assert by_title["First"] == {
        s.rating: 5,
        s.select: "fun",
        s.text: "great stuff",
        s.boolean: True,
    }
    assert by_title["Second"] == {s.rating: 2, s.select: "sad", s.text: "meh", s.boolean: False}
    assert by_title["Third"] == {s.rating: 4, s.select: None, s.text: None, s.boolean: True}
    assert by_title["Fourth"] == dict.fromkeys(wanted)


async def test_without_include_fields_items_carry_no_values(client: Client, data: Data) -> None:
    page = await search(client, data)
    assert all(item["fields"] is None for item in page["items"])


async def test_include_fields_empty_gives_each_item_an_empty_fields_object(
    client: Client, data: Data
) -> None:
    page = await search(client, data, include_fields=[])
    assert page["items"]
    assert all(item["fields"] == {} for item in page["items"])


async def test_include_fields_with_filters_sort_and_paging(client: Client, data: Data) -> None:
    s = data.setup
    body = {
        "filters": [{"field_id": s.boolean, "op": "eq", "value": True}],
        "sort": {"by": s.rating, "direction": "desc"},
        "limit": 1,
        "include_fields": [s.rating],
    }
    first = await search(client, data, **body)
    second = await search(client, data, **body, cursor=first["next_cursor"])
    assert [i["fields"] for i in first["items"] + second["items"]] == [{s.rating: 5}, {s.rating: 4}]


async def test_the_newest_list_takes_include_fields(client: Client, data: Data) -> None:
    s = data.setup
    r = await client.get(
        f"/lists/{s.list_id}/videos", params={"include_fields": [s.rating, s.select], "limit": 2}
    )
    page = ok(r)
    # Newest first: Fourth (no values), then Third.
    assert [item["fields"] for item in page["items"]] == [
        {s.rating: None, s.select: None},
        {s.rating: 4, s.select: None},
    ]
    plain = ok(await client.get(f"/lists/{s.list_id}/videos"))
    assert all(item["fields"] is None for item in plain["items"])


async def test_the_newest_list_takes_include_fields_separated_by_commas(
    client: Client, data: Data
) -> None:
    s = data.setup
    url = f"/lists/{s.list_id}/videos"
    repeated = ok(await client.get(url, params={"include_fields": [s.rating, s.select]}))
    for given in (f"{s.rating},{s.select}", f" {s.rating} , {s.select},", [s.rating, s.select]):
        page = ok(await client.get(url, params={"include_fields": given}))
        assert page == repeated
    both = ok(
        await client.get(url, params={"include_fields": [f"{s.rating},{s.select}", s.rating]})
    )
    assert [item["fields"] for item in both["items"]] == [
        item["fields"] for item in repeated["items"]
    ]
    empty = ok(await client.get(url, params={"include_fields": ""}))
    assert all(item["fields"] == {} for item in empty["items"])


async def test_include_fields_on_the_newest_list_names_a_malformed_id(
    client: Client, data: Data
) -> None:
    url = f"/lists/{data.setup.list_id}/videos"
    body = problem(
        await client.get(url, params={"include_fields": f"{data.setup.rating},not-an-id"}), 400
    )
    assert body["errors"] == [
        {"field": "include_fields", "message": "not a field id (a UUID): 'not-an-id'"}
    ]


async def test_include_fields_of_an_unknown_or_foreign_field_is_404(
    client: Client, data: Data
) -> None:
    other = await build_setup(client)
    for field_id in (unknown_id(), other.rating):
        r = await client.post(data.url, json={"include_fields": [field_id]})
        assert field_id in problem(r, 404)["detail"]
        r = await client.get(
            f"/lists/{data.setup.list_id}/videos", params={"include_fields": [field_id]}
        )
        assert field_id in problem(r, 404)["detail"]


async def test_more_than_20_included_fields_is_400(client: Client, data: Data) -> None:
    too_many = [unknown_id() for _ in range(21)]
    problem(await client.post(data.url, json={"include_fields": too_many}), 400)
    url = f"/lists/{data.setup.list_id}/videos"
    for given in (too_many, ",".join(too_many), [",".join(too_many[:11]), ",".join(too_many[11:])]):
        body = problem(await client.get(url, params={"include_fields": given}), 400)
        assert body["errors"] == [
            {"field": "include_fields", "message": "at most 20 field ids, got 21"}
        ]
