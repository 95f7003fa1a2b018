"""The GraphQL schema: built once per process from the domain modules."""

from __future__ import annotations

import strawberry
from strawberry.extensions import ParserCache, ValidationCache

from service.config import Settings, get_settings
from service.schema.analytics import AnalyticsQuery
from service.schema.errors import SafeErrors
from service.schema.limits import query_limits
from service.schema.mutations import Mutation
from service.schema.permissions import permissions
from service.schema.query import Query as ReadQuery
from service.schema.search import SearchQuery


@strawberry.type(description="Who invests in which AI start-ups, in which rounds, and with what.")
class Query(ReadQuery, SearchQuery, AnalyticsQuery):
    """The read API's entry points, plus search and the analytics."""


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    settings = settings or get_settings()
    limits = query_limits(
        max_depth=settings.max_query_depth,
        max_nodes=settings.max_query_nodes,
        default_page=settings.default_page_size,
        max_page=settings.max_page_size,
    )
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        extensions=[
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
            # Who may run the operation is decided first, then what it may cost.
            permissions(public_read=settings.reads_are_public),
            limits,
            SafeErrors,
        ],
    )
