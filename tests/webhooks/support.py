"""GraphQL documents and helpers the webhook tests share."""

from __future__ import annotations

from typing import Any

import asyncpg

from tests.writes.conftest import Client

CREATE = """mutation($input: WebhookEndpointCreateInput!) {
  webhookEndpointCreate(input: $input) {
    webhookEndpoint { id url entityTypes operations enabled pendingDeliveries deadLetters }
    secret
    userErrors { field code message }
  }
}"""

ORG_CREATE = """mutation($input: OrganizationCreateInput!) {
  organizationCreate(input: $input) { organization { id version } userErrors { code message } }
}"""

ORG_UPDATE = """mutation($input: OrganizationUpdateInput!) {
  organizationUpdate(input: $input) { organization { id version } userErrors { code message } }
}"""


async def payload(client: Client, document: str, variables: dict[str, Any], key: str) -> Any:
    body = await client.gql(document, variables, key=key)
    assert "errors" not in body, body
    (value,) = body["data"].values()
    assert value.get("userErrors", []) == [], value
    return value


async def endpoint(client: Client, key: str, url: str, **fields: Any) -> tuple[str, str]:
    """Registers an endpoint; (its ID, its secret)."""
    made = await payload(client, CREATE, {"input": {"url": url, **fields}}, key)
    return made["webhookEndpoint"]["id"], made["secret"]


async def organization(client: Client, key: str, slug: str) -> tuple[str, int]:
    made = await payload(
        client,
        ORG_CREATE,
        {"input": {"slug": slug, "name": slug.title(), "kinds": ["STARTUP"]}},
        key,
    )
    return made["organization"]["id"], made["organization"]["version"]


async def describe(client: Client, key: str, org: str, version: int, text: str) -> int:
    made = await payload(
        client,
        ORG_UPDATE,
        {"input": {"id": org, "expectedVersion": version, "description": text}},
        key,
    )
    version_after: int = made["organization"]["version"]
    return version_after


async def states(conn: asyncpg.Connection) -> list[str]:
    rows = await conn.fetch("SELECT state FROM webhook_delivery ORDER BY id")
    return [r["state"] for r in rows]
