"""The date and url field types over HTTP: configs, values (a date as YYYY-MM-DD, a url as an
absolute http(s) URL), search operators, sorting with empty values last, protected values."""

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
    search_titles,
    sorted_titles,
    values_by_title,
)

DATE_CONFIG = {"min": "2020-01-01", "max": "2029-12-31"}


@pytest.fixture
async def dated(client: Client) -> tuple[str, str, str]:
    """Videos A..E: dates 2024-02-29, 2021-06-01, 2024-02-29, none, 2028-01-01; urls on A..C."""
    lid = (await make_list(client, "Dated"))["id"]
    day = (await make_field(client, lid, "Seen on", "date", DATE_CONFIG))["id"]
    url = (await make_field(client, lid, "Link", "url"))["id"]
    rows = [
        ("A", "2024-02-29", "https://example.com/a"),
        ("B", "2021-06-01", "http://Example.org/b?x=1"),
        ("C", "2024-02-29", "https://video.example/watch"),
        ("D", None, None),
        ("E", "2028-01-01", None),
    ]
    for title, value_date, value_url in rows:
        vid = (await make_video(client, lid, title))["id"]
        if value_date:
            ok(await put_value(client, lid, vid, day, value_date=value_date))
        if value_url:
            ok(await put_value(client, lid, vid, url, value_text=value_url))
    return lid, day, url


async def test_dates_and_urls_are_stored_and_read_back(
    client: Client, dated: tuple[str, str, str]
) -> None:
    lid, day, url = dated
    assert await values_by_title(client, lid, day) == {
        "A": "2024-02-29",
        "B": "2021-06-01",
        "C": "2024-02-29",
        "D": None,
        "E": "2028-01-01",
    }
    assert (await values_by_title(client, lid, url))["B"] == "http://Example.org/b?x=1"


async def test_the_first_and_last_dates_are_stored_and_found_as_themselves(
    client: Client,
) -> None:
    # asyncpg wrote 9999-12-31 and 0001-01-01 (Python's date.max and date.min) as infinity and
    # -infinity: a field bounded by them refused them, naming no date.
    lid = (await make_list(client))["id"]
    config = {"min": "0001-01-01", "max": "9999-12-31"}
    day = (await make_field(client, lid, "Day", "date", config))["id"]
    for title, value in (("First", "0001-01-01"), ("Last", "9999-12-31")):
        vid = (await make_video(client, lid, title))["id"]
        ok(await put_value(client, lid, vid, day, value_date=value))
    assert await values_by_title(client, lid, day) == {"First": "0001-01-01", "Last": "9999-12-31"}
    for value, title in (("0001-01-01", "First"), ("9999-12-31", "Last")):
        found = await search_titles(
            client, lid, filters=[{"field_id": day, "op": "eq", "value": value}]
        )
        assert found == [title]
    facets = ok(await client.post(f"/lists/{lid}/videos/facets", json={"fields": [day]}))
    assert (facets["facets"][0]["min"], facets["facets"][0]["max"]) == (
        config["min"],
        config["max"],
    )


@pytest.mark.parametrize(
    ("config", "rule"),
    [
        ({"min": "2024-02-30"}, "custom_fields_date_config"),
        ({"min": "2025-01-01", "max": "2024-01-01"}, "custom_fields_date_config"),
        ({"max": 2024}, "custom_fields_date_config"),
    ],
)
async def test_a_bad_date_config_is_422(client: Client, config: dict[str, Any], rule: str) -> None:
    lid = (await make_list(client))["id"]
    body = {"name": "D", "field_type": "date", "config": config}
    found = problem(await client.post(f"/lists/{lid}/custom-fields", json=body), 422)
    assert found["errors"][0]["rule"] == rule


async def test_a_url_config_must_be_empty(client: Client) -> None:
    lid = (await make_list(client))["id"]
    body = {"name": "U", "field_type": "url", "config": {"max_length": 5}}
    found = problem(await client.post(f"/lists/{lid}/custom-fields", json=body), 422)
    assert found["errors"][0]["rule"] == "custom_fields_url_config"


@pytest.mark.parametrize(
    "value", ["2024-02-30", "2024-1-1", "01/02/2024", 20240101, "2024-01-01T00:00"]
)
async def test_a_date_that_is_not_a_real_yyyy_mm_dd_is_400(
    client: Client, dated: tuple[str, str, str], value: Any
) -> None:
    lid, day, _ = dated
    vid = (await make_video(client, lid, "F"))["id"]
    problem(await put_value(client, lid, vid, day, value_date=value), 400)
    assert (await values_by_title(client, lid, day))["F"] is None


async def test_a_date_outside_its_range_is_422_naming_the_rule(
    client: Client, dated: tuple[str, str, str]
) -> None:
    lid, day, _ = dated
    vid = (await make_video(client, lid, "F"))["id"]
    found = problem(await put_value(client, lid, vid, day, value_date="2019-12-31"), 422)
    assert found["errors"][0]["rule"] == "video_field_values_date_in_range"
    assert "2019-12-31" in found["errors"][0]["message"]


@pytest.mark.parametrize(
    ("body", "status"),
    [({"value_text": "2024-01-01"}, 422), ({"value_date": "2024-01-01", "value_text": "x"}, 400)],
    ids=["date-as-text", "two-values"],
)
async def test_a_date_must_come_alone_in_value_date(
    client: Client, dated: tuple[str, str, str], body: dict[str, Any], status: int
) -> None:
    lid, day, _ = dated
    vid = (await make_video(client, lid, "F"))["id"]
    problem(await put_value(client, lid, vid, day, **body), status)


