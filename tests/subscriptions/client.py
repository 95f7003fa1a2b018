"""A graphql-transport-ws client over the websockets package, and writes over HTTP."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from tests.subscriptions.conftest import Server

# How long a test waits for an expected message before it fails. The feed lists a change only
# once every older transaction of the cluster has ended (other databases' too), so a busy
# machine can hold it back for a while.
PATIENCE = 300.0

CHANGES = """subscription($after: String, $types: [String!]) {
  changes(after: $after, types: $types) { cursor entityType id key operation version }
}"""

ANNOUNCED = """subscription($after: String) {
  fundingRoundAnnounced(after: $after) {
    cursor recordedAt fundingRound { id status description }
  }
}"""


class Socket:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message))

    async def receive(self) -> dict[str, Any]:
        """The next message that is not a ping (answered on the way)."""
        while True:
            message: dict[str, Any] = json.loads(await _recv(self.ws))
            if message["type"] == "ping":
                await self.send({"type": "pong"})
                continue
            return message

    async def subscribe(self, operation_id: str, query: str, variables: dict[str, Any]) -> None:
        payload = {"query": query, "variables": variables}
        await self.send({"id": operation_id, "type": "subscribe", "payload": payload})

    async def next(self, operation_id: str) -> dict[str, Any]:
        """The next result of ``operation_id`` (messages of other operations are skipped)."""
        while True:
            message = await self.receive()
            if message.get("id") != operation_id:
                continue
            assert message["type"] == "next", message
            payload: dict[str, Any] = message["payload"]
            assert "errors" not in payload, payload
            data: dict[str, Any] = payload["data"]
            return data


async def _recv(ws: ClientConnection) -> str:
    async with asyncio.timeout(PATIENCE):
        raw = await ws.recv()
    return raw if isinstance(raw, str) else raw.decode()


@asynccontextmanager
async def opened(server: Server, key: str | None, *, init: bool = True) -> AsyncIterator[Socket]:
    async with connect(server.ws, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        socket = Socket(ws)
        if init:
            payload = {"Authorization": f"Bearer {key}"} if key is not None else {}
            await socket.send({"type": "connection_init", "payload": payload})
            ack = await socket.receive()
            assert ack["type"] == "connection_ack", ack
        yield socket


async def gql(server: Server, key: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=server.base, timeout=60) as client:
        response = await client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {key}"},
        )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data
