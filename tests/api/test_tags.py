import asyncio
from typing import Any

import pytest

from tests.api.conftest import (
    Client,
    Setup,
    error_fields,
    make_list,
    make_tag,
    make_video,
    ok,
    problem,
    unknown_id,
)


async def test_create_answers_201_with_or_without_schema(client: Client, setup: Setup) -> None:
    url = f"/lists/{setup.list_id}/tags"
    plain = ok(await client.post(url, json={"name": " Later "}), 201)
    assert plain["name"] == "Later"
    assert plain["schema_id"] is None
    with_schema = ok(await client.post(url, json={"name": "R", "schema_id": setup.schema_id}), 201)
    assert with_schema["schema_id"] == setup.schema_id
    assert ok(await client.get(f"{url}/{plain['id']}")) == plain
    ids = {t["id"] for t in ok(await client.get(url))}
    assert ids == {setup.tag_id, plain["id"], with_schema["id"]}


async def test_update_renames_sets_and_detaches_the_schema(client: Client, setup: Setup) -> None:
    tag = await make_tag(client, setup.list_id, "Plain")
    url = f"/lists/{setup.list_id}/tags/{tag['id']}"
    await asyncio.sleep(0.01)
    renamed = ok(await client.patch(url, json={"name": "Renamed"}))
    assert renamed["name"] == "Renamed"
    assert renamed["updated_at"] > tag["updated_at"]
    attached = ok(await client.patch(url, json={"schema_id": setup.schema_id}))
    assert attached["schema_id"] == setup.schema_id
    assert attached["name"] == "Renamed"
    kept = ok(await client.patch(url, json={"name": "Again"}))
    assert kept["schema_id"] == setup.schema_id  # not sent, kept
    detached = ok(await client.patch(url, json={"schema_id": None}))
    assert detached["schema_id"] is None
    assert ok(await client.get(url)) == detached


async def test_schema_of_another_list_is_404(client: Client, setup: Setup) -> None:
    url = f"/lists/{setup.list_id}/tags"
    body = {"name": "X", "schema_id": setup.other_schema_id}
    # Each 404 names the schema it could not find, as for one that does not exist.
    found = problem(await client.post(url, json=body), 404)
    assert found["detail"] == f"field schema {setup.other_schema_id} not found"
    missing = unknown_id()
    found = problem(await client.post(url, json=body | {"schema_id": missing}), 404)
    assert found["detail"] == f"field schema {missing} not found"
    tag_url = f"{url}/{setup.tag_id}"
    found = problem(await client.patch(tag_url, json={"schema_id": setup.other_schema_id}), 404)
    assert found["detail"] == f"field schema {setup.other_schema_id} not found"
    assert ok(await client.get(tag_url))["schema_id"] == setup.schema_id
    assert {t["name"] for t in ok(await client.get(url))} == {"Reviewed"}


async def test_duplicate_name_is_409(client: Client, setup: Setup) -> None:
    url = f"/lists/{setup.list_id}/tags"
    problem(await client.post(url, json={"name": "Reviewed"}), 409)
    other = await make_tag(client, setup.list_id, "Other")
    problem(await client.patch(f"{url}/{other['id']}", json={"name": "Reviewed"}), 409)


async def test_a_name_written_with_a_combining_accent_is_the_same_name(
    client: Client, setup: Setup
) -> None:
    url = f"/lists/{setup.list_id}/tags"
    created = await make_tag(client, setup.list_id, "Caf\u00e9")
    found = problem(await client.post(url, json={"name": "CAFE\u0301"}), 409)
    assert found["detail"] == "a tag with this name already exists in the list"
    assert ok(await client.get(f"{url}/{created['id']}"))["name"] == "Caf\u00e9"


async def test_invalid_input_is_400_naming_the_field(client: Client) -> None:
    lid = (await make_list(client))["id"]
    url = f"/lists/{lid}/tags"
    for body, field in [
        ({}, "name"),
        ({"name": "\t "}, "name"),
        ({"name": "n" * 101}, "name"),
        ({"name": "T", "schema_id": "nope"}, "schema_id"),
        ({"name": "T", "colour": "red"}, "colour"),
    ]:
        found = problem(await client.post(url, json=body), 400)
        assert field in error_fields(found), (body, found)


async def test_delete_answers_204_and_untags_videos(client: Client, setup: Setup) -> None:
    url = f"/lists/{setup.list_id}/tags/{setup.tag_id}"
    ok(await client.delete(url), 204)
    problem(await client.get(url), 404)
    video_tags = f"/lists/{setup.list_id}/videos/{setup.video_id}/tags"
    assert ok(await client.get(video_tags)) == []


async def test_tag_of_another_list_is_404(client: Client, setup: Setup) -> None:
    url = f"/lists/{setup.list_id}/tags/{setup.other_tag_id}"
    problem(await client.get(url), 404)
    problem(await client.patch(url, json={"name": "stolen"}), 404)
    problem(await client.delete(url), 404)
    assert ok(await client.get(f"/lists/{setup.other_list_id}/tags/{setup.other_tag_id}"))


