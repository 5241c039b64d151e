"""Owners are kept apart over HTTP. Every operation of the app's own OpenAPI document, called
by another owner with the first owner's ids, answers exactly as it does for ids that do not
exist (a 404, never a 403 that would say they do), shows nothing of the first owner's, and
changes nothing of it."""

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import asyncpg
import httpx

from app.field_types import FieldType, spec
from tests.api.conftest import (
    Client,
    make_field,
    make_list,
    make_schema,
    make_tag,
    make_video,
    ok,
    openapi,
    problem,
    tag_video,
)
from tests.conftest import OTHER_OWNER, OWNER
from tests.db.factories import DEFAULT_CONFIGS

# A value of each field type that fits its DEFAULT_CONFIGS, in the JSON the API takes; a
# text's "{secret}" becomes the owner's secret.
VALUES: dict[str, Any] = {
    "rating": 4,
    "select": "good",
    "text": "{secret}",
    "boolean": True,
    "number": 12.5,
    "date": "2024-02-29",
    "url": "https://example.com/{secret}",
    "multi_select": ["good", "bad"],
}


def value_of(kind: FieldType, secret: str) -> Any:
    value = VALUES[kind]
    return value.format(secret=secret) if isinstance(value, str) else value


@dataclass(frozen=True)
class Owned:
    """One owner's list with one of everything in it: a video holding a value of a field of
    each type, a schema of those fields, a tag carrying the schema, the tag on the video."""

    list_id: str
    video_id: str
    field_ids: dict[str, str]  # by field type
    schema_id: str
    tag_id: str
    # In every name and text value: a response that shows any of them contains it.
    secret: str

    @property
    def field_id(self) -> str:
        """The field the operations on one field address (a rating: VALUES says its value)."""
        return self.field_ids["rating"]

    def roles(self) -> dict[str, str]:
        """Each id by the role it plays: how a response is compared with another's."""
        fields = {f"field:{kind}": fid for kind, fid in self.field_ids.items()}
        return {
            "list_id": self.list_id,
            "video_id": self.video_id,
            "schema_id": self.schema_id,
            "tag_id": self.tag_id,
        } | fields

    def ids(self) -> set[str]:
        return set(self.roles().values())

    def with_ids(self, role: str, source: "Owned") -> "Owned":
        """These ids, but those of one role (list_id, video_id, field_ids, ...) from `source`."""
        changed: Owned = replace(self, **{role: getattr(source, role)})
        return changed


def nowhere() -> Owned:
    """Ids that exist nowhere, in the shape of an Owned."""

    def new() -> str:
        return str(uuid.uuid4())

    fields = {kind.value: new() for kind in FieldType}
    return Owned(new(), new(), fields, new(), new(), secret="nobody")


async def build_owned(client: Client, owner: str) -> Owned:
    """Through the API, as the client's owner."""
    secret = f"secret-of-{owner}"
    list_id = (await make_list(client, f"{secret} list"))["id"]
    video_id = (await make_video(client, list_id, f"{secret} video"))["id"]
    field_ids = {}
    for kind in FieldType:
        field = await make_field(client, list_id, f"{secret} {kind}", kind, DEFAULT_CONFIGS[kind])
        field_ids[kind.value] = field["id"]
    values = [
        {"field_id": field_ids[kind], spec(kind).column: value_of(kind, secret)}
        for kind in FieldType
    ]
    ok(await client.put(f"/lists/{list_id}/videos/{video_id}/fields", json=values))
    schema = await make_schema(client, list_id, f"{secret} schema", list(field_ids.values()))
    tag = await make_tag(client, list_id, f"{secret} tag", schema["id"])
    await tag_video(client, list_id, video_id, [tag["id"]])
    return Owned(list_id, video_id, field_ids, schema["id"], tag["id"], secret)


