"""Every HTTP request: its ``X-Request-Id`` (the client's, when it is a sensible token, else a
new one; returned either way), one JSON log line when it ends, and the request metrics.

A pure ASGI wrapper, outermost, so the id is known to everything that logs for the request.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.config import Settings
from service.telemetry import metrics
from service.telemetry.context import CURRENT, RequestInfo
from service.telemetry.tracing import span_attributes, tracer_for

log = logging.getLogger("stakegraph.requests")
slow_log = logging.getLogger("stakegraph.slow")

HEADER = b"x-request-id"
_ACCEPTED = re.compile(rb"^[A-Za-z0-9._:-]{1,128}$")


def _incoming_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == HEADER and _ACCEPTED.match(value):
            return str(value, "ascii")
    return uuid.uuid4().hex


class RequestObserver:
    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.slow_s = settings.slow_operation_ms / 1000
        self.tracer = tracer_for(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        info = RequestInfo(_incoming_id(scope), scope["method"], scope["path"])
        token = CURRENT.set(info)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k != HEADER]
                headers.append((HEADER, info.request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        span_scope = (
            self.tracer.start_as_current_span(f"{info.method} {info.path}")
            if self.tracer is not None
            else contextlib.nullcontext()
        )
        with span_scope as span:
            try:
                await self.app(scope, receive, send_with_id)
            except Exception:
                log.exception("request failed")
                raise
            finally:
                fields = self._record(info, status, time.perf_counter() - started)
                if span is not None:
                    span.set_attributes(span_attributes({**fields, "request_id": info.request_id}))
                CURRENT.reset(token)

    def _record(self, info: RequestInfo, status: int, seconds: float) -> dict[str, object]:
        fields: dict[str, object] = {
            "method": info.method,
            "path": info.path,
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
        }
        if info.graphql:
            operation = metrics.operation_label(info.operation)
            executor = info.executor or "none"
            outcome = info.outcome or ("ok" if status < 400 else "refused")
            metrics.REQUESTS.labels(operation, executor, outcome).inc()
            metrics.LATENCY.labels(operation, executor).observe(seconds)
            fields.update(
                operation=info.operation,
                operation_type=info.operation_type,
                executor=executor,
                outcome=outcome,
                code=info.code,
                cost_requested=info.cost_requested,
                cost_actual=info.cost_actual,
            )
        log.info("%s %s %s", info.method, info.path, status, extra={"fields": fields})
        if info.graphql and seconds >= self.slow_s:
            slow_log.warning(
                "slow operation %s took %.0f ms",
                info.operation or "(anonymous)",
                seconds * 1000,
                extra={"fields": {**fields, "slow": True}},
            )
        return fields
