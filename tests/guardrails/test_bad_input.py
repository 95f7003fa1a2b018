"""Every request limit and bad input of issue 15 (items 2 and 6), sent as a client would: each
is refused with a clear code and a 4xx (or a coded GraphQL error), never a 5xx, and before any
SQL runs."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from service.db.urls import asyncpg_dsn
from service.domain import Scope
from tests.guardrails.conftest import bearer, new_key, serving

GRAPHQL_RESPONSE = "application/graphql-response+json"
ORGS = "{ organizations(first: 2) { nodes { slug } } }"


@pytest.fixture(scope="module")
async def served(guard_url: str) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    async with serving(guard_url, rate_limit=False) as made:
        yield made


@pytest.fixture
def statements(served: tuple[FastAPI, httpx.AsyncClient]) -> Iterator[list[str]]:
    """Every SQL statement the requests of one test run (the resolvers' path)."""
    app, _ = served
    app.state.statement_log = []
    yield app.state.statement_log
    app.state.statement_log = None


def _payload(query: str, variables: dict[str, Any] | None = None) -> bytes:
    return json.dumps({"query": query, "variables": variables or {}}).encode()


def _aliases(field: str, count: int) -> str:
    return "{ " + " ".join(f"a{i}: {field}" for i in range(count)) + " }"


def _or_filter(leaves: int) -> str:
    conditions = ", ".join(f'{{slug: {{eq: "s{i}"}}}}' for i in range(leaves))
    return f"{{ organizations(first: 1, filter: {{or: [{conditions}]}}) {{ nodes {{ slug }} }} }}"


BIG_ID = base64.b64encode(b"Organization:99999999999999999999").decode()

# (name, raw body, HTTP status with the GraphQL response media type, code)
CASES: list[tuple[str, bytes, int, str]] = [
    ("malformed UTF-8", b'{"query": "{ __typename }\xff\xfe"}', 400, "BAD_REQUEST"),
    (
        "JSON nested 100,000 deep",
        b'{"query": "{ __typename }", "variables": {"a": '
        + b"[" * 100_000
        + b"]" * 100_000
        + b"}}",
        400,
        "BAD_REQUEST",
    ),
    (
        "a lone surrogate",
        b'{"query": "{ organization(slug: \\"\\ud800\\") { slug } }"}',
        400,
        "BAD_REQUEST",
    ),
    (
        "a number out of range",
        b'{"query": "query($n: Int) { organizations(first: $n) { totalCount } }", '
        b'"variables": {"n": 1e999999999}}',
        400,
        "BAD_REQUEST",
    ),
    ("not JSON", b"{query: nope", 400, "BAD_REQUEST"),
    ("a body that is no object", b'["{ __typename }"]', 400, "BAD_REQUEST"),
    ("no query", b'{"variables": {}}', 400, "BAD_REQUEST"),
    (
        "a body over the limit",
        b'{"query": "{ __typename }", "pad": "' + b" " * 1_100_000 + b'"}',
        413,
        "PAYLOAD_TOO_LARGE",
    ),
    (
        "a parse error",
        _payload("{ organizations(first: 1 { slug } }"),
        400,
        "GRAPHQL_PARSE_FAILED",
    ),
    (
        "a validation error",
        _payload("{ organizations { noSuchField } }"),
        400,
        "GRAPHQL_VALIDATION_FAILED",
    ),
    (
        "two operations, no operationName",
        _payload("query A { __typename } query B { __typename }"),
        400,
        "OPERATION_NOT_FOUND",
    ),
    ("too many tokens", _payload("{ " + "__typename " * 6_000 + "}"), 400, "QUERY_TOO_LARGE"),
    ("too many aliases", _payload(_aliases("__typename", 101)), 400, "QUERY_TOO_COMPLEX"),
    (
        "repeated directives",
        _payload("{ __typename" + " @include(if: true)" * 101 + " }"),
        400,
        "QUERY_TOO_COMPLEX",
    ),
    (
        "too many fragment spreads",
        _payload("{ ...F " + "...F " * 200 + "} fragment F on Query { __typename }"),
        400,
        "QUERY_TOO_COMPLEX",
    ),
    ("a filter tree of 16,384 leaves", _payload(_or_filter(16_384)), 400, "QUERY_TOO_LARGE"),
    ("a filter tree over its leaf limit", _payload(_or_filter(201)), 400, "INPUT_TOO_LARGE"),
    (
        "an `in` list of 10,000 names",
        _payload(
            "query($names: [String!]) { organizations(first: 1, filter: {name: {in: $names}}) "
            "{ nodes { slug } } }",
            {"names": [f"n{i}" for i in range(10_000)]},
        ),
        400,
        "INPUT_TOO_LARGE",
    ),
    (
        "`nodes(ids:)` with 10,100 ids",
        _payload(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            {"ids": [BIG_ID] * 10_100},
        ),
        400,
        "INPUT_TOO_LARGE",
    ),
    (
        "100 aliases of a time series",
        _payload(_aliases("fundingTimeSeries(interval: YEAR) { undatedCount }", 100)),
        400,
        "QUERY_TOO_COMPLEX",
    ),
    (
        "100 aliases of introspection",
        _payload(_aliases("__schema { types { name } }", 100)),
        400,
        "QUERY_TOO_COMPLEX",
    ),
    (
        "a page over the maximum",
        _payload("{ organizations(first: 101) { totalCount } }"),
        400,
        "BAD_USER_INPUT",
    ),
    (
        "a NUL in a text argument",
        _payload('{ organization(slug: "a\\u0000b") { slug } }'),
        400,
        "BAD_USER_INPUT",
    ),
    (
        "a variable of the wrong type",
        _payload("query($n: Int) { organizations(first: $n) { totalCount } }", {"n": "many"}),
        400,
        "BAD_USER_INPUT",
    ),
]


@pytest.mark.parametrize(
    ("body", "status", "code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
@pytest.mark.parametrize("accept", ["application/json", GRAPHQL_RESPONSE])
async def test_bad_input_is_refused_with_a_code_before_any_sql(
    served: tuple[FastAPI, httpx.AsyncClient],
    statements: list[str],
    body: bytes,
    status: int,
    code: str,
    accept: str,
) -> None:
    _, client = served
    response = await client.post(
        "/graphql", content=body, headers={"content-type": "application/json", "accept": accept}
    )
    request_level = code in ("BAD_REQUEST", "PAYLOAD_TOO_LARGE")
    expected = status if accept == GRAPHQL_RESPONSE or request_level else 200
    assert response.status_code == expected, response.text[:500]
    answer = response.json()
    assert "data" not in answer
    (error,) = answer["errors"]
    assert error["extensions"]["code"] == code, error
    assert statements == []


async def test_an_id_past_int64_is_no_fault(
    served: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    _, client = served
    response = await client.post("/graphql", json={"query": f'{{ node(id: "{BIG_ID}") {{ id }} }}'})
    assert response.status_code == 200
    body = response.json()
    for error in body.get("errors") or ():
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert body.get("data") in (None, {"node": None})


async def test_two_authorization_headers_are_refused(
    served: tuple[FastAPI, httpx.AsyncClient], guard_url: str
) -> None:
    _, client = served
    _, key = await new_key(guard_url, Scope.READ)
    response = await client.post(
        "/graphql",
        json={"query": ORGS},
        headers=[
            ("authorization", f"Bearer {key}"),
            ("authorization", "Bearer sg_00000000_" + "x" * 43),
            ("accept", GRAPHQL_RESPONSE),
        ],
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


HEADER = b'{"type": "header", "format": "stakegraph", "version": 1}\n'


async def test_bad_import_lines_are_a_422_not_a_500(
    served: tuple[FastAPI, httpx.AsyncClient], guard_url: str
) -> None:
    _, client = served
    _, key = await new_key(guard_url, Scope.WRITE)
    for body in (
        b'{"type": "organization", "slug": "x", "name": "X", "valuation": 1e999999999}\n',
        b'{"type": "organization", "slug": "x\xff", "name": "X"}\n',
        b'{"type": "organization", "slug": "\\ud800", "name": "X"}\n',
    ):
        framed = HEADER + body + b'{"type": "end", "records": 1}\n'
        response = await client.post("/api/v1/import", content=framed, headers=bearer(key))
        assert response.status_code == 422, response.text
        assert response.json()["imported"] is False


async def test_user_errors_are_logged_on_one_line_without_a_traceback(
    served: tuple[FastAPI, httpx.AsyncClient], caplog: pytest.LogCaptureFixture
) -> None:
    _, client = served
    caplog.set_level(logging.DEBUG)
    response = await client.post(
        "/graphql",
        json={"query": '{ coInvestors(organization: "alibaba", first: 0) { totalCount } }'},
    )
    errors = response.json()["errors"]
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    logged = [r for r in caplog.records if r.name == "strawberry.execution"]
    assert logged
    for record in logged:
        assert record.exc_info is None
        assert record.stack_info is None
        assert "\n" not in record.getMessage()
        assert record.levelno == logging.INFO


async def test_no_statement_outlives_the_request_deadline(guard_url: str) -> None:
    heavy = (
        "{ "
        + " ".join(
            f'a{i}: fundingTimeSeries(interval: MONTH, period: {{gte: "2023-01-01"}}) '
            "{ periods { start roundCount nonCashShare { min max } } }"
            for i in range(8)
        )
        + " }"
    )
    async with serving(guard_url, rate_limit=False, request_deadline_ms=5) as (_, client):
        responses = await asyncio.gather(
            *(client.post("/graphql", json={"query": heavy}) for _ in range(4))
        )
    codes = {r.json()["errors"][0]["extensions"]["code"] for r in responses}
    assert codes == {"TIMEOUT"}
    conn = await asyncpg.connect(asyncpg_dsn(guard_url))
    try:
        running = await conn.fetch(
            "SELECT pid, query FROM pg_stat_activity WHERE datname = current_database()"
            " AND application_name = 'stakegraph' AND state = 'active'"
        )
    finally:
        await conn.close()
    assert running == []
