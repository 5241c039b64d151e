"""Every failure is RFC 9457 problem details: malformed input, unknown routes, bugs, and a
database that does not answer."""

import re
import socket
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.api.app import MAX_BODY_BYTES, create_app
from app.config import with_user
from app.repositories import lists
from tests.api.conftest import (
    Client,
    Setup,
    client_for,
    error_fields,
    make_list,
    make_video,
    ok,
    problem,
    unknown_id,
)
from tests.api.test_access import BODIES, build_owned, operations
from tests.conftest import OWNER, auth_settings, bearer


async def test_health_is_200_when_the_database_answers(client: Client) -> None:
    assert ok(await client.get("/health")) == {
        "status": "ok",
        "database": "ok",
        "purges": {"pending": 0, "rows_estimated": 0, "rows_purged": 0, "oldest": None},
        "replicas": None,
    }


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def down_client() -> AsyncIterator[Client]:
    """The app on a database that does not answer."""
    url = f"postgresql://nobody@127.0.0.1:{_closed_port()}/nothing"
    settings = auth_settings(url, connect_timeout_s=0.5, acquire_timeout_s=0.5)
    app: Litestar = create_app(settings)
    async with AsyncTestClient(app=app) as client:
        client.headers.update(bearer())
        yield client


async def test_a_database_that_does_not_answer_is_503(down_client: Client) -> None:
    response = await down_client.get("/health")
    problem(response, 503)
    assert response.headers["retry-after"]
    problem(await down_client.get("/lists"), 503)
    problem(await down_client.post("/lists", json={"name": "x"}), 503)


@pytest.mark.parametrize(
    ("login", "said"),
    [
        # A deployment whose app role was never created (no `make migrate`).
        ("missing role", "make migrate"),
        # A URL naming a database not created (yet).
        ("missing database", "does not exist"),
    ],
)
async def test_a_login_the_database_refuses_is_503_not_500(
    database_url: str, login: str, said: str
) -> None:
    # An operator's fix, not a bug: /health and every route answer 503 naming it.
    if login == "missing role":
        owner_url, app_url = database_url, with_user(database_url, "no_such_app_role", None)
    else:
        owner_url = app_url = urlunsplit(urlsplit(database_url)._replace(path="/no_such_db"))
    settings = auth_settings(owner_url, database_app_url=app_url, connect_timeout_s=2)
    async with AsyncTestClient(app=create_app(settings)) as client:
        client.headers.update(bearer())
        for response in (await client.get("/health"), await client.get("/lists")):
            found = problem(response, 503)
            assert said in found["detail"]


async def test_the_app_refuses_to_serve_as_a_role_row_level_security_skips(
    database_url: str,
) -> None:
    # DATABASE_APP_URL naming the owning role (a superuser here): every owner's rows would
    # show. Only make migrate refused that role; the app served.
    settings = auth_settings(database_url, database_app_url=database_url)
    with pytest.raises(BaseException) as info:  # the test client's task group wraps it
        async with AsyncTestClient(app=create_app(settings)):
            pass
    found = info.value
    while isinstance(found, BaseExceptionGroup):
        found = found.exceptions[0]
    assert isinstance(found, RuntimeError) and "superuser or has BYPASSRLS" in str(found)


async def test_malformed_json_is_400(client: Client, setup: Setup) -> None:
    for url in (
        "/lists",
        f"/lists/{setup.list_id}/videos",
        f"/lists/{setup.list_id}/values",
        f"/lists/{setup.list_id}/videos/search",
        setup.fields_url(),
    ):
        method = client.put if url.endswith("/fields") else client.post
        headers = {"content-type": "application/json"}
        problem(await method(url, content=b'{"name": ', headers=headers), 400)
        problem(await method(url, content=b"", headers=headers), 400)


async def test_a_body_of_the_wrong_shape_is_400(client: Client) -> None:
    for body in ([], "name", 1, None):
        problem(await client.post("/lists", json=body), 400)


async def test_validation_problems_name_the_offending_fields(client: Client) -> None:
    lid = (await make_list(client))["id"]
    body = {"youtube_id": "bad id!", "title": " ", "extra": 1}
    found = problem(await client.post(f"/lists/{lid}/videos", json=body), 400)
    assert {e["field"] for e in found["errors"]} == {"youtube_id", "title", "extra"}
    assert all(e["message"] for e in found["errors"])
    for name in ("youtube_id", "title", "extra"):
        assert name in found["detail"]
    assert found["instance"] == f"/lists/{lid}/videos"


