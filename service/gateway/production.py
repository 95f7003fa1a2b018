"""What production mode (``STAKEGRAPH_ENV=production``) hides unless switched back on: the
GraphiQL page, FastAPI's documentation pages, introspection and "did you mean" suggestions."""

from __future__ import annotations

from typing import Any

from service.config import Settings


def fastapi_options(settings: Settings) -> dict[str, Any]:
    if settings.enabled(settings.docs_pages):
        return {}
    return {"docs_url": None, "redoc_url": None, "openapi_url": None}


def graphiql_enabled(settings: Settings) -> bool:
    return settings.enabled(settings.graphiql)


def introspection_enabled(settings: Settings) -> bool:
    return settings.enabled(settings.introspection)


def suggestions_enabled(settings: Settings) -> bool:
    return settings.enabled(settings.field_suggestions)
