"""How the gateway's refusals and faults are recorded: the request's outcome for its log line
and metrics, and unexpected errors logged in full but answered with only a request id."""

from __future__ import annotations

import logging

from service.gateway.errors import (
    INTERNAL_SERVER_ERROR,
    SERVICE_UNAVAILABLE,
    THROTTLED,
    TIMEOUT,
    Refusal,
)
from service.telemetry import metrics
from service.telemetry.context import note, request_id

log = logging.getLogger(__name__)

_OUTCOMES = {
    THROTTLED: "throttled",
    TIMEOUT: "timeout",
    SERVICE_UNAVAILABLE: "unavailable",
    INTERNAL_SERVER_ERROR: "internal",
}


def refusal_outcome(refusal: Refusal) -> None:
    note(outcome=_OUTCOMES.get(refusal.code, "refused"), code=refusal.code)
    if refusal.code == SERVICE_UNAVAILABLE:
        metrics.UNAVAILABLE.labels(reason="database").inc()


def timed_out(kind: str) -> None:
    metrics.STATEMENT_TIMEOUTS.labels(kind=kind).inc()
    note(outcome="timeout", code=TIMEOUT)


def unexpected(exc: BaseException) -> Refusal:
    rid = request_id()
    log.error("unexpected error answering a GraphQL request", exc_info=exc)
    note(outcome="internal", code=INTERNAL_SERVER_ERROR)
    quote = f" Quote request id {rid} when reporting it." if rid else ""
    refusal = Refusal(
        INTERNAL_SERVER_ERROR, f"Internal server error.{quote}", status=500, request_level=True
    )
    if rid:
        refusal.details = {"requestId": rid}
    return refusal
