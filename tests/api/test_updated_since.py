"""`updatedSince` on every list, generated from the schema: every connection takes it (the leaf
of its filter input, or an argument of its own when it has none), the read model declares
every connection the schema has, and on a database where half of every table's records were
changed after a time, each list keeps exactly its records recorded at or after that time, in
its order, on both read paths alike (a child connection on a parent holding both kinds of
record, or on two parents, one of each, where no parent has both)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest
from graphql import GraphQLField, GraphQLObjectType, GraphQLSchema, get_named_type

from service.config import Settings
from service.db import migrate
from service.db.urls import asyncpg_dsn
from service.repository import readmodel as m
from service.repository import registry as r
from service.schema import build_schema

SCHEMA: GraphQLSchema = build_schema(Settings())._schema
GENERATED_ORGS = 80
SEED = 3
PAGE = 100


@dataclass(frozen=True)
class Connection:
    """A list of the schema: ``parent.field``, and how it takes ``updatedSince``."""

    parent: str
    name: str
    node_type: str
    in_filter: bool  # the leaf of its filter input, else an argument of its own

    @property
    def coordinate(self) -> str:
        return f"{self.parent}.{self.name}"


def _is_connection(field: GraphQLField) -> bool:
    fields = getattr(get_named_type(field.type), "fields", {})
    return "nodes" in fields and "pageInfo" in fields and "edges" in fields


def _takes_updated_since(field: GraphQLField) -> bool | None:
    """True: in its filter input; False: as an argument; None: not at all."""
    filter_argument = field.args.get("filter")
    if filter_argument is not None and "updatedSince" in getattr(
        get_named_type(filter_argument.type), "fields", {}
    ):
        return True
    if "updatedSince" in field.args:
        return False
    return None


def connections() -> list[tuple[str, str, GraphQLField]]:
    found = []
    for type_name, graphql_type in sorted(SCHEMA.type_map.items()):
        if not isinstance(graphql_type, GraphQLObjectType) or type_name.startswith("__"):
            continue
        for name, field in graphql_type.fields.items():
            if _is_connection(field):
                found.append((type_name, name, field))
    return found


def _declared() -> set[str]:
    """The lists the read model declares: child connections and root lists."""
    children = {
        f"{type_name}.{name}"
        for type_name, type_map in r.TYPE_MAPS.items()
        for name, declared in type_map.fields.items()
        if isinstance(declared, m.Children)
    }
    roots = {f"Query.{n}" for n, d in r.ROOT_FIELDS.items() if isinstance(d, r.RootList)}
    return children | roots


def test_every_list_takes_updated_since() -> None:
    lists = connections()
    missing = [f"{p}.{n}" for p, n, field in lists if _takes_updated_since(field) is None]
    assert not missing, f"lists without updatedSince: {missing}"
    # The read model is where a list is declared, and so where it gets the argument: every
    # list of the schema is one of its declarations.
    assert {f"{p}.{n}" for p, n, _ in lists} == _declared()


def _node_type(field: GraphQLField) -> str:
    connection_type = get_named_type(field.type)
    assert isinstance(connection_type, GraphQLObjectType)
    name: str = get_named_type(connection_type.fields["nodes"].type).name
    return name


CONNECTIONS = [
    Connection(p, n, _node_type(field), bool(_takes_updated_since(field)))
    for p, n, field in connections()
]


# -- the database: the article dataset, a generated market, and then half of every table -----


@pytest.fixture(scope="module")
async def since_url(empty_database_factory: Callable[[], Awaitable[str]]) -> str:
    from service.ingest.article import seed_article
    from service.ingest.generator import generate_into_database
    from service.ingest.progress import Progress

    url = await empty_database_factory()
    await asyncio.to_thread(migrate.upgrade, url)
    await seed_article(url)
    await generate_into_database(
        url, orgs=GENERATED_ORGS, seed=SEED, progress=Progress(enabled=False)
    )
    return url


def _tables() -> list[str]:
    return sorted({r.entity_of(c.node_type).table.name for c in CONNECTIONS})


@pytest.fixture(scope="module")
async def since(since_url: str) -> dt.datetime:
    """A time after which the records with an even id of every listed table changed (each
    retired and restored: two new versions, the record as it was)."""
    conn = await asyncpg.connect(asyncpg_dsn(since_url))
    try:
        await asyncio.sleep(0.01)
        at: dt.datetime = await conn.fetchval("SELECT clock_timestamp()")
        await asyncio.sleep(0.01)
        async with conn.transaction():
            for table in _tables():
                changed = await conn.fetch(
                    f"UPDATE public.{table} SET retired_at = now()"
                    " WHERE id % 2 = 0 AND retired_at IS NULL RETURNING id"
                )
                await conn.execute(
                    f"UPDATE public.{table} SET retired_at = NULL WHERE id = ANY($1::bigint[])",
                    [row["id"] for row in changed],
                )
        return at
    finally:
        await conn.close()


@pytest.fixture(scope="module")
async def clients(since_url: str) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    from service.app import create_app

    async with AsyncExitStack() as stack:
        found = {}
        for path, compiler in (("compiled", True), ("resolvers", False)):
            app = create_app(Settings(compiler=compiler), database_url=since_url)
            await stack.enter_async_context(app.router.lifespan_context(app))
            found[path] = await stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
            )
        yield found


async def _both(
    clients: dict[str, httpx.AsyncClient], query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    """The data, the same from both read paths, the compiled one serving it."""
    answers = {}
    for path, client in clients.items():
        response = await client.post("/graphql", json={"query": query, "variables": variables})
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        answers[path] = (response.headers.get("x-stakegraph-executor"), body["data"])
    assert answers["compiled"][1] == answers["resolvers"][1]
    assert answers["compiled"][0] == "compiled"
    data: dict[str, Any] = answers["compiled"][1]
    return data


def _since_arguments(connection: Connection) -> str:
    if connection.in_filter:
        return "filter: {updatedSince: $since}"
    return "updatedSince: $since"


def _parent_list(type_name: str) -> str:
    """A root list of ``type_name`` of every kind: where a child connection's parents come
    from."""
    for name, declared in r.ROOT_FIELDS.items():
        if (
            isinstance(declared, r.RootList)
            and declared.type_name == type_name
            and declared.kind is None
        ):
            return name
    raise AssertionError(f"no root list of {type_name}")


NODES = "nodes { id recordedAt }"


async def _root_pages(
    clients: dict[str, httpx.AsyncClient], connection: Connection, since: dt.datetime | None
) -> list[dict[str, Any]]:
    arguments = f"first: {PAGE}, after: $after"
    declared = "$after: String"
    if since is not None:
        arguments += ", " + _since_arguments(connection)
        declared += ", $since: DateTime"
    query = (
        f"query({declared}) {{"
        f" {connection.name}({arguments}) {{ pageInfo {{ hasNextPage endCursor }} {NODES} }} }}"
    )
    out: list[dict[str, Any]] = []
    after = None
    while True:
        variables: dict[str, Any] = {"after": after}
        if since is not None:
            variables["since"] = since.isoformat()
        page = (await _both(clients, query, variables))[connection.name]
        out.extend(page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            return out
        after = page["pageInfo"]["endCursor"]


async def _parents(
    clients: dict[str, httpx.AsyncClient], connection: Connection, since: dt.datetime
) -> list[tuple[str, list[dict[str, Any]]]]:
    """Parents whose whole list (one page) holds records changed after ``since`` and records
    not: the one with the longest such list or, where no list holds both (an organization is
    acquired once), one parent with a changed record and one with an unchanged one."""
    root = _parent_list(connection.parent)
    query = (
        "query($after: String) {"
        f" {root}(first: {PAGE}, after: $after) {{ pageInfo {{ hasNextPage endCursor }}"
        f" nodes {{ id {connection.name}(first: {PAGE}) {{ pageInfo {{ hasNextPage }} {NODES} }}"
        " } } }"
    )
    best: dict[frozenset[bool], tuple[str, list[dict[str, Any]]]] = {}
    after = None
    while True:
        page = (await _both(clients, query, {"after": after}))[root]
        for parent in page["nodes"]:
            children = parent[connection.name]
            if children["pageInfo"]["hasNextPage"] or not children["nodes"]:
                continue
            kinds = frozenset(_at(n) >= since for n in children["nodes"])
            if kinds not in best or len(children["nodes"]) > len(best[kinds][1]):
                best[kinds] = (parent["id"], children["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    both = best.get(frozenset({True, False}))
    if both is not None:
        return [both]
    return [best[k] for k in (frozenset({True}), frozenset({False})) if k in best]


def _at(node: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(node["recordedAt"].replace("Z", "+00:00"))


@pytest.mark.parametrize("connection", CONNECTIONS, ids=[c.coordinate for c in CONNECTIONS])
async def test_updated_since_keeps_the_records_recorded_since(
    clients: dict[str, httpx.AsyncClient], since: dt.datetime, connection: Connection
) -> None:
    if connection.parent == "Query":
        everything = await _root_pages(clients, connection, None)
        kept = await _root_pages(clients, connection, since)
    else:
        everything, kept = [], []
        query = (
            "query($id: ID!, $since: DateTime) { node(id: $id) {"
            f" ... on {connection.parent} {{ {connection.name}(first: {PAGE},"
            f" {_since_arguments(connection)}) {{ {NODES} }} }} }} }}"
        )
        for parent, children in await _parents(clients, connection, since):
            data = await _both(clients, query, {"id": parent, "since": since.isoformat()})
            found = data["node"][connection.name]["nodes"]
            assert found == [n for n in children if _at(n) >= since], parent
            everything.extend(children)
            kept.extend(found)
    assert kept == [n for n in everything if _at(n) >= since]
    # Records on both sides of the time, on this list: the filter was tried both ways.
    assert 0 < len(kept) < len(everything), connection.coordinate