async def test_a_body_of_many_mistakes_lists_the_first_hundred(client: Client) -> None:
    # 20,000 unknown properties: a 2 MB answer before (10 MB for 100,000).
    body = {"name": "L", **{f"k{n}": 1 for n in range(20_000)}}
    response = await client.post("/lists", json=body)
    found = problem(response, 400)
    assert len(found["errors"]) == 100
    assert found["detail"].endswith("; and 19900 more"), found["detail"][-60:]
    assert len(response.content) < 20_000


async def test_a_batch_of_many_broken_values_lists_the_first_hundred(
    client: Client, setup: Setup
) -> None:
    # 5,000 ratings of 11 answered a 2.3 MB 422; the first hundred say it as well.
    videos = [(await make_video(client, setup.list_id))["id"] for _ in range(120)]
    body = {"set": [{"video_id": v, "field_id": setup.rating, "value_numeric": 11} for v in videos]}
    found = problem(await client.post(f"/lists/{setup.list_id}/values", json=body), 422)
    assert len(found["errors"]) == 100
    assert found["detail"].endswith("; and 20 more"), found["detail"][-60:]


async def test_ids_in_bodies_must_be_uuids(client: Client, setup: Setup) -> None:
    url = f"/lists/{setup.list_id}"
    for method, path, body in [
        ("post", "/tags", {"name": "T", "schema_id": "42"}),
        ("post", "/schemas", {"name": "S", "fields": [{"field_id": 42}]}),
        ("put", f"/videos/{setup.video_id}/tags", ["42"]),
        ("put", f"/videos/{setup.video_id}/fields", [{"field_id": "42", "value_text": "x"}]),
        ("post", "/values", {"clear": [{"video_id": "42", "field_id": setup.rating}]}),
        ("post", "/videos/search", {"filters": [{"field_id": "42", "op": "is_empty"}]}),
    ]:
        found = problem(await client.request(method, url + path, json=body), 400)
        assert found["errors"], found


async def test_ids_in_paths_must_be_uuids(client: Client, setup: Setup) -> None:
    # Malformed input, as an id in a body is: a 400 naming the id (a 404 before, since no
    # route matches), whatever the method, signed in or not.
    for method, path, named in (
        ("get", "/lists/42", "list_id"),
        ("patch", "/lists/42", "list_id"),
        ("get", f"/lists/{setup.list_id}/videos/42", "video_id"),
        ("delete", f"/lists/{setup.list_id}/custom-fields/42", "field_id"),
        ("get", f"/lists/{setup.list_id}/schemas/42/", "schema_id"),
        ("get", f"/lists/{setup.list_id}/tags/42", "tag_id"),
        ("get", f"/lists/42/videos/{setup.video_id}/fields", "list_id"),
        ("post", "/lists/x/videos/search", "list_id"),
        (
            "put",
            "/lists/x/videos/y/fields/z",
            "list_id: must be a UUID; video_id: must be a UUID; field_id",
        ),
    ):
        found = problem(await client.request(method, path), 400)
        assert found["detail"] == f"invalid request: {named}: must be a UUID", (path, found)
        assert found["errors"][0]["message"] == "must be a UUID"
    found = problem(await client.get("/lists/42", headers={"Authorization": ""}), 400)
    assert found["errors"] == [{"field": "list_id", "message": "must be a UUID"}]


async def test_unknown_routes_and_methods_are_problems(client: Client) -> None:
    problem(await client.get("/nothing-here"), 404)
    # A path no route takes, even with UUIDs in it: the detail says what to check.
    for path in ("/lists/x/nothing", f"/lists/{unknown_id()}/videos/{unknown_id()}/xyz"):
        found = problem(await client.get(path), 404)
        assert found["detail"] == "no such resource: check the path (an id in it is a UUID)"
    problem(await client.delete("/lists"), 405)
    problem(await client.post(f"/lists/{unknown_id()}/videos/{unknown_id()}/fields"), 405)


async def test_a_405_names_the_methods_the_resource_allows(client: Client, setup: Setup) -> None:
    # RFC 9110 §15.5.6: a 405 carries Allow; HEAD is allowed wherever GET is.
    response = await client.delete("/lists")
    problem(response, 405)
    assert {"GET", "HEAD", "POST"} <= set(response.headers["allow"].split(", "))
    response = await client.get(f"/lists/{setup.list_id}/videos/search")
    problem(response, 405)
    assert "POST" in response.headers["allow"].split(", ")
    assert not {"GET", "HEAD"} & set(response.headers["allow"].split(", "))


async def test_options_names_every_method_of_the_path(client: Client) -> None:
    # RFC 9110 §9.3.7. Litestar's own answer named the first handler's methods only (OPTIONS
    # /lists said "OPTIONS, POST").
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    for template, documented_here in paths.items():
        path = re.sub(r"\{[^}]+\}", unknown_id(), template)
        response = await client.options(path)
        assert response.status_code == 204, (path, response.text)
        documented = {method.upper() for method in documented_here if method != "parameters"}
        expected = documented | {"OPTIONS"} | ({"HEAD"} if "GET" in documented else set())
        allowed = set(response.headers["allow"].split(", "))
        # The hidden PUT (PATCH under another name, not documented) may be named too.
        assert allowed - {"PUT"} == expected - {"PUT"}, (template, allowed)


