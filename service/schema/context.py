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
import strawberry
from graphql import DocumentNode
from sqlalchemy import ColumnElement
from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from service.auth.keys import ANONYMOUS, Principal
from service.config import Settings
from service.db.pool import Connection, begin_write, read_transaction
from service.repository import entities as e
from service.repository import loads, paging
from service.repository.conditions import FilterNode
from service.repository.db import Db
from service.repository.readmodel import Rows
from service.repository.registry import entity_of
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

    def rows_of(self, declared: Rows) -> DataLoader[int, list[asyncpg.Record]]:
        """A short, closed list's rows for each parent id, in the declared order."""
        entity = entity_of(declared.type_name)
        statement = declared.select() if declared.select is not None else entity.base()

        async def batch(parent_ids: list[int]) -> list[list[asyncpg.Record]]:
            found = await loads.rows_by_parent(
                self.db, entity, statement, declared.parent_column, declared.order, parent_ids
            )
            return [found[p] for p in parent_ids]

        return self._get(("rows", declared), batch)

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
            found = await loads.claims_by_subject(self.db, subject_column, subject_ids)
            return [found[s] for s in subject_ids]

        return self._get(("claims", subject_column), batch)

    def claim_subjects(self) -> DataLoader[int, asyncpg.Record | None]:
        async def batch(claim_ids: list[int]) -> list[asyncpg.Record | None]:
            found = await loads.first_subject_links(self.db, claim_ids)
            return [found.get(c) for c in claim_ids]

        return self._get(("claim_subjects",), batch)

    def fx(self) -> DataLoader[tuple[str, dt.date | None], asyncpg.Record | None]:
        """The latest USD rate on or before a date (or the latest known, for undated facts)."""

        async def batch(keys: list[tuple[str, dt.date | None]]) -> list[asyncpg.Record | None]:
            return await loads.usd_rates(self.db, keys)

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


# What every resolver's `info` is.
Info = strawberry.Info[Context, None]
