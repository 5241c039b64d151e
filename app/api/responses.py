"""A created resource's answer: 201 with its body and, as RFC 9110 §15.3.2 asks, a Location
header naming it (without one, a client takes the created resource to be the request's URI)."""

from typing import Any, Protocol, TypeVar
from uuid import UUID

from litestar import Request, Response
from litestar.datastructures import ResponseHeader


class Identified(Protocol):
    @property
    def id(self) -> UUID: ...


Resource = TypeVar("Resource", bound=Identified)
AnyRequest = Request[Any, Any, Any]

# For the OpenAPI schema of each create operation (the header itself is set per response).
LOCATION = ResponseHeader(
    name="Location",
    description="The created resource's path",
    documentation_only=True,
)


def created(request: AnyRequest, resource: Resource) -> Response[Resource]:
    """201 with `resource` as the body and its path, the collection's path and its id, in
    Location."""
    location = f"{request.url.path.rstrip('/')}/{resource.id}"
    return Response(resource, status_code=201, headers={"Location": location})