async def test_head_answers_what_get_would_without_the_body(client: Client, setup: Setup) -> None:
    # RFC 9110 §9.3.2: the same status and headers as a GET, no content.
    for path in ("/health", "/lists", f"/lists/{setup.list_id}/videos/{setup.video_id}/fields"):
        get, head = await client.get(path), await client.head(path)
        assert (head.status_code, head.content) == (200, b"")
        assert head.headers["content-type"] == get.headers["content-type"]
        assert head.headers["content-length"] == str(len(get.content))
    head = await client.head(f"/lists/{unknown_id()}")
    assert (head.status_code, head.content) == (404, b"")
    assert head.headers["content-type"].startswith("application/problem+json")
    async with client_for(client, None) as anonymous:
        head = await anonymous.head("/lists")
    assert (head.status_code, head.content) == (401, b"")
    assert head.headers["www-authenticate"].startswith("Bearer")
    # Where no GET is, HEAD is not either.
    head = await client.head(f"/lists/{setup.list_id}/videos/search")
    assert (head.status_code, head.content) == (405, b"")


async def test_a_body_over_the_limit_is_413(client: Client) -> None:
    body = b'{"name": "' + b"x" * (MAX_BODY_BYTES + 1) + b'"}'
    response = await client.post(
        "/lists", content=body, headers={"content-type": "application/json"}
    )
    assert problem(response, 413)["detail"] == "the request body is larger than the 2 MiB limit"


async def test_a_bug_is_500_without_trace_or_sql(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_: object, **__: object) -> None:
        raise RuntimeError('SELECT secret FROM bookmark_lists -- File "app.py", line 1')

    monkeypatch.setattr(lists, "list_all", broken)
    response = await client.get("/lists")
    found = problem(response, 500)
    assert "secret" not in response.text
    assert found["detail"] == "internal error; it has been logged"


async def test_conflicts_name_the_broken_rule(client: Client) -> None:
    await make_list(client, "L")
    lid = (await make_list(client, "M"))["id"]
    body = {"name": "Dup", "field_type": "boolean"}
    ok(await client.post(f"/lists/{lid}/custom-fields", json=body), 201)
    found = problem(await client.post(f"/lists/{lid}/custom-fields", json=body), 409)
    assert found["rule"] == "custom_fields_name_unique"
    assert found["title"] == "Conflict"
    assert found["type"] == "about:blank"


async def test_a_missing_body_is_400_saying_so(client: Client, setup: Setup) -> None:
    for path in (
        "/lists",
        f"/lists/{setup.list_id}/videos/search",
        f"/lists/{setup.list_id}/values",
    ):
        response = await client.post(path, headers={"content-type": "application/json"})
        assert problem(response, 400)["detail"] == "invalid request: data: a JSON body is required"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/lists", {"name": "bad\u0000name"}),
        ("/lists", {"name": "ok", "description": "a\u0000b"}),
    ],
)
async def test_nul_characters_are_400_in_our_words(
    client: Client, path: str, body: dict[str, Any]
) -> None:
    detail = problem(await client.post(path, json=body), 400)["detail"]
    assert "NUL" in detail


@pytest.mark.parametrize("text", ["\\ud800", "x\\udc00y", "\\uDBFF"])
async def test_a_lone_surrogate_is_400_saying_so(client: Client, text: str) -> None:
    found = await post_json_text(client, "/lists", f'{{"name": "{text}"}}')
    assert found["status"] == 400
    assert "surrogate pair" in found["detail"], found


async def test_a_surrogate_pair_is_a_character(client: Client) -> None:
    response = await client.post(
        "/lists", content='{"name": "\\ud83c\\udf89"}', headers={"content-type": "application/json"}
    )
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "\U0001f389"


async def post_json_text(client: Client, path: str, body: str) -> dict[str, Any]:
    """The problem a POST of a body written out answers (what json= cannot send)."""
    response = await client.post(path, content=body, headers={"content-type": "application/json"})
    assert 400 <= response.status_code < 500, response.text
    return {"status": response.status_code, **response.json()}


