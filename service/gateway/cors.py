"""Cross-origin requests: which pages may call the API from a browser, with which headers.

The allowed origins come from ``STAKEGRAPH_CORS_ORIGINS`` (see ``Settings.allowed_origins``).
Preflights are answered here, before the application, so they never reach the database. A
response to an allowed origin exposes the headers the API sets, so that browser code can read
which executor answered, a request's id and its rate-limit state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware

from service.config import Settings
from service.gateway.as_of_header import AS_OF_HEADER
from service.gateway.responses import EXECUTOR_HEADER

# Request headers the API reads, beyond those every browser may send without asking.
ALLOWED_HEADERS = (
    "Authorization",
    "Content-Type",
    "Idempotency-Key",
    AS_OF_HEADER,
    # Sent by Apollo Client when configured for CSRF prevention or client awareness.
    "Apollo-Require-Preflight",
    "X-Apollo-Operation-Name",
    "Apollographql-Client-Name",
    "Apollographql-Client-Version",
)
# Response headers the API sets that browser code may read.
EXPOSED_HEADERS = (
    EXECUTOR_HEADER,
    "X-Request-Id",
    "Retry-After",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "RateLimit-Policy",
    # The older, still common spelling of the same.
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
)
ALLOWED_METHODS = ("GET", "POST", "OPTIONS")

_ORIGIN = re.compile(
    r"(?P<scheme>https?)://(?P<host>[^/:?#\s]+|\[[0-9a-fA-F:.]+\])(?P<port>:\d+|:\*)?"
)


class OriginError(ValueError):
    """A configured origin that is not ``scheme://host[:port]``."""


@dataclass(frozen=True)
class Origins:
    """The configured origins as Starlette's middleware takes them."""

    exact: tuple[str, ...]
    pattern: str | None
    any: bool


def parse_origins(origins: list[str]) -> Origins:
    """Exact origins, and one pattern for those whose port is ``*``; refuses anything else."""
    if origins == ["*"]:
        return Origins((), None, True)
    exact: list[str] = []
    patterns: list[str] = []
    for origin in origins:
        match = _ORIGIN.fullmatch(origin.rstrip("/"))
        if match is None:
            raise OriginError(
                f"STAKEGRAPH_CORS_ORIGINS: {origin!r} is not an origin such as "
                "https://app.example.com or http://localhost:* (a lone * allows any origin)."
            )
        base = f"{match['scheme']}://{match['host'].lower()}"
        if match["port"] == ":*":
            patterns.append(re.escape(base) + r"(?::\d{1,5})?")
        else:
            exact.append(base + (match["port"] or ""))
    pattern = "|".join(f"(?:{p})" for p in patterns) if patterns else None
    return Origins(tuple(exact), pattern, False)


def add_cors(app: Starlette, settings: Settings) -> None:
    """Puts the CORS policy the settings give in front of everything ``app`` serves (added
    last, it is the outermost middleware); with no origins, every cross-origin call is refused."""
    origins = parse_origins(settings.allowed_origins)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=("*",) if origins.any else origins.exact,
        allow_origin_regex=origins.pattern,
        allow_methods=ALLOWED_METHODS,
        allow_headers=ALLOWED_HEADERS,
        expose_headers=EXPOSED_HEADERS,
        allow_credentials=False,
        max_age=settings.cors_max_age_s,
    )
