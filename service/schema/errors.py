"""Errors the API did not mean to raise are logged in full and reach clients without internals."""

from __future__ import annotations

import logging

import asyncpg
from graphql import GraphQLError
from strawberry.extensions import MaskErrors

log = logging.getLogger(__name__)

INTERNAL = "INTERNAL_SERVER_ERROR"
TIMEOUT = "TIMEOUT"
SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"

# Failures to reach the database at all (down, restarting, the pool exhausted or closing):
# the client may retry, and nothing about the query is wrong.
UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.CannotConnectNowError,
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.InterfaceError,
    asyncpg.AdminShutdownError,
    asyncpg.PostgresConnectionError,
)


class SafeErrors(MaskErrors):
    """Keeps the API's own coded errors; replaces anything else (a database error, a bug) with a
    coded, content-free message, so SQL text and stack details never leave the service."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=_unexpected, error_message="Internal server error.")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if isinstance(original, asyncpg.QueryCanceledError):
            message, code = "The query took too long and was cancelled.", TIMEOUT
        elif isinstance(original, UNAVAILABLE_ERRORS):
            log.warning("database unavailable at %s: %r", error.path, original)
            message, code = "The database is unavailable; retry shortly.", SERVICE_UNAVAILABLE
        else:
            log.error("unexpected error at %s", error.path, exc_info=original)
            message, code = self.error_message, INTERNAL
        return GraphQLError(
            message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": code},
        )


def _unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False
    # Exceptions that carry their own coded `extensions` (graphql-core copies them onto the
    # error) were raised on purpose for bad input.
    return not getattr(original, "extensions", None)
