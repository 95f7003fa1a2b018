"""Reading the change feed over GraphQL, page by page, as a consumer does."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import asyncpg

from service.changes.cursor import Position, encode_cursor
from tests.writes.conftest import Client

# How long a test waits for changes to be handed out before it fails.
PATIENCE = 300.0

FEED = """query($after: String, $types: [String!], $first: Int!) {
  changes(after: $after, types: $types, first: $first) {
    endCursor hasMore
    nodes { cursor entityType id key operation version recordedAt mergedInto importId
            madeBy { id prefix name } }
  }
}"""


async def page(
    client: Client, after: str | None, first: int = 100, types: list[str] | None = None
) -> dict[str, Any]:
    body = await client.gql(FEED, {"after": after, "types": types, "first": first})
    assert "errors" not in body, body
    changes: dict[str, Any] = body["data"]["changes"]
    return changes


async def read_to_end(
    client: Client, after: str | None, first: int = 100, types: list[str] | None = None
) -> tuple[list[dict[str, Any]], str]:
    """Every change available after ``after``, and the cursor to resume from."""
    nodes: list[dict[str, Any]] = []
    cursor = after
    while True:
        got = await page(client, cursor, first, types)
        nodes.extend(got["nodes"])
        assert got["endCursor"] is not None
        cursor = got["endCursor"]
        if not got["hasMore"]:
            return nodes, cursor


async def collect(
    client: Client, after: str | None, count: int, first: int = 100, types: list[str] | None = None
) -> tuple[list[dict[str, Any]], str]:
    """Reads on from ``after`` until ``count`` changes have come. The feed waits for every
    transaction of this database older than a change (and for those it cannot place), so
    changes already committed may take a moment to be handed out."""
    nodes: list[dict[str, Any]] = []
    cursor = after
    deadline = time.monotonic() + PATIENCE
    while True:
        got, cursor = await read_to_end(client, cursor, first, types)
        nodes.extend(got)
        if len(nodes) >= count:
            return nodes, cursor
        assert time.monotonic() < deadline, f"the feed stopped at {len(nodes)} of {count}"
        await asyncio.sleep(0.05)


async def end_of_log(conn: asyncpg.Connection) -> str:
    """A cursor after every audit row written so far (no writer of this database is running:
    every later transaction gets a larger txid)."""
    row = await conn.fetchrow("SELECT txid, id FROM audit_log ORDER BY txid DESC, id DESC LIMIT 1")
    assert row is not None
    return encode_cursor(Position(row["txid"], row["id"]))
