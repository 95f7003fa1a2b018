"""Refusals of a request before it executes: a code, a message, and the HTTP status they take."""

from __future__ import annotations

from typing import Any

# Request-level codes (the request never reached GraphQL execution).
BAD_REQUEST = "BAD_REQUEST"
PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
NOT_ACCEPTABLE = "NOT_ACCEPTABLE"
METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
# Document-level codes.
GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
OPERATION_NOT_FOUND = "OPERATION_NOT_FOUND"
BAD_USER_INPUT = "BAD_USER_INPUT"
QUERY_TOO_LARGE = "QUERY_TOO_LARGE"
QUERY_TOO_DEEP = "QUERY_TOO_DEEP"
QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
INPUT_TOO_LARGE = "INPUT_TOO_LARGE"
# Persisted documents (service/gateway/persisted.py).
PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
PERSISTED_QUERY_HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
PERSISTED_DOCUMENT_NOT_FOUND = "PERSISTED_DOCUMENT_NOT_FOUND"
PERSISTED_DOCUMENT_REQUIRED = "PERSISTED_DOCUMENT_REQUIRED"
# Execution-level codes the gateway itself produces.
TIMEOUT = "TIMEOUT"
SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
THROTTLED = "THROTTLED"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


class Refusal(Exception):
    """The request stops here: ``code`` and ``message`` reach the client, with ``details`` as
    further ``extensions`` (what was measured and the limit), and ``status`` when the response
    format uses HTTP statuses for GraphQL errors (or always, for request-level refusals)."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int = 400,
        request_level: bool = False,
        locations: list[dict[str, int]] | None = None,
        **details: Any,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        # Request-level refusals (unreadable body, too large) keep their status whatever the
        # response format; GraphQL-level ones answer 200 to `application/json` clients.
        self.request_level = request_level
        self.locations = locations
        self.details = details
        # Response headers that go with the refusal (a throttled request's rate-limit state).
        self.headers: dict[str, str] = {}

    def error(self) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.message}
        if self.locations:
            error["locations"] = self.locations
        error["extensions"] = {"code": self.code, **self.details}
        return error


def bad_request(message: str, *, status: int = 400, code: str = BAD_REQUEST) -> Refusal:
    return Refusal(code, message, status=status, request_level=True)


def too_complex(code: str, measure: str, found: int, limit: int, what: str) -> Refusal:
    """A limit exceeded: ``what`` says it in words, ``measure`` names it in ``extensions``."""
    refusal = Refusal(code, f"{what}: {found}, over the limit of {limit}.")
    refusal.details = {measure: found, "limit": limit}
    return refusal
