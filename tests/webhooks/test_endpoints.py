"""Registering webhook endpoints over GraphQL and REST: admin keys only, URLs checked, the
secret shown on creation and rotation only."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from tests.webhooks.conftest import Receiver
from tests.webhooks.support import CREATE, endpoint, payload
from tests.writes.conftest import Client

LIST = """{ webhookEndpoints { id url entityTypes operations enabled description
  pendingDeliveries deadLetters } }"""


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def test_an_admin_manages_endpoints_over_graphql(
    client: Client, keys: dict[str, str], receiver: Receiver, conn: asyncpg.Connection
) -> None:
    made = await payload(
        client,
        CREATE,
        {
            "input": {
                "url": receiver.url,
                "entityTypes": ["Organization", "FundingRound"],
                "operations": ["CREATED", "RETIRED"],
            }
        },
        keys["admin"],
    )
    hook = made["webhookEndpoint"]
    assert made["secret"].startswith("whsec_")
    assert (hook["url"], hook["entityTypes"], hook["operations"], hook["enabled"]) == (
        receiver.url, ["FundingRound", "Organization"], ["CREATED", "RETIRED"], True,
    )  # fmt: skip
    listed = await client.gql(LIST, key=keys["admin"])
    assert [e["id"] for e in listed["data"]["webhookEndpoints"]] == [hook["id"]]
    assert "secret" not in listed["data"]["webhookEndpoints"][0]

    updated = await payload(
        client,
        """mutation($input: WebhookEndpointUpdateInput!) { webhookEndpointUpdate(input: $input) {
             webhookEndpoint { entityTypes operations enabled description }
             userErrors { code } } }""",
        {"input": {"id": hook["id"], "enabled": False, "entityTypes": None,
                   "description": "paused"}},
        keys["admin"],
    )  # fmt: skip
    assert updated["webhookEndpoint"] == {
        "entityTypes": None, "operations": ["CREATED", "RETIRED"], "enabled": False,
        "description": "paused",
    }  # fmt: skip

    deleted = await payload(
        client,
        """mutation($input: WebhookEndpointIdInput!) { webhookEndpointDelete(input: $input) {
             deletedId userErrors { code } } }""",
        {"input": {"id": hook["id"]}},
        keys["admin"],
    )
    assert deleted["deletedId"] == hook["id"]
    assert (await client.gql(LIST, key=keys["admin"]))["data"]["webhookEndpoints"] == []


async def test_a_disabled_endpoint_queues_nothing(
    client: Client, keys: dict[str, str], receiver: Receiver, conn: asyncpg.Connection
) -> None:
    await endpoint(client, keys["admin"], receiver.url, enabled=False)
    await payload(
        client,
        """mutation($input: OrganizationCreateInput!) {
             organizationCreate(input: $input) { userErrors { code } } }""",
        {"input": {"slug": "unheard-co", "name": "Unheard", "kinds": ["STARTUP"]}},
        keys["write"],
    )
    assert await conn.fetchval("SELECT count(*) FROM webhook_delivery") == 0


async def test_an_admin_manages_endpoints_over_rest(
    client: Client, keys: dict[str, str], receiver: Receiver, conn: asyncpg.Connection
) -> None:
    admin = _bearer(keys["admin"])
    created = await client.http.post(
        "/api/v1/webhooks", json={"url": receiver.url, "entityTypes": ["Person"]}, headers=admin
    )
    assert created.status_code == 200, created.text
    body = created.json()
    hook_id = body["webhookEndpoint"]["id"]
    assert body["secret"].startswith("whsec_")
    assert body["userErrors"] == []

    listed = await client.http.get("/api/v1/webhooks", headers=admin)
    assert listed.status_code == 200
    graphql = await client.gql(
        (
            "query RestWebhookEndpoints { webhookEndpoints { id url entityTypes operations "
            "enabled description createdAt updatedAt pendingDeliveries deadLetters } }"
        ),
        key=keys["admin"],
    )
    assert listed.json() == graphql["data"]["webhookEndpoints"]

    patched = await client.http.patch(
        f"/api/v1/webhooks/{hook_id}", json={"enabled": False}, headers=admin
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["webhookEndpoint"]["enabled"] is False

    rotated = await client.http.post(f"/api/v1/webhooks/{hook_id}/rotate-secret", headers=admin)
    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["secret"] not in (None, body["secret"])

    clash = await client.http.patch(
        f"/api/v1/webhooks/{hook_id}", json={"id": "V2ViaG9va0VuZHBvaW50Ojk5"}, headers=admin
    )
    assert clash.status_code == 400
    unknown = await client.http.patch(
        f"/api/v1/webhooks/{hook_id}", json={"colour": "red"}, headers=admin
    )
    assert unknown.status_code == 400
    assert "colour" in unknown.json()["detail"]
    not_json = await client.http.post(
        "/api/v1/webhooks", content=b"[1, 2]", headers={**admin, "content-type": "application/json"}
    )
    assert not_json.status_code == 400

    deleted = await client.http.delete(f"/api/v1/webhooks/{hook_id}", headers=admin)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json() == {"deletedId": hook_id, "userErrors": []}
    gone = await client.http.delete(f"/api/v1/webhooks/{hook_id}", headers=admin)
    assert gone.status_code == 404
    assert gone.headers["content-type"] == "application/problem+json"
    assert gone.json()["userErrors"][0]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://10.1.2.3/hook", "private"),
        ("http://192.168.0.10/hook", "private"),
        ("http://[fd12::1]/hook", "private"),
        ("http://[::1]/hook", "loopback"),
        ("http://127.0.0.2/hook", "loopback"),
        ("http://169.254.169.254/latest", "link-local"),
        ("http://[fe80::1]/hook", "link-local"),
        ("http://0.0.0.0/hook", "unspecified"),
        ("http://[::ffff:10.0.0.1]/hook", "private"),
        ("ftp://example.com/hook", "http or https"),
        ("not a url", "http or https"),
        ("http:///hook", "no host"),
        ("http://user:pw@8.8.8.8/hook", "user name"),
        ("http://no-such-host.invalid/hook", "does not resolve"),
    ],
)
async def test_urls_that_are_not_public_are_refused(
    client: Client, keys: dict[str, str], conn: asyncpg.Connection, url: str, reason: str
) -> None:
    body = await client.gql(CREATE, {"input": {"url": url}}, key=keys["admin"])
    made = body["data"]["webhookEndpointCreate"]
    assert made["webhookEndpoint"] is None
    assert made["secret"] is None
    (error,) = made["userErrors"]
    assert (error["field"], error["code"]) == ("url", "INVALID")
    assert reason in error["message"]
    assert await conn.fetchval("SELECT count(*) FROM webhook_endpoint") == 0


async def test_a_refused_url_over_rest_is_a_problem(
    client: Client, keys: dict[str, str], conn: asyncpg.Connection
) -> None:
    response = await client.http.post(
        "/api/v1/webhooks", json={"url": "http://10.0.0.1/"}, headers=_bearer(keys["admin"])
    )
    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == "BAD_USER_INPUT"
    assert "private address" in problem["detail"]
    assert problem["userErrors"][0]["field"] == "url"


async def test_unknown_entity_types_are_refused(
    client: Client, keys: dict[str, str], receiver: Receiver, conn: asyncpg.Connection
) -> None:
    body = await client.gql(
        CREATE, {"input": {"url": receiver.url, "entityTypes": ["Unicorn"]}}, key=keys["admin"]
    )
    (error,) = body["data"]["webhookEndpointCreate"]["userErrors"]
    assert error["field"] == "entityTypes"
    assert "Unicorn" in error["message"]


@pytest.mark.parametrize("scope", ["read", "write", None])
async def test_only_admin_keys_manage_webhooks(
    client: Client, keys: dict[str, str], receiver: Receiver, conn: asyncpg.Connection,
    scope: str | None,
) -> None:  # fmt: skip
    key = keys[scope] if scope is not None else None
    expected = "FORBIDDEN" if scope is not None else "UNAUTHENTICATED"
    headers: dict[str, Any] = _bearer(key) if key is not None else {}
    create = await client.post(CREATE, {"input": {"url": receiver.url}}, key=key)
    assert create.json()["errors"][0]["extensions"]["code"] == expected
    listing = await client.post(LIST, key=key)
    assert listing.json()["errors"][0]["extensions"]["code"] == expected
    rest_create = await client.http.post(
        "/api/v1/webhooks", json={"url": receiver.url}, headers=headers
    )
    assert rest_create.status_code == (403 if scope is not None else 401)
    rest_list = await client.http.get("/api/v1/webhooks", headers=headers)
    assert rest_list.status_code == (403 if scope is not None else 401)
    assert await conn.fetchval("SELECT count(*) FROM webhook_endpoint") == 0
