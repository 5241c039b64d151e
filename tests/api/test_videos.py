import asyncio
import base64
import json

from tests.api.conftest import (
    Client,
    Setup,
    error_fields,
    make_list,
    make_video,
    ok,
    problem,
    unknown_id,
)


async def test_create_answers_201_and_read_returns_it(client: Client) -> None:
    lid = (await make_list(client))["id"]
    body = {"youtube_id": " dQw4w9WgXcQ ", "title": "  Never gonna  "}
    created = ok(await client.post(f"/lists/{lid}/videos", json=body), 201)
    assert created["youtube_id"] == "dQw4w9WgXcQ"
    assert created["title"] == "Never gonna"
    assert created["list_id"] == lid
    assert ok(await client.get(f"/lists/{lid}/videos/{created['id']}")) == created


async def test_list_is_newest_first_with_cursor_paging(client: Client) -> None:
    lid = (await make_list(client))["id"]
    made = [await make_video(client, lid, f"v{i}") for i in range(5)]
    newest_first = [v["id"] for v in reversed(made)]

    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = ok(await client.get(f"/lists/{lid}/videos", params=params))
        assert len(page["items"]) <= 2
        seen += [v["id"] for v in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == newest_first
    assert pages == 3

    everything = ok(await client.get(f"/lists/{lid}/videos"))
    assert [v["id"] for v in everything["items"]] == newest_first
    assert everything["next_cursor"] is None


async def test_a_cursor_of_another_list_is_400(client: Client) -> None:
    # A position among another list's videos would skip part of this one without a word.
    lists = [(await make_list(client, name))["id"] for name in ("A", "B")]
    for lid in lists:
        for i in range(3):
            await make_video(client, lid, f"v{i}")
    url = f"/lists/{lists[1]}/videos"
    cursor = ok(await client.get(url, params={"limit": 1}))["next_cursor"]
    found = problem(await client.get(f"/lists/{lists[0]}/videos", params={"cursor": cursor}), 400)
    assert "another list" in found["detail"]
    search_body = {"sort": {"by": "title"}, "limit": 1}
    cursor = ok(await client.post(f"{url}/search", json=search_body))["next_cursor"]
    found = problem(
        await client.post(
            f"/lists/{lists[0]}/videos/search", json={**search_body, "cursor": cursor}
        ),
        400,
    )
    assert "another list" in found["detail"]


async def test_page_size_is_bounded(client: Client) -> None:
    lid = (await make_list(client))["id"]
    for limit in (0, -1, 201, "many"):
        problem(await client.get(f"/lists/{lid}/videos", params={"limit": limit}), 400)
    ok(await client.get(f"/lists/{lid}/videos", params={"limit": 200}))


async def test_a_malformed_cursor_is_400(client: Client) -> None:
    lid = (await make_list(client))["id"]
    await make_video(client, lid)
    for cursor in ("garbage", "eyJ4Ijox", "x" * 2001):
        problem(await client.get(f"/lists/{lid}/videos", params={"cursor": cursor}), 400)
    # A time the database cannot hold (year 0 in UTC): 422 "invalid value" from the driver.
    position = ["created_at:desc", {"t": "0001-01-01T00:00:00+14:00"}, unknown_id(), lid]
    cursor = base64.urlsafe_b64encode(json.dumps(position).encode()).decode()
    for answer in (
        await client.get(f"/lists/{lid}/videos", params={"cursor": cursor}),
        await client.post(f"/lists/{lid}/videos/search", json={"cursor": cursor}),
    ):
        assert "cursor is not valid" in problem(answer, 400)["detail"]


async def test_update_changes_title_and_moves_updated_at(client: Client) -> None:
    lid = (await make_list(client))["id"]
    video = await make_video(client, lid, "Before")
    await asyncio.sleep(0.01)
    url = f"/lists/{lid}/videos/{video['id']}"
    updated = ok(await client.patch(url, json={"title": "After"}))
    assert updated["title"] == "After"
    assert updated["youtube_id"] == video["youtube_id"]
    assert updated["updated_at"] > video["updated_at"]
    assert ok(await client.get(url)) == updated


async def test_delete_answers_204(client: Client) -> None:
    lid = (await make_list(client))["id"]
    video = await make_video(client, lid)
    url = f"/lists/{lid}/videos/{video['id']}"
    ok(await client.delete(url), 204)
    problem(await client.get(url), 404)
    assert ok(await client.get(f"/lists/{lid}/videos"))["items"] == []


async def test_duplicate_youtube_id_is_409_but_fine_in_another_list(client: Client) -> None:
    lid = (await make_list(client))["id"]
    await make_video(client, lid, youtube_id="abc")
    found = problem(
        await client.post(f"/lists/{lid}/videos", json={"youtube_id": "abc", "title": "t"}), 409
    )
    assert "youtube_id" in found["detail"]
    other = (await make_list(client, "Other"))["id"]
    await make_video(client, other, youtube_id="abc")
    second = await make_video(client, lid, youtube_id="abd")
    url = f"/lists/{lid}/videos/{second['id']}"
    problem(await client.patch(url, json={"youtube_id": "abc"}), 409)


async def test_invalid_input_is_400_naming_the_field(client: Client) -> None:
    lid = (await make_list(client))["id"]
    url = f"/lists/{lid}/videos"
    cases = [
        ({"title": "t"}, "youtube_id"),
        ({"youtube_id": "not valid!", "title": "t"}, "youtube_id"),
        ({"youtube_id": "y" * 65, "title": "t"}, "youtube_id"),
        ({"youtube_id": "abc"}, "title"),
        ({"youtube_id": "abc", "title": "  "}, "title"),
        ({"youtube_id": "abc", "title": "\u200b\u2060"}, "title"),
        ({"youtube_id": "abc", "title": "t" * 501}, "title"),
        ({"youtube_id": "abc", "title": "t", "rating": 5}, "rating"),
    ]
    for body, field in cases:
        found = problem(await client.post(url, json=body), 400)
        assert field in error_fields(found), (body, found)
    assert ok(await client.get(url))["items"] == []


async def test_unknown_list_is_404(client: Client) -> None:
    list_id = unknown_id()
    url = f"/lists/{list_id}/videos"
    # The same words for a write (refused by row-level security) as for a read.
    for found in (
        problem(await client.post(url, json={"youtube_id": "abc", "title": "t"}), 404),
        problem(await client.get(url), 404),
        problem(await client.post(f"/lists/{list_id}/tags", json={"name": "t"}), 404),
        problem(
            await client.post(
                f"/lists/{list_id}/custom-fields", json={"name": "n", "field_type": "text"}
            ),
            404,
        ),
    ):
        assert found["detail"] == f"list {list_id} not found", found


async def test_video_of_another_list_is_404(client: Client, setup: Setup) -> None:
    url = f"/lists/{setup.list_id}/videos/{setup.other_video_id}"
    problem(await client.get(url), 404)
    problem(await client.patch(url, json={"title": "stolen"}), 404)
    problem(await client.delete(url), 404)
    theirs = f"/lists/{setup.other_list_id}/videos/{setup.other_video_id}"
    assert ok(await client.get(theirs))["title"] == "Elsewhere"


async def test_unknown_video_is_404(client: Client) -> None:
    lid = (await make_list(client))["id"]
    url = f"/lists/{lid}/videos/{unknown_id()}"
    problem(await client.get(url), 404)
    problem(await client.patch(url, json={"title": "x"}), 404)
    problem(await client.delete(url), 404)
