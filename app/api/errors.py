"""Every failure leaves the API as RFC 9457 problem details (application/problem+json):
domain errors, request validation, unknown routes and bugs alike. Registered once, in
app/api/app.py; controllers contain no try/except."""

import logging
import re
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any
from uuid import UUID

from litestar import Litestar, MediaType, Request, Response
from litestar.datastructures import MutableScopeHeaders
from litestar.exceptions import HTTPException, InternalServerException, ValidationException
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import ResponseSpec
from litestar.routes import HTTPRoute
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import Message, Scope
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from app.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    InvalidValue,
    NotFound,
    Unauthenticated,
    Unavailable,
)

PROBLEM_JSON = "application/problem+json"
MAX_ERRORS = 100  # the errors a 400 or a 422 lists
logger = logging.getLogger("app.api")

_STATUS_OF = {
    NotFound: 404,
    Conflict: 409,
    InvalidValue: 422,
    InvalidInput: 400,
    Unauthenticated: 401,
    Unavailable: 503,
}
_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


MAX_BODY_BYTES = 2 * 1024 * 1024  # a bulk edit of MAX_BATCH rows fits; more is a 413


def problem(
    request: Request[Any, Any, Any],
    status: int,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> Response[dict[str, Any]]:
    body = {
        "type": "about:blank",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **{key: value for key, value in extensions.items() if value is not None},
    }
    if status == 503:
        headers = {"Retry-After": "2", **(headers or {})}
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _first_errors(messages: list[str]) -> str:
    """The detail of a 400 or 422: its first MAX_ERRORS messages, then how many more. A hostile
    body of 100,000 unknown keys got a 10 MB answer, a batch of 5,000 bad values a 2.3 MB one:
    the first ones say what is wrong as well as all of them would."""
    detail = "; ".join(messages[:MAX_ERRORS])
    if len(messages) > MAX_ERRORS:
        detail += f"; and {len(messages) - MAX_ERRORS} more"
    return detail


def domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    status = next(code for kind, code in _STATUS_OF.items() if isinstance(exc, kind))
    if isinstance(exc, InvalidValue):
        errors = [
            {
                key: value
                for key, value in {
                    "rule": p.rule,
                    "message": p.message,
                    "field_id": p.field_id,
                    "video_id": p.video_id,
                    "index": p.index,
                }.items()
                if value is not None
            }
            for p in exc.problems[:MAX_ERRORS]
        ]
        detail = _first_errors([p.message for p in exc.problems])
        return problem(request, status, detail, errors=errors)
    if isinstance(exc, InvalidInput) and exc.field is not None:
        errors = [{"field": exc.field, "message": exc.message}]
        return problem(
            request, status, f"invalid request: {exc.field}: {exc.message}", errors=errors
        )
    if isinstance(exc, Conflict):
        return problem(request, status, exc.message, rule=exc.rule)
    if isinstance(exc, Unauthenticated):
        headers = {"WWW-Authenticate": bearer_challenge(exc)}
        return problem(request, status, exc.message, headers=headers)
    if isinstance(exc, Unavailable):
        logger.warning(
            "%s %s answered 503, %s (%s)",
            request.method,
            request.url.path,
            exc.message,
            exc.cause,
        )
        return problem(request, status, exc.message, **exc.report)
    if isinstance(exc, NotFound) and exc.resource == "list" and exc.resource_id is None:
        # A write refused by row-level security cannot say which list: the path does.
        exc = NotFound("list", request.path_params.get("list_id"))
    return problem(request, status, exc.message)


REALM = "custom-fields-sql"


def bearer_challenge(exc: Unauthenticated) -> str:
    """The WWW-Authenticate value of a 401 (RFC 6750 §3): no error code when no token was sent,
    `invalid_token` and what was wrong with it otherwise."""
    challenge = f'Bearer realm="{REALM}"'
    if exc.token_sent:
        # A quoted-string: the messages are ours, so they hold no quote or backslash.
        challenge += f', error="invalid_token", error_description="{exc.message}"'
    return challenge


def validation_error(
    request: Request[Any, Any, Any], exc: ValidationException
) -> Response[dict[str, Any]]:
    errors = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            message = str(item.get("message", "")).removeprefix("Value error, ")
            if item.get("key") == "data" and message == "'data'":
                message = "a JSON body is required"  # Litestar's word for a missing body
            elif message == "String should have at least 1 character":
                # Said of "   " too, which the name was trimmed to nothing from.
                message = "must not be empty or only whitespace"
            errors.append({"field": item.get("key") or None, "message": message})
    detail = _first_errors(
        [f"{e['field']}: {e['message']}" if e["field"] else str(e["message"]) for e in errors]
    )
    errors = errors[:MAX_ERRORS]
    return problem(
        request,
        400,
        f"invalid request: {detail or exc.detail}",
        errors=[{k: v for k, v in e.items() if v is not None} for e in errors] or None,
    )


def _body_errors(exc: HTTPException) -> list[dict[str, Any]] | None:
    """The errors of a request body that Litestar answers as a failing dependency: it files a
    body model's error under its first key, so an unknown property named like one of the
    handler's dependencies (`conn`, `owner`, `read`) becomes a 500. A pydantic error is always
    the body's here: no dependency of ours is a pydantic model."""
    cause = exc.__cause__
    while cause is not None and not isinstance(cause, PydanticValidationError):
        cause = cause.__cause__
    if not isinstance(exc, InternalServerException) or cause is None:
        return None
    return [
        {"key": ".".join(str(part) for part in error["loc"]) or None, "message": error["msg"]}
        for error in cause.errors(include_input=False, include_url=False)
    ]


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    if (body_errors := _body_errors(exc)) is not None:
        return validation_error(request, ValidationException(extra=body_errors))
    if exc.status_code == HTTP_500_INTERNAL_SERVER_ERROR:
        logger.error("%s %s answered 500", request.method, request.url.path, exc_info=exc)
    detail = exc.detail
    if exc.status_code == 404 and detail == "Not Found":
        # No route matched: an id in the path that is not a UUID is malformed input (a 400
        # naming it, as a body's is), anything else an unknown path.
        if malformed := _malformed_path_ids(request):
            errors = [{"field": name, "message": "must be a UUID"} for name in malformed]
            found = "; ".join(f"{name}: must be a UUID" for name in malformed)
            return problem(request, 400, f"invalid request: {found}", errors=errors)
        detail = "no such resource: check the path (an id in it is a UUID)"
    if exc.status_code == 413:  # Litestar's "Request Entity Too Large" names no size
        detail = f"the request body is larger than the {MAX_BODY_BYTES // 1024 // 1024} MiB limit"
    headers = {name.title(): value for name, value in (exc.headers or {}).items()}
    if "Allow" in headers:  # a 405 names what the resource allows
        headers["Allow"] = _allow(headers["Allow"].split(", "))
    return problem(request, exc.status_code, detail, headers=headers or None)


@cache
def _id_routes(paths: tuple[str, ...]) -> list[tuple[re.Pattern[str], list[str]]]:
    """Each route with UUID ids, as a pattern taking any segment in their place."""
    routes = []
    for path in paths:
        names = re.findall(r"\{(\w+):uuid\}", path)
        if not names or re.search(r"\{\w+:(?!uuid\})", path):
            continue
        pattern = "".join(
            f"(?P<{part[1:-6]}>[^/]+)" if part.endswith(":uuid}") else re.escape(part)
            for part in re.split(r"(\{\w+:uuid\})", path.rstrip("/"))
        )
        routes.append((re.compile(pattern + "/?"), names))
    return routes


def _malformed_path_ids(request: Request[Any, Any, Any]) -> list[str]:
    """The ids of the path that are not UUIDs, for the route the path would take if they were
    (the one asking the fewest: /lists/x/videos/search is a bad list_id, not a bad video_id)."""
    fewest: list[str] = []
    for pattern, names in _id_routes(tuple(sorted({route.path for route in request.app.routes}))):
        if (match := pattern.fullmatch(request.url.path)) is None:
            continue
        malformed = [name for name in names if not _is_uuid(match[name])]
        if malformed and (not fewest or len(malformed) < len(fewest)):
            fewest = malformed
    return fewest


def _is_uuid(text: str) -> bool:
    try:
        UUID(text)
    except ValueError:
        return False
    return True


def _allow(methods: Iterable[str]) -> str:
    """An Allow header's value: the methods, HEAD wherever GET is."""
    allowed = sorted(set(methods))
    return ", ".join([*allowed, "HEAD"] if "GET" in allowed and "HEAD" not in allowed else allowed)


async def send_allow(message: Message, scope: Scope) -> None:
    """A before_send hook: an OPTIONS answer names every method of its path, as a 405 does.
    Litestar's own OPTIONS handler names those of its path's first handler only (it is made
    when the first handler is registered and kept when the route is rebuilt with the others):
    OPTIONS /lists said "OPTIONS, POST"."""
    if message["type"] != "http.response.start" or scope.get("method") != "OPTIONS":
        return
    template = scope.get("path_template")
    route = next(
        (r for r in scope["app"].routes if isinstance(r, HTTPRoute) and r.path_format == template),
        None,
    )
    if route is not None:
        MutableScopeHeaders.from_message(message)["allow"] = _allow(route.methods)


def unexpected_error(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(request, HTTP_500_INTERNAL_SERVER_ERROR, "internal error; it has been logged")


class Problem(BaseModel):
    """One problem of a 400 (its property: `field`) or a 422 (its rule, and where it is)."""

    model_config = ConfigDict(extra="allow")

    message: str
    field: str | None = Field(None, description="a 400's property, as a path: set.0.value_text")
    rule: str | None = Field(None, description="a 422's rule: a constraint or check's name")
    field_id: UUID | None = None
    video_id: UUID | None = None
    index: int | None = Field(None, description="the item of a batch, from 0")


class ProblemDetails(BaseModel):
    """What every error answer carries (RFC 9457), with its extension members: `errors` (a 400
    or 422), `rule` (a 409), and on a 503 of /health the database's and replicas' status."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[Problem] | None = Field(None, description="each problem of a 400 or a 422")
    rule: str | None = Field(None, description="the rule a 409 names")


def _documented(description: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=ProblemDetails,
        media_type=PROBLEM_JSON,
        description=description,
        generate_examples=False,
    )


ERROR_RESPONSES = {
    400: _documented("The request is malformed or breaks a limit"),
    404: _documented("A resource in the path or the body does not exist"),
    409: _documented("The request collides with stored data"),
    413: _documented("The request body is too large"),
    422: _documented("A value breaks a rule of its field"),
    503: _documented("The database is unavailable or too slow; retry later"),
}


_BODILESS_ERRORS = (400, 404, 503)

# Only on the operations that need a token: app/api/auth.py's document_bearer adds it.
UNAUTHENTICATED_RESPONSE = _documented(
    "No bearer token, or one that is malformed, expired, wrongly signed or not for this API"
)


def http_route_handlers(app: Litestar) -> Iterator[HTTPRouteHandler]:
    """Every HTTP operation of the app, for the passes that complete its OpenAPI description
    once the app exists (document_errors, auth.document_bearer,
    dependencies.document_read_after)."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if isinstance(handler, HTTPRouteHandler):
                yield handler


def document_errors(app: Litestar) -> None:
    """Document the problem details answers on every operation of the OpenAPI schema (Litestar
    would describe only a 400 in its own format). The schema is built on first request, so this
    runs once the app exists. A read or a delete takes no body, so it answers no 409, 413 or
    422; an operation whose `opt` names its "errors" (status codes) gets those only: /health
    takes no input and can only fail as a 503."""
    for handler in http_route_handlers(app):
        bodiless = handler.http_methods <= {"GET", "DELETE"}
        codes = handler.opt.get("errors", _BODILESS_ERRORS if bodiless else ERROR_RESPONSES)
        errors = {code: ERROR_RESPONSES[code] for code in codes}
        handler.responses = {**errors, **(handler.responses or {})}


EXCEPTION_HANDLERS: Any = {
    DomainError: domain_error,
    ValidationException: validation_error,
    HTTPException: http_error,
    Exception: unexpected_error,
}

__all__ = ["EXCEPTION_HANDLERS", "MediaType", "problem"]
