"""The app over HTTP on this test's database, and helpers that build data through the API."""

import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from litestar.testing.transport import TestClientTransport

from app.api.app import create_app
from tests import pgbouncer
from tests.conftest import OTHER_OWNER, OWNER, auth_settings, bearer

# A client of the app under test: `client` (OWNER), `other_client`, or one from client_for.
Client = httpx.AsyncClient

# Text that must never reach a client: stack traces, SQL, driver names.
_LEAKS = re.compile(
    r"Traceback|File \"|asyncpg|psycopg|\bSELECT\b|\bINSERT\b|\bUPDATE\s+\w+\s+SET\b|"
    r"\bDELETE FROM\b|SQLSTATE|pydantic\.dev|litestar\.",
)


@pytest.fixture(params=["direct", "pgbouncer"])
def app(database_url: str, request: pytest.FixtureRequest) -> Litestar:
    """The app on this test's database: every API test runs twice, connected directly and
    through a transaction-pooling PgBouncer (which the app detects by itself)."""
    if request.param == "pgbouncer":
        database_url = pgbouncer.through(database_url, request.getfixturevalue("pgbouncer_url"))
    return create_app(auth_settings(database_url, pool_max_size=4))


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """The real app over HTTP, lifespan included, on this test's database, with a token of
    OWNER. The app runs on its own event loop: check the database through the API or the
    `pool` fixture."""
    async with AsyncTestClient(app=app) as client:
        client.headers.update(bearer(OWNER))
        yield client


class _SameApp(httpx.AsyncBaseTransport):
    """Sends requests to the app a running test client serves, on the loop it runs on."""

    def __init__(self, client: AsyncTestClient[Litestar]) -> None:
        self._through = TestClientTransport(client=client)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._through.handle_async_request(request)


@asynccontextmanager
async def client_for(client: AsyncTestClient[Litestar], sub: str | None) -> AsyncIterator[Client]:
    """Another client of the app that `client` runs (same lifespan, same database), with a
    token of owner `sub`, or with no token at all when `sub` is None."""
    headers = bearer(sub) if sub is not None else {}
    async with httpx.AsyncClient(
        base_url=client.base_url, transport=_SameApp(client), headers=headers
    ) as other:
        yield other


@pytest.fixture
async def other_client(client: AsyncTestClient[Litestar]) -> AsyncIterator[Client]:
    """The same app as `client`, speaking for OTHER_OWNER."""
    async with client_for(client, OTHER_OWNER) as other:
        yield other


def unknown_id() -> str:
    return str(uuid.uuid4())


def ok(response: httpx.Response, status: int = 200) -> Any:
    """The JSON body of a response that must have this status."""
    assert response.status_code == status, response.text
    if status == 204:
        assert not response.content
        return None
    assert response.headers["content-type"].startswith("application/json"), response.headers
    return response.json()


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The problem details (RFC 9457) of an error response that must have this status."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body = response.json()
    assert {"type", "title", "status", "detail"} <= body.keys(), body
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"].strip()
    assert not _LEAKS.search(response.text), response.text
    return body


async def openapi(client: Client) -> dict[str, Any]:
    """The app's own OpenAPI document (JSON, under its own media type)."""
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200, response.text
    schema: dict[str, Any] = response.json()
    return schema


def error_fields(body: dict[str, Any]) -> set[str]:
    """The names of the offending request fields of a 400 validation problem."""
    return {str(e.get("field")) for e in body.get("errors", [])}


async def put_value(
    client: Client, list_id: str, video_id: str, field_id: str, **value: Any
) -> httpx.Response:
    """PUT one value of a video (value_text=..., value_numeric=..., ...)."""
    return await client.put(f"/lists/{list_id}/videos/{video_id}/fields/{field_id}", json=value)


async def values_by_title(client: Client, list_id: str, field_id: str) -> dict[str, Any]:
    """Each video's value of the field (None: none), by title, read through include_fields."""
    url = f"/lists/{list_id}/videos"
    page = ok(await client.get(url, params={"include_fields": field_id}))
    return {item["title"]: item["fields"][field_id] for item in page["items"]}


async def search_titles(client: Client, list_id: str, **body: Any) -> list[str]:
    """The titles of the first page of a search with this body."""
    page = ok(await client.post(f"/lists/{list_id}/videos/search", json=body))
    return [item["title"] for item in page["items"]]


