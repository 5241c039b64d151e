import asyncio
from typing import Any

import pytest

from tests.api.conftest import (
    Client,
    Setup,
    make_field,
    make_list,
    make_schema,
    make_tag,
    make_video,
    ok,
    problem,
    put_value,
    search_titles,
    tag_video,
    unknown_id,
    values_by_title,
)


def values_of(fields: list[dict[str, Any]]) -> dict[str, Any]:
    return {f["field_id"]: f["value"] for f in fields}


async def test_fields_of_a_video_in_display_order_with_null_values(
    client: Client, setup: Setup
) -> None:
    fields = ok(await client.get(setup.fields_url()))
    assert [f["field_id"] for f in fields] == [
        setup.rating,
        setup.select,
        setup.text,
        setup.boolean,
    ]
    assert [f["display_order"] for f in fields] == [0, 1, 2, 3]
    assert [f["name"] for f in fields] == ["Rating", "Mood", "Notes", "Seen"]
    assert fields[0]["config"] == {"max_rating": 5}
    assert fields[0]["show_on_card"] is True
    assert all(f["value"] is None for f in fields)


async def test_a_video_without_tags_has_no_fields(client: Client, setup: Setup) -> None:
    video = await make_video(client, setup.list_id)
    assert ok(await client.get(setup.fields_url(video["id"]))) == []


async def test_fields_of_several_schemas_appear_once_each(client: Client, setup: Setup) -> None:
    schema = await make_schema(client, setup.list_id, "Second", [setup.boolean, setup.rating])
    tag = await make_tag(client, setup.list_id, "Second", schema["id"])
    await tag_video(client, setup.list_id, setup.video_id, [setup.tag_id, tag["id"]])
    ids = [f["field_id"] for f in ok(await client.get(setup.fields_url()))]
    assert sorted(ids) == sorted({setup.rating, setup.select, setup.text, setup.boolean})


async def test_put_sets_many_values_at_once(client: Client, setup: Setup) -> None:
    body = [
        {"field_id": setup.rating, "value_numeric": 4},
        {"field_id": setup.select, "value_text": "fun"},
        {"field_id": setup.text, "value_text": "great"},
        {"field_id": setup.boolean, "value_boolean": False},
    ]
    answered = ok(await client.put(setup.fields_url(), json=body))
    expected = {setup.rating: 4, setup.select: "fun", setup.text: "great", setup.boolean: False}
    assert values_of(answered) == expected
    assert values_of(ok(await client.get(setup.fields_url()))) == expected
    # The other video is untouched.
    assert set(values_of(ok(await client.get(setup.fields_url(setup.video2_id)))).values()) == {
        None
    }


async def test_put_replaces_a_value_and_moves_its_updated_at(client: Client, setup: Setup) -> None:
    first = ok(
        await client.put(
            setup.fields_url(), json=[{"field_id": setup.rating, "value_numeric": 2.5}]
        )
    )
    assert values_of(first)[setup.rating] == 2.5
    before = next(f["updated_at"] for f in first if f["field_id"] == setup.rating)
    await asyncio.sleep(0.01)
    second = ok(
        await client.put(setup.fields_url(), json=[{"field_id": setup.rating, "value_numeric": 3}])
    )
    assert values_of(second)[setup.rating] == 3
    after = next(f["updated_at"] for f in second if f["field_id"] == setup.rating)
    assert after > before


async def test_put_of_the_value_held_keeps_its_updated_at(client: Client, setup: Setup) -> None:
    body = [{"field_id": setup.rating, "value_numeric": 2.5}]
    first = ok(await client.put(setup.fields_url(), json=body))
    await asyncio.sleep(0.01)
    again = ok(await client.put(setup.fields_url(), json=body))
    assert again == first
    one = ok(await client.put(f"{setup.fields_url()}/{setup.rating}", json={"value_numeric": 2.5}))
    held = next(f for f in first if f["field_id"] == setup.rating)
    assert one["updated_at"] == held["updated_at"]


