"""The per-request context: a lazily opened read transaction and the request's DataLoaders.

Every relation is read through a loader, so a nested query costs one statement per level and
field, whatever the number of parents.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable, Hashable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import asyncpg
import asyncpg.transaction
from graphql import DocumentNode
from sqlalchemy import ColumnElement, Select, select
from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from service.auth.keys import ANONYMOUS, Principal
from service.config import Settings
from service.db import tables as t
from service.db.pool import Connection, begin_write, read_transaction
from service.repository import entities as e
from service.repository import paging
from service.repository.db import Db
from service.repository.filters import FilterNode
from service.repository.versions import fetch_versions

# How a child list hangs off its parents: parent-id column → condition on the child rows.
Link = Callable[[ColumnElement[Any]], ColumnElement[bool]]


class LazyDb(Db):
    """Opens the request's transaction on the first statement, so requests that never touch the
    database (introspection, refused queries) never take a connection."""

    def __init__(self, pool: asyncpg.Pool, settings: Settings, log: list[str] | None) -> None:
        self._pool = pool
        self._settings = settings
        self._stack = AsyncExitStack()
        self._opened = False
        # Sibling resolvers can reach their first statement together; without this they would
        # each open a transaction and then share one connection through different locks.
        self._opening = asyncio.Lock()
        self._statement_log = log
        # Set by the permissions extension before any resolver runs (service/schema/
        # permissions.py): the recorded time a query reads as of, or that the operation is a
        # mutation, which runs in one read-write transaction acting as ``key_id``.
        self.as_of: dt.datetime | None = None
        self.writing = False
        self.key_id: int | None = None
        self._write: asyncpg.transaction.Transaction | None = None

    @property
    def pool(self) -> asyncpg.Pool:
        return self._pool

    @property
    def opened(self) -> bool:
        return self._opened

    async def _open(self) -> None:
        timeout = self._settings.statement_timeout_ms
        acquire = self._settings.pool_acquire_timeout_ms / 1000
        conn: Connection
        if self.writing:
            conn = await self._stack.enter_async_context(self._pool.acquire(timeout=acquire))
            self._write = conn.transaction()
            await self._write.start()
            await begin_write(conn, statement_timeout_ms=timeout, key_id=self.key_id)
        else:
            conn = await self._stack.enter_async_context(
                read_transaction(
                    self._pool,
                    statement_timeout_ms=timeout,
                    as_of=self.as_of,
                    acquire_timeout_s=acquire,
                )
            )
        super().__init__(conn, self._statement_log)
        self._opened = True

    async def ensure_open(self) -> None:
        if not self._opened:
            async with self._opening:
                if not self._opened:
                    await self._open()

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """One mutation's writes: all of them or, on any exception, none."""
        await self.ensure_open()
        async with self._lock:
            savepoint = self._conn.transaction()
            await savepoint.start()
        try:
            yield
        except BaseException:
            async with self._lock:
                await savepoint.rollback()
            raise
        async with self._lock:
            await savepoint.commit()

    async def commit(self) -> None:
        """Ends a mutation request's transaction; until then none of its writes is visible."""
        if self._write is not None:
            async with self._lock:
                write, self._write = self._write, None
                await write.commit()

    async def fetch_sql(self, sql: str, args: Sequence[Any] = ()) -> list[asyncpg.Record]:
        await self.ensure_open()
        return await super().fetch_sql(sql, args)

    async def close(self) -> None:
        if self._opened:
            # A DataLoader batch runs in a task of its own, which the executor does not cancel
            # when a sibling field fails: let its statement finish before the connection goes
            # back to the pool, and refuse any statement after that.
            async with self._lock:
                self._closed = True
                if self._write is not None:
                    # A mutation request that did not reach its commit writes nothing.
                    write, self._write = self._write, None
                    await write.rollback()
                await self._stack.aclose()
        else:
            await self._stack.aclose()


