"""The FastAPI application: GraphQL at /graphql, health probes, one pool per worker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from service.config import Settings, get_settings
from service.db import migrate
from service.db.pool import create_pool
from service.db.server import resolve_database_url
from service.gateway.cors import add_cors
from service.gateway.endpoint import GraphQLGateway
from service.gateway.persisted import check_trusted_documents
from service.graphiql import GraphiQLRouter
from service.repository.session import LazyDb
from service.rest.api import rest_router
from service.rest.imports import router as import_router
from service.schema import build_schema
from service.schema.context import Context


def create_app(settings: Settings | None = None, database_url: str | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = database_url or resolve_database_url()
        app.state.database_url = url
        app.state.pool = await create_pool(
            url,
            min_size=settings.pool_min_size,
            max_size=settings.pool_max_size,
            statement_timeout_ms=settings.statement_timeout_ms,
        )
        try:
            yield
        finally:
            await app.state.pool.close()

    app = FastAPI(
        title="Stakegraph",
        description="Who invests in which AI start-ups, in which rounds, and with what.",
        lifespan=lifespan,
    )
    # Tests set this to a list to see every SQL statement a request runs.
    app.state.statement_log = None

    async def get_context(request: Request) -> AsyncIterator[Context]:
        db = LazyDb(request.app.state.pool, settings, request.app.state.statement_log)
        try:
            yield Context(db, settings)
        finally:
            await db.close()

    schema = build_schema(settings)
    check_trusted_documents(schema._schema, settings)
    router: GraphiQLRouter[Context, None] = GraphiQLRouter(
        schema,
        context_getter=get_context,
        graphql_ide="graphiql",
    )
    app.include_router(router, prefix="/graphql")
    app.include_router(import_router)
    app.include_router(rest_router(schema, settings))
    # Every GraphQL request over HTTP is answered by the gateway; GraphiQL's page and assets
    # are the router's.
    app.add_middleware(GraphQLGateway, schema=schema, settings=settings)
    # Outermost: preflights are answered before anything else runs.
    add_cors(app, settings)
    if router.offline:
        app.mount(router.static_path, router.static_files(), name="graphiql-static")

    @app.get("/healthz", include_in_schema=True)
    async def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        """The database answers and its schema is at the migrations' head."""
        try:
            async with request.app.state.pool.acquire() as conn:
                revision = await migrate.current_revision(conn)
        except Exception as exc:  # any failure to reach the database means not ready
            return JSONResponse({"status": "unavailable", "reason": str(exc)}, status_code=503)
        head = migrate.head_revision()
        if revision != head:
            return JSONResponse(
                {"status": "migrating", "revision": revision, "head": head}, status_code=503
            )
        return JSONResponse({"status": "ok", "revision": revision})

    return app