@pytest.mark.parametrize(
    "value",
    [
        "example.com",
        "ftp://example.com",
        "https://",
        "https://exa mple.com",
        "https://bü.example",
        "https://example.com:99999/",
    ],
)
async def test_a_url_that_is_not_absolute_http_is_422_naming_the_rule(
    client: Client, dated: tuple[str, str, str], value: str
) -> None:
    lid, _, url = dated
    vid = (await make_video(client, lid, "F"))["id"]
    found = problem(await put_value(client, lid, vid, url, value_text=value), 422)
    assert found["errors"][0]["rule"] == "video_field_values_url_format"


async def test_a_url_over_2048_characters_is_422(
    client: Client, dated: tuple[str, str, str]
) -> None:
    lid, _, url = dated
    vid = (await make_video(client, lid, "F"))["id"]
    long_url = "https://example.com/" + "a" * 2029
    found = problem(await put_value(client, lid, vid, url, value_text=long_url), 422)
    assert found["errors"][0]["rule"] == "video_field_values_text_size"
    ok(await put_value(client, lid, vid, url, value_text=long_url[:-1]))


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("eq", "2024-02-29", {"A", "C"}),
        ("ne", "2024-02-29", {"B", "E"}),
        ("before", "2024-02-29", {"B"}),
        ("after", "2024-02-29", {"E"}),
        ("on_or_before", "2024-02-29", {"A", "B", "C"}),
        ("on_or_after", "2024-02-29", {"A", "C", "E"}),
        ("between", ["2021-01-01", "2024-02-29"], {"A", "B", "C"}),
        ("is_empty", None, {"D"}),
        ("is_not_empty", None, {"A", "B", "C", "E"}),
    ],
)
async def test_each_date_operator_searches(
    client: Client, dated: tuple[str, str, str], op: str, value: Any, expected: set[str]
) -> None:
    lid, day, _ = dated
    condition: dict[str, Any] = {"field_id": day, "op": op}
    if value is not None:
        condition["value"] = value
    assert set(await search_titles(client, lid, filters=[condition])) == expected


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("eq", "https://example.com/a", {"A"}),
        ("contains", "EXAMPLE", {"A", "B", "C"}),
        ("contains", "watch", {"C"}),
        ("starts_with", "https://", {"A", "C"}),
        ("is_empty", None, {"D", "E"}),
        ("is_not_empty", None, {"A", "B", "C"}),
    ],
)
async def test_each_url_operator_searches(
    client: Client, dated: tuple[str, str, str], op: str, value: Any, expected: set[str]
) -> None:
    lid, _, url = dated
    condition: dict[str, Any] = {"field_id": url, "op": op}
    if value is not None:
        condition["value"] = value
    assert set(await search_titles(client, lid, filters=[condition])) == expected


@pytest.mark.parametrize(
    ("field", "op", "value", "rule"),
    [
        ("day", "gt", "2024-01-01", "search_operator"),
        ("day", "eq", "2024-13-01", "search_value_type"),
        ("day", "between", ["2024-02-01", "2024-01-01"], "search_value_range"),
        ("url", "ne", "https://example.com", "search_operator"),
        ("url", "before", "2024-01-01", "search_operator"),
    ],
)
async def test_a_date_or_url_condition_that_does_not_fit_is_422(
    client: Client, dated: tuple[str, str, str], field: str, op: str, value: Any, rule: str
) -> None:
    lid, day, url = dated
    body = {"filters": [{"field_id": day if field == "day" else url, "op": op, "value": value}]}
    found = problem(await client.post(f"/lists/{lid}/videos/search", json=body), 422)
    assert found["errors"][0]["rule"] == rule


@pytest.mark.parametrize(
    ("direction", "expected"),
    [("asc", ["B", "A", "C", "E", "D"]), ("desc", ["E", "C", "A", "B", "D"])],
)
async def test_sorting_by_a_date_puts_empty_values_last_across_pages(
    client: Client, dated: tuple[str, str, str], direction: str, expected: list[str]
) -> None:
    lid, day, _ = dated
    # A and C share a date: they follow the value index's order (created_at), A first.
    assert await sorted_titles(client, lid, day, direction) == expected


async def test_sorting_by_a_url_puts_empty_values_last(
    client: Client, dated: tuple[str, str, str]
) -> None:
    lid, _, url = dated
    titles = await search_titles(client, lid, sort={"by": url, "direction": "asc"}, limit=3)
    assert titles == ["B", "A", "C"]


@pytest.mark.parametrize(
    "config",
    [{"min": "2024-03-01"}, {"max": "2027-12-31"}],
    ids=["min-after-a-date", "max-before-a-date"],
)
async def test_a_date_config_that_would_strand_a_stored_date_is_409(
    client: Client, dated: tuple[str, str, str], config: dict[str, Any]
) -> None:
    lid, day, _ = dated
    url = f"/lists/{lid}/custom-fields/{day}"
    found = problem(await client.patch(url, json={"config": config}), 409)
    assert found["rule"] == "custom_fields_config_breaks_values"
    assert ok(await client.get(url))["config"] == DATE_CONFIG
