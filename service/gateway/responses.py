"""GraphQL responses over HTTP: which media type a client gets, and the status that goes with it.

``application/json`` (the default, and what a client asking for ``*/*`` or nothing gets)
answers every GraphQL response with 200, as clients of it expect; only requests that never
became GraphQL (an unreadable or oversized body) get a 4xx. A client that accepts
``application/graphql-response+json`` gets the statuses the GraphQL-over-HTTP specification
gives that media type: 4xx for a request refused before execution, with no ``data``.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import Response

from service.gateway.errors import NOT_ACCEPTABLE, Refusal, bad_request

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"
EXECUTOR_HEADER = "x-stakegraph-executor"


def _media_ranges(accept: str) -> list[tuple[str, float]]:
    ranges: list[tuple[str, float]] = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media:
            ranges.append((media.lower(), quality))
    return ranges


def negotiate(headers: Headers) -> str:
    """The response media type for this request's ``Accept`` header."""
    accept = headers.get("accept")
    if not accept:
        return JSON
    best: tuple[float, int, str] | None = None
    for media, quality in _media_ranges(accept):
        if quality <= 0:
            continue
        # Named media types win over wildcards, which get the long-established JSON; among
        # names of equal quality, the newer one the specification recommends.
        for candidate, preference in ((GRAPHQL_RESPONSE, 2), (JSON, 1)):
            if media == candidate or (candidate == JSON and media in ("*/*", "application/*")):
                specific = 1 if media == candidate else 0
                choice = (quality, specific * preference, candidate)
                if best is None or choice > best:
                    best = choice
    if best is None:
        raise bad_request(
            f"Accept names no media type this API answers with ({JSON} or {GRAPHQL_RESPONSE}).",
            status=406,
            code=NOT_ACCEPTABLE,
        )
    return best[2]


def encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def respond(
    body: bytes,
    *,
    media_type: str,
    status: int = 200,
    executor: str,
    headers: dict[str, str] | None = None,
) -> Response:
    all_headers = {EXECUTOR_HEADER: executor, **(headers or {})}
    return Response(body, status_code=status, media_type=media_type, headers=all_headers)


def refusal_response(refusal: Refusal, media_type: str) -> Response:
    """A request refused before execution: no ``data``, one coded error."""
    status = refusal.status if refusal.request_level or media_type == GRAPHQL_RESPONSE else 200
    headers = dict(refusal.headers)
    if refusal.status == 503:
        headers["retry-after"] = "1"
    if refusal.status == 405:
        headers["allow"] = "POST"
    return respond(
        encode({"errors": [refusal.error()]}),
        media_type=media_type,
        status=status,
        executor="none",
        headers=headers,
    )