async def sorted_titles(client: Client, list_id: str, field_id: str, direction: str) -> list[str]:
    """The titles of a search sorted by a field, read two at a time through next_cursor."""
    body: dict[str, Any] = {"sort": {"by": field_id, "direction": direction}, "limit": 2}
    titles: list[str] = []
    while True:
        page = ok(await client.post(f"/lists/{list_id}/videos/search", json=body))
        titles += [item["title"] for item in page["items"]]
        if page["next_cursor"] is None:
            return titles
        body["cursor"] = page["next_cursor"]


async def make_list(client: Client, name: str = "Watch later", **extra: Any) -> dict[str, Any]:
    return ok(await client.post("/lists", json={"name": name, **extra}), 201)


_youtube_ids = iter(range(10**9))


async def make_video(
    client: Client, list_id: str, title: str = "A video", youtube_id: str | None = None
) -> dict[str, Any]:
    youtube_id = youtube_id or f"yt{next(_youtube_ids):09d}"
    body = {"youtube_id": youtube_id, "title": title}
    return ok(await client.post(f"/lists/{list_id}/videos", json=body), 201)


async def make_field(
    client: Client,
    list_id: str,
    name: str,
    field_type: str,
    config: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body = {"name": name, "field_type": field_type, "config": config or {}}
    return ok(await client.post(f"/lists/{list_id}/custom-fields", json=body), 201)


async def make_schema(
    client: Client, list_id: str, name: str, field_ids: list[str]
) -> dict[str, Any]:
    fields = [
        {"field_id": fid, "display_order": i, "show_on_card": i == 0}
        for i, fid in enumerate(field_ids)
    ]
    body = {"name": name, "fields": fields}
    return ok(await client.post(f"/lists/{list_id}/schemas", json=body), 201)


async def make_tag(
    client: Client, list_id: str, name: str, schema_id: str | None = None
) -> dict[str, Any]:
    body = {"name": name, "schema_id": schema_id}
    return ok(await client.post(f"/lists/{list_id}/tags", json=body), 201)


async def tag_video(client: Client, list_id: str, video_id: str, tag_ids: list[str]) -> None:
    url = f"/lists/{list_id}/videos/{video_id}/tags"
    ok(await client.put(url, json={"tag_ids": tag_ids}))


@dataclass
class Setup:
    """A list with one field of each type in one schema, a tag carrying it and two tagged
    videos; and a second list with its own video, field, schema and tag."""

    list_id: str
    rating: str
    select: str
    text: str
    boolean: str
    schema_id: str
    tag_id: str
    video_id: str
    video2_id: str
    other_list_id: str
    other_video_id: str
    other_field_id: str
    other_schema_id: str
    other_tag_id: str

    def fields_url(self, video_id: str | None = None) -> str:
        return f"/lists/{self.list_id}/videos/{video_id or self.video_id}/fields"


async def build_setup(client: Client) -> Setup:
    lst = await make_list(client, "Main")
    lid = lst["id"]
    rating = await make_field(client, lid, "Rating", "rating", {"max_rating": 5})
    select = await make_field(client, lid, "Mood", "select", {"options": ["fun", "sad"]})
    text = await make_field(client, lid, "Notes", "text", {"max_length": 20})
    boolean = await make_field(client, lid, "Seen", "boolean")
    field_ids = [rating["id"], select["id"], text["id"], boolean["id"]]
    schema = await make_schema(client, lid, "Review", field_ids)
    tag = await make_tag(client, lid, "Reviewed", schema["id"])
    video = await make_video(client, lid, "First")
    video2 = await make_video(client, lid, "Second")
    await tag_video(client, lid, video["id"], [tag["id"]])
    await tag_video(client, lid, video2["id"], [tag["id"]])

    other = await make_list(client, "Other")
    oid = other["id"]
    other_video = await make_video(client, oid, "Elsewhere")
    other_field = await make_field(client, oid, "Stars", "rating", {"max_rating": 5})
    other_schema = await make_schema(client, oid, "Other schema", [other_field["id"]])
    other_tag = await make_tag(client, oid, "Other tag", other_schema["id"])
    await tag_video(client, oid, other_video["id"], [other_tag["id"]])
    return Setup(
        list_id=lid,
        rating=rating["id"],
        select=select["id"],
        text=text["id"],
        boolean=boolean["id"],
        schema_id=schema["id"],
        tag_id=tag["id"],
        video_id=video["id"],
        video2_id=video2["id"],
        other_list_id=oid,
        other_video_id=other_video["id"],
        other_field_id=other_field["id"],
        other_schema_id=other_schema["id"],
        other_tag_id=other_tag["id"],
    )


@pytest.fixture
async def setup(client: Client) -> Setup:
    return await build_setup(client)