# A valid body for every operation that takes one, naming the owner's ids wherever the body can
# name one. test_every_operation_with_a_body_has_one_here fails until a new operation has one.
BODIES: dict[str, Callable[[Owned], Any]] = {
    "createList": lambda o: {"name": "Another list"},
    "updateList": lambda o: {"name": "Taken", "description": "taken"},
    "createVideo": lambda o: {"youtube_id": "taken000001", "title": "Taken"},
    "updateVideo": lambda o: {"title": "Taken"},
    "searchVideos": lambda o: {
        "filters": [{"field_id": o.field_id, "op": "gte", "value": 1}],
        "sort": {"by": o.field_ids["number"], "direction": "desc"},
        "include_fields": [o.field_ids["text"]],
    },
    "videoFacets": lambda o: {
        "filters": [{"field_id": o.field_ids["boolean"], "op": "eq", "value": True}],
        "fields": [o.field_id, o.field_ids["select"]],
    },
    "setVideoTags": lambda o: {"tag_ids": [o.tag_id]},
    "setVideoFieldValue": lambda o: {"value_numeric": 1},
    "setVideoFieldValues": lambda o: [{"field_id": o.field_id, "value_numeric": 1}],
    "createCustomField": lambda o: {"name": "Taken", "field_type": "text", "config": {}},
    "updateCustomField": lambda o: {"name": "Taken"},
    "createFieldSchema": lambda o: {
        "name": "Taken",
        "fields": [{"field_id": o.field_id, "display_order": 0, "show_on_card": True}],
    },
    "updateFieldSchema": lambda o: {"name": "Taken"},
    "replaceFieldSchemaFields": lambda o: [{"field_id": o.field_id, "display_order": 3}],
    "createTag": lambda o: {"name": "Taken", "schema_id": o.schema_id},
    "updateTag": lambda o: {"name": "Taken", "schema_id": None},
    "bulkEditValues": lambda o: {
        "set": [{"video_id": o.video_id, "field_id": o.field_id, "value_numeric": 1}],
        "clear": [{"video_id": o.video_id, "field_id": o.field_ids["text"]}],
    },
}

# Query parameters that name ids; the others are optional and left out.
QUERIES: dict[str, Callable[[Owned], Any]] = {
    "include_fields": lambda o: list(o.field_ids.values()),
}

# The path parameters by name.
PATH_IDS: dict[str, Callable[[Owned], str]] = {
    "list_id": lambda o: o.list_id,
    "video_id": lambda o: o.video_id,
    "field_id": lambda o: o.field_id,
    "schema_id": lambda o: o.schema_id,
    "tag_id": lambda o: o.tag_id,
}

# Operations that name nothing in a list but the list itself (they are the caller's own, or a
# 404, by test_every_operation_answers_another_owner_as_if_the_owners_ids_did_not_exist).
ONLY_THE_LIST = {
    "listLists",
    "createList",
    "getList",
    "updateList",
    "deleteList",
    "createVideo",
    "listCustomFields",
    "createCustomField",
    "listFieldSchemas",
    "listTags",
}

# Operations anyone may call (no bearer requirement in the document).
PUBLIC = {"health"}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    operation_id: str
    path_params: list[str]
    query_params: dict[str, bool]  # name -> required
    has_body: bool
    public: bool

    def request(self, ids: Owned) -> tuple[str, str, dict[str, Any], Any]:
        """Method, URL, query and body of this operation on these ids."""
        url = self.path
        for name in self.path_params:
            assert name in PATH_IDS, f"{self.operation_id}: no id for path parameter {name}"
            url = url.replace(f"{{{name}}}", PATH_IDS[name](ids))
        query = {}
        for name, required in self.query_params.items():
            assert name in QUERIES or not required, f"{self.operation_id}: no value for {name}"
            if name in QUERIES:
                query[name] = QUERIES[name](ids)
        body = BODIES[self.operation_id](ids) if self.has_body else None
        return self.method, url, query, body

    def names_any_of(self, ids: Owned, owned: Owned) -> bool:
        """Whether this operation on `ids` names any id of `owned` (path, query or body)."""
        request = repr(self.request(ids))
        return any(value in request for value in owned.ids())

    async def call(self, client: Client, ids: Owned) -> httpx.Response:
        method, url, query, body = self.request(ids)
        return await client.request(method, url, params=query, json=body)


async def operations(client: Client) -> list[Operation]:
    """Every operation of the app's OpenAPI document, in its order."""
    document = await openapi(client)
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            parameters = operation.get("parameters", [])
            found.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    operation_id=operation["operationId"],
                    path_params=[p["name"] for p in parameters if p["in"] == "path"],
                    query_params={
                        p["name"]: p.get("required", False)
                        for p in parameters
                        if p["in"] == "query"
                    },
                    has_body="requestBody" in operation,
                    public="security" not in operation,
                )
            )
    assert len(found) > 30
    return found


def masked(response: httpx.Response, *owned: Owned) -> tuple[int, str, str]:
    """Status, content type and body of a response, each id of `owned` written as its role, so
    that answers about different ids compare equal when they say the same thing."""
    text = response.text
    for ids in owned:
        for role, value in ids.roles().items():
            text = text.replace(value, f"<{role}>")
    return response.status_code, response.headers.get("content-type", ""), text


def shows(response: httpx.Response, owned: Owned) -> set[str]:
    """The ids and the secret of `owned` that a response shows."""
    return {value for value in {*owned.ids(), owned.secret} if value in response.text}