class Loaders:
    """Request-scoped DataLoaders, created on first use and keyed by what they read."""

    def __init__(self, db: Db, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self._cache: dict[Hashable, DataLoader[Any, Any]] = {}

    def _get(self, key: Hashable, batch: Callable[[list[Any]], Any]) -> DataLoader[Any, Any]:
        loader = self._cache.get(key)
        if loader is None:
            loader = DataLoader(load_fn=batch)
            self._cache[key] = loader
        return loader

    def row(self, entity: e.Entity) -> DataLoader[int, asyncpg.Record | None]:
        async def batch(ids: list[int]) -> list[asyncpg.Record | None]:
            found = await e.fetch_by_ids(self.db, entity, ids)
            return [found.get(i) for i in ids]

        return self._get(("row", entity.name), batch)

    def rows_by(self, entity: e.Entity, column: str) -> DataLoader[Any, list[asyncpg.Record]]:
        """All rows whose ``column`` equals the key: the short, closed lists."""

        async def batch(keys: list[Any]) -> list[list[asyncpg.Record]]:
            rows = await e.fetch_by_column(self.db, entity, entity.table.c[column], keys)
            grouped: dict[Any, list[asyncpg.Record]] = {k: [] for k in keys}
            for row in rows:
                grouped[row[column]].append(row)
            return [grouped[k] for k in keys]

        return self._get(("rows_by", entity.name, column), batch)

    def child_pages(
        self,
        entity: e.Entity,
        link_name: str,
        link: Link,
        node: FilterNode | None,
        order: tuple[tuple[str, bool], ...],
        args: paging.PageArgs,
    ) -> DataLoader[int, paging.Page]:
        keys = entity.sort_keys(order)

        async def batch(parent_ids: list[int]) -> list[paging.Page]:
            pages = await paging.fetch_child_pages(
                self.db,
                entity.filtered(node),
                link,
                parent_ids,
                keys,
                args,
                self.settings.default_page_size,
            )
            return [pages[p] for p in parent_ids]

        return self._get(("pages", entity.name, link_name, node, order, args), batch)

    def child_counts(
        self, entity: e.Entity, link_name: str, link: Link, node: FilterNode | None
    ) -> DataLoader[int, int]:
        async def batch(parent_ids: list[int]) -> list[int]:
            counts = await paging.count_children(self.db, entity.filtered(node), link, parent_ids)
            return [counts[p] for p in parent_ids]

        return self._get(("counts", entity.name, link_name, node), batch)

    def versions(self, entity: e.Entity, first: int) -> DataLoader[int, list[asyncpg.Record]]:
        """Each record's newest versions (recorded by the request's ``asOf``, if any)."""

        async def batch(ids: list[int]) -> list[list[asyncpg.Record]]:
            found = await fetch_versions(self.db, entity, ids, first, self.as_of)
            return [found[i] for i in ids]

        return self._get(("versions", entity.name, first), batch)

    @property
    def as_of(self) -> dt.datetime | None:
        return self.db.as_of if isinstance(self.db, LazyDb) else None

    def claims(self, subject_column: str) -> DataLoader[int, list[asyncpg.Record]]:
        async def batch(subject_ids: list[int]) -> list[list[asyncpg.Record]]:
            column = t.claim_subject.c[subject_column]
            statement: Select[Any] = (
                select(t.claim, column.label("_subject"))
                .join_from(t.claim, t.claim_subject, t.claim_subject.c.claim_id == t.claim.c.id)
                .where(column.in_(subject_ids))
                .order_by(t.claim.c.id)
            )
            grouped: dict[int, list[asyncpg.Record]] = {s: [] for s in subject_ids}
            for row in await self.db.fetch(statement):
                grouped[row["_subject"]].append(row)
            return [grouped[s] for s in subject_ids]

        return self._get(("claims", subject_column), batch)

    def claim_subjects(self) -> DataLoader[int, asyncpg.Record | None]:
        async def batch(claim_ids: list[int]) -> list[asyncpg.Record | None]:
            statement = select(t.claim_subject).where(t.claim_subject.c.claim_id.in_(claim_ids))
            found: dict[int, asyncpg.Record] = {}
            for row in await self.db.fetch(statement.order_by(t.claim_subject.c.id)):
                found.setdefault(row["claim_id"], row)
            return [found.get(c) for c in claim_ids]

        return self._get(("claim_subjects",), batch)

    def fx(self) -> DataLoader[tuple[str, dt.date | None], asyncpg.Record | None]:
        """The latest USD rate on or before a date (or the latest known, for undated facts)."""

        async def batch(
            keys: list[tuple[str, dt.date | None]],
        ) -> list[asyncpg.Record | None]:
            found: list[asyncpg.Record | None] = []
            # One statement for all keys: a LATERAL lookup per (currency, date) pair.
            rows = await self.db.fetch_sql(
                """
                SELECT k.i, r.currency, r.rate_on, r.usd_per_unit, r.source
                FROM unnest($1::text[], $2::date[]) WITH ORDINALITY AS k(currency, on_date, i)
                LEFT JOIN LATERAL (
                    SELECT * FROM fx_rate f
                    WHERE f.currency = k.currency
                      AND f.rate_on <= coalesce(k.on_date, 'infinity'::date)
                    ORDER BY f.rate_on DESC LIMIT 1
                ) r ON true
                ORDER BY k.i
                """,
                [[k[0] for k in keys], [k[1] for k in keys]],
            )
            for row in rows:
                found.append(row if row["currency"] is not None else None)
            return found

        return self._get(("fx",), batch)


def link_column(column: ColumnElement[Any]) -> Link:
    return lambda parent: column == parent


class Context(BaseContext):
    """What every resolver can reach: settings and the request's loaders."""

    def __init__(self, db: LazyDb, settings: Settings) -> None:
        super().__init__()
        self.db = db
        self.settings = settings
        self.loaders = Loaders(db, settings)
        # Who sent the request, and the document the gateway prepared; set before execution.
        self.principal: Principal = ANONYMOUS
        self.document: DocumentNode | None = None

    def forget_loaded(self) -> None:
        """Drops what the loaders hold: a mutation has changed rows they may have read."""
        self.loaders = Loaders(self.db, self.settings)
