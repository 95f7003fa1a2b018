"""schemathesis over the OpenAPI document: every route, against the real server over HTTP.

Each route gets requests generated from its schema, valid and invalid; every response must be
no 5xx, a documented status, the documented media type, and headers and a body that conform to
the document. The suite's run is derandomised and bounded (``REST_FUZZ_EXAMPLES`` per route and
mode, 10 by default), so that a failure reproduces; ``make fuzz`` runs open-ended, with new
examples each time.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from service.app import create_app
from service.config import Settings
from service.rest.docs import OPENAPI_PATH
from service.rest.export import EXPORT_PATH
from service.rest.operations import load_operations
from service.schema import build_schema
from tests.rest.conftest import Keys
from tests.test_graphiql import serve

EXAMPLES = int(os.environ.get("REST_FUZZ_EXAMPLES", "10"))
RANDOM = os.environ.get("REST_FUZZ_RANDOM") == "1"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture(scope="session")
def rest_server(keyed_url: str, keys: Keys) -> Iterator[str]:
    with serve(create_app(Settings(), database_url=keyed_url)) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def rest_schema(rest_server: str) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(rest_server + OPENAPI_PATH)


# The routes and their methods, known without a server so that each is its own test.
ROUTES = sorted(
    [(o.path, o.method) for o in load_operations(build_schema(Settings())._schema)]
    + [(EXPORT_PATH, "GET")]
)


@pytest.mark.parametrize("mode", list(GenerationMode), ids=str)
@pytest.mark.parametrize(("path", "method"), ROUTES)
def test_route_conforms_to_the_document(
    rest_schema: schemathesis.BaseSchema, keys: Keys, path: str, method: str, mode: GenerationMode
) -> None:
    operation = rest_schema["/api/v1" + path.removeprefix("/api/v1")][method]
    # A read key for reads (the export needs one; the reads take it as GraphQL does); the write
    # routes (webhook management) need an admin key.
    key = keys.read if method == "GET" else keys.admin

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        derandomize=not RANDOM,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Case[Any]) -> None:
        case.call_and_validate(headers=Keys.bearer(key), checks=CHECKS)

    run()
