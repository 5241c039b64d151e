"""The multi_select field type over HTTP: its config, values (a JSON array of the field's
options, no duplicates, at most max_selected), has_any / has_all / has_none, sorting with
empty values last, and the protection of stored values."""

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

CONFIG = {"options": ["jazz", "rock", "folk", "live"], "max_selected": 3}


@pytest.fixture
async def tagged(client: Client) -> tuple[str, str]:
    """Videos A..E with [jazz], [jazz, rock], [folk, live], none, [rock]."""
    lid = (await make_list(client, "Genres"))["id"]
    fid = (await make_field(client, lid, "Genres", "multi_select", CONFIG))["id"]
    rows = [("A", ["jazz"]), ("B", ["jazz", "rock"]), ("C", ["folk", "live"]), ("D", None)]
    rows.append(("E", ["rock"]))
    for title, value in rows:
        vid = (await make_video(client, lid, title))["id"]
        if value is not None:
            ok(await put_value(client, lid, vid, fid, value_options=value))
    return lid, fid


async def test_options_are_stored_and_read_back_as_a_json_array(
    client: Client, tagged: tuple[str, str]
) -> None:
    lid, fid = tagged
    assert await values_by_title(client, lid, fid) == {
        "A": ["jazz"],
        "B": ["jazz", "rock"],
        "C": ["folk", "live"],
        "D": None,
        "E": ["rock"],
    }


@pytest.mark.parametrize(
    "config",
    [{}, {"options": []}, {"options": ["a"], "max_selected": 0}, {"options": ["a"], "x": 1}],
    ids=["no-options", "empty-options", "max-selected-0", "unknown-key"],
)
async def test_a_bad_multi_select_config_is_422(client: Client, config: dict[str, Any]) -> None:
    lid = (await make_list(client))["id"]
    body = {"name": "M", "field_type": "multi_select", "config": config}
    found = problem(await client.post(f"/lists/{lid}/custom-fields", json=body), 422)
    assert found["errors"][0]["rule"] == "custom_fields_multi_select_config"


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        (["jazz", "blues"], "video_field_values_multi_select_option"),
        (["jazz", "rock", "folk", "live"], "video_field_values_multi_select_max"),
        (["jazz", "jazz"], "video_field_values_options_shape"),
        (["Jazz"], "video_field_values_multi_select_option"),
    ],
)
async def test_options_that_break_a_rule_are_422_naming_it(
    client: Client, tagged: tuple[str, str], value: list[str], rule: str
) -> None:
    lid, fid = tagged
    vid = (await make_video(client, lid, "F"))["id"]
    found = problem(await put_value(client, lid, vid, fid, value_options=value), 422)
    assert found["errors"][0]["rule"] == rule
    assert (await values_by_title(client, lid, fid))["F"] is None


@pytest.mark.parametrize(
    "value", [[], "jazz", [1], [None]], ids=["empty", "string", "number", "null"]
)
async def test_a_value_that_is_not_a_list_of_options_is_400(
    client: Client, tagged: tuple[str, str], value: Any
) -> None:
    lid, fid = tagged
    vid = (await make_video(client, lid, "F"))["id"]
    problem(await put_value(client, lid, vid, fid, value_options=value), 400)


async def test_a_batch_sets_option_lists_of_different_lengths(
    client: Client, tagged: tuple[str, str]
) -> None:
    lid, fid = tagged
    videos = [(await make_video(client, lid, f"N{i}"))["id"] for i in range(3)]
    values = [["jazz"], ["rock", "folk", "live"], ["live", "jazz"]]
    body = {
        "set": [
            {"video_id": vid, "field_id": fid, "value_options": value}
            for vid, value in zip(videos, values, strict=True)
        ]
    }
    ok(await client.post(f"/lists/{lid}/values", json=body))
    found = await values_by_title(client, lid, fid)
    assert [found[f"N{i}"] for i in range(3)] == values


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("has_any", ["jazz"], {"A", "B"}),
        ("has_any", ["rock", "live"], {"B", "C", "E"}),
        ("has_all", ["jazz", "rock"], {"B"}),
        ("has_all", ["rock"], {"B", "E"}),
        ("has_none", ["jazz"], {"C", "E"}),
        ("is_empty", None, {"D"}),
        ("is_not_empty", None, {"A", "B", "C", "E"}),
    ],
)
async def test_each_multi_select_operator_searches(
    client: Client, tagged: tuple[str, str], op: str, value: Any, expected: set[str]
) -> None:
    lid, fid = tagged
    condition: dict[str, Any] = {"field_id": fid, "op": op}
    if value is not None:
        condition["value"] = value
    assert set(await search_titles(client, lid, filters=[condition])) == expected


@pytest.mark.parametrize(
    ("op", "value", "rule"),
    [
        ("eq", "jazz", "search_operator"),
        ("in", ["jazz"], "search_operator"),
        ("has_any", ["blues"], "search_value_option"),
        ("has_all", [], "search_value_type"),
        ("has_none", "jazz", "search_value_type"),
    ],
)
async def test_a_multi_select_condition_that_does_not_fit_is_422(
    client: Client, tagged: tuple[str, str], op: str, value: Any, rule: str
) -> None:
    lid, fid = tagged
    body = {"filters": [{"field_id": fid, "op": op, "value": value}]}
    found = problem(await client.post(f"/lists/{lid}/videos/search", json=body), 422)
    assert found["errors"][0]["rule"] == rule


@pytest.mark.parametrize(
    ("direction", "expected"),
    [("asc", ["C", "A", "B", "E", "D"]), ("desc", ["E", "B", "A", "C", "D"])],
)
async def test_sorting_by_a_multi_select_puts_empty_values_last_across_pages(
    client: Client, tagged: tuple[str, str], direction: str, expected: list[str]
) -> None:
    lid, fid = tagged
    assert await sorted_titles(client, lid, fid, direction) == expected


@pytest.mark.parametrize(
    "config",
    [
        {"options": ["jazz", "rock", "folk"], "max_selected": 3},
        {"options": ["jazz", "rock", "folk", "live"], "max_selected": 1},
    ],
    ids=["option-removed-while-chosen", "max-selected-below-a-value"],
)
async def test_a_config_that_would_strand_stored_options_is_409(
    client: Client, tagged: tuple[str, str], config: dict[str, Any]
) -> None:
    lid, fid = tagged
    url = f"/lists/{lid}/custom-fields/{fid}"
    found = problem(await client.patch(url, json={"config": config}), 409)
    assert found["rule"] == "custom_fields_config_breaks_values"
    assert ok(await client.get(url))["config"] == CONFIG


async def test_an_unused_option_can_be_removed(client: Client, tagged: tuple[str, str]) -> None:
    lid, fid = tagged
    lid2 = (await make_list(client, "Other"))["id"]
    assert lid2 != lid
    url = f"/lists/{lid}/custom-fields/{fid}"
    config = {"options": ["jazz", "rock", "folk", "live", "blues"], "max_selected": 2}
    ok(await client.patch(url, json={"config": config}))
    config = {"options": ["jazz", "rock", "folk", "live"], "max_selected": 2}
    assert ok(await client.patch(url, json={"config": config}))["config"] == config
