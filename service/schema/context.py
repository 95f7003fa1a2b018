"""The per-request context: a lazily opened read transaction and the request's DataLoaders.

Every relation is read through a loader, so a nested query costs one statement per level and
field, whatever the number of parents.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from typing import Any

import asyncpg
import asyncpg.transaction
import strawberry
from graphql import DocumentNode
from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from service.auth.keys import ANONYMOUS, Principal
from service.config import Settings
from service.repository import entities as e
from service.repository import loads, paging
from service.repository.conditions import FilterNode
from service.repository.db import Db
from service.repository.loads import Link
from service.repository.readmodel import Rows
from service.repository.registry import entity_of
from service.repository.session import LazyDb
from service.repository.versions import fetch_versions


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
