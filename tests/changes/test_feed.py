"""The change feed: nothing skipped under concurrent writers, every change of a mixed run
listed exactly once in a resumable order, and the REST route the same as its GraphQL twin."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import pytest

from service.changes.cursor import CursorError, Position, decode_cursor, encode_cursor
from service.db.urls import asyncpg_dsn
from tests.bulk.conftest import run_import
from tests.changes.feed import FEED, collect, end_of_log, page, read_to_end
from tests.writes.conftest import Client

Connect = Callable[[], Awaitable[asyncpg.Connection]]

DESCRIBE = "UPDATE organization SET description = $2 WHERE slug = $1"


def _keys(nodes: list[dict[str, Any]]) -> list[tuple[str, str | None, int | None]]:
    return [(n["entityType"], n["key"], n["version"]) for n in nodes]


async def _version(conn: asyncpg.Connection, slug: str) -> int:
    version: int = await conn.fetchval("SELECT version FROM organization WHERE slug = $1", slug)
    return version


async def test_a_later_commit_with_an_earlier_id_is_not_skipped(
    client: Client, connect: Connect
) -> None:
    first, second = await connect(), await connect()
    start = await end_of_log(first)
    early = first.transaction()
    await early.start()
    # The first writer draws the smaller audit id, then keeps its transaction open.
    await first.execute(DESCRIBE, "moonshot-ai", "written first, committed last")
    early_id = await first.fetchval("SELECT max(id) FROM audit_log")
    async with second.transaction():
        await second.execute(DESCRIBE, "alibaba", "written second, committed first")
    late_id = await second.fetchval("SELECT max(id) FROM audit_log")
    assert early_id < late_id

    # A reader now must not hand out a cursor past the open transaction's change.
    seen, cursor = await read_to_end(client, start)
    assert seen == []
    assert cursor == start

    await early.commit()
    seen, _ = await collect(client, cursor, 2)
    listed = _keys(seen)
    assert ("Organization", "moonshot-ai", await _version(first, "moonshot-ai")) in listed
    assert ("Organization", "alibaba", await _version(first, "alibaba")) in listed
    assert len(listed) == len(set(listed)) == 2


async def test_an_earlier_transaction_with_a_later_id_is_listed_first(
    client: Client, connect: Connect
) -> None:
    first, second = await connect(), await connect()
    start = await end_of_log(first)
    older = first.transaction()
    await older.start()
    # The older transaction takes its id first but writes its audit row last.
    await first.fetchval("SELECT pg_current_xact_id()")
    async with second.transaction():
        await second.execute(DESCRIBE, "alibaba", "younger transaction")
    seen, cursor = await read_to_end(client, start)
    # The younger transaction has committed, but the older one still runs below it.
    assert seen == []
    await first.execute(DESCRIBE, "moonshot-ai", "older transaction")
    await older.commit()
    seen, _ = await collect(client, cursor, 2, first=1)
    assert [n["key"] for n in seen] == ["moonshot-ai", "alibaba"]
    ids = [decode_cursor(n["cursor"]).id for n in seen]
    assert ids[0] > ids[1]


IMPORTED = (
    '{"format":"stakegraph","type":"header","version":1}\n'
    '{"kinds":["STARTUP"],"name":"Feed Test Co","slug":"feed-test-co","type":"organization"}\n'
    '{"records":1,"type":"end"}\n'
)


async def _gql(client: Client, document: str, variables: dict[str, Any], key: str) -> Any:
    body = await client.gql(document, variables, key=key)
    assert "errors" not in body, body
    (payload,) = body["data"].values()
    assert payload.get("userErrors", []) == [], payload
    return payload


async def test_a_mixed_run_is_listed_exactly_once_in_a_resumable_order(
    client: Client, write_key: str, feed_url: str, connect: Connect
) -> None:
    conn = await connect()
    start = await end_of_log(conn)
    created = await _gql(
        client,
        """mutation($input: OrganizationCreateInput!) {
             organizationCreate(input: $input) {
               organization { id version } userErrors { code } } }""",
        {"input": {"slug": "feed-dup", "name": "Feed Dup", "kinds": ["STARTUP"]}},
        write_key,
    )
    duplicate = created["organization"]
    await _gql(
        client,
        """mutation($input: OrganizationUpdateInput!) {
             organizationUpdate(input: $input) { organization { id } userErrors { code } } }""",
        {"input": {"id": duplicate["id"], "expectedVersion": 1, "country": "CN"}},
        write_key,
    )
    survivor = (await client.gql('{ organization(slug: "moonshot-ai") { id } }'))["data"][
        "organization"
    ]["id"]
    merged = await _gql(
        client,
        """mutation($input: OrganizationMergeInput!) {
             organizationMerge(input: $input) { mergeId userErrors { code } } }""",
        {"input": {"survivor": survivor, "merged": duplicate["id"]}},
        write_key,
    )
    await _gql(
        client,
        """mutation($input: OrganizationMergeUndoInput!) {
             organizationMergeUndo(input: $input) { mergedId userErrors { code } } }""",
        {"input": {"mergeId": merged["mergeId"]}},
        write_key,
    )
    report = await run_import(feed_url, IMPORTED)

    expected = await conn.fetch(
        "SELECT txid, id FROM audit_log WHERE (txid, id) > ($1, $2) ORDER BY txid, id",
        decode_cursor(start).txid,
        decode_cursor(start).id,
    )
    # Read in small pages, resuming from each page's cursor.
    nodes, _ = await collect(client, start, len(expected), first=3)
    cursors = [decode_cursor(n["cursor"]) for n in nodes]
    assert cursors == sorted(set(cursors)), "each change once, in cursor order"
    assert cursors == [Position(r["txid"], r["id"]) for r in expected]

    mine = [n for n in nodes if n["id"] == duplicate["id"]]
    assert [n["operation"] for n in mine] == ["CREATED", "UPDATED", "MERGED", "RESTORED"]
    assert [n["version"] for n in mine] == [1, 2, 3, 4]
    assert mine[2]["mergedInto"] == survivor
    assert all(n["madeBy"] is not None and n["madeBy"]["name"] == "feed writer" for n in mine)
    imported = [n for n in nodes if n["importId"] is not None]
    assert imported
    assert {n["importId"] for n in imported} == {report.import_id}
    assert ("Organization", "feed-test-co", 1) in _keys(imported)
    assert next(n for n in imported if n["key"] == "feed-test-co")["operation"] == "CREATED"

    # Only the types asked for, in the same order.
    organizations = sum(n["entityType"] == "Organization" for n in nodes)
    only, _ = await collect(client, start, organizations, first=2, types=["Organization"])
    assert only == [n for n in nodes if n["entityType"] == "Organization"]


async def test_rest_changes_is_the_graphql_page(client: Client) -> None:
    # Once more than two pages are handed out, the first two never change.
    await collect(client, None, 11, first=1000)
    await collect(client, None, 6, first=1000, types=["Organization", "FundingRound"])
    graphql = await page(client, None, first=5, types=["Organization", "FundingRound"])
    response = await client.http.get(
        "/api/v1/changes",
        params=[("limit", "5"), ("types", "Organization"), ("types", "FundingRound")],
    )
    assert response.status_code == 200, response.text
    assert response.json() == graphql
    resumed = await client.http.get(
        "/api/v1/changes", params={"after": graphql["endCursor"], "limit": "5"}
    )
    assert resumed.status_code == 200
    assert resumed.json() == await page(client, graphql["endCursor"], first=5)


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"after": "bm90IGEgY3Vyc29y", "first": 5}, "not a change-feed cursor"),
        ({"first": 0}, "between 1 and 1000"),
        ({"first": 5, "types": ["Unicorn"]}, "Unknown types Unicorn"),
    ],
)
async def test_bad_arguments_are_refused(
    client: Client, variables: dict[str, Any], message: str
) -> None:
    body = await client.gql(FEED, variables)
    assert body["data"] is None
    assert message in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_cursors_round_trip_and_refuse_forgeries() -> None:
    position = Position(7, 42)
    assert decode_cursor(encode_cursor(position)) == position
    for forged in ("", "Y2hhbmdlczo3", encode_cursor(position) + "=", "changes:7:42"):
        with pytest.raises(CursorError):
            decode_cursor(forged)


async def test_a_writer_in_another_database_does_not_hold_the_feed_back(
    client: Client,
    connect: Connect,
    empty_database_factory: Callable[[], Awaitable[str]],
) -> None:
    elsewhere_url = await empty_database_factory()
    elsewhere = await asyncpg.connect(asyncpg_dsn(elsewhere_url))
    here = await connect()
    try:
        start = await end_of_log(here)
        # A transaction with an id, open in another database of the same server: it is in
        # every snapshot's in-progress list, below anything written here afterwards.
        other = elsewhere.transaction()
        await other.start()
        await elsewhere.execute("CREATE TABLE held (id int)")
        async with here.transaction():
            await here.execute(DESCRIBE, "zhipu-ai", "written while another database writes")
        seen, _ = await collect(client, start, 1)
        assert ("Organization", "zhipu-ai", await _version(here, "zhipu-ai")) in _keys(seen)
        await other.rollback()
    finally:
        await elsewhere.close()