async def readings(client: Client, ops: list[Operation], owned: Owned) -> dict[str, Any]:
    """What every read operation shows its owner: each must answer 200."""
    seen = {}
    for op in ops:
        if op.method == "GET" and not op.public:
            seen[op.operation_id] = ok(await op.call(client, owned))
    return seen


def guarded(ops: list[Operation]) -> Iterator[Operation]:
    for op in ops:
        if op.public:
            assert op.operation_id in PUBLIC, f"{op.operation_id} needs no token: is it public?"
        else:
            yield op


async def test_every_operation_with_a_body_has_one_here(client: Client) -> None:
    with_body = {op.operation_id for op in await operations(client) if op.has_body}
    assert with_body == set(BODIES), (
        f"missing: {with_body - set(BODIES)}; stale: {set(BODIES) - with_body}"
    )


async def test_every_operation_answers_another_owner_as_if_the_owners_ids_did_not_exist(
    client: Client, other_client: Client
) -> None:
    """Another owner calls every operation with the owner's ids: a 404 exactly like the one for
    ids that exist nowhere; /lists shows and makes only the caller's own; nothing changes."""
    alice = await build_owned(client, OWNER)
    ops = await operations(client)
    before = await readings(client, ops, alice)
    stranger = nowhere()

    bobs_lists: set[str] = set()
    refused = 0
    for op in guarded(ops):
        response = await op.call(other_client, alice)
        if not op.path_params:  # /lists: the caller's own lists, not anyone's
            assert response.status_code in (200, 201), (op.operation_id, response.text)
            assert not shows(response, alice), (op.operation_id, response.text)
            if op.operation_id == "createList":
                bobs_lists.add(response.json()["id"])
            continue
        problem(response, 404)
        # Exactly the answer to ids that exist nowhere: nothing tells that they exist.
        unknown = await op.call(other_client, stranger)
        assert masked(response, alice) == masked(unknown, stranger), op.operation_id
        refused += 1
    assert refused > 30
    assert bobs_lists

    assert {lst["id"] for lst in ok(await other_client.get("/lists"))} == bobs_lists
    assert [lst["id"] for lst in ok(await client.get("/lists"))] == [alice.list_id]
    assert await readings(client, ops, alice) == before


async def test_the_owners_ids_inside_another_owners_own_list_are_unknown_there(
    client: Client, other_client: Client
) -> None:
    """Another owner names, in their own list, one kind of the owner's things at a time (a
    video, the fields, a schema, a tag) where every other id is theirs and valid."""
    alice = await build_owned(client, OWNER)
    bob = await build_owned(other_client, OTHER_OWNER)
    ops = await operations(client)
    before = await readings(client, ops, alice)
    stranger = nowhere()

    compared = set()
    for op in guarded(ops):
        for role in ("video_id", "field_ids", "schema_id", "tag_id"):
            mixed = bob.with_ids(role, alice)
            if not op.names_any_of(mixed, alice):  # the operation names no such thing
                continue
            response = await op.call(other_client, mixed)
            problem(response, 404)
            unknown = await op.call(other_client, bob.with_ids(role, stranger))
            assert masked(response, alice, bob) == masked(unknown, stranger, bob), (
                op.operation_id,
                role,
            )
            compared.add(op.operation_id)
    assert {op.operation_id for op in guarded(ops)} - compared == ONLY_THE_LIST

    assert await readings(client, ops, alice) == before


async def test_every_operation_on_a_list_enters_it_and_never_asks_for_the_callers_lists(
    client: Client, pool: asyncpg.Pool
) -> None:
    """Each request under /lists/{list_id} enters its list (migrations/0032), so row-level
    security compares each row with the request's list and never calls owner_list_ids(), which
    reads the caller's lists once per row it is asked for: here it fails if it is called."""
    alice = await build_owned(client, OWNER)
    ops = [op for op in await operations(client) if "list_id" in op.path_params]
    await pool.execute(
        "CREATE OR REPLACE FUNCTION owner_list_ids() RETURNS uuid[] LANGUAGE plpgsql STABLE"
        " AS $$BEGIN RAISE 'owner_list_ids() was called'; END$$"
    )
    for op in ops:
        if op.method == "GET":
            ok(await op.call(client, alice))
    # Deletes last, the list's own at the very end: each write finds what it names.
    writes = [op for op in ops if op.method != "GET"]
    writes.sort(
        key=lambda op: (
            op.method == "DELETE",
            op.operation_id.startswith("delete"),
            op.operation_id == "deleteList",
        )
    )
    for op in writes:
        response = await op.call(client, alice)
        # 409: a name BODIES gives twice ("Taken"), refused by its unique constraint.
        assert response.status_code < 300 or response.status_code == 409, (
            op.operation_id,
            response.text,
        )
    assert [op.operation_id for op in writes][-1] == "deleteList"
