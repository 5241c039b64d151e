import asyncio

import psycopg
import pytest

from tests.api.conftest import (
    Client,
    Setup,
    error_fields,
    make_field,
    make_list,
    ok,
    problem,
    unknown_id,
)


async def test_create_answers_201_and_read_returns_it(client: Client) -> None:
    lid = (await make_list(client))["id"]
    body = {"name": "  Rating ", "field_type": "rating", "config": {"max_rating": 5}}
    created = ok(await client.post(f"/lists/{lid}/custom-fields", json=body), 201)
    assert created["name"] == "Rating"
    assert created["field_type"] == "rating"
    assert created["config"] == {"max_rating": 5}
    assert created["list_id"] == lid
    assert ok(await client.get(f"/lists/{lid}/custom-fields/{created['id']}")) == created


async def test_list_returns_the_lists_fields_only(client: Client, setup: Setup) -> None:
    fields = ok(await client.get(f"/lists/{setup.list_id}/custom-fields"))
    assert {f["id"] for f in fields} == {setup.rating, setup.select, setup.text, setup.boolean}


@pytest.mark.parametrize(
    ("field_type", "config"),
    [
        ("rating", {"max_rating": 10}),
        ("select", {"options": ["a", "b"]}),
        ("text", {}),
        ("text", {"max_length": 2000}),
        ("boolean", {}),
    ],
)
async def test_every_type_with_a_good_config(
    client: Client, field_type: str, config: dict[str, object]
) -> None:
    lid = (await make_list(client))["id"]
    created = await make_field(client, lid, "F", field_type, config)
    assert created["config"] == config


@pytest.mark.parametrize(
    ("field_type", "config"),
    [
        ("rating", {}),
        ("rating", {"max_rating": 11}),
        ("rating", {"max_rating": 0}),
        ("rating", {"max_rating": 2.5}),
        ("rating", {"max_rating": 5, "extra": 1}),
        ("select", {}),
        ("select", {"options": []}),
        ("select", {"options": ["a", "a"]}),
        ("select", {"options": ["a", " "]}),
        ("select", {"options": [1]}),
        ("text", {"max_length": 0}),
        ("text", {"max_length": 2001}),
        ("boolean", {"x": 1}),
    ],
)
async def test_a_config_that_does_not_fit_the_type_is_422(
    client: Client, field_type: str, config: dict[str, object]
) -> None:
    lid = (await make_list(client))["id"]
    body = {"name": "F", "field_type": field_type, "config": config}
    found = problem(await client.post(f"/lists/{lid}/custom-fields", json=body), 422)
    assert found["errors"][0]["rule"].startswith("custom_fields_"), found
    assert ok(await client.get(f"/lists/{lid}/custom-fields")) == []


async def test_invalid_input_is_400_naming_the_field(client: Client) -> None:
    lid = (await make_list(client))["id"]
    url = f"/lists/{lid}/custom-fields"
    cases = [
        ({"field_type": "text"}, "name"),
        ({"name": "  ", "field_type": "text"}, "name"),
        ({"name": "\ufeff", "field_type": "text"}, "name"),
        ({"name": "n" * 101, "field_type": "text"}, "name"),
        ({"name": "F"}, "field_type"),
        ({"name": "F", "field_type": "colour"}, "field_type"),
        ({"name": "F", "field_type": "text", "config": []}, "config"),
        ({"name": "F", "field_type": "text", "required": True}, "required"),
    ]
    for body, field in cases:
        found = problem(await client.post(url, json=body), 400)
        assert field in error_fields(found), (body, found)


async def test_duplicate_name_is_409(client: Client, setup: Setup) -> None:
    url = f"/lists/{setup.list_id}/custom-fields"
    body = {"name": "Rating", "field_type": "text"}
    found = problem(await client.post(url, json=body), 409)
    assert "name" in found["detail"]
    found = problem(await client.patch(f"{url}/{setup.text}", json={"name": "Rating"}), 409)
    # The same name in another list is fine.
    await make_field(client, setup.other_list_id, "Rating", "text")


async def test_rename_and_config_change_move_updated_at(client: Client) -> None:
    lid = (await make_list(client))["id"]
    field = await make_field(client, lid, "Mood", "select", {"options": ["a"]})
    url = f"/lists/{lid}/custom-fields/{field['id']}"
    await asyncio.sleep(0.01)
    renamed = ok(await client.patch(url, json={"name": " Feeling "}))
    assert renamed["name"] == "Feeling"
    assert renamed["config"] == {"options": ["a"]}
    assert renamed["updated_at"] > field["updated_at"]
    await asyncio.sleep(0.01)
    changed = ok(await client.patch(url, json={"config": {"options": ["a", "b"]}}))
    assert changed["config"] == {"options": ["a", "b"]}
    assert changed["updated_at"] > renamed["updated_at"]
    assert ok(await client.get(url)) == changed


async def test_a_bad_config_on_update_is_422_and_changes_nothing(
    client: Client, setup: Setup
) -> None:
    url = f"/lists/{setup.list_id}/custom-fields/{setup.rating}"
    before = ok(await client.get(url))
    problem(await client.patch(url, json={"config": {"max_rating": 99}}), 422)
    assert ok(await client.get(url)) == before


