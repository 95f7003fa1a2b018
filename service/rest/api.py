"""The REST API under ``/api/v1``: the read and write routes of ``graphql/rest/``, the export, the
OpenAPI document and its reference page, as one router for the application to include."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

import strawberry
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from service.config import Settings
from service.rest import docs
from service.rest.execution import rest_gateway
from service.rest.export import EXPORT_PATH, export_handler
from service.rest.openapi import build_document
from service.rest.operations import load_operations
from service.rest.reads import route_handler
from service.rest.writes import write_handler


def _version() -> str:
    try:
        return version("stakegraph")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "0.0.0"


def rest_router(schema: strawberry.Schema, settings: Settings) -> APIRouter:
    graphql_schema = schema._schema
    operations = load_operations(graphql_schema)
    # Its own instance of the gateway (its own document and plan caches, sized as the other's),
    # so that these routes run the one GraphQL request path without reaching into the
    # middleware stack for the instance that serves /graphql.
    gateway = rest_gateway({"schema": schema, "settings": settings})
    document: dict[str, Any] = build_document(graphql_schema, operations, _version())
    router = APIRouter(tags=["rest"])
    for operation in operations:
        handler = (write_handler if operation.writes else route_handler)(
            graphql_schema, operation, gateway, settings
        )
        router.add_api_route(
            operation.path,
            handler,
            methods=[operation.method],
            name=operation.name,
            include_in_schema=False,
        )
    router.add_api_route(
        EXPORT_PATH, export_handler(settings), methods=["GET"], include_in_schema=False
    )

    async def openapi(request: Request) -> Response:
        return JSONResponse(document)

    async def reference(request: Request) -> Response:
        return docs.docs_page(document)

    async def static(request: Request) -> Response:
        return docs.static_file(request)

    router.add_api_route(docs.OPENAPI_PATH, openapi, methods=["GET"], include_in_schema=False)
    router.add_api_route(docs.DOCS_PATH, reference, methods=["GET"], include_in_schema=False)
    router.add_api_route(
        docs.STATIC_PATH + "/{name}", static, methods=["GET"], include_in_schema=False
    )
    return router
