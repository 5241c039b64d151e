"""POST /lists/{list_id}/videos/facets over HTTP: the shape of each type's facet, filters with
the search's operators and errors, and refusals."""

from typing import Any

import pytest

from tests.api.conftest import (
    Client,
    make_field,
    make_list,
    make_video,
    ok,
    problem,
    put_value,
    unknown_id,
)


@pytest.fixture
async def shelf(client: Client) -> dict[str, str]:
    """Videos A..D with a Status (select), Stars (rating), Seen (boolean), Notes (text),
    Minutes (number), Released (date) and Genres (multi_select)."""
    lid = (await make_list(client, "Shelf"))["id"]
    ids = {"list": lid}
    fields = [
        ("Status", "select", {"options": ["todo", "done", "dropped"]}),
        ("Stars", "rating", {"max_rating": 5}),
        ("Seen", "boolean", {}),
        ("Notes", "text", {}),
        ("Minutes", "number", {"decimals": 1}),
        ("Released", "date", {}),
        ("Genres", "multi_select", {"options": ["jazz", "rock", "folk"]}),
    ]
    for name, field_type, config in fields:
        ids[name] = (await make_field(client, lid, name, field_type, config))["id"]
    rows: list[tuple[str, dict[str, dict[str, Any]]]] = [
        ("A", {"Status": {"value_text": "done"}, "Stars": {"value_numeric": 5},
               "Seen": {"value_boolean": True}, "Minutes": {"value_numeric": 12.5},
               "Released": {"value_date": "2020-05-01"},
               "Genres": {"value_options": ["jazz", "rock"]}}),
        ("B", {"Status": {"value_text": "done"}, "Stars": {"value_numeric": 4},
               "Seen": {"value_boolean": False}, "Notes": {"value_text": "long"},
               "Minutes": {"value_numeric": 3}, "Genres": {"value_options": ["jazz"]}}),
        ("C", {"Status": {"value_text": "todo"}, "Stars": {"value_numeric": 4},
               "Released": {"value_date": "2011-01-31"}}),
        ("D", {}),
    ]  # fmt: skip
    for title, values in rows:
        vid = (await make_video(client, lid, title))["id"]
        for name, value in values.items():
            ok(await put_value(client, lid, vid, ids[name], **value))
    return ids


async def facets(client: Client, shelf: dict[str, str], **body: Any) -> dict[str, Any]:
    url = f"/lists/{shelf['list']}/videos/facets"
    return ok(await client.post(url, json=body))  # type: ignore[no-any-return]


async def test_each_type_answers_its_own_shape(client: Client, shelf: dict[str, str]) -> None:
    names = ["Status", "Stars", "Seen", "Notes", "Minutes", "Released", "Genres"]
    found = await facets(client, shelf, fields=[shelf[name] for name in names])
    assert found["total"] == 4
    by_name = dict(zip(names, found["facets"], strict=True))
    assert by_name["Status"] == {
        "field_id": shelf["Status"],
        "field_type": "select",
        "filled": 3,
        "empty": 1,
        "counts": [
            {"value": "todo", "count": 1},
            {"value": "done", "count": 2},
            {"value": "dropped", "count": 0},
        ],
    }
    stars = by_name["Stars"]
    assert [(c["value"], c["count"]) for c in stars["counts"]] == [
        (0, 0), (1, 0), (2, 0), (3, 0), (4, 2), (5, 1)
    ]  # fmt: skip
    assert (stars["min"], stars["max"], stars["avg"]) == (4, 5, 4.33)
    assert by_name["Seen"]["counts"] == [
        {"value": True, "count": 1},
        {"value": False, "count": 1},
    ]
    assert by_name["Notes"] == {
        "field_id": shelf["Notes"],
        "field_type": "text",
        "filled": 1,
        "empty": 3,
    }
    minutes = by_name["Minutes"]
    assert (minutes["filled"], minutes["min"], minutes["max"], minutes["avg"]) == (2, 3, 12.5, 7.75)
    released = by_name["Released"]
    assert (released["min"], released["max"]) == ("2011-01-31", "2020-05-01")
    assert "avg" not in released
    assert by_name["Genres"]["counts"] == [
        {"value": "jazz", "count": 2},
        {"value": "rock", "count": 1},
        {"value": "folk", "count": 0},
    ]


async def test_filters_narrow_every_count_to_the_matching_videos(
    client: Client, shelf: dict[str, str]
) -> None:
    filters = [{"field_id": shelf["Status"], "op": "eq", "value": "done"}]
    found = await facets(
        client, shelf, filters=filters, fields=[shelf["Stars"], shelf["Minutes"], shelf["Notes"]]
    )
    stars, minutes, notes = found["facets"]
    assert found["total"] == 2
    assert (stars["filled"], stars["empty"], stars["avg"]) == (2, 0, 4.5)
    assert (minutes["min"], minutes["avg"]) == (3, 7.75)
    assert (notes["filled"], notes["empty"]) == (1, 1)


async def test_nothing_filled_gives_null_aggregates(client: Client, shelf: dict[str, str]) -> None:
    filters = [{"field_id": shelf["Stars"], "op": "is_empty"}]
    found = await facets(client, shelf, filters=filters, fields=[shelf["Stars"], shelf["Minutes"]])
    stars, minutes = found["facets"]
    assert found["total"] == 1
    assert (stars["filled"], stars["min"], stars["max"], stars["avg"]) == (0, None, None, None)
    assert all(c["count"] == 0 for c in stars["counts"])
    assert (minutes["min"], minutes["avg"]) == (None, None)


@pytest.mark.parametrize(
    "body",
    [
        {"fields": []},
        {"fields": ["not-a-uuid"]},
        {},
        {"fields": [unknown_id() for _ in range(21)]},
        {"fields": [unknown_id()], "filters": [{"op": "eq"}]},
    ],
    ids=["no-field", "bad-id", "missing", "21-fields", "bad-filter"],
)
async def test_malformed_body_is_400(
    client: Client, shelf: dict[str, str], body: dict[str, Any]
) -> None:
    problem(await client.post(f"/lists/{shelf['list']}/videos/facets", json=body), 400)


async def test_an_operator_that_does_not_fit_is_refused_like_a_search(
    client: Client, shelf: dict[str, str]
) -> None:
    filters = [{"field_id": shelf["Notes"], "op": "gte", "value": 3}]
    body = {"filters": filters, "fields": [shelf["Stars"]]}
    found = problem(await client.post(f"/lists/{shelf['list']}/videos/facets", json=body), 422)
    assert found["errors"][0]["rule"] == "search_operator"


async def test_unknown_list_or_field_is_404(client: Client, shelf: dict[str, str]) -> None:
    body = {"fields": [shelf["Stars"]]}
    problem(await client.post(f"/lists/{unknown_id()}/videos/facets", json=body), 404)
    body = {"fields": [unknown_id()]}
    problem(await client.post(f"/lists/{shelf['list']}/videos/facets", json=body), 404)
