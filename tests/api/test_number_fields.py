"""The number field type over HTTP: its config, its values (any sign, a range, decimals), its
search operators, sorting with empty values last, and the protection of stored values."""

from decimal import Decimal
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

CONFIG = {"min": -10, "max": 100, "decimals": 1}


async def number_list(client: Client) -> tuple[str, str]:
    lid = (await make_list(client, "Numbers"))["id"]
    field = await make_field(client, lid, "Minutes", "number", CONFIG)
    return lid, field["id"]


async def test_a_number_field_is_created_with_its_config(client: Client) -> None:
    lid, fid = await number_list(client)
    field = ok(await client.get(f"/lists/{lid}/custom-fields/{fid}"))
    assert (field["field_type"], field["config"]) == ("number", CONFIG)
    schema = (await client.get("/schema/openapi.json")).json()
    assert "number" in str(schema["components"]["schemas"])


@pytest.mark.parametrize(
    "config",
    [
        {"min": 5, "max": 4},
        {"decimals": 9},
        {"min": "0"},
        {"max_rating": 5},
        {"max": 1234567890123456},
    ],
    ids=["min-above-max", "decimals-9", "min-string", "rating-config", "max-16-digits"],
)
async def test_a_bad_number_config_is_422_naming_its_rule(
    client: Client, config: dict[str, Any]
) -> None:
    lid = (await make_list(client))["id"]
    body = {"name": "N", "field_type": "number", "config": config}
    found = problem(await client.post(f"/lists/{lid}/custom-fields", json=body), 422)
    assert found["errors"][0]["rule"] == "custom_fields_number_config"
    assert "min <= max" in found["errors"][0]["message"]


@pytest.mark.parametrize("value", [-10, -2.5, 0, 42, 99.9, 100])
async def test_a_number_within_its_config_is_stored_and_read_back(
    client: Client, value: float
) -> None:
    lid, fid = await number_list(client)
    vid = (await make_video(client, lid, "A"))["id"]
    ok(await put_value(client, lid, vid, fid, value_numeric=value))
    assert await values_by_title(client, lid, fid) == {"A": value}


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        (-10.5, "video_field_values_number_in_range"),
        (100.1, "video_field_values_number_in_range"),
        (1.25, "video_field_values_number_decimals"),
    ],
)
async def test_a_number_outside_its_config_is_422_naming_the_rule(
    client: Client, value: float, rule: str
) -> None:
    lid, fid = await number_list(client)
    vid = (await make_video(client, lid, "A"))["id"]
    found = problem(await put_value(client, lid, vid, fid, value_numeric=value), 422)
    assert found["errors"][0]["rule"] == rule
    assert '"Minutes"' in found["errors"][0]["message"]
    assert await values_by_title(client, lid, fid) == {"A": None}


async def put_number_written_out(client: Client, number: str) -> tuple[str, str, dict[str, Any]]:
    """(list id, field id, response) of a PUT of `number`, written out as a client sends it (a
    Python float, as json= would send, cannot hold it), on video A of a new number field."""
    lid = (await make_list(client))["id"]
    fid = (await make_field(client, lid, "Views", "number"))["id"]
    vid = (await make_video(client, lid, "A"))["id"]
    response = await client.put(
        f"/lists/{lid}/videos/{vid}/fields/{fid}",
        content=f'{{"value_numeric": {number}}}',
        headers={"content-type": "application/json"},
    )
    return lid, fid, {"status": response.status_code, "json": response.json()}


@pytest.mark.parametrize(
    "number", ["123456789012345678.123456", "9007199254740993", "0.1000000000000000055"]
)
async def test_a_number_a_json_client_would_read_back_rounded_is_422_not_stored_rounded(
    client: Client, number: str
) -> None:
    lid, fid, sent = await put_number_written_out(client, number)
    assert sent["status"] == 422, sent
    assert sent["json"]["errors"][0]["rule"] == "video_field_values_numeric_precision"
    assert "15 significant digits" in sent["json"]["errors"][0]["message"]
    assert await values_by_title(client, lid, fid) == {"A": None}


