import asyncio

from tests.api.conftest import (
    Client,
    Setup,
    error_fields,
    make_field,
    make_list,
    make_schema,
    ok,
    problem,
    unknown_id,
)


async def test_create_with_ordered_fields_answers_201(client: Client) -> None:
    lid = (await make_list(client))["id"]
    a = await make_field(client, lid, "A", "text")
    b = await make_field(client, lid, "B", "boolean")
    body = {
        "name": " Review ",
        "description": "how it went",
        "fields": [
            {"field_id": a["id"], "display_order": 2, "show_on_card": False},
            {"field_id": b["id"], "display_order": 1, "show_on_card": True},
        ],
    }
    created = ok(await client.post(f"/lists/{lid}/schemas", json=body), 201)
    assert created["name"] == "Review"
    assert created["description"] == "how it went"
    assert [(f["field_id"], f["display_order"], f["show_on_card"]) for f in created["fields"]] == [
        (b["id"], 1, True),
        (a["id"], 2, False),
    ]
    assert [f["name"] for f in created["fields"]] == ["B", "A"]
    assert ok(await client.get(f"/lists/{lid}/schemas/{created['id']}")) == created


async def test_fields_without_a_display_order_keep_the_order_they_are_sent_in(
    client: Client,
) -> None:
    # Sent C, A, B (names that sort otherwise): each takes its position in the list.
    lid = (await make_list(client))["id"]
    made = [await make_field(client, lid, name, "text") for name in ("C", "A", "B")]
    body = {"name": "S", "fields": [{"field_id": f["id"]} for f in made]}
    created = ok(await client.post(f"/lists/{lid}/schemas", json=body), 201)
    assert [(f["name"], f["display_order"]) for f in created["fields"]] == [
        ("C", 0),
        ("A", 1),
        ("B", 2),
    ]
    url = f"/lists/{lid}/schemas/{created['id']}/fields"
    replaced = ok(await client.put(url, json=[{"field_id": f["id"]} for f in reversed(made)]))
    assert [f["name"] for f in replaced["fields"]] == ["B", "A", "C"]


async def test_list_returns_the_lists_schemas(client: Client, setup: Setup) -> None:
    schemas = ok(await client.get(f"/lists/{setup.list_id}/schemas"))
    assert [s["id"] for s in schemas] == [setup.schema_id]


async def test_update_renames_and_moves_updated_at(client: Client, setup: Setup) -> None:
    url = f"/lists/{setup.list_id}/schemas/{setup.schema_id}"
    before = ok(await client.get(url))
    await asyncio.sleep(0.01)
    updated = ok(await client.patch(url, json={"name": "Verdict", "description": "x"}))
    assert updated["name"] == "Verdict"
    assert updated["description"] == "x"
    assert updated["fields"] == before["fields"]
    assert updated["updated_at"] > before["updated_at"]


async def test_put_fields_replaces_the_ordered_fields(client: Client, setup: Setup) -> None:
    url = f"/lists/{setup.list_id}/schemas/{setup.schema_id}"
    body = [
        {"field_id": setup.boolean, "display_order": 0, "show_on_card": True},
        {"field_id": setup.rating, "display_order": 5, "show_on_card": False},
    ]
    replaced = ok(await client.put(f"{url}/fields", json=body))
    got = [(f["field_id"], f["display_order"], f["show_on_card"]) for f in replaced["fields"]]
    assert got == [(setup.boolean, 0, True), (setup.rating, 5, False)]
    assert ok(await client.get(url)) == replaced
    # The video's fields follow the schema.
    fields = ok(await client.get(setup.fields_url()))
    assert [f["field_id"] for f in fields] == [setup.boolean, setup.rating]

    emptied = ok(await client.put(f"{url}/fields", json=[]))
    assert emptied["fields"] == []


async def test_put_fields_with_a_bad_item_changes_nothing(client: Client, setup: Setup) -> None:
    url = f"/lists/{setup.list_id}/schemas/{setup.schema_id}"
    before = ok(await client.get(url))
    good = {"field_id": setup.rating, "display_order": 0}
    for bad, status in [
        ({"field_id": setup.other_field_id, "display_order": 1}, 404),
        ({"field_id": unknown_id(), "display_order": 1}, 404),
        ({"field_id": setup.rating, "display_order": 1}, 422),  # twice
        ({"field_id": setup.text, "display_order": -1}, 400),
        ({"field_id": setup.text, "display_order": True}, 400),
        ({"field_id": setup.text, "display_order": "2"}, 400),
        ({"field_id": "not-a-uuid"}, 400),
        ({"field_id": setup.text, "colour": "red"}, 400),
    ]:
        problem(await client.put(f"{url}/fields", json=[good, bad]), status)
        assert ok(await client.get(url)) == before, bad


