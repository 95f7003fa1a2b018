"""graphql-sse (distinct connections) over httpx streaming, and fundingRoundAnnounced."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx

from tests.api.support import global_id
from tests.subscriptions.client import ANNOUNCED, CHANGES, PATIENCE, gql, opened
from tests.subscriptions.conftest import Keys, Server
from tests.subscriptions.test_websocket import describe, end_of_log

ROUND_CREATE = """mutation($input: FundingRoundCreateInput!) {
  fundingRoundCreate(input: $input) { fundingRound { id version } userErrors { code message } }
}"""

ROUND_UPDATE = """mutation($input: FundingRoundUpdateInput!) {
  fundingRoundUpdate(input: $input) { fundingRound { id version } userErrors { code message } }
}"""


async def _events(response: httpx.Response) -> AsyncIterator[tuple[str, str]]:
    """(event, data) pairs of a server-sent event stream; comments are skipped."""
    event, data = "", ""
    async for line in response.aiter_lines():
        if line.startswith(":"):
            continue
        if line == "":
            if event:
                yield event, data
            event, data = "", ""
        elif line.startswith("event:"):
            event = line.removeprefix("event:").strip()
        elif line.startswith("data:"):
            data = line.removeprefix("data:").strip()


async def test_a_server_sent_event_stream_receives_a_change(
    servers: tuple[Server, Server], keys: Keys, conn: asyncpg.Connection
) -> None:
    writer, reader = servers
    start = await end_of_log(conn)
    body = {"query": CHANGES, "variables": {"after": start, "types": ["Organization"]}}
    headers = {"accept": "text/event-stream", "authorization": f"Bearer {keys.read}"}
    async with (
        httpx.AsyncClient(base_url=reader.base, timeout=PATIENCE) as client,
        client.stream("POST", "/graphql/stream", json=body, headers=headers) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        version = await describe(writer, keys, conn, "megvii", "told by event stream")
        events = _events(response)
        async with asyncio.timeout(PATIENCE):
            event, data = await anext(events)
        assert event == "next"
        change = json.loads(data)["data"]["changes"]
        assert (change["key"], change["version"], change["operation"]) == (
            "megvii",
            version,
            "UPDATED",
        )


async def test_a_server_sent_event_subscription_without_a_key_is_refused(
    servers: tuple[Server, Server],
) -> None:
    async with httpx.AsyncClient(base_url=servers[0].base, timeout=30) as client:
        response = await client.post(
            "/graphql", json={"query": CHANGES}, headers={"accept": "text/event-stream"}
        )
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_bad_cursor_over_server_sent_events_is_an_error_then_complete(
    servers: tuple[Server, Server], keys: Keys
) -> None:
    body = {"query": CHANGES, "variables": {"after": "nope"}}
    headers = {"accept": "text/event-stream", "authorization": f"Bearer {keys.read}"}
    async with (
        httpx.AsyncClient(base_url=servers[0].base, timeout=PATIENCE) as client,
        client.stream("POST", "/graphql", json=body, headers=headers) as response,
    ):
        got = [(event, data) async for event, data in _events(response)]
    assert [event for event, _ in got] == ["next", "complete"]
    assert json.loads(got[0][1])["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def _round(
    server: Server, keys: Keys, conn: asyncpg.Connection, status: str
) -> dict[str, Any]:
    pk = await conn.fetchval("SELECT id FROM organization WHERE slug = 'minimax'")
    given = {"organization": global_id("Organization", pk), "roundType": "SEED", "status": status}
    data = await gql(server, keys.write, ROUND_CREATE, {"input": given})
    payload: dict[str, Any] = data["fundingRoundCreate"]
    assert payload["userErrors"] == [], payload
    created: dict[str, Any] = payload["fundingRound"]
    return created


async def _update(
    server: Server, keys: Keys, made: dict[str, Any], **changes: Any
) -> dict[str, Any]:
    given = {"id": made["id"], "expectedVersion": made["version"], **changes}
    data = await gql(server, keys.write, ROUND_UPDATE, {"input": given})
    payload: dict[str, Any] = data["fundingRoundUpdate"]
    assert payload["userErrors"] == [], payload
    updated: dict[str, Any] = payload["fundingRound"]
    return updated


async def test_a_round_is_announced_once(
    servers: tuple[Server, Server], keys: Keys, conn: asyncpg.Connection
) -> None:
    writer, reader = servers
    start = await end_of_log(conn)
    async with opened(reader, keys.read) as socket:
        await socket.subscribe("rounds", ANNOUNCED, {"after": start})
        rumoured = await _round(writer, keys, conn, "RUMOURED")
        announced = await _update(writer, keys, rumoured, status="ANNOUNCED")
        # Neither a later edit nor closing it announces it again, nor going back and forth.
        edited = await _update(writer, keys, announced, description="edited after announcing")
        reopened = await _update(writer, keys, edited, status="RUMOURED")
        await _update(writer, keys, reopened, status="CLOSED")
        closed_at_once = await _round(writer, keys, conn, "CLOSED")
        first = (await socket.next("rounds"))["fundingRoundAnnounced"]
        second = (await socket.next("rounds"))["fundingRoundAnnounced"]
    assert first["fundingRound"]["id"] == rumoured["id"]
    # The round created closed was written after every change of the first: had any of them
    # announced it again, that announcement would have come before this one.
    assert second["fundingRound"]["id"] == closed_at_once["id"]
    assert second["fundingRound"]["status"] == "CLOSED"
    assert first["cursor"] != second["cursor"]


async def test_a_subscription_sent_as_a_plain_request_is_refused(
    servers: tuple[Server, Server], keys: Keys
) -> None:
    async with httpx.AsyncClient(base_url=servers[0].base, timeout=30) as client:
        response = await client.post(
            "/graphql",
            json={"query": CHANGES},
            headers={"authorization": f"Bearer {keys.read}"},
        )
    assert response.status_code == 200
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "text/event-stream" in error["message"]
