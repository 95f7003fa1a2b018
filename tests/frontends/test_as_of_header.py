"""``node(id:)`` takes the ID alone; recorded time comes from the ``Stakegraph-As-Of`` header,
which root fields' ``asOf`` must agree with, in both executors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from graphql import OperationDefinitionNode, parse
from graphql.execution.values import VariableValues

from service.gateway import access
from service.gateway.errors import Refusal
from service.schema import build_schema
from tests.frontends.support import client

BEFORE_ANYTHING = "2000-01-01T00:00:00Z"
NODE = "query($id: ID!) { node(id: $id) { id ... on Organization { name } } }"


async def _moonshot_id(c: httpx.AsyncClient) -> str:
    body = (
        await c.post("/graphql", json={"query": '{ organization(slug: "moonshot-ai") { id } }'})
    ).json()
    moonshot_id: str = body["data"]["organization"]["id"]
    return moonshot_id


async def _post(c: httpx.AsyncClient, query: str, variables: dict[str, Any], **headers: str) -> Any:
    response = await c.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    return response


@pytest.mark.parametrize("compiler", [True, False], ids=["compiled", "resolvers"])
async def test_node_reads_as_of_the_header(migrated_url: str, compiler: bool) -> None:
    async with client(migrated_url, compiler=compiler) as c:
        moonshot = await _moonshot_id(c)
        now = await _post(c, NODE, {"id": moonshot})
        then = await _post(c, NODE, {"id": moonshot}, **{"Stakegraph-As-Of": BEFORE_ANYTHING})
        later = await _post(
            c, NODE, {"id": moonshot}, **{"Stakegraph-As-Of": "2999-01-01T00:00:00"}
        )
    assert now.json()["data"] == {"node": {"id": moonshot, "name": "Moonshot AI"}}
    assert then.json()["data"] == {"node": None}
    assert later.json()["data"] == now.json()["data"]
    assert now.headers["x-stakegraph-executor"] == ("compiled" if compiler else "resolvers")


async def test_node_takes_exactly_one_argument(migrated_url: str) -> None:
    async with client(migrated_url) as c:
        response = await _post(
            c, 'query { node(id: "x", asOf: "2000-01-01T00:00:00Z") { id } }', {}
        )
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "asOf" in error["message"]


async def test_root_fields_asof_must_agree_with_the_header(migrated_url: str) -> None:
    query = (
        "query($id: ID!, $at: DateTime) { node(id: $id) { id } "
        'organization(slug: "moonshot-ai", asOf: $at) { name } }'
    )
    header = {"Stakegraph-As-Of": BEFORE_ANYTHING}
    async with client(migrated_url) as c:
        moonshot = await _moonshot_id(c)
        agreeing = await _post(
            c, query, {"id": moonshot, "at": "2000-01-01T00:00:00+00:00"}, **header
        )
        inheriting = await _post(c, query, {"id": moonshot}, **header)
        disagreeing = await _post(
            c, query, {"id": moonshot, "at": "2001-01-01T00:00:00Z"}, **header
        )
        without_header = await _post(c, query, {"id": moonshot, "at": BEFORE_ANYTHING})
    assert agreeing.json()["data"] == {"node": None, "organization": None}
    assert inheriting.json()["data"] == agreeing.json()["data"]
    error = disagreeing.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "must agree with the Stakegraph-As-Of header" in error["message"]
    # node cannot give asOf itself: the operation must send it once, as the header.
    error = without_header.json()["errors"][0]
    assert "Stakegraph-As-Of" in error["message"]
    assert "node" in error["message"]


async def test_a_bad_header_and_fields_without_recorded_time_are_refused(
    migrated_url: str,
) -> None:
    async with client(migrated_url) as c:
        bad = await _post(c, NODE, {"id": "x"}, **{"Stakegraph-As-Of": "yesterday"})
        search = await _post(
            c,
            '{ search(query: "moonshot") { __typename } }',
            {},
            **{"Stakegraph-As-Of": BEFORE_ANYTHING},
        )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert "ISO 8601" in bad.json()["errors"][0]["message"]
    assert search.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "search cannot be read as of a time" in search.json()["errors"][0]["message"]


def test_a_mutation_with_the_header_is_refused() -> None:
    schema = build_schema()._schema
    document = parse('mutation { apiKeyRevoke(input: {id: "x"}) { __typename } }')
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    moment = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    variables = VariableValues({}, {})
    with pytest.raises(Refusal, match="applies to queries"):
        access.as_of(schema, operation, {}, variables, moment)
    assert access.as_of(schema, operation, {}, variables, None) is None
