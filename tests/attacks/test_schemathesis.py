"""schemathesis (v4) against every service's own /openapi.json and the gateway's aggregated
/api/openapi.json (issue 9): no 5xx, and every response conforms to its documented status
codes, content types and schemas — anonymously and with a valid citizen token (so protected
operations are exercised beyond 401).

Bounded for CI: a few positive examples per operation (``EXAMPLES``), derandomized (same cases
every run), no deadline. The citizen used here is a dedicated one (PATCH /me may change their
contacts); no admin token is given to the fuzzer (it would rewrite the calendar and catalog).
"""
from __future__ import annotations

import re

import pytest
import requests
import schemathesis
from attack_support import error_shape
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from infra.local import journeys

EXAMPLES = 8
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
SERVICES = {"identity": "IDENTITY_PORT", "catalog": "CATALOG_PORT",
            "submission": "SUBMISSION_PORT", "tracking": "TRACKING_PORT",
            "notify": "NOTIFY_PORT"}
# Operations never fuzzed with a real token: they would end the fuzzing citizen's sessions.
SKIP_WITH_TOKEN = {("DELETE", "/me"), ("POST", "/me/password"), ("POST", "/logout")}
# Per-operation check exclusions, each naming its finding. None left: FINDING 1 (unbounded
# ``page`` → 500) and FINDING 2 (notify preference flags read back as 1/0) are fixed, and
# these runs now prove it.
EXCLUDED: dict[tuple[str, str], list] = {}


@pytest.fixture(scope="module")
def fuzz_token(stack) -> str:
    _person, client = journeys.citizen(journeys.Api(stack.url()),
                                       journeys.Person.random(full_name="Phạm Văn Thử"))
    return client.token


def _operation_test(operation, mode, checks, base_url, session, headers):
    """One bounded, derandomized hypothesis run over one operation."""

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case) -> None:
        response = case.call(base_url=base_url, session=session, headers=dict(headers),
                             timeout=30)
        if response.status_code == 414:
            # FINDING 5 (fixed): a request line over gunicorn's limit (4094 bytes) is refused
            # by gunicorn before the app runs; it used to answer with an HTML page, now with
            # the platform's JSON error shape (servicekit.gunicorn_worker). No operation
            # documents a 414, so the shape is checked here instead of the schema.
            # (schemathesis' response: lower-case header names, a list of values each)
            assert response.headers.get("content-type") == ["application/json"], \
                response.content[:300]
            error_shape(response)
            return
        case.validate_response(response, checks=checks)

    return run


def _fuzz(spec_url: str, base_url: str, headers: dict[str, str], prefix: str = "",
          mode: GenerationMode = GenerationMode.POSITIVE) -> list[str]:
    schema = schemathesis.openapi.from_url(spec_url)
    session = requests.Session()
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        method, path = operation.method.upper(), operation.path
        own_path = re.sub(r"^/api/[^/]+", "", path) if prefix else path
        if headers and (method, own_path) in SKIP_WITH_TOKEN:
            continue
        operations += 1
        excluded = EXCLUDED.get((method, own_path), [])
        checks = [c for c in CHECKS if c not in excluded]
        if mode is GenerationMode.NEGATIVE:  # invalid input: any 4xx, never a 5xx
            checks = [c for c in checks if c is not status_code_conformance]

        run = _operation_test(operation, mode, checks, base_url, session, headers)

        try:
            run()
        except Unsatisfiable:  # negative mode: nothing in this operation can be made invalid
            continue
        except Exception as exc:  # collected: one report for every failing operation
            failures.append(f"{method} {path}: {str(exc)[:1500]}")
    assert operations, f"no operations in {spec_url}"
    return failures


@pytest.mark.parametrize("authenticated", [False, True], ids=["anonymous", "citizen"])
@pytest.mark.parametrize("service", sorted(SERVICES))
def test_service_openapi(stack, fuzz_token, service, authenticated):
    url = stack.url(SERVICES[service])
    headers = {"Authorization": f"Bearer {fuzz_token}"} if authenticated else {}
    failures = _fuzz(f"{url}/openapi.json", url, headers)
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("authenticated", [False, True], ids=["anonymous", "citizen"])
def test_gateway_aggregated_openapi(stack, fuzz_token, authenticated):
    base = stack.url()
    headers = {"Authorization": f"Bearer {fuzz_token}"} if authenticated else {}
    failures = _fuzz(f"{base}/api/openapi.json", base, headers, prefix="/api/")
    assert not failures, "\n\n".join(failures)


def test_gateway_negative_data_never_5xx(stack, fuzz_token):
    """Schema-violating input (schemathesis' negative mode) through the gateway, signed in:
    refused with a 4xx in the documented shape, never a server error."""
    base = stack.url()
    failures = _fuzz(f"{base}/api/openapi.json", base,
                     {"Authorization": f"Bearer {fuzz_token}"}, prefix="/api/",
                     mode=GenerationMode.NEGATIVE)
    assert not failures, "\n\n".join(failures)
