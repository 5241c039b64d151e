"""Property-based fuzzing of every operation in the OpenAPI schema with schemathesis, against
the real app under uvicorn on loopback and a real database. Bounded and derandomized, so CI
runs the same few hundred cases every time."""

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.api.app import create_app
from tests.conftest import auth_settings, bearer
from tests.reliability.conftest import PROBLEM_JSON, serve

EXAMPLES_PER_OPERATION = 15


@schemathesis.check
def problem_details(ctx: Any, response: Response, case: Case) -> bool | None:
    """Every error answer is RFC 9457 problem details carrying its own status."""
    if response.status_code < 400:
        return None
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.startswith(PROBLEM_JSON), f"error without problem details: {content_type}"
    body = response.json()
    assert isinstance(body, dict) and body.get("status") == response.status_code, body
    assert isinstance(body.get("title"), str) and isinstance(body.get("detail"), str), body
    return True


CHECKS = [
    not_a_server_error,
    content_type_conformance,
    response_schema_conformance,
    # Every answer's status is one the operation documents (app/api/errors.py).
    status_code_conformance,
    problem_details,
]


def test_every_operation_survives_fuzzing(database_url: str) -> None:
    app = create_app(auth_settings(database_url, pool_max_size=4))
    # Every case carries a valid token, overriding whatever schemathesis makes up for the
    # bearer scheme: the fuzzing is of the operations, not of authentication (test_auth.py).
    headers = bearer()
    failures: list[str] = []
    with serve(app) as served:
        schema = schemathesis.openapi.from_url(f"{served.url}/schema/openapi.json")
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) > 20

        for operation in operations:

            @given(case=operation.as_strategy())
            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def fuzz(case: Case) -> None:
                case.call_and_validate(
                    base_url=served.url, headers=headers, checks=CHECKS, timeout=10
                )

            try:
                fuzz()
            except Exception as exc:  # collect every operation's failure, not just the first
                failures.append(f"{operation.label}: {exc}"[:2000])
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)
