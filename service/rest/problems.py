"""Errors of the REST routes as ``application/problem+json`` (RFC 9457), coded as in GraphQL.

A problem carries the same ``code`` a GraphQL client would find in ``extensions.code`` for the
same request, the HTTP status that code means, and the message as ``detail``; what GraphQL
adds to ``extensions`` (a measured size and its limit) comes along as extension members.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from service.gateway import errors

PROBLEM_JSON = "application/problem+json"
NOT_FOUND = "NOT_FOUND"
UNAUTHENTICATED = "UNAUTHENTICATED"
FORBIDDEN = "FORBIDDEN"
INTERNAL = "INTERNAL_SERVER_ERROR"
# Problem types are named by code under this URI, documented in the OpenAPI description.
TYPE_BASE = "https://stakegraph.invalid/problems/"

STATUS_OF_CODE: dict[str, int] = {
    errors.BAD_REQUEST: 400,
    errors.BAD_USER_INPUT: 400,
    errors.GRAPHQL_PARSE_FAILED: 400,
    errors.GRAPHQL_VALIDATION_FAILED: 400,
    errors.OPERATION_NOT_FOUND: 400,
    errors.QUERY_TOO_LARGE: 400,
    errors.QUERY_TOO_DEEP: 400,
    errors.QUERY_TOO_COMPLEX: 400,
    errors.INPUT_TOO_LARGE: 400,
    errors.PAYLOAD_TOO_LARGE: 413,
    errors.NOT_ACCEPTABLE: 406,
    errors.METHOD_NOT_ALLOWED: 405,
    errors.UNSUPPORTED_MEDIA_TYPE: 415,
    UNAUTHENTICATED: 401,
    FORBIDDEN: 403,
    NOT_FOUND: 404,
    errors.TIMEOUT: 504,
    errors.SERVICE_UNAVAILABLE: 503,
    errors.THROTTLED: 429,
    INTERNAL: 500,
}

TITLES: dict[int, str] = {
    400: "Bad request",
    401: "Unauthenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    413: "Payload too large",
    415: "Unsupported media type",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
    504: "Timeout",
}


def status_of(code: str) -> int:
    # A code of the API's own that names no HTTP condition is the client's bad input.
    return STATUS_OF_CODE.get(code, 400)


def problem(
    code: str,
    detail: str,
    *,
    status: int | None = None,
    instance: str | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    status = status or status_of(code)
    body: dict[str, Any] = {
        "type": TYPE_BASE + code.lower().replace("_", "-"),
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
    }
    if instance is not None:
        body["instance"] = instance
    for key, value in (extra or {}).items():
        body.setdefault(key, value)
    headers = dict(headers or {})
    if status == 503:
        headers["retry-after"] = "1"
    if status == 401:
        headers["www-authenticate"] = 'Bearer realm="stakegraph"'
    encoded = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(encoded, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def from_graphql_error(error: dict[str, Any], status: int, instance: str) -> Response:
    """The problem for a GraphQL error as the gateway formatted it (status: the gateway's, when
    it gave one for a refusal; else the code's)."""
    extensions = error.get("extensions") or {}
    code = str(extensions.get("code") or INTERNAL)
    extra = {k: v for k, v in extensions.items() if k != "code"}
    if error.get("path"):
        extra["path"] = error["path"]
    return problem(
        code,
        str(error.get("message", "")),
        status=status if status >= 400 else status_of(code),
        instance=instance,
        extra=extra,
    )
