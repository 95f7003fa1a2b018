"""Deliveries: signed as Standard Webhooks says, retried, never lost, in order per record,
dead-lettered and replayed, and one event per bulk import."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import asyncpg
import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from service.changes.cursor import Position, decode_cursor, encode_cursor
from service.db.pool import WRITE_SEARCH_PATH, create_pool
from service.ingest.bulk.importer import import_stream
from service.webhooks.deliverer import Deliverer
from service.webhooks.runner import delivering
from tests.webhooks.conftest import Receiver, eventually, settings
from tests.webhooks.support import describe, endpoint, organization, payload, states
from tests.writes.conftest import Client, make_client


def _verified(secret: str, received: Any) -> Any:
    return Webhook(secret).verify(received.body, received.headers)


async def _delivered(receiver: Receiver, count: int) -> bool:
    return len([r for r in receiver.seen()]) >= count


async def test_a_mutation_is_delivered_signed_by_the_server_process(
    hook_url: str, keys: dict[str, str], receiver: Receiver, conn: asyncpg.Connection
) -> None:
    """The app's own deliverer (the default) posts the change; the signature verifies with
    the standardwebhooks library, and `data` is the change as the feed lists it."""
    async for app in make_client(hook_url, settings(webhook_deliverer="in-process")):
        _, secret = await endpoint(app, keys["admin"], receiver.url, entityTypes=["Organization"])
        org, version = await organization(app, keys["write"], "hooked-co")

        async def one() -> bool:
            return await _delivered(receiver, 1)

        await eventually(one, "the change is delivered")
        (received,) = receiver.seen()
        event = _verified(secret, received)
        assert event["type"] == "Organization.CREATED"
        data = event["data"]
        assert (data["id"], data["key"], data["version"]) == (org, "hooked-co", version)
        assert received.headers["webhook-id"].startswith("msg_")
        assert received.headers["content-type"] == "application/json"
        with pytest.raises(WebhookVerificationError):
            Webhook("whsec_" + "A" * 32).verify(received.body, received.headers)
        # The feed's fields, valued as the feed values them (the feed itself may not list the
        # change yet: it waits for every older transaction on the server to end).
        position = decode_cursor(data["cursor"])
        audit = await conn.fetchrow(
            "SELECT a.txid, a.at, k.id AS key_id, k.prefix, k.name FROM audit_log a"
            " JOIN api_key k ON k.id = a.key_id WHERE a.id = $1",
            position.id,
        )
        assert audit is not None
        assert data == {
            "cursor": encode_cursor(Position(audit["txid"], position.id)),
            "entityType": "Organization",
            "id": org,
            "key": "hooked-co",
            "operation": "CREATED",
            "version": version,
            "recordedAt": audit["at"].astimezone(dt.UTC).isoformat(),
            "mergedInto": None,
            "madeBy": {"id": audit["key_id"], "prefix": audit["prefix"], "name": audit["name"]},
            "importId": None,
        }
        assert event["timestamp"] == data["recordedAt"]
        assert await states(conn) == ["delivered"]


async def test_a_receiver_failing_three_times_gets_the_event(
    hook_url: str, client: Client, keys: dict[str, str], receiver: Receiver,
    conn: asyncpg.Connection,
) -> None:  # fmt: skip
    receiver.script = [500, 503, 500]
    _, secret = await endpoint(client, keys["admin"], receiver.url)
    await organization(client, keys["write"], "flaky-co")
    async with delivering(hook_url, settings()):

        async def done() -> bool:
            return await states(conn) == ["delivered"]

        await eventually(done, "delivered after three failures")
    seen = receiver.seen()
    assert len(seen) == 4
    assert len({r.headers["webhook-id"] for r in seen}) == 1
    assert _verified(secret, seen[-1])["type"] == "Organization.CREATED"
    row = await conn.fetchrow("SELECT attempts, last_status FROM webhook_delivery")
    assert row is not None
    assert (row["attempts"], row["last_status"]) == (4, 200)


async def test_nothing_is_lost_when_the_deliverer_dies(
    hook_url: str, client: Client, keys: dict[str, str], receiver: Receiver,
    conn: asyncpg.Connection,
) -> None:  # fmt: skip
    """Written while no deliverer runs: the outbox keeps it. Claimed by a deliverer that dies
    before it sends: once the lease expires another one delivers it."""
    _, secret = await endpoint(client, keys["admin"], receiver.url)
    await organization(client, keys["write"], "restart-co")
    assert await states(conn) == ["pending"]
    pool = await create_pool(hook_url, min_size=1, max_size=1, search_path=WRITE_SEARCH_PATH)
    try:
        doomed = Deliverer(pool, settings(webhook_lease_ms=300))
        _, claimed = await doomed.claim(10)  # and never heard of again
        assert len(claimed) == 1
    finally:
        await pool.close()
    leased = await conn.fetchval("SELECT leased_until > now() FROM webhook_delivery")
    assert leased
    async with delivering(hook_url, settings()):

        async def done() -> bool:
            return await states(conn) == ["delivered"]

        await eventually(done, "delivered after the lease expired")
    (received,) = receiver.seen()
    assert _verified(secret, received)["data"]["key"] == "restart-co"
    assert await conn.fetchval("SELECT attempts FROM webhook_delivery") == 2


async def test_changes_to_one_record_arrive_in_order_despite_retries(
    hook_url: str, client: Client, keys: dict[str, str], receiver: Receiver,
    conn: asyncpg.Connection,
) -> None:  # fmt: skip
    """The first change fails twice; the second is not sent until the first got through."""
    receiver.script = [500, 500]
    _, secret = await endpoint(client, keys["admin"], receiver.url, entityTypes=["Organization"])
    org, version = await organization(client, keys["write"], "ordered-co")
    for n in range(3):
        version = await describe(client, keys["write"], org, version, f"take {n}")
    async with delivering(hook_url, settings(webhook_concurrency=10)):

        async def done() -> bool:
            return await states(conn) == ["delivered"] * 4

        await eventually(done, "all four delivered")
    events = [_verified(secret, r) for r in receiver.seen()]
    assert [e["data"]["version"] for e in events] == [1, 1, 1, 2, 3, 4]
    assert [e["type"] for e in events[2:]] == ["Organization.CREATED"] + [
        "Organization.UPDATED"
    ] * 3


async def test_dead_letters_are_listed_and_replayed_without_holding_back_later_changes(
    hook_url: str, client: Client, keys: dict[str, str], receiver: Receiver,
    conn: asyncpg.Connection,
) -> None:  # fmt: skip
    receiver.status = 500
    endpoint_id, secret = await endpoint(client, keys["admin"], receiver.url)
    org, version = await organization(client, keys["write"], "dead-co")
    fast = settings(webhook_max_attempts=3)
    async with delivering(hook_url, fast):

        async def dead() -> bool:
            return await states(conn) == ["dead"]

        await eventually(dead, "parked after three attempts")
        assert len(receiver.seen()) == 3
        # The policy: a dead letter does not hold back the record's later changes.
        receiver.status = 200
        await describe(client, keys["write"], org, version, "after the dead letter")

        async def later() -> bool:
            return await states(conn) == ["dead", "delivered"]

        await eventually(later, "the later change delivered past the dead letter")

        listed = await client.gql(
            """query($e: ID!) { webhookDeadLetters(endpoint: $e) {
                 id endpointId cursor attempts lastStatus lastError } }""",
            {"e": endpoint_id},
            key=keys["admin"],
        )
        (letter,) = listed["data"]["webhookDeadLetters"]
        assert (letter["endpointId"], letter["attempts"], letter["lastStatus"]) == (
            endpoint_id, 3, 500,
        )  # fmt: skip
        assert letter["lastError"].startswith("HTTP 500")
        rest = await client.http.get(
            f"/api/v1/webhooks/{endpoint_id}/dead-letters",
            headers={"Authorization": f"Bearer {keys['admin']}"},
        )
        assert rest.status_code == 200, rest.text
        assert [d["id"] for d in rest.json()] == [letter["id"]]

        replayed = await client.http.post(
            f"/api/v1/webhooks/{endpoint_id}/replay",
            json={"delivery": letter["id"]},
            headers={"Authorization": f"Bearer {keys['admin']}"},
        )
        assert replayed.status_code == 200, replayed.text
        assert replayed.json() == {"replayed": 1, "userErrors": []}

        async def redelivered() -> bool:
            return await states(conn) == ["delivered", "delivered"]

        await eventually(redelivered, "the replayed dead letter delivered")
    events = [_verified(secret, r) for r in receiver.seen() if r.headers]
    assert [e["data"]["version"] for e in events[-2:]] == [2, 1]


async def test_replaying_all_of_an_endpoints_dead_letters(
    hook_url: str, client: Client, keys: dict[str, str], receiver: Receiver,
    conn: asyncpg.Connection,
) -> None:  # fmt: skip
    receiver.status = 500
    endpoint_id, _ = await endpoint(client, keys["admin"], receiver.url)
    await organization(client, keys["write"], "dead-one")
    await organization(client, keys["write"], "dead-two")
    async with delivering(hook_url, settings(webhook_max_attempts=1)):

        async def dead() -> bool:
            return await states(conn) == ["dead", "dead"]

        await eventually(dead, "both parked")
        receiver.status = 200
        replay = await payload(
            client,
            """mutation($input: WebhookDeliveryReplayInput!) {
                 webhookDeliveryReplay(input: $input) { replayed userErrors { code } } }""",
            {"input": {"endpoint": endpoint_id}},
            keys["admin"],
        )
        assert replay["replayed"] == 2

        async def delivered() -> bool:
            return await states(conn) == ["delivered", "delivered"]

        await eventually(delivered, "both replayed")


async def test_a_bulk_import_is_one_event_citing_its_range_of_the_feed(
    hook_url: str, client: Client, keys: dict[str, str], receiver: Receiver,
    conn: asyncpg.Connection,
) -> None:  # fmt: skip
    _, secret = await endpoint(client, keys["admin"], receiver.url)
    lines = ['{"format":"stakegraph","type":"header","version":1}']
    lines += [
        f'{{"kinds":["STARTUP"],"name":"Bulk {n}","slug":"bulk-hook-{n}","type":"organization"}}'
        for n in range(25)
    ]
    lines.append('{"records":25,"type":"end"}')
    raw = ("\n".join(lines) + "\n").encode()

    async def chunks() -> Any:
        yield raw

    report = await import_stream(conn, chunks(), csv=False)
    assert report.ok, report.describe()
    assert await states(conn) == ["pending"]
    async with delivering(hook_url, settings()):

        async def done() -> bool:
            return await states(conn) == ["delivered"]

        await eventually(done, "the import's event delivered")
    (received,) = receiver.seen()
    event = _verified(secret, received)
    assert event["type"] == "import.committed"
    data = event["data"]
    assert data["importId"] == report.import_id
    first, last = decode_cursor(data["firstCursor"]), decode_cursor(data["lastCursor"])
    assert decode_cursor(data["after"]) == Position(first.txid, first.id - 1)
    rows = await conn.fetch(
        "SELECT id, txid, table_name, import_id FROM audit_log"
        " WHERE txid = $1 AND id BETWEEN $2 AND $3 ORDER BY id",
        first.txid,
        first.id,
        last.id,
    )
    assert len(rows) == data["changes"]
    assert (rows[0]["id"], rows[-1]["id"]) == (first.id, last.id)
    assert {r["import_id"] for r in rows} == {report.import_id}
    names = {"organization": "Organization", "organization_name": "OrganizationName"}
    counts: dict[str, int] = {}
    for row in rows:
        name = names[row["table_name"]]
        counts[name] = counts.get(name, 0) + 1
    assert data["counts"] == counts
    assert counts["Organization"] == 25


async def test_an_endpoint_gets_only_the_types_and_operations_it_asks_for(
    hook_url: str, client: Client, keys: dict[str, str], receiver: Receiver,
    conn: asyncpg.Connection,
) -> None:  # fmt: skip
    await endpoint(client, keys["admin"], receiver.url, operations=["UPDATED"])
    await endpoint(client, keys["admin"], receiver.url, entityTypes=["FundingRound"])
    org, version = await organization(client, keys["write"], "filtered-co")
    await describe(client, keys["write"], org, version, "updated")
    # The second endpoint's filter keeps both out of its outbox; the first's keeps the
    # creation out and the update in.
    assert await states(conn) == ["pending"]
    async with delivering(hook_url, settings()):

        async def done() -> bool:
            return await states(conn) == ["delivered"]

        await eventually(done, "the update delivered")
    assert [r.json()["type"] for r in receiver.seen()] == ["Organization.UPDATED"]


async def test_a_rotated_secret_signs_beside_the_old_one_for_the_overlap(
    hook_url: str, client: Client, keys: dict[str, str], receiver: Receiver,
    conn: asyncpg.Connection,
) -> None:  # fmt: skip
    endpoint_id, old = await endpoint(client, keys["admin"], receiver.url)
    rotated = await payload(
        client,
        """mutation($input: WebhookEndpointIdInput!) {
             webhookEndpointRotateSecret(input: $input) { secret userErrors { code } } }""",
        {"input": {"id": endpoint_id}},
        keys["admin"],
    )
    new = rotated["secret"]
    assert new != old
    await organization(client, keys["write"], "rotated-co")
    async with delivering(hook_url, settings()):

        async def done() -> bool:
            return await _delivered(receiver, 1)

        await eventually(done, "delivered")
    (received,) = receiver.seen()
    assert len(received.headers["webhook-signature"].split(" ")) == 2
    assert _verified(new, received) == _verified(old, received)


async def test_the_worker_command_delivers(
    hook_url: str, client: Client, keys: dict[str, str], receiver: Receiver,
    conn: asyncpg.Connection, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """`stakegraph worker` for deployments whose servers do not deliver."""
    from service.cli import main
    from service.config import get_settings

    _, secret = await endpoint(client, keys["admin"], receiver.url)
    await organization(client, keys["write"], "worker-co")
    monkeypatch.setenv("STAKEGRAPH_DATABASE_URL", hook_url)
    monkeypatch.setenv("STAKEGRAPH_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1")
    get_settings.cache_clear()
    try:
        assert await asyncio.to_thread(main, ["worker", "--once"]) == 0
    finally:
        get_settings.cache_clear()
    assert await states(conn) == ["delivered"]
    (received,) = receiver.seen()
    assert _verified(secret, received)["data"]["key"] == "worker-co"


async def test_delivered_rows_are_pruned_and_dead_letters_kept(
    hook_url: str, client: Client, keys: dict[str, str], receiver: Receiver,
    conn: asyncpg.Connection,
) -> None:  # fmt: skip
    receiver.script = [500]
    await endpoint(client, keys["admin"], receiver.url)
    await organization(client, keys["write"], "kept-co")
    await organization(client, keys["write"], "pruned-co")
    async with delivering(hook_url, settings(webhook_max_attempts=1)):

        async def done() -> bool:
            # Two records: sent side by side, either may meet the failure.
            return sorted(await states(conn)) == ["dead", "delivered"]

        await eventually(done, "one parked, one delivered")
    pool = await create_pool(hook_url, min_size=1, max_size=1, search_path=WRITE_SEARCH_PATH)
    try:
        async with pool.acquire() as held:
            kept = Deliverer(pool, settings(webhook_keep_delivered_s=3_600))
            assert await kept.prune(held) == 0
            assert await Deliverer(pool, settings(webhook_keep_delivered_s=0)).prune(held) == 1
    finally:
        await pool.close()
    assert await states(conn) == ["dead"]
