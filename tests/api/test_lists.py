import asyncio

from tests.api.conftest import Client, error_fields, make_list, ok, problem, unknown_id


async def test_create_trims_the_name_and_answers_201(client: Client) -> None:
    created = ok(await client.post("/lists", json={"name": "  Music  "}), 201)
    assert created["name"] == "Music"
    assert created["description"] == ""
    assert created["created_at"] == created["updated_at"]
    assert ok(await client.get(f"/lists/{created['id']}")) == created


async def test_every_create_answers_201_with_the_location_of_what_it_made(client: Client) -> None:
    response = await client.post("/lists", json={"name": "L"})
    lid = ok(response, 201)["id"]
    assert response.headers["location"] == f"/lists/{lid}"
    base = f"/lists/{lid}"
    field = {"name": "F", "field_type": "text"}
    for collection, body in (
        (f"{base}/videos", {"youtube_id": "dQw4w9WgXcQ", "title": "T"}),
        (f"{base}/custom-fields", field),
        (f"{base}/schemas", {"name": "S"}),
        (f"{base}/tags", {"name": "T"}),
    ):
        response = await client.post(collection, json=body)
        made = ok(response, 201)
        assert response.headers["location"] == f"{collection}/{made['id']}"
        assert ok(await client.get(response.headers["location"])) == made


async def test_list_returns_every_list(client: Client) -> None:
    a = await make_list(client, "A")
    b = await make_list(client, "B")
    ids = {lst["id"] for lst in ok(await client.get("/lists"))}
    assert ids == {a["id"], b["id"]}


async def test_update_renames_and_moves_updated_at(client: Client) -> None:
    created = await make_list(client, "Old", description="d")
    await asyncio.sleep(0.01)
    updated = ok(await client.patch(f"/lists/{created['id']}", json={"name": " New "}))
    assert updated["name"] == "New"
    assert updated["description"] == "d"  # not sent, kept
    assert updated["created_at"] == created["created_at"]
    assert updated["updated_at"] > created["updated_at"]
    assert ok(await client.get(f"/lists/{created['id']}")) == updated


async def test_update_that_changes_nothing_keeps_updated_at(client: Client) -> None:
    created = await make_list(client, "Same", description="d")
    await asyncio.sleep(0.01)
    url = f"/lists/{created['id']}"
    assert ok(await client.patch(url, json={})) == created
    assert ok(await client.patch(url, json={"name": "Same", "description": "d"})) == created
    assert ok(await client.get(url)) == created


async def test_delete_answers_204_then_404(client: Client) -> None:
    created = await make_list(client)
    ok(await client.delete(f"/lists/{created['id']}"), 204)
    problem(await client.get(f"/lists/{created['id']}"), 404)
    problem(await client.delete(f"/lists/{created['id']}"), 404)


async def test_unknown_list_is_404_for_every_verb(client: Client) -> None:
    url = f"/lists/{unknown_id()}"
    problem(await client.get(url), 404)
    problem(await client.patch(url, json={"name": "x"}), 404)
    problem(await client.delete(url), 404)


async def test_names_are_required_not_blank_and_bounded(client: Client) -> None:
    for body in ({}, {"name": ""}, {"name": "   "}, {"name": "x" * 201}, {"name": None}):
        found = problem(await client.post("/lists", json=body), 400)
        assert "name" in error_fields(found), found
    # Trimmed to nothing: not "String should have at least 1 character" of three spaces.
    found = problem(await client.post("/lists", json={"name": "   "}), 400)
    assert found["detail"] == "invalid request: name: must not be empty or only whitespace"
    ok(await client.post("/lists", json={"name": "x" * 200}), 201)
    lst = await make_list(client)
    found = problem(await client.patch(f"/lists/{lst['id']}", json={"name": "  "}), 400)
    assert "name" in error_fields(found)


async def test_a_name_of_invisible_characters_is_refused(client: Client) -> None:
    # Unicode's whitespace and the format characters the database's is_blank() ignores
    # (0048) are refused alike, by the API: before, zero-width ones were the database's 422.
    for name in ("\u00a0", "\u3000 \u2003", "\u200b\ufeff", " \u2060 ", "\u200c\u200d"):
        found = problem(await client.post("/lists", json={"name": name}), 400)
        assert found["detail"] == "invalid request: name: must not be empty or only whitespace"
    assert ok(await client.get("/lists")) == []
    # Kept as written where something visible is left.
    assert ok(await client.post("/lists", json={"name": "\u200bx"}), 201)["name"] == "\u200bx"


async def test_a_name_of_one_letter_is_a_name(client: Client) -> None:
    """Before migration 0003 the database took the letter "v" for blank space."""
    for name in ("v", "vvv", "a"):
        assert ok(await client.post("/lists", json={"name": name}), 201)["name"] == name


async def test_description_is_bounded(client: Client) -> None:
    found = problem(await client.post("/lists", json={"name": "x", "description": "d" * 2001}), 400)
    assert "description" in error_fields(found)


async def test_unknown_properties_are_refused(client: Client) -> None:
    found = problem(await client.post("/lists", json={"name": "x", "colour": "red"}), 400)
    assert "colour" in error_fields(found)
    lst = await make_list(client)
    found = problem(await client.patch(f"/lists/{lst['id']}", json={"colour": "red"}), 400)
    assert "colour" in error_fields(found)
    assert ok(await client.get("/lists")) == [lst]


async def test_delete_takes_the_lists_resources_with_it(client: Client) -> None:
    lst = await make_list(client)
    lid = lst["id"]
    video = ok(
        await client.post(f"/lists/{lid}/videos", json={"youtube_id": "a", "title": "t"}), 201
    )
    ok(await client.delete(f"/lists/{lid}"), 204)
    problem(await client.get(f"/lists/{lid}/videos/{video['id']}"), 404)
    problem(await client.get(f"/lists/{lid}/videos"), 404)
    problem(await client.get(f"/lists/{lid}/custom-fields"), 404)


async def test_a_nul_character_is_refused_not_a_500(client: Client) -> None:
    response = await client.post("/lists", json={"name": "a\u0000b"})
    problem(response, 400)
    assert ok(await client.get("/lists")) == []
