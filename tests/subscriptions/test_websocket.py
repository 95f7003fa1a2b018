"""Subscriptions over graphql-transport-ws, served by two processes on one database."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from websockets.exceptions import ConnectionClosed

from service.changes.cursor import Position, encode_cursor
from tests.api.support import global_id
from tests.subscriptions.client import CHANGES, gql, opened
from tests.subscriptions.conftest import Keys, Server

DESCRIBE = """mutation($input: OrganizationUpdateInput!) {
  organizationUpdate(input: $input) { organization { version } userErrors { code message } }
}"""


async def end_of_log(conn: asyncpg.Connection) -> str:
    """A cursor after every audit row written so far."""
    row = await conn.fetchrow("SELECT txid, id FROM audit_log ORDER BY txid DESC, id DESC LIMIT 1")
    assert row is not None
    return encode_cursor(Position(row["txid"], row["id"]))


async def describe(
    server: Server, keys: Keys, conn: asyncpg.Connection, slug: str, text: str
) -> int:
    """Updates an organization's description through ``server``; returns its new version."""
    row = await conn.fetchrow("SELECT id, version FROM organization WHERE slug = $1", slug)
    assert row is not None
    given = {"id": global_id("Organization", row["id"]), "expectedVersion": row["version"]}
    data = await gql(server, keys.write, DESCRIBE, {"input": {**given, "description": text}})
    payload: dict[str, Any] = data["organizationUpdate"]
    assert payload["userErrors"] == [], payload
    version: int = payload["organization"]["version"]
    return version


def _code(closed: ConnectionClosed) -> int | None:
    """The close code the server sent."""
    return None if closed.rcvd is None else closed.rcvd.code


async def test_a_mutation_through_one_server_reaches_a_subscriber_of_the_other(
    servers: tuple[Server, Server], keys: Keys, conn: asyncpg.Connection
) -> None:
    writer, reader = servers
    start = await end_of_log(conn)
    async with opened(reader, keys.read) as socket:
        await socket.subscribe("1", CHANGES, {"after": start, "types": ["Organization"]})
        version = await describe(writer, keys, conn, "moonshot-ai", "told across servers")
        change = (await socket.next("1"))["changes"]
        assert (change["entityType"], change["key"], change["operation"], change["version"]) == (
            "Organization",
            "moonshot-ai",
            "UPDATED",
            version,
        )


async def test_resuming_from_a_cursor_gets_exactly_the_missed_changes(
    servers: tuple[Server, Server], keys: Keys, conn: asyncpg.Connection
) -> None:
    writer, reader = servers
    start = await end_of_log(conn)
    async with opened(reader, keys.read) as socket:
        await socket.subscribe("feed", CHANGES, {"after": start, "types": ["Organization"]})
        await describe(writer, keys, conn, "alibaba", "seen live")
        seen = (await socket.next("feed"))["changes"]
        assert seen["key"] == "alibaba"
    # Disconnected: these happen while nobody listens.
    missed = [await describe(writer, keys, conn, slug, "missed") for slug in ("minimax", "megvii")]
    async with opened(writer, keys.read) as socket:
        await socket.subscribe(
            "again", CHANGES, {"after": seen["cursor"], "types": ["Organization"]}
        )
        got = [(await socket.next("again"))["changes"] for _ in missed]
        assert [(c["key"], c["version"]) for c in got] == list(
            zip(("minimax", "megvii"), missed, strict=True)
        )
        # Nothing else was waiting: the next change delivered is one made after these.
        later = await describe(writer, keys, conn, "bytedance", "after the resumption")
        after = (await socket.next("again"))["changes"]
        assert (after["key"], after["version"]) == ("bytedance", later)


async def test_without_a_key_the_connection_is_refused_when_reads_are_not_public(
    servers: tuple[Server, Server],
) -> None:
    async with opened(servers[0], None, init=False) as socket:
        await socket.send({"type": "connection_init", "payload": {}})
        with pytest.raises(ConnectionClosed) as closed:
            await socket.receive()
    assert _code(closed.value) == 4403


async def test_a_bad_key_is_refused(servers: tuple[Server, Server]) -> None:
    async with opened(servers[0], None, init=False) as socket:
        await socket.send(
            {"type": "connection_init", "payload": {"Authorization": "Bearer sg_00000000_nope"}}
        )
        with pytest.raises(ConnectionClosed) as closed:
            await socket.receive()
    assert _code(closed.value) == 4403


async def test_subscribing_before_the_acknowledgement_closes_with_4401(
    servers: tuple[Server, Server],
) -> None:
    async with opened(servers[0], None, init=False) as socket:
        await socket.subscribe("1", CHANGES, {})
        with pytest.raises(ConnectionClosed) as closed:
            await socket.receive()
    assert _code(closed.value) == 4401


async def test_a_bad_cursor_and_queries_are_refused_with_coded_errors(
    servers: tuple[Server, Server], keys: Keys
) -> None:
    async with opened(servers[0], keys.read) as socket:
        await socket.subscribe("cursor", CHANGES, {"after": "not-a-cursor"})
        refused = await socket.receive()
        assert (refused["id"], refused["type"]) == ("cursor", "error"), refused
        assert refused["payload"][0]["extensions"]["code"] == "BAD_USER_INPUT", refused
        await socket.subscribe("query", "{ organizations(first: 1) { nodes { slug } } }", {})
        refused = await socket.receive()
        assert refused == {"id": "query", "type": "error", "payload": refused["payload"]}
        assert refused["payload"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_a_connection_holds_at_most_its_limit_of_subscriptions(
    servers: tuple[Server, Server], keys: Keys, conn: asyncpg.Connection
) -> None:
    start = await end_of_log(conn)
    async with opened(servers[0], keys.read) as socket:
        for n in range(3):  # STAKEGRAPH_SUBSCRIPTIONS_PER_CONNECTION
            await socket.subscribe(str(n), CHANGES, {"after": start})
        await socket.subscribe("over", CHANGES, {"after": start})
        refused = await socket.receive()
        assert (refused["id"], refused["type"]) == ("over", "error"), refused
        assert refused["payload"][0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
        # Completing one makes room again.
        await socket.send({"id": "0", "type": "complete"})
        await socket.subscribe("room", CHANGES, {"after": start})
        await describe(servers[1], keys, conn, "alibaba", "to the room")
        assert (await socket.next("room"))["changes"]["key"] == "alibaba"


async def test_a_lost_listen_connection_is_opened_again(
    servers: tuple[Server, Server], keys: Keys, conn: asyncpg.Connection
) -> None:
    writer, reader = servers
    start = await end_of_log(conn)
    async with opened(reader, keys.read) as socket:
        await socket.subscribe("1", CHANGES, {"after": start, "types": ["Organization"]})
        await describe(writer, keys, conn, "minimax", "before the loss")
        assert (await socket.next("1"))["changes"]["key"] == "minimax"
        ended = await conn.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = 'stakegraph-listen' AND datname = current_database()"
        )
        assert ended >= 1
        version = await describe(writer, keys, conn, "megvii", "after the loss")
        change = (await socket.next("1"))["changes"]
        assert (change["key"], change["version"]) == ("megvii", version)


async def test_a_malformed_message_closes_with_4400(
    servers: tuple[Server, Server], keys: Keys
) -> None:
    for bad in ("not json", "[1]", '{"type": 3}', b"\x00binary"):
        async with opened(servers[0], keys.read) as socket:
            await socket.ws.send(bad)
            with pytest.raises(ConnectionClosed) as closed:
                await socket.receive()
        assert _code(closed.value) == 4400, bad
