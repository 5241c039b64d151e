"""The OpenAPI schema and the docs page work without internet access."""

import re
import uuid
from typing import Any

import jsonschema_rs
import pytest

from tests.api.conftest import Client, make_field, make_list, make_video, openapi
from tests.api.test_access import BODIES, nowhere, operations

_ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


async def test_openapi_schema_lists_every_resource(client: Client) -> None:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].endswith("json")
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    for path in (
        "/health",
        "/lists",
        "/lists/{list_id}",
        "/lists/{list_id}/videos",
        "/lists/{list_id}/videos/{video_id}",
        "/lists/{list_id}/videos/search",
        "/lists/{list_id}/custom-fields",
        "/lists/{list_id}/custom-fields/{field_id}",
        "/lists/{list_id}/schemas",
        "/lists/{list_id}/schemas/{schema_id}",
        "/lists/{list_id}/schemas/{schema_id}/fields",
        "/lists/{list_id}/tags",
        "/lists/{list_id}/tags/{tag_id}",
        "/lists/{list_id}/videos/{video_id}/tags",
        "/lists/{list_id}/videos/{video_id}/fields",
        "/lists/{list_id}/videos/{video_id}/fields/{field_id}",
        "/lists/{list_id}/values",
    ):
        assert path in paths, sorted(paths)
    operation_ids = [
        operation["operationId"]
        for item in schema["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    ]
    assert len(operation_ids) == len(set(operation_ids))
    assert {"createList", "searchVideos", "setVideoFieldValues", "bulkEditValues"} <= set(
        operation_ids
    )


async def test_openapi_yaml_is_served(client: Client) -> None:
    response = await client.get("/schema/openapi.yaml")
    assert response.status_code == 200
    assert "openapi:" in response.text


@pytest.mark.parametrize(
    ("page_url", "asset_kinds"), [("/schema/swagger", (".js", ".css")), ("/schema/redoc", (".js",))]
)
async def test_docs_page_references_only_local_assets_that_are_served(
    client: Client, page_url: str, asset_kinds: tuple[str, ...]
) -> None:
    response = await client.get(page_url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assets = [url for url in _ASSET.findall(page)]
    for kind in asset_kinds:
        assert any(url.endswith(kind) for url in assets), page
    for url in assets:
        assert url.startswith("/static/"), url
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert asset.content
    # Nothing fetched from elsewhere: no absolute URLs to other hosts in the page.
    assert not re.search(r"""(?:src|href)\s*=\s*["']https?://""", page), page
    assert "cdn" not in page.lower()


async def test_openapi_documents_x_read_after_on_every_read_and_write(client: Client) -> None:
    # The read-your-writes contract (README, Read replicas): reads take the header, writes answer
    # with it. Reads are the operations that run on a replica where they may.
    schema = (await client.get("/schema/openapi.json")).json()
    reads = {"searchVideos", "videoFacets"}
    documented_reads, documented_writes = set(), set()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if path == "/health":
                continue
            takes = any(
                p["in"] == "header" and p["name"] == "X-Read-After"
                for p in operation.get("parameters", [])
            )
            answers = [
                "X-Read-After" in (response.get("headers") or {})
                for code, response in operation["responses"].items()
                if code.startswith("2")
            ]
            reading = method == "get" or operation["operationId"] in reads
            assert takes is reading, (method, path)
            assert answers and all(answers) is not reading, (method, path)
            (documented_reads if reading else documented_writes).add(operation["operationId"])
    assert {"listLists", "searchVideos", "getVideoFields"} <= documented_reads
    assert {"createList", "bulkEditValues", "deleteList"} <= documented_writes


async def test_openapi_numbers_are_json_numbers(client: Client) -> None:
    # The API reads and writes ratings, numbers and their aggregates as JSON numbers; a client
    # generated from the schema must not expect strings.
    schemas = (await client.get("/schema/openapi.json")).json()["components"]["schemas"]
    number = {"type": "number"}
    assert schemas["RatingCount"]["properties"]["value"] == number
    for facet in ("RatingFacet", "NumberFacet"):
        for name in ("min", "max", "avg"):
            assert number in schemas[facet]["properties"][name]["oneOf"], (facet, name)
    for model in ("FieldValue", "ValueIn", "FieldValueSet", "BulkValueSet"):
        assert number in schemas[model]["properties"]["value_numeric"]["oneOf"], model


async def test_openapi_errors_are_those_an_operation_can_answer(client: Client) -> None:
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    # /health takes no input and no token: it fails only as a 503.
    assert set(paths["/health"]["get"]["responses"]) == {"200", "503"}
    create_list = paths["/lists"]["post"]["responses"]
    assert {"400", "401", "409", "413", "422", "503"} <= set(create_list)
    # A read or a delete takes no body: no 409, 413 or 422.
    for method in ("get", "delete"):
        operation = paths["/lists/{list_id}"][method]["responses"]
        assert {"400", "401", "404", "503"} <= set(operation)
        assert not {"409", "413", "422"} & set(operation), method


async def test_a_create_documents_its_location_and_its_body(client: Client) -> None:
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    created = paths["/lists"]["post"]["responses"]["201"]
    assert "Location" in created["headers"]
    assert created["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/BookmarkList"
    }


async def test_every_request_body_the_api_takes_is_one_its_schema_documents(client: Client) -> None:
    # A client generated from the schema sends what it documents: a valid body of every
    # operation must match it (a RootModel's was documented as {"root": ...}, which is a 400).
    document = await openapi(client)
    owned = nowhere()
    with_body = [operation for operation in await operations(client) if operation.has_body]
    for operation in with_body:
        documented = document["paths"][operation.path][operation.method.lower()]
        schema = documented["requestBody"]["content"]["application/json"]["schema"]
        validator = jsonschema_rs.validator_for({**schema, "components": document["components"]})
        body = BODIES[operation.operation_id](owned)
        assert validator.is_valid(body), (operation.operation_id, schema)
    assert {operation.operation_id for operation in with_body} == set(BODIES)


@pytest.mark.parametrize(
    ("model", "body"),
    [
        # null only where it clears a value (Patch.NULLABLE): else "cannot be null", a 400
        ("ListUpdate", {"name": None}),
        ("VideoUpdate", {"title": None}),
        ("CustomFieldUpdate", {"config": None}),
        ("FieldSchemaUpdate", {"description": None}),
        # a property the model does not have (extra="forbid")
        ("ListCreate", {"name": "Mine", "colour": "red"}),
        ("VideoSearch", {"page": 2}),
        # bounds under "| None", which Litestar's own schema dropped
        ("ListUpdate", {"description": "x" * 2001}),
        ("VideoUpdate", {"youtube_id": "not an id!"}),
        ("VideoSearch", {"include_fields": [str(uuid.uuid4()) for _ in range(21)]}),
    ],
)
async def test_a_body_the_api_refuses_is_one_its_schema_refuses(
    client: Client, model: str, body: dict[str, Any]
) -> None:
    document = await openapi(client)
    schema = {"$ref": f"#/components/schemas/{model}", "components": document["components"]}
    assert not jsonschema_rs.validator_for(schema).is_valid(body)


async def test_a_clearable_property_is_documented_as_nullable(client: Client) -> None:
    document = await openapi(client)
    schema = {"$ref": "#/components/schemas/TagUpdate", "components": document["components"]}
    assert jsonschema_rs.validator_for(schema).is_valid({"schema_id": None})


async def test_a_number_written_as_text_is_documented_where_the_api_takes_it(
    client: Client,
) -> None:
    document = await openapi(client)
    schema = {"$ref": "#/components/schemas/ValueIn", "components": document["components"]}
    validator = jsonschema_rs.validator_for(schema)
    assert validator.is_valid({"value_numeric": "4.50"})
    assert validator.is_valid({"value_numeric": 4.5})
    assert not validator.is_valid({"value_numeric": True})


async def test_every_kind_of_error_answer_is_what_its_schema_documents(client: Client) -> None:
    # The errors of a 400 or 422 and the rule of a 409 were sent but not documented; a schema
    # that lists them all says there is no other member (additionalProperties false).
    document = await openapi(client)
    schemas = document["components"]["schemas"]
    closed = {**schemas["Problem"], "additionalProperties": False}
    schema = {
        **schemas["ProblemDetails"],
        "additionalProperties": False,
        "components": {"schemas": {**schemas, "Problem": closed}},
    }
    validator = jsonschema_rs.validator_for(schema)
    lst = await make_list(client)
    video = await make_video(client, lst["id"], youtube_id="taken")
    rating = await make_field(client, lst["id"], "Rating", "rating", {"max_rating": 5})
    fields = f"/lists/{lst['id']}/videos/{video['id']}/fields"
    answers = {
        400: await client.post("/lists", json={"name": ""}),
        404: await client.get(f"/lists/{uuid.uuid4()}"),
        409: await client.post(
            f"/lists/{lst['id']}/videos", json={"youtube_id": "taken", "title": "t"}
        ),
        422: await client.put(fields, json=[{"field_id": rating["id"], "value_numeric": 9}]),
    }
    for status, answer in answers.items():
        assert answer.status_code == status, answer.text
        body = answer.json()
        assert validator.is_valid(body), (status, body)
    assert answers[409].json()["rule"] and answers[422].json()["errors"][0]["rule"]
    assert answers[400].json()["errors"][0]["field"] == "name"
