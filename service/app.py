"""The FastAPI application: GraphQL at /graphql, health probes, one pool per worker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from service.auth.cache import KeyCache
from service.config import Settings, get_settings
from service.db.pool import create_pool
from service.db.server import resolve_database_url
from service.gateway.cors import add_cors
from service.gateway.endpoint import GraphQLGateway
from service.gateway.persisted import check_trusted_documents
from service.gateway.production import fastapi_options, graphiql_enabled
from service.gateway.throttle import Throttle
from service.graphiql import GraphiQLRouter
from service.observability.middleware import RequestObserver
from service.observability.readiness import readiness
from service.observability.routes import metrics_router
from service.repository.session import LazyDb
from service.rest.api import rest_router
from service.rest.imports import router as import_router
from service.schema import build_schema
from service.schema.context import Context
from service.subscriptions.asgi import SubscriptionGateway
from service.subscriptions.session import Subscriptions
from service.telemetry.logs import quiet_user_errors
from service.webhooks.runner import delivering


def create_app(settings: Settings | None = None, database_url: str | None = None) -> FastAPI:
    settings = settings or get_settings()
    quiet_user_errors()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = database_url or resolve_database_url()
        app.state.database_url = url
        app.state.pool = await create_pool(
            url,
            min_size=settings.pool_min_size,
            max_size=settings.pool_max_size,
            statement_timeout_ms=settings.statement_timeout_ms,
            connect_timeout_s=settings.connect_timeout_ms / 1000,
            max_waiting=settings.pool_max_waiting,
        )
        keys = KeyCache(url, settings.key_cache_seconds, settings.key_cache_entries)
        # A changed key's own quota is read again at once, like the key itself.
        keys.on_change.append(throttle.quotas.forget)
        app.state.keys = keys
        await keys.start()
        try:
            async with AsyncExitStack() as stack:
                if settings.webhook_deliverer == "in-process":
                    await stack.enter_async_context(delivering(url, settings))
                yield
        finally:
            await subscriptions.close()
            await keys.close()
            await app.state.pool.close()

    app = FastAPI(
        title="Stakegraph",
        description="Who invests in which AI start-ups, in which rounds, and with what.",
        lifespan=lifespan,
        **fastapi_options(settings),
    )
    # Routes that take their settings as a dependency get this app's, not the environment's.
    app.dependency_overrides[get_settings] = lambda: settings
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
    # One set of buckets for GraphQL, subscriptions, the REST reads and the bulk routes alike.
    throttle = Throttle(settings)
    app.state.throttle = throttle
    subscriptions = Subscriptions(schema, settings, throttle)
    router: GraphiQLRouter[Context, None] = GraphiQLRouter(
        schema,
        context_getter=get_context,
        graphql_ide="graphiql" if graphiql_enabled(settings) else None,
        # The subscription transports are service/subscriptions', in front of the router.
        subscription_protocols=(),
    )
    app.include_router(router, prefix="/graphql")
    app.include_router(import_router)
    app.include_router(rest_router(schema, settings))
    # Every GraphQL request over HTTP is answered by the gateway; GraphiQL's page and assets
    # are the router's.
    app.add_middleware(GraphQLGateway, schema=schema, settings=settings, throttle=throttle)
    # Subscriptions, over websockets and server-sent events, are served in front of it.
    app.add_middleware(SubscriptionGateway, subscriptions=subscriptions)
    app.include_router(metrics_router(settings))
    # The request id is known to everything that logs for the request.
    app.add_middleware(RequestObserver, settings=settings)
    # Outermost: preflights are answered before anything else runs.
    add_cors(app, settings)
    if router.offline and graphiql_enabled(settings):
        app.mount(router.static_path, router.static_files(), name="graphiql-static")

    @app.get("/healthz", include_in_schema=True)
    async def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        """The database answers and its schema is at the migrations' head."""
        return await readiness(request, settings)

    return app