async def test_unknown_ids_are_404(client: Client) -> None:
    problem(await client.get(f"/lists/{unknown_id()}/tags"), 404)
    problem(await client.post(f"/lists/{unknown_id()}/tags", json={"name": "T"}), 404)
    lid = (await make_list(client))["id"]
    url = f"/lists/{lid}/tags/{unknown_id()}"
    problem(await client.get(url), 404)
    problem(await client.patch(url, json={"name": "x"}), 404)
    problem(await client.delete(url), 404)


async def test_set_video_tags_accepts_an_object_or_a_bare_array(
    client: Client, setup: Setup
) -> None:
    second = await make_tag(client, setup.list_id, "Second")
    url = f"/lists/{setup.list_id}/videos/{setup.video_id}/tags"
    got = ok(await client.put(url, json={"tag_ids": [setup.tag_id, second["id"]]}))
    assert {t["id"] for t in got} == {setup.tag_id, second["id"]}
    got = ok(await client.put(url, json=[second["id"]]))
    assert [t["id"] for t in got] == [second["id"]]
    assert [t["id"] for t in ok(await client.get(url))] == [second["id"]]
    assert ok(await client.put(url, json=[])) == []
    assert ok(await client.get(url)) == []


async def test_set_video_tags_with_a_bad_tag_changes_nothing(client: Client, setup: Setup) -> None:
    url = f"/lists/{setup.list_id}/videos/{setup.video_id}/tags"
    second = await make_tag(client, setup.list_id, "Second")
    for tag_ids in ([second["id"], setup.other_tag_id], [second["id"], unknown_id()]):
        problem(await client.put(url, json=tag_ids), 404)
        assert [t["id"] for t in ok(await client.get(url))] == [setup.tag_id]
    for body in (["not-a-uuid"], {"tag_ids": [setup.tag_id], "more": 1}, {"tags": []}, "x"):
        problem(await client.put(url, json=body), 400)
        assert [t["id"] for t in ok(await client.get(url))] == [setup.tag_id]


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (["not-a-uuid"], [("0", "Input should be a valid UUID")]),
        ({"tag_ids": ["not-a-uuid"]}, [("tag_ids.0", "Input should be a valid UUID")]),
        ({"tags": []}, [("tag_ids", "Field required"), ("tags", "Extra inputs")]),
        ("x", [(None, 'the body is {"tag_ids": [...]} or an array of tag ids')]),
    ],
)
async def test_a_bad_set_of_tags_names_what_is_wrong_in_its_own_shape(
    client: Client, setup: Setup, body: Any, errors: list[tuple[str | None, str]]
) -> None:
    # Validated as a union of both shapes, one wrong id was reported against each shape by its
    # model's name: "TagIdsObject.tag_ids.0: ...; list[uuid]: Input should be a valid list".
    url = f"/lists/{setup.list_id}/videos/{setup.video_id}/tags"
    found = problem(await client.put(url, json=body), 400)
    got = [(e.get("field"), e["message"]) for e in found["errors"]]
    assert len(got) == len(errors), got
    for (field, message), (want_field, want_message) in zip(got, errors, strict=True):
        assert field == want_field
        assert message.startswith(want_message), message
    assert "TagIdsObject" not in found["detail"] and "list[uuid]" not in found["detail"]


async def test_set_tags_of_a_video_of_another_list_is_404(client: Client, setup: Setup) -> None:
    url = f"/lists/{setup.list_id}/videos/{setup.other_video_id}/tags"
    problem(await client.put(url, json=[setup.tag_id]), 404)
    problem(await client.get(url), 404)
    problem(await client.put(f"/lists/{setup.list_id}/videos/{unknown_id()}/tags", json=[]), 404)
    theirs = f"/lists/{setup.other_list_id}/videos/{setup.other_video_id}/tags"
    assert [t["id"] for t in ok(await client.get(theirs))] == [setup.other_tag_id]
    # A fresh video of the other list cannot take this list's tag either.
    fresh = await make_video(client, setup.other_list_id)
    url = f"/lists/{setup.other_list_id}/videos/{fresh['id']}/tags"
    problem(await client.put(url, json=[setup.tag_id]), 404)


async def test_setting_an_unknown_or_foreign_tag_on_a_video_is_404_naming_it(
    client: Client, setup: Setup
) -> None:
    url = f"/lists/{setup.list_id}/videos/{setup.video_id}/tags"
    before = ok(await client.get(url))
    for tag_id in (unknown_id(), setup.other_tag_id):
        found = problem(await client.put(url, json=[tag_id]), 404)
        assert found["detail"] == f"tag {tag_id} not found"
        assert ok(await client.get(url)) == before  # all or nothing
