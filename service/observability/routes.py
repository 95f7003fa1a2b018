"""``GET /metrics``: the Prometheus exposition. Public outside production; in production it
needs an ``admin`` API key unless ``STAKEGRAPH_PUBLIC_METRICS`` says otherwise."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from service.auth.keys import AuthError, authenticate, bearer_token, require
from service.config import Settings
from service.domain import Scope
from service.faults import UNAVAILABLE_ERRORS
from service.telemetry.metrics import exposition


def metrics_router(settings: Settings) -> APIRouter:
    router = APIRouter()
    public = (
        settings.public_metrics
        if settings.public_metrics is not None
        else not (settings.production)
    )

    @router.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        if not public:
            refused = await _refusal(request, settings)
            if refused is not None:
                return refused
        body, content_type = exposition()
        return Response(body, media_type=content_type)

    return router


async def _refusal(request: Request, settings: Settings) -> Response | None:
    try:
        token = bearer_token(request.headers.get("authorization"))
        timeout = settings.pool_acquire_timeout_ms / 1000
        async with request.app.state.pool.acquire(timeout=timeout) as conn:
            principal = await authenticate(conn, token)
        require(principal, Scope.ADMIN, "Reading the metrics")
    except AuthError as exc:
        return JSONResponse(
            {"error": {"code": exc.code, "message": exc.message}}, status_code=exc.http_status
        )
    except UNAVAILABLE_ERRORS:
        return JSONResponse(
            {"error": {"code": "SERVICE_UNAVAILABLE", "message": "The database is unavailable."}},
            status_code=503,
            headers={"retry-after": "1"},
        )
    return None