async def test_put_one_value_by_field_id(client: Client, setup: Setup) -> None:
    url = f"{setup.fields_url()}/{setup.text}"
    answered = ok(await client.put(url, json={"value_text": "nice"}))
    assert answered["value_text"] == "nice"
    assert answered["field_id"] == setup.text
    assert values_of(ok(await client.get(setup.fields_url())))[setup.text] == "nice"
    problem(await client.put(url, json={"value_numeric": 1}), 422)
    problem(await client.put(url, json={}), 400)


@pytest.mark.parametrize(
    "value",
    [
        {},
        {"value_text": None, "value_numeric": None},
        {"value_text": "a", "value_numeric": 1},
        {"value_numeric": 1, "value_boolean": True},
        {"value_text": "a", "value_numeric": 1, "value_boolean": True},
    ],
)
async def test_none_or_several_values_are_400_saying_so(
    client: Client, setup: Setup, value: dict[str, Any]
) -> None:
    body = [{"field_id": setup.text, "value_text": "fine"}, {"field_id": setup.rating, **value}]
    found = problem(await client.put(setup.fields_url(), json=body), 400)
    assert "exactly one of value_text, value_numeric, value_boolean" in found["detail"]
    # The item named by its index (a bare list's problem named none).
    assert [error["field"] for error in found["errors"]] == ["1"]
    assert values_of(ok(await client.get(setup.fields_url())))[setup.text] is None


async def test_a_bad_item_of_many_is_named_by_its_index(client: Client, setup: Setup) -> None:
    body = [{"field_id": setup.text, "value_text": "fine"}, {"field_id": "x", "value_text": 1}]
    found = problem(await client.put(setup.fields_url(), json=body), 400)
    assert {error["field"] for error in found["errors"]} == {"1.field_id", "1.value_text"}
    too_many = [{"field_id": setup.text, "value_text": "a"}] * 5001
    found = problem(await client.put(setup.fields_url(), json=too_many), 400)
    assert "at most 5000 items" in found["detail"]


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("rating", {"value_numeric": 6}, "video_field_values_rating_in_range"),
        ("rating", {"value_numeric": -1}, "video_field_values_rating_in_range"),
        ("rating", {"value_text": "5"}, "video_field_values_value_matches_type"),
        ("select", {"value_text": "angry"}, "video_field_values_select_option"),
        ("select", {"value_boolean": True}, "video_field_values_value_matches_type"),
        ("text", {"value_text": "x" * 21}, "video_field_values_text_length"),
        ("text", {"value_text": "   "}, "video_field_values_text_not_empty"),
        ("text", {"value_text": "\u00a0\u3000"}, "video_field_values_text_not_empty"),
        ("boolean", {"value_numeric": 1}, "video_field_values_value_matches_type"),
    ],
)
async def test_a_value_that_does_not_fit_its_field_is_422_naming_field_and_rule(
    client: Client, setup: Setup, field: str, value: dict[str, Any], rule: str
) -> None:
    field_id = getattr(setup, field)
    good = (
        {"field_id": setup.rating, "value_numeric": 1}
        if field != "rating"
        else {"field_id": setup.boolean, "value_boolean": True}
    )
    body = [good, {"field_id": field_id, **value}]
    found = problem(await client.put(setup.fields_url(), json=body), 422)
    assert found["errors"] == [found["errors"][0]]
    error = found["errors"][0]
    assert error["field_id"] == field_id
    assert error["rule"] == rule
    assert error["index"] == 1
    assert error["message"]
    # All or nothing: the good item was not written either.
    assert set(values_of(ok(await client.get(setup.fields_url()))).values()) == {None}


async def test_text_without_max_length_is_bounded_in_bytes(client: Client, setup: Setup) -> None:
    free = ok(
        await client.post(
            f"/lists/{setup.list_id}/custom-fields", json={"name": "Free", "field_type": "text"}
        ),
        201,
    )
    url = f"{setup.fields_url()}/{free['id']}"
    found = problem(await client.put(url, json={"value_text": "é" * 1001}), 422)
    assert found["errors"][0]["rule"] == "video_field_values_text_size"
    assert found["errors"][0]["field_id"] == free["id"]
    assert ok(await client.put(url, json={"value_text": "é" * 1000}))["value_text"] == "é" * 1000


