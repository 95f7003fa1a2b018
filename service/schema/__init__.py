"""The GraphQL schema: built once per process from the domain modules."""

from __future__ import annotations

import strawberry

from service.config import Settings
from service.schema.analytics import AnalyticsQuery
from service.schema.errors import SafeErrors
from service.schema.mutation_fields import Mutation as EntityMutation
from service.schema.prepared import PreparedDocument
from service.schema.query import Query as ReadQuery
from service.schema.search import SearchQuery
from service.schema.subscriptions import Subscription
from service.schema.webhooks import WebhookMutation, WebhookQuery


@strawberry.type(description="Who invests in which AI start-ups, in which rounds, and with what.")
class Query(ReadQuery, SearchQuery, AnalyticsQuery, WebhookQuery):
    """The read API's entry points, plus search, the analytics and webhook management."""


# Every entity's create, update and retire, merges and keys (generated), and webhooks.
Mutation = strawberry.type(
    type("Mutation", (EntityMutation, WebhookMutation), {"__module__": __name__}),
    description="Changes to the graph. Every mutation needs an API key with the `write` "
    "scope (key and webhook management: `admin`); each runs in one transaction and writes "
    "nothing when it returns `userErrors`.",
)


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    """The schema. Who may run an operation, its limits and its transaction are the gateway's
    (service/gateway), decided before strawberry executes what the gateway prepared."""
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=[PreparedDocument, SafeErrors],
    )
