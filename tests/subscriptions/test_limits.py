"""The per-process limit of subscriptions, over both transports together."""

from __future__ import annotations

import httpx

from tests.subscriptions.client import CHANGES, PATIENCE, opened
from tests.subscriptions.conftest import Keys, Server, start, stop, wait_until_ready

STREAM = {"accept": "text/event-stream"}


async def test_a_process_serves_at_most_its_limit_of_subscriptions(
    sub_url: str, keys: Keys
) -> None:
    server: Server = start(sub_url, subscriptions_per_process="1")
    headers = {**STREAM, "authorization": f"Bearer {keys.read}"}
    try:
        await wait_until_ready(server)
        async with (
            httpx.AsyncClient(base_url=server.base, timeout=PATIENCE) as client,
            client.stream("POST", "/graphql", json={"query": CHANGES}, headers=headers) as held,
        ):
            assert held.status_code == 200
            refused = await client.post("/graphql", json={"query": CHANGES}, headers=headers)
            assert refused.status_code == 503
            error = refused.json()["errors"][0]
            assert error["extensions"] == {"code": "TOO_MANY_SUBSCRIPTIONS", "limit": 1}
            async with opened(server, keys.read) as socket:
                await socket.subscribe("1", CHANGES, {})
                message = await socket.receive()
            assert message["type"] == "error"
            assert message["payload"][0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
    finally:
        stop(server)