async def test_every_bad_item_is_reported(client: Client, setup: Setup) -> None:
    body = [
        {"field_id": setup.rating, "value_numeric": 9},
        {"field_id": setup.select, "value_text": "nope"},
    ]
    found = problem(await client.put(setup.fields_url(), json=body), 422)
    assert [(e["field_id"], e["index"]) for e in found["errors"]] == [
        (setup.rating, 0),
        (setup.select, 1),
    ]


async def test_a_batch_with_an_unknown_field_writes_nothing(client: Client, setup: Setup) -> None:
    ok(await client.put(setup.fields_url(), json=[{"field_id": setup.rating, "value_numeric": 1}]))
    for bad in (setup.other_field_id, unknown_id()):
        body = [
            {"field_id": setup.rating, "value_numeric": 5},
            {"field_id": bad, "value_numeric": 1},
        ]
        problem(await client.put(setup.fields_url(), json=body), 404)
        assert values_of(ok(await client.get(setup.fields_url())))[setup.rating] == 1


async def test_the_same_field_twice_in_a_batch_is_422(client: Client, setup: Setup) -> None:
    body = [
        {"field_id": setup.rating, "value_numeric": 1},
        {"field_id": setup.rating, "value_numeric": 2},
    ]
    problem(await client.put(setup.fields_url(), json=body), 422)
    assert values_of(ok(await client.get(setup.fields_url())))[setup.rating] is None


async def test_malformed_items_are_400_and_write_nothing(client: Client, setup: Setup) -> None:
    good = {"field_id": setup.rating, "value_numeric": 3}
    for bad in (
        {"field_id": "not-a-uuid", "value_numeric": 1},
        {"value_numeric": 1},
        {"field_id": setup.text, "value_text": "x", "note": "?"},
        {"field_id": setup.rating, "value_numeric": "NaN"},
        {"field_id": setup.boolean, "value_boolean": "yes"},
        {"field_id": setup.boolean, "value_boolean": 1},
        {"field_id": setup.text, "value_text": 5},
        "nope",
    ):
        problem(await client.put(setup.fields_url(), json=[good, bad]), 400)
    problem(await client.put(setup.fields_url(), json={"field_id": setup.rating}), 400)
    assert values_of(ok(await client.get(setup.fields_url())))[setup.rating] is None


async def test_delete_clears_one_value(client: Client, setup: Setup) -> None:
    body = [
        {"field_id": setup.rating, "value_numeric": 4},
        {"field_id": setup.text, "value_text": "keep"},
    ]
    ok(await client.put(setup.fields_url(), json=body))
    ok(await client.delete(f"{setup.fields_url()}/{setup.rating}"), 204)
    values = values_of(ok(await client.get(setup.fields_url())))
    assert values[setup.rating] is None
    assert values[setup.text] == "keep"
    # Nothing left to clear is fine.
    ok(await client.delete(f"{setup.fields_url()}/{setup.rating}"), 204)


async def test_ids_of_another_list_are_404(client: Client, setup: Setup) -> None:
    theirs = setup.fields_url(setup.other_video_id)
    problem(await client.get(theirs), 404)
    problem(await client.put(theirs, json=[{"field_id": setup.rating, "value_numeric": 1}]), 404)
    problem(await client.delete(f"{theirs}/{setup.rating}"), 404)
    problem(await client.delete(f"{setup.fields_url()}/{setup.other_field_id}"), 404)
    problem(
        await client.put(f"{setup.fields_url()}/{setup.other_field_id}", json={"value_numeric": 1}),
        404,
    )
    own = f"/lists/{setup.other_list_id}/videos/{setup.other_video_id}/fields"
    assert values_of(ok(await client.get(own))) == {setup.other_field_id: None}