async def test_put_fields_takes_at_most_500_fields_like_create(
    client: Client, setup: Setup
) -> None:
    # Litestar drops max_length on a bare list body: the repository counts them itself.
    url = f"/lists/{setup.list_id}/schemas/{setup.schema_id}"
    before = ok(await client.get(url))
    many = [{"field_id": unknown_id(), "display_order": n} for n in range(501)]
    replaced = problem(await client.put(f"{url}/fields", json=many), 400)
    assert ok(await client.get(url)) == before
    body = {"name": "Many", "fields": many}
    created = problem(await client.post(f"/lists/{setup.list_id}/schemas", json=body), 400)
    # Both name the property, as a body's validation error does.
    assert "at most 500" in replaced["detail"] and "fields" in replaced["detail"]
    assert [e["field"] for e in replaced["errors"]] == [e["field"] for e in created["errors"]]


async def test_create_with_a_field_of_another_list_is_404_and_writes_nothing(
    client: Client, setup: Setup
) -> None:
    body = {"name": "Sneaky", "fields": [{"field_id": setup.other_field_id}]}
    found = problem(await client.post(f"/lists/{setup.list_id}/schemas", json=body), 404)
    assert found["detail"] == f"custom field {setup.other_field_id} not found"
    names = [s["name"] for s in ok(await client.get(f"/lists/{setup.list_id}/schemas"))]
    assert names == ["Review"]


async def test_duplicate_name_is_409(client: Client, setup: Setup) -> None:
    url = f"/lists/{setup.list_id}/schemas"
    problem(await client.post(url, json={"name": "Review"}), 409)
    other = await make_schema(client, setup.list_id, "Other", [])
    problem(await client.patch(f"{url}/{other['id']}", json={"name": "Review"}), 409)


async def test_invalid_input_is_400_naming_the_field(client: Client) -> None:
    lid = (await make_list(client))["id"]
    url = f"/lists/{lid}/schemas"
    for body, field in [
        ({}, "name"),
        ({"name": " "}, "name"),
        ({"name": "n" * 101}, "name"),
        ({"name": "S", "description": "d" * 2001}, "description"),
        ({"name": "S", "fields": "all"}, "fields"),
        ({"name": "S", "colour": "red"}, "colour"),
    ]:
        found = problem(await client.post(url, json=body), 400)
        assert field in error_fields(found), (body, found)


async def test_delete_answers_204_and_leaves_tags_without_schema(
    client: Client, setup: Setup
) -> None:
    url = f"/lists/{setup.list_id}/schemas/{setup.schema_id}"
    ok(await client.delete(url), 204)
    problem(await client.get(url), 404)
    tag = ok(await client.get(f"/lists/{setup.list_id}/tags/{setup.tag_id}"))
    assert tag["schema_id"] is None
    assert ok(await client.get(setup.fields_url())) == []


async def test_schema_of_another_list_is_404(client: Client, setup: Setup) -> None:
    url = f"/lists/{setup.list_id}/schemas/{setup.other_schema_id}"
    problem(await client.get(url), 404)
    problem(await client.patch(url, json={"name": "stolen"}), 404)
    problem(await client.put(f"{url}/fields", json=[]), 404)
    problem(await client.delete(url), 404)
    theirs = f"/lists/{setup.other_list_id}/schemas/{setup.other_schema_id}"
    assert len(ok(await client.get(theirs))["fields"]) == 1


async def test_unknown_ids_are_404(client: Client) -> None:
    problem(await client.get(f"/lists/{unknown_id()}/schemas"), 404)
    problem(await client.post(f"/lists/{unknown_id()}/schemas", json={"name": "S"}), 404)
    lid = (await make_list(client))["id"]
    url = f"/lists/{lid}/schemas/{unknown_id()}"
    problem(await client.get(url), 404)
    problem(await client.patch(url, json={"name": "x"}), 404)
    problem(await client.put(f"{url}/fields", json=[]), 404)
    problem(await client.delete(url), 404)
