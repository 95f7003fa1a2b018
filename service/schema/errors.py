"""Errors the API did not mean to raise are logged in full and reach clients without internals."""

from __future__ import annotations

import logging

import asyncpg
from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from service.faults import UNAVAILABLE_ERRORS
from service.telemetry import metrics
from service.telemetry.context import request_id

log = logging.getLogger(__name__)

INTERNAL = "INTERNAL_SERVER_ERROR"
TIMEOUT = "TIMEOUT"
SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
BAD_USER_INPUT = "BAD_USER_INPUT"


def out_of_range(error: asyncpg.DataError) -> str:
    """A value the request gave that PostgreSQL cannot take (an id past int64, say), in words
    that name no statement or parameter."""
    text = str(error)
    reason = text[text.rfind("(") + 1 : -1] if text.endswith(")") and "(" in text else ""
    return "A value in the request is out of range" + (f" ({reason})." if reason else ".")


class SafeErrors(MaskErrors):
    """Keeps the API's own coded errors; replaces anything else (a database error, a bug) with a
    coded, content-free message, so SQL text and stack details never leave the service."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=_unexpected, error_message="Internal server error.")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if isinstance(original, asyncpg.DataError):
            message, code = out_of_range(original), BAD_USER_INPUT
        elif isinstance(original, asyncpg.QueryCanceledError):
            message, code = "The query took too long and was cancelled.", TIMEOUT
        elif isinstance(original, UNAVAILABLE_ERRORS):
            log.warning("database unavailable at %s: %r", error.path, original)
            message, code = "The database is unavailable; retry shortly.", SERVICE_UNAVAILABLE
        else:
            log.error("unexpected error at %s", error.path, exc_info=original)
            message, code = self.error_message, INTERNAL
        extensions: dict[str, object] = {"code": code}
        rid = request_id()
        if code == INTERNAL and rid is not None:
            # The id a user can quote, which finds the logged traceback.
            message = f"{message} Quote request id {rid} when reporting it."
            extensions["requestId"] = rid
        if code == TIMEOUT:
            metrics.STATEMENT_TIMEOUTS.labels(kind="statement").inc()
        return GraphQLError(
            message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions=extensions,
        )


def _unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False
    # Exceptions that carry their own coded `extensions` (graphql-core copies them onto the
    # error) were raised on purpose for bad input.
    return not getattr(original, "extensions", None)