async def test_update_refuses_unknown_properties_and_bad_names(
    client: Client, setup: Setup
) -> None:
    url = f"/lists/{setup.list_id}/custom-fields/{setup.rating}"
    before = ok(await client.get(url))
    for body, field in [
        ({"required": True}, "required"),
        ({"name": " "}, "name"),
        ({"name": "n" * 101}, "name"),
        ({"field_type": "colour"}, "field_type"),
    ]:
        found = problem(await client.patch(url, json=body), 400)
        assert field in error_fields(found), (body, found)
    assert ok(await client.get(url)) == before


async def test_type_change_without_values_is_fine(client: Client) -> None:
    lid = (await make_list(client))["id"]
    field = await make_field(client, lid, "F", "text")
    url = f"/lists/{lid}/custom-fields/{field['id']}"
    changed = ok(await client.patch(url, json={"field_type": "boolean", "config": {}}))
    assert changed["field_type"] == "boolean"


async def test_type_change_without_a_config_starts_from_the_new_types_bare_config(
    client: Client,
) -> None:
    lid = (await make_list(client))["id"]
    field = await make_field(client, lid, "F", "rating", {"max_rating": 4})
    url = f"/lists/{lid}/custom-fields/{field['id']}"
    changed = ok(await client.patch(url, json={"field_type": "number"}))
    assert (changed["field_type"], changed["config"]) == ("number", {})
    # Back to a rating, whose config {} is not: the 422 names the config a rating needs.
    found = problem(await client.patch(url, json={"field_type": "rating"}), 422)
    assert "max_rating" in found["detail"], found
    # The same type again keeps the config.
    ok(await client.patch(url, json={"field_type": "number", "config": {"min": 0}}))
    assert ok(await client.patch(url, json={"field_type": "number"}))["config"] == {"min": 0}


async def test_type_change_with_values_is_409(client: Client, setup: Setup) -> None:
    ok(await client.put(setup.fields_url(), json=[{"field_id": setup.text, "value_text": "hi"}]))
    url = f"/lists/{setup.list_id}/custom-fields/{setup.text}"
    found = problem(await client.patch(url, json={"field_type": "boolean", "config": {}}), 409)
    assert found["rule"] == "custom_fields_type_change_with_values"
    assert ok(await client.get(url))["field_type"] == "text"


async def test_config_change_that_breaks_values_is_409(client: Client, setup: Setup) -> None:
    values = [{"field_id": setup.rating, "value_numeric": 5}]
    ok(await client.put(setup.fields_url(), json=values))
    url = f"/lists/{setup.list_id}/custom-fields/{setup.rating}"
    problem(await client.patch(url, json={"config": {"max_rating": 3}}), 409)
    assert ok(await client.get(url))["config"] == {"max_rating": 5}


async def test_a_config_of_the_wrong_shape_is_422_whether_or_not_values_are_held(
    client: Client, setup: Setup
) -> None:
    url = f"/lists/{setup.list_id}/custom-fields/{setup.rating}"
    for held in (False, True):
        if held:
            ok(
                await client.put(
                    setup.fields_url(), json=[{"field_id": setup.rating, "value_numeric": 5}]
                )
            )
        found = problem(await client.patch(url, json={"config": {"max_rating": 0}}), 422)
        assert found["errors"][0]["rule"] == "custom_fields_rating_config", (held, found)
    assert ok(await client.get(url))["config"] == {"max_rating": 5}


async def test_delete_answers_204_and_drops_it_from_the_video(client: Client, setup: Setup) -> None:
    url = f"/lists/{setup.list_id}/custom-fields/{setup.boolean}"
    ok(await client.delete(url), 204)
    problem(await client.get(url), 404)
    fields = ok(await client.get(setup.fields_url()))
    assert setup.boolean not in {f["field_id"] for f in fields}


async def test_field_of_another_list_is_404(client: Client, setup: Setup) -> None:
    url = f"/lists/{setup.list_id}/custom-fields/{setup.other_field_id}"
    problem(await client.get(url), 404)
    problem(await client.patch(url, json={"name": "stolen"}), 404)
    problem(await client.delete(url), 404)
    theirs = f"/lists/{setup.other_list_id}/custom-fields/{setup.other_field_id}"
    assert ok(await client.get(theirs))["name"] == "Stars"


async def test_unknown_ids_are_404(client: Client) -> None:
    problem(await client.get(f"/lists/{unknown_id()}/custom-fields"), 404)
    body = {"name": "F", "field_type": "text"}
    problem(await client.post(f"/lists/{unknown_id()}/custom-fields", json=body), 404)
    lid = (await make_list(client))["id"]
    url = f"/lists/{lid}/custom-fields/{unknown_id()}"
    problem(await client.get(url), 404)
    problem(await client.patch(url, json={"name": "x"}), 404)
    problem(await client.delete(url), 404)


async def test_a_list_full_of_fields_answers_422_naming_the_rule(
    client: Client, postgresql: psycopg.Connection
) -> None:
    lst = await make_list(client)
    postgresql.execute(
        "INSERT INTO custom_fields (list_id, name, field_type)"
        " SELECT %s, 'F' || n, 'boolean' FROM generate_series(1, 499) AS n",
        [lst["id"]],
    )
    postgresql.commit()
    url = f"/lists/{lst['id']}/custom-fields"
    ok(await client.post(url, json={"name": "The last", "field_type": "text"}), 201)
    found = problem(await client.post(url, json={"name": "One more", "field_type": "text"}), 422)
    assert found["errors"][0]["rule"] == "custom_fields_per_list", found
    assert "at most 500 live custom fields" in found["detail"]
    assert len(ok(await client.get(url))) == 500