async def test_unknown_ids_are_404(client: Client, setup: Setup) -> None:
    for url in (
        f"/lists/{unknown_id()}/videos/{setup.video_id}/fields",
        setup.fields_url(unknown_id()),
    ):
        problem(await client.get(url), 404)
        problem(await client.put(url, json=[]), 404)
        problem(await client.delete(f"{url}/{setup.rating}"), 404)
    problem(await client.delete(f"{setup.fields_url()}/{unknown_id()}"), 404)


# Bulk edit: POST /lists/{list_id}/values


async def test_bulk_edit_sets_and_clears_across_videos(client: Client, setup: Setup) -> None:
    ok(await client.put(setup.fields_url(), json=[{"field_id": setup.text, "value_text": "old"}]))
    body = {
        "set": [
            {"video_id": setup.video_id, "field_id": setup.rating, "value_numeric": 5},
            {"video_id": setup.video2_id, "field_id": setup.select, "value_text": "sad"},
            {"video_id": setup.video2_id, "field_id": setup.boolean, "value_boolean": True},
        ],
        "clear": [{"video_id": setup.video_id, "field_id": setup.text}],
    }
    result = ok(await client.post(f"/lists/{setup.list_id}/values", json=body))
    assert result == {"set": 3, "cleared": 1}
    first = values_of(ok(await client.get(setup.fields_url())))
    second = values_of(ok(await client.get(setup.fields_url(setup.video2_id))))
    assert first[setup.rating] == 5
    assert first[setup.text] is None
    assert second[setup.select] == "sad"
    assert second[setup.boolean] is True


async def test_bulk_edit_empty_is_fine(client: Client, setup: Setup) -> None:
    result = ok(await client.post(f"/lists/{setup.list_id}/values", json={}))
    assert result == {"set": 0, "cleared": 0}


async def _bulk_is_all_or_nothing(
    client: Client, setup: Setup, bad: dict[str, Any], status: int, key: str = "set"
) -> dict[str, Any]:
    ok(await client.put(setup.fields_url(), json=[{"field_id": setup.text, "value_text": "old"}]))
    before = (
        ok(await client.get(setup.fields_url())),
        ok(await client.get(setup.fields_url(setup.video2_id))),
    )
    body: dict[str, Any] = {
        "set": [{"video_id": setup.video2_id, "field_id": setup.rating, "value_numeric": 1}],
        "clear": [{"video_id": setup.video_id, "field_id": setup.text}],
    }
    body[key].append(bad)
    found = problem(await client.post(f"/lists/{setup.list_id}/values", json=body), status)
    after = (
        ok(await client.get(setup.fields_url())),
        ok(await client.get(setup.fields_url(setup.video2_id))),
    )
    assert after == before
    return found


async def test_bulk_edit_with_a_value_that_does_not_fit_writes_nothing(
    client: Client, setup: Setup
) -> None:
    bad = {"video_id": setup.video_id, "field_id": setup.rating, "value_numeric": 7}
    found = await _bulk_is_all_or_nothing(client, setup, bad, 422)
    error = found["errors"][0]
    assert error["field_id"] == setup.rating
    assert error["video_id"] == setup.video_id
    assert error["rule"] == "video_field_values_rating_in_range"


async def test_bulk_edit_with_several_values_in_one_item_writes_nothing(
    client: Client, setup: Setup
) -> None:
    bad = {
        "video_id": setup.video_id,
        "field_id": setup.rating,
        "value_numeric": 1,
        "value_text": "1",
    }
    found = await _bulk_is_all_or_nothing(client, setup, bad, 400)
    assert "exactly one of" in found["detail"]