@pytest.mark.parametrize("number", ["12345678901.2345", "-0.000123456789012345", "1e15"])
async def test_a_number_of_15_digits_reads_back_digit_for_digit(
    client: Client, number: str
) -> None:
    lid, fid, sent = await put_number_written_out(client, number)
    assert sent["status"] == 200, sent
    assert Decimal(str(sent["json"]["value_numeric"])) == Decimal(number)
    [title] = await search_titles(
        client, lid, filters=[{"field_id": fid, "op": "eq", "value": float(number)}]
    )
    assert title == "A"


async def test_a_config_with_fractions_is_kept_exactly(client: Client) -> None:
    lid = (await make_list(client))["id"]
    config = {"min": 0.1, "max": 99.95, "decimals": 2}
    field = await make_field(client, lid, "Score", "number", config)
    assert field["config"] == config
    vid = (await make_video(client, lid, "A"))["id"]
    found = problem(await put_value(client, lid, vid, field["id"], value_numeric=0.09), 422)
    assert found["errors"][0]["rule"] == "video_field_values_number_in_range"
    ok(await put_value(client, lid, vid, field["id"], value_numeric=0.1))
    assert await values_by_title(client, lid, field["id"]) == {"A": 0.1}


async def test_a_number_in_the_wrong_column_is_422(client: Client) -> None:
    lid, fid = await number_list(client)
    vid = (await make_video(client, lid, "A"))["id"]
    url = f"/lists/{lid}/videos/{vid}/fields/{fid}"
    found = problem(await client.put(url, json={"value_text": "5"}), 422)
    assert found["errors"][0]["rule"] == "video_field_values_value_matches_type"


@pytest.fixture
async def numbers(client: Client) -> tuple[str, str]:
    """Videos A..E with the numbers -5, 0, 7.5, 100 and none."""
    lid, fid = await number_list(client)
    for title, value in (("A", -5), ("B", 0), ("C", 7.5), ("D", 100), ("E", None)):
        vid = (await make_video(client, lid, title))["id"]
        if value is not None:
            ok(await put_value(client, lid, vid, fid, value_numeric=value))
    return lid, fid


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("eq", 7.5, {"C"}),
        ("ne", 0, {"A", "C", "D"}),
        ("gt", 0, {"C", "D"}),
        ("gte", 0, {"B", "C", "D"}),
        ("lt", 0, {"A"}),
        ("lte", 7.5, {"A", "B", "C"}),
        ("between", [-5, 7.5], {"A", "B", "C"}),
        ("is_empty", None, {"E"}),
        ("is_not_empty", None, {"A", "B", "C", "D"}),
    ],
)
async def test_each_number_operator_searches(
    client: Client, numbers: tuple[str, str], op: str, value: Any, expected: set[str]
) -> None:
    lid, fid = numbers
    condition: dict[str, Any] = {"field_id": fid, "op": op}
    if value is not None:
        condition["value"] = value
    assert set(await search_titles(client, lid, filters=[condition])) == expected


@pytest.mark.parametrize("op", ["contains", "in", "starts_with"])
async def test_an_operator_a_number_does_not_take_is_422(
    client: Client, numbers: tuple[str, str], op: str
) -> None:
    lid, fid = numbers
    body = {"filters": [{"field_id": fid, "op": op, "value": "1"}]}
    found = problem(await client.post(f"/lists/{lid}/videos/search", json=body), 422)
    assert found["errors"][0]["rule"] == "search_operator"


@pytest.mark.parametrize(
    ("direction", "expected"),
    [("asc", ["A", "B", "C", "D", "E"]), ("desc", ["D", "C", "B", "A", "E"])],
)
async def test_sorting_by_a_number_puts_empty_values_last_across_pages(
    client: Client, numbers: tuple[str, str], direction: str, expected: list[str]
) -> None:
    lid, fid = numbers
    assert await sorted_titles(client, lid, fid, direction) == expected


@pytest.mark.parametrize(
    "config",
    [{"min": 0, "max": 100, "decimals": 1}, {"max": 50}, {"decimals": 0}],
    ids=["min-above-a-value", "max-below-a-value", "fewer-decimals"],
)
async def test_a_config_that_would_strand_a_stored_number_is_409(
    client: Client, numbers: tuple[str, str], config: dict[str, Any]
) -> None:
    lid, fid = numbers
    url = f"/lists/{lid}/custom-fields/{fid}"
    found = problem(await client.patch(url, json={"config": config}), 409)
    assert found["rule"] == "custom_fields_config_breaks_values"
    assert ok(await client.get(url))["config"] == CONFIG
