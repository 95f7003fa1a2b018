"""Relay plumbing: the Node interface, connections with keyset cursors, and their arguments."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, ClassVar, Generic, Self, TypeVar

import asyncpg
import strawberry
from graphql import GraphQLError

from service.ids import encode_id
from service.repository import paging
from service.repository.conditions import FilterNode
from service.repository.entities import Entity
from service.repository.loads import Link
from service.repository.readmodel import TypeMap
from service.schema.context import Context

T = TypeVar("T")

First = Annotated[
    int | None, strawberry.argument(description="Page size from the start (1 to 100).")
]
Last = Annotated[int | None, strawberry.argument(description="Page size from the end (1 to 100).")]
After = Annotated[
    str | None, strawberry.argument(description="Items after this cursor (paging forward).")
]
Before = Annotated[
    str | None, strawberry.argument(description="Items before this cursor (paging backward).")
]

BAD_USER_INPUT = "BAD_USER_INPUT"


def user_error(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": BAD_USER_INPUT})


@strawberry.interface(description="An object with a globally unique, opaque ID.")
class Node:
    """A record of the read model: the row its entity's SELECT returned (the read model of its
    type, ``READ_MODEL``, says what each field reads from it; see service/schema/mapped.py)."""

    row: strawberry.Private[asyncpg.Record]
    READ_MODEL: ClassVar[TypeMap]

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> Self:
        return cls(row=row)

    @strawberry.field(
        description="Opaque global ID; pass it to `node(id:)` to fetch this object again."
    )
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id(self.READ_MODEL.type_name, self.row["id"]))


@strawberry.type(description="Where a page sits in its list, and the cursors to move from it.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="True if items follow this page.")
    has_previous_page: bool = strawberry.field(
        description="True if items precede this page. Paging forward, it is true whenever "
        "`after` was given; paging backward, it is exact."
    )
    start_cursor: str | None = strawberry.field(description="Cursor of the first item, if any.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last item, if any.")


@strawberry.type(description="An item of a connection with its cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Opaque cursor for `after`/`before`.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list, with cursors (keyset pagination).")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items of this page with cursors.")
    page_info: PageInfo = strawberry.field(description="Pagination state of this page.")
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="The items of this page, without cursors.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]

    @strawberry.field(
        description="Number of items in the whole list with its filters (not only this page); "
        "computed only when asked for."
    )
    async def total_count(self) -> int:
        return await self._count()


def page_args(
    context: Context,
    first: int | None,
    last: int | None,
    after: str | None,
    before: str | None,
) -> paging.PageArgs:
    """Check page arguments before any SQL runs."""
    limit = context.settings.max_page_size
    if first is not None and last is not None:
        raise user_error("Pass `first` or `last`, not both.")
    for name, value in (("first", first), ("last", last)):
        if value is not None and not 1 <= value <= limit:
            raise user_error(f"`{name}` must be between 1 and {limit}; got {value}.")
    return paging.PageArgs(first=first, last=last, after=after, before=before)


def _check_cursors(keys: Sequence[paging.SortKey], args: paging.PageArgs) -> None:
    try:
        paging.validate_cursors(keys, args)
    except paging.CursorError as exc:
        raise user_error(f"Invalid cursor: {exc}.") from exc


def _connection(
    page: paging.Page, make: Callable[[asyncpg.Record], T], count: Callable[[], Awaitable[int]]
) -> Connection[T]:
    edges = [Edge(cursor=c, node=make(row)) for row, c in zip(page.rows, page.cursors, strict=True)]
    info = PageInfo(
        has_next_page=page.has_next,
        has_previous_page=page.has_previous,
        start_cursor=page.cursors[0] if page.cursors else None,
        end_cursor=page.cursors[-1] if page.cursors else None,
    )
    return Connection(edges=edges, page_info=info, _count=count)


async def root_connection(
    context: Context,
    entity: Entity,
    node: FilterNode | None,
    order: tuple[tuple[str, bool], ...],
    args: paging.PageArgs,
    make: Callable[[asyncpg.Record], T],
) -> Connection[T]:
    keys = entity.sort_keys(order)
    _check_cursors(keys, args)
    base = entity.filtered(node)
    page = await paging.fetch_page(context.db, base, keys, args, context.settings.default_page_size)

    async def count() -> int:
        return await paging.count_rows(context.db, base)

    return _connection(page, make, count)


async def child_connection(
    context: Context,
    entity: Entity,
    link_name: str,
    link: Link,
    parent_id: int,
    node: FilterNode | None,
    order: tuple[tuple[str, bool], ...],
    args: paging.PageArgs,
    make: Callable[[asyncpg.Record], T],
) -> Connection[T]:
    """A parent's child list; parents' pages are fetched together through one loader."""
    _check_cursors(entity.sort_keys(order), args)
    loaders = context.loaders
    page = await loaders.child_pages(entity, link_name, link, node, order, args).load(parent_id)

    async def count() -> int:
        return await loaders.child_counts(entity, link_name, link, node).load(parent_id)

    return _connection(page, make, count)


def order_terms(order: Sequence[Any] | None) -> tuple[tuple[str, bool], ...]:
    """``[{field, direction}]`` inputs → ``((FIELD, descending), ...)``."""
    if not order:
        return ()
    return tuple((term.field.value, term.direction.value == "DESC") for term in order)
