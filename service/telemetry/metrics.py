"""The service's Prometheus metric families (docs/operations.md lists them).

With several worker processes, ``PROMETHEUS_MULTIPROC_DIR`` must be set before this module is
first imported (``stakegraph serve`` does it): every process then writes its values to files
there, and a scrape of any one worker sums them all.
"""

from __future__ import annotations

import os
import threading

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

PREFIX = "stakegraph"
# Operation names are chosen by clients: past this many distinct ones, the rest are counted
# together, so that a client cannot grow the series without bound.
MAX_OPERATION_NAMES = 200
OTHER = "_other"
ANONYMOUS = "_anonymous"

REQUESTS = Counter(
    f"{PREFIX}_requests",
    "GraphQL requests answered, by operation name, executor and outcome.",
    ["operation", "executor", "outcome"],
)
LATENCY = Histogram(
    f"{PREFIX}_request_duration_seconds",
    "Time from a GraphQL request's arrival to its answer, by operation name and executor.",
    ["operation", "executor"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20),
)
POOL_IN_USE = Gauge(
    f"{PREFIX}_db_pool_in_use",
    "Database connections lent out by the pool.",
    multiprocess_mode="livesum",
)
POOL_WAITING = Gauge(
    f"{PREFIX}_db_pool_waiting",
    "Requests waiting for a database connection.",
    multiprocess_mode="livesum",
)
STATEMENT_TIMEOUTS = Counter(
    f"{PREFIX}_statement_timeouts",
    "Statements PostgreSQL cancelled at the statement timeout, and requests stopped at their "
    "deadline.",
    ["kind"],
)
UNAVAILABLE = Counter(
    f"{PREFIX}_database_unavailable",
    "Requests answered SERVICE_UNAVAILABLE: the database unreachable or the pool full.",
    ["reason"],
)
THROTTLED = Counter(
    f"{PREFIX}_throttled_requests",
    "Requests refused by the rate limits, by bucket kind (key or addr).",
    ["kind"],
)
RATE_LIMIT_FALLBACKS = Counter(
    f"{PREFIX}_rate_limit_fallbacks",
    "Requests limited by their process's own buckets because Redis did not answer.",
)
QUERY_COST = Histogram(
    f"{PREFIX}_query_cost",
    "Actual query cost in points, by executor.",
    ["executor"],
    buckets=(1, 10, 50, 100, 500, 1_000, 5_000, 10_000, 50_000),
)

WEBHOOK_BACKLOG = Gauge(
    f"{PREFIX}_webhook_backlog",
    "Webhook deliveries not yet delivered nor dead-lettered, as a deliverer last counted them.",
    multiprocess_mode="max",
)

_names: set[str] = set()
_names_lock = threading.Lock()


def operation_label(name: str | None) -> str:
    if not name:
        return ANONYMOUS
    if name in _names:
        return name
    with _names_lock:
        if len(_names) < MAX_OPERATION_NAMES:
            _names.add(name)
            return name
    return OTHER


def exposition() -> tuple[bytes, str]:
    """The text a scrape gets: every process's values when several share the directory."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
