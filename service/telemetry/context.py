"""What is known about the request being answered, for its log line and its metrics.

The request middleware opens it; the gateway notes what it learns (operation, executor, cost,
outcome) as it goes. Outside a request, noting does nothing.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RequestInfo:
    request_id: str
    method: str
    path: str
    graphql: bool = False
    operation: str | None = None
    operation_type: str | None = None
    executor: str | None = None
    outcome: str | None = None
    code: str | None = None
    cost_requested: int | None = None
    cost_actual: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


CURRENT: contextvars.ContextVar[RequestInfo | None] = contextvars.ContextVar(
    "stakegraph_request", default=None
)


def current() -> RequestInfo | None:
    return CURRENT.get()


def request_id() -> str | None:
    info = CURRENT.get()
    return info.request_id if info is not None else None


def note(**facts: Any) -> None:
    info = CURRENT.get()
    if info is None:
        return
    for name, value in facts.items():
        setattr(info, name, value)