@pytest.mark.parametrize("depth", [400, 900, 5000])
async def test_a_body_nested_deeply_is_a_4xx(client: Client, setup: Setup, depth: int) -> None:
    deep = "[" * depth + "]" * depth
    base = f"/lists/{setup.list_id}"
    for path, body in (
        ("/lists", f'{{"name": {deep}}}'),
        (f"{base}/custom-fields", f'{{"name": "X", "field_type": "text", "config": {deep}}}'),
        (f"{base}/videos/search", f'{{"filters": [{{"field_id": "{setup.rating}", "op": "eq", '
         f'"value": {deep}}}]}}'),
    ):  # fmt: skip
        found = await post_json_text(client, path, body)
        if depth > 1000:
            assert (found["status"], found["detail"]) == (400, "the JSON body nests too deeply")


async def test_a_number_beyond_what_postgresql_receives_is_refused_not_stored_as_0(
    client: Client, setup: Setup
) -> None:
    # asyncpg sent 1e131072 as 0: the value was stored as 0, and searched as 0.
    item = f'{{"video_id": "{setup.video_id}", "field_id": "{setup.rating}", "value_numeric": '
    for number in ("1e131072", "-5e140000", "1E+99999999999999999"):
        found = await post_json_text(
            client, f"/lists/{setup.list_id}/values", f'{{"set": [{item}{number}}}]}}'
        )
        assert found["status"] == 400
        assert "video_field_values_numeric_precision" in found["detail"]
        search = f'{{"filters": [{{"field_id": "{setup.rating}", "op": "eq", "value": {number}}}]}}'
        found = await post_json_text(client, f"/lists/{setup.list_id}/videos/search", search)
        assert found["errors"][0]["rule"] == "search_value_type"
    [rating] = [
        f for f in ok(await client.get(setup.fields_url())) if f["field_id"] == setup.rating
    ]
    assert rating["value"] is None


@pytest.mark.parametrize("number", ['"1_000"', '"\u0663"', '" 4 "', '"+4"', "true"])
async def test_a_number_json_would_not_write_is_refused(
    client: Client, setup: Setup, number: str
) -> None:
    item = f'{{"video_id": "{setup.video_id}", "field_id": "{setup.rating}", "value_numeric": '
    found = await post_json_text(
        client, f"/lists/{setup.list_id}/values", f'{{"set": [{item}{number}}}]}}'
    )
    assert (found["status"], "must be a number" in found["detail"]) == (400, True)
    search = f'{{"filters": [{{"field_id": "{setup.rating}", "op": "gte", "value": {number}}}]}}'
    found = await post_json_text(client, f"/lists/{setup.list_id}/videos/search", search)
    assert found["errors"][0]["rule"] == "search_value_type"


async def test_nul_inside_a_config_or_value_is_400(client: Client, setup: Setup) -> None:
    base = f"/lists/{setup.list_id}"
    body = {"name": "Mood", "field_type": "select", "config": {"options": ["a\u0000"]}}
    problem(await client.post(f"{base}/custom-fields", json=body), 400)
    values = [{"field_id": setup.text, "value_text": "x\u0000y"}]
    problem(await client.put(f"{base}/videos/{setup.video_id}/fields", json=values), 400)


async def test_null_for_a_required_property_of_a_patch_is_400(client: Client) -> None:
    created = await make_list(client)
    body = problem(await client.patch(f"/lists/{created['id']}", json={"name": None}), 400)
    assert "name cannot be null" in body["detail"]
    assert error_fields(body) == {"name"}  # named like every other error
    assert ok(await client.get(f"/lists/{created['id']}"))["name"] == created["name"]


async def test_booleans_are_true_or_false_only(client: Client, setup: Setup) -> None:
    fields = [{"field_id": setup.text, "show_on_card": "yes"}]
    problem(
        await client.put(f"/lists/{setup.list_id}/schemas/{setup.schema_id}/fields", json=fields),
        400,
    )


# Names a handler takes besides its body: the app's dependencies and what Litestar injects.
_HANDLER_NAMES = ("conn", "owner", "read", "request", "state", "headers", "data")


async def test_a_body_property_named_like_a_dependency_is_a_400_not_a_500(
    app: Litestar, client: Client
) -> None:
    # Litestar files a body model's error under its first key, so an unknown property named
    # like a dependency passed for the dependency failing (a 500).
    assert set(app.dependencies) <= set(_HANDLER_NAMES)
    owned = await build_owned(client, OWNER)
    with_body = [op for op in await operations(client) if op.has_body]
    assert len(with_body) == len(BODIES)
    for operation in with_body:
        method, url, query, body = operation.request(owned)
        for name in _HANDLER_NAMES:
            sent = [{**body[0], name: "x"}] if isinstance(body, list) else {**body, name: "x"}
            response = await client.request(method, url, params=query, json=sent)
            found = problem(response, 400)
            # A union body (setVideoTags) names the property under its member: TagIdsObject.conn
            named = {field.rsplit(".", 1)[-1] for field in error_fields(found)}
            assert name in named, (operation.operation_id, name, found)