@pytest.mark.parametrize("key", ["set", "clear"])
@pytest.mark.parametrize("which", ["other_video", "unknown_video", "other_field", "unknown_field"])
async def test_bulk_edit_with_ids_of_another_list_writes_nothing(
    client: Client, setup: Setup, key: str, which: str
) -> None:
    video_id = {
        "other_video": setup.other_video_id,
        "unknown_video": unknown_id(),
    }.get(which, setup.video2_id)
    field_id = {
        "other_field": setup.other_field_id,
        "unknown_field": unknown_id(),
    }.get(which, setup.boolean)
    bad: dict[str, Any] = {"video_id": video_id, "field_id": field_id}
    if key == "set":
        bad["value_boolean"] = True
        if which == "other_field":
            bad = {"video_id": video_id, "field_id": field_id, "value_numeric": 1}
    await _bulk_is_all_or_nothing(client, setup, bad, 404, key)


@pytest.mark.parametrize("which", ["video", "field"])
async def test_a_refused_bulk_edit_names_ids_not_in_the_list_with_the_broken_values(
    client: Client, setup: Setup, which: str
) -> None:
    stranger = unknown_id()
    video_id, field_id = (
        (stranger, setup.boolean) if which == "video" else (setup.video2_id, stranger)
    )
    body = {
        "set": [
            {"video_id": setup.video_id, "field_id": setup.rating, "value_numeric": 9},
            {"video_id": video_id, "field_id": field_id, "value_boolean": True},
        ]
    }
    found = problem(await client.post(f"/lists/{setup.list_id}/values", json=body), 422)
    named = [(error["index"], error["rule"]) for error in found["errors"]]
    assert named == [
        (0, "video_field_values_rating_in_range"),
        (1, f"video_field_values_{which}_fkey"),
    ], found
    assert stranger in found["errors"][1]["message"]


async def test_bulk_edit_setting_and_clearing_one_value_is_422(
    client: Client, setup: Setup
) -> None:
    bad = {"video_id": setup.video_id, "field_id": setup.text, "value_text": "new"}
    await _bulk_is_all_or_nothing(client, setup, bad, 422)


async def test_bulk_edit_malformed_is_400(client: Client, setup: Setup) -> None:
    url = f"/lists/{setup.list_id}/values"
    for body in (
        {"set": [{"video_id": "x", "field_id": setup.rating, "value_numeric": 1}]},
        {"clear": [{"video_id": setup.video_id}]},
        {"delete": []},
        [],
    ):
        problem(await client.post(url, json=body), 400)


async def test_bulk_edit_of_an_unknown_list_is_404(client: Client, setup: Setup) -> None:
    set_one = {"video_id": setup.video_id, "field_id": setup.rating, "value_numeric": 1}
    problem(await client.post(f"/lists/{unknown_id()}/values", json={"set": [set_one]}), 404)


async def test_empty_bulk_edit_of_an_unknown_list_is_404(client: Client) -> None:
    problem(await client.post(f"/lists/{unknown_id()}/values", json={"set": []}), 404)


async def test_a_value_is_stored_as_written_spaces_included(client: Client) -> None:
    # Names and titles are trimmed; a value is not: " b " is an option of its own, and a note
    # keeps its indent.
    lid = (await make_list(client))["id"]
    mood = await make_field(client, lid, "Mood", "select", {"options": ["b", " b "]})
    note = await make_field(client, lid, "Note", "text")
    topics = await make_field(client, lid, "Topics", "multi_select", {"options": ["y", " y"]})
    vid = (await make_video(client, lid, "A"))["id"]
    for field, value in (
        (mood, {"value_text": " b "}),
        (note, {"value_text": "  indented\n"}),
        (topics, {"value_options": [" y", "y"]}),
    ):
        ok(await put_value(client, lid, vid, field["id"], **value))
    assert await values_by_title(client, lid, mood["id"]) == {"A": " b "}
    assert await values_by_title(client, lid, note["id"]) == {"A": "  indented\n"}
    assert await values_by_title(client, lid, topics["id"]) == {"A": [" y", "y"]}
    condition = {"field_id": mood["id"], "op": "eq", "value": " b "}
    assert await search_titles(client, lid, filters=[condition]) == ["A"]
    condition["value"] = "b"
    assert await search_titles(client, lid, filters=[condition]) == []
