"""The ``graphql-sse`` protocol's distinct-connections mode, for clients without websockets.

``POST /graphql`` (or ``/graphql/stream``) with ``Accept: text/event-stream`` and the usual
JSON body, or ``GET`` with the parameters in the query string: one subscription per request,
answered as server-sent events, ``event: next`` with each result and ``event: complete`` at
the end. A subscription refused before it starts is answered as JSON with its HTTP status, as
the protocol says (400, 401, 403, 429, 503), not as a stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from service.auth.keys import AuthError
from service.faults import UNAVAILABLE_ERRORS
from service.gateway import access
from service.gateway.body import decode_json, read_limited
from service.gateway.errors import SERVICE_UNAVAILABLE, Refusal, bad_request
from service.subscriptions.session import Prepared, StreamRefused, Subscriptions

EVENT_STREAM = "text/event-stream"
STREAM_PATH = "/graphql/stream"
PATHS = frozenset({"/graphql", "/graphql/", STREAM_PATH})
# A comment line this often keeps proxies from closing a quiet stream, and finds clients gone.
KEEPALIVE_S = 15.0


def wants_events(scope: Scope) -> bool:
    if scope["type"] != "http" or scope["path"] not in PATHS:
        return False
    accept = Request(scope).headers.get("accept", "")
    return EVENT_STREAM in accept.lower() or scope["path"] == STREAM_PATH


def _event(kind: str, data: dict[str, Any] | None) -> bytes:
    body = "" if data is None else json.dumps(data, ensure_ascii=False, default=str)
    return f"event: {kind}\ndata: {body}\n\n".encode()


async def _params(request: Request, settings: Any) -> Any:
    if request.method == "GET":
        params: dict[str, Any] = dict(request.query_params)
        for name in ("variables", "extensions"):
            if name in params:
                params[name] = decode_json(params[name].encode(), max_depth=settings.max_json_depth)
        return params
    if request.method != "POST":
        raise bad_request("Subscriptions over server-sent events are POST (or GET).", status=405)
    raw = await read_limited(
        request.stream(),
        limit=settings.max_body_bytes,
        declared_length=request.headers.get("content-length"),
    )
    return decode_json(raw, max_depth=settings.max_json_depth)


async def _events(
    subscriptions: Subscriptions, request: Request, prepared: Prepared, principal: Any
) -> AsyncIterator[bytes]:
    state = request.app.state
    results = subscriptions.run(prepared, state.pool, state.database_url, principal).__aiter__()
    try:
        while True:
            pending = asyncio.ensure_future(results.__anext__())
            while True:
                done, _ = await asyncio.wait({pending}, timeout=KEEPALIVE_S)
                if done:
                    break
                yield b":\n\n"
            try:
                result = pending.result()
            except StopAsyncIteration:
                break
            except StreamRefused as refused:
                yield _event("next", {"errors": refused.errors})
                break
            yield _event("next", result)
        yield _event("complete", None)
    finally:
        with contextlib.suppress(BaseException):
            await results.aclose()  # type: ignore[attr-defined]


async def _respond(subscriptions: Subscriptions, request: Request) -> tuple[Response, bool]:
    """The response, and whether it holds one of the process's subscriptions."""
    settings = subscriptions.settings
    state = request.app.state
    try:
        params = await _params(request, settings)
        try:
            authorization = access.authorization_header(request.headers)
            principal, keyed = await subscriptions.principal(state.pool, authorization)
        except AuthError as exc:
            raise Refusal(exc.code, exc.message, status=exc.http_status) from None
        prepared = await subscriptions.prepare(request.scope, state.pool, principal, keyed, params)
        subscriptions.reserve()
    except Refusal as refusal:
        refused = JSONResponse(
            {"errors": [refusal.error()]}, status_code=refusal.status, headers=refusal.headers
        )
        return refused, False
    except UNAVAILABLE_ERRORS:
        unavailable = Refusal(SERVICE_UNAVAILABLE, "The database is unavailable; retry shortly.")
        return JSONResponse({"errors": [unavailable.error()]}, status_code=503), False
    stream = StreamingResponse(
        _events(subscriptions, request, prepared, principal),
        media_type=EVENT_STREAM,
        headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
    )
    return stream, True


async def serve(subscriptions: Subscriptions, scope: Scope, receive: Receive, send: Send) -> None:
    response, reserved = await _respond(subscriptions, Request(scope, receive))
    try:
        await response(scope, receive, send)
    finally:
        # Released here, not by the stream: a client gone before it began never starts it.
        if reserved:
            subscriptions.release()
