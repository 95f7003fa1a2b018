"""One request's database handle: a connection in a transaction, used one statement at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import asyncpg
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from service.db.pool import Connection

_DIALECT = PGDialect_asyncpg()  # type: ignore[no-untyped-call]


def compile_statement(statement: ClauseElement) -> tuple[str, list[Any]]:
    """SQLAlchemy Core → asyncpg SQL text with ``$n`` parameters, in bind order."""
    compiled = statement.compile(dialect=_DIALECT, compile_kwargs={"render_postcompile": True})
    assert isinstance(compiled, SQLCompiler)
    params = compiled.params
    order = compiled.positiontup or []
    return compiled.string, [params[name] for name in order]


class UnstorableText(ValueError):
    """Text PostgreSQL cannot hold (a NUL character): the caller's input, not a server fault.

    ``extensions`` is what graphql-core copies onto the error it reports for this exception.
    """

    extensions = {"code": "BAD_USER_INPUT"}


def _check_text(args: Sequence[Any]) -> None:
    for arg in args:
        values = arg if isinstance(arg, list | tuple) else (arg,)
        if any(isinstance(v, str) and "\x00" in v for v in values):
            raise UnstorableText("Text arguments must not contain the NUL character (U+0000).")


class Db:
    """Serialises a request's statements on its connection.

    graphql-core resolves sibling fields concurrently, and one asyncpg connection runs one
    statement at a time; the lock turns the overlap into a queue instead of an error.
    """

    def __init__(self, conn: Connection, statement_log: list[str] | None = None) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()
        self._log = statement_log
        self._closed = False

    async def fetch(self, statement: ClauseElement) -> list[asyncpg.Record]:
        sql, args = compile_statement(statement)
        return await self.fetch_sql(sql, args)

    async def fetch_sql(self, sql: str, args: Sequence[Any] = ()) -> list[asyncpg.Record]:
        _check_text(args)
        async with self._lock:
            if self._closed:
                raise RuntimeError("the request's transaction has already ended")
            if self._log is not None:
                self._log.append(sql)
            rows: list[asyncpg.Record] = await self._conn.fetch(sql, *args)
            return rows

    async def fetchval_sql(self, sql: str, args: Sequence[Any] = ()) -> Any:
        rows = await self.fetch_sql(sql, args)
        return rows[0][0] if rows else None
