"""Strawberry fields derived from the read model (service/repository/readmodel.py).

A type module declares its class statically — each field's GraphQL type and description —
and names each field's read-model declaration by key: ``field(MAP, "slug", "…")``. This module
turns each kind of declaration into the resolver that reads it from the row the entity's
SELECT returned (or, for relations, through the request's loaders), and a connection's into a
resolver with the standard paging arguments. The compiler derives its SQL from the same
declarations (service/compiler/fields.py).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, TypeVar

import asyncpg
import strawberry
from graphql import GraphQLNonNull

from service.repository import readmodel as m
from service.repository.conditions import with_updated_since
from service.repository.organizations import with_kind
from service.repository.registry import (
    ROOT_FIELDS,
    RootList,
    entity_of,
    subject_of,
)
from service.schema.common import money, partial_date, share_range, usd_amount_range
from service.schema.context import Context, Info
from service.schema.costs import cost
from service.schema.filters import UpdatedSince, to_node
from service.schema.history import (
    DEFAULT_VERSIONS,
    HISTORY_DESCRIPTION,
    AsOf,
    HistoryFirst,
    versions_of,
)
from service.schema.relay import (
    After,
    Before,
    First,
    Last,
    child_connection,
    order_terms,
    page_args,
    root_connection,
)
from service.values import format_decimal

T = TypeVar("T")

# The strawberry class of each read-model type, registered by ``reads``.
CLASSES: dict[str, Any] = {}


def reads(type_map: m.TypeMap) -> Callable[[type[T]], type[T]]:
    """Registers the class as the GraphQL type of ``type_map``'s rows (apply it under
    ``@strawberry.type``)."""

    def register(cls: type[T]) -> type[T]:
        cls.READ_MODEL = type_map  # type: ignore[attr-defined]
        CLASSES[type_map.type_name] = cls
        return cls

    return register


def make(type_name: str, row: asyncpg.Record) -> Any:
    """The object of ``type_name`` for one row of its entity's SELECT."""
    return CLASSES[type_name](row=row)


# -- scalars ----------------------------------------------------------------------------------


def _value(declared: m.Value) -> Callable[..., Any]:
    column = declared.column
    return lambda root: root.row[column]


def _decimal(declared: m.Decimal) -> Callable[..., Any]:
    column = declared.column

    def resolve(root: Any) -> str | None:
        value = root.row[column]
        return None if value is None else format_decimal(value)

    return resolve


def _partial_date(declared: m.PartialDate) -> Callable[..., Any]:
    return lambda root: partial_date(root.row, declared.prefix)


def _money(declared: m.Money) -> Callable[..., Any]:
    return lambda root: money(root.row, declared.prefix, root.row[declared.dated_by])


def _share(declared: m.Share) -> Callable[..., Any]:
    return lambda root: share_range(root.row, declared.prefix)


def _usd_range(declared: m.UsdRange) -> Callable[..., Any]:
    return lambda root: usd_amount_range(root.row, declared.prefix)


# -- relations --------------------------------------------------------------------------------


def _to_one(declared: m.ToOne) -> Callable[..., Any]:
    entity = entity_of(declared.type_name)

    async def resolve(root: Any, info: Info) -> Any:
        pk = root.row[declared.column]
        if pk is None:
            return None
        row = await info.context.loaders.row(entity).load(pk)
        if row is None:
            if isinstance(info.return_type, GraphQLNonNull):
                # A foreign key guarantees it: a miss is a bug, not user input.
                raise LookupError(f"{declared.type_name} {pk} vanished")
            return None
        return make(declared.type_name, row)

    return resolve


def _rows(declared: m.Rows) -> Callable[..., Any]:
    async def resolve(root: Any, info: Info) -> list[Any]:
        rows = await info.context.loaders.rows_of(declared).load(root.row["id"])
        return [make(declared.type_name, row) for row in rows]

    return resolve


def _claims(declared: m.Claims) -> Callable[..., Any]:
    async def resolve(root: Any, info: Info) -> list[Any]:
        rows = await info.context.loaders.claims(declared.subject_column).load(root.row["id"])
        return [make("Claim", row) for row in rows]

    return resolve


def _subject(declared: m.Subject) -> Callable[..., Any]:
    async def resolve(root: Any, info: Info) -> Any:
        link = await info.context.loaders.claim_subjects().load(root.row["id"])
        target = subject_of(link) if link is not None else None
        if target is None:
            return None
        type_name, pk = target
        row = await info.context.loaders.row(entity_of(type_name)).load(pk)
        return make(type_name, row) if row is not None else None

    return resolve


_RESOLVERS: dict[type[Any], Callable[[Any], Callable[..., Any]]] = {
    m.Value: _value,
    m.Decimal: _decimal,
    m.Timestamp: lambda declared: _value(m.Value(declared.column)),
    m.PartialDate: _partial_date,
    m.Money: _money,
    m.Share: _share,
    m.UsdRange: _usd_range,
    m.ToOne: _to_one,
    m.Rows: _rows,
    m.Claims: _claims,
    m.Subject: _subject,
}


def _metadata(declared: m.Field) -> dict[str, Any] | None:
    return cost(weight=declared.weight) if declared.weight else None


def field(type_map: m.TypeMap, name: str, description: str) -> Any:
    """The strawberry field for ``type_map``'s declaration ``name`` (its GraphQL name)."""
    declared = type_map.all_fields[name]
    if isinstance(declared, m.Children):
        raise TypeError(f"{type_map.type_name}.{name} is a connection: use connection()")
    resolver = _RESOLVERS[type(declared)](declared)
    return strawberry.field(
        resolver=resolver, description=description, metadata=_metadata(declared)
    )


# -- connections ------------------------------------------------------------------------------


def parameter(name: str, annotation: Any, default: Any = None) -> inspect.Parameter:
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
    )


def paging_parameters() -> list[inspect.Parameter]:
    """``first``, ``last``, ``after`` and ``before``: every connection's arguments."""
    return [
        parameter("first", First),
        parameter("last", Last),
        parameter("after", After),
        parameter("before", Before),
    ]


def list_parameters(filter_type: Any | None, order_type: Any | None) -> list[inspect.Parameter]:
    """A list's ``filter`` and ``orderBy`` arguments, for the input types given."""
    parameters = []
    if filter_type is not None:
        parameters.append(
            parameter(
                "filter",
                Annotated[
                    filter_type | None,
                    strawberry.argument(description="Only items matching this."),
                ],
            )
        )
    if order_type is not None:
        parameters.append(
            parameter(
                "order_by",
                Annotated[
                    list[order_type] | None,  # type: ignore[valid-type]
                    strawberry.argument(
                        description="Sort terms, first one first; ties break on ID."
                    ),
                ],
            )
        )
    return parameters


def since_parameters(filtered: bool) -> list[inspect.Parameter]:
    """``updatedSince`` of a list without a filter input (one with a filter has the leaf)."""
    return [] if filtered else [parameter(m.UPDATED_SINCE_ARGUMENT, UpdatedSince)]


def with_signature(
    function: Callable[..., Awaitable[Any]], parameters: Sequence[inspect.Parameter]
) -> Callable[..., Awaitable[Any]]:
    """``function(root, info, **arguments)`` declared to strawberry with these arguments."""
    head = [
        inspect.Parameter("root", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        inspect.Parameter(
            "info",
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            annotation=strawberry.Info[Context, None],
        ),
    ]
    function.__signature__ = inspect.Signature([*head, *parameters])  # type: ignore[attr-defined]
    return function


def connection(
    type_map: m.TypeMap,
    name: str,
    description: str,
    *,
    filter_type: Any | None = None,
    order_type: Any | None = None,
    arguments: Sequence[inspect.Parameter] = (),
) -> Any:
    """The strawberry field of a child connection declared as ``Children``."""
    declared = type_map.fields[name]
    if not isinstance(declared, m.Children):
        raise TypeError(f"{type_map.type_name}.{name} is not a connection")
    if declared.filtered != (filter_type is not None):
        raise TypeError(f"{type_map.type_name}.{name}: give the filter type exactly if filtered")
    entity = entity_of(declared.type_name)
    type_name = declared.type_name

    async def resolve(root: Any, info: Info, **given: Any) -> Any:
        context = info.context
        args = page_args(
            context, given.get("first"), given.get("last"), given.get("after"), given.get("before")
        )
        node = declared.node(to_node(given.get("filter")), given)

        def link(parent: Any) -> Any:
            return declared.link(parent, given)

        return await child_connection(
            context,
            entity,
            declared.key(given),
            link,
            root.row["id"],
            node,
            order_terms(given.get("order_by")),
            args,
            lambda row: make(type_name, row),
        )

    parameters = [
        *paging_parameters(),
        *list_parameters(filter_type, order_type),
        *arguments,
        *since_parameters(declared.filtered),
    ]
    return strawberry.field(resolver=with_signature(resolve, parameters), description=description)


def history(type_map: m.TypeMap) -> Any:
    """The ``history`` field of a versioned type: its versions, newest first."""
    entity = type_map.entity
    type_name = type_map.type_name

    async def resolve(root: Any, info: Info, first: HistoryFirst = DEFAULT_VERSIONS) -> Any:
        return await versions_of(
            info.context, entity, root.row["id"], lambda row: make(type_name, row), first
        )

    return strawberry.field(
        resolver=resolve,
        description=HISTORY_DESCRIPTION,
        metadata=cost(items="first", default_items=DEFAULT_VERSIONS),
    )


# -- root lists -------------------------------------------------------------------------------


def root_list(
    name: str,
    description: str,
    *,
    filter_type: Any | None = None,
    order_type: Any | None = None,
) -> Any:
    """The strawberry field of the root connection ``name`` of ``ROOT_FIELDS``."""
    declared = ROOT_FIELDS[name]
    if not isinstance(declared, RootList):
        raise TypeError(f"{name} is not a root list")
    if declared.filtered != (filter_type is not None) or declared.ordered != (
        order_type is not None
    ):
        raise TypeError(f"{name}: give the filter and order types exactly as declared")
    entity = entity_of(declared.type_name)
    type_name = declared.type_name

    async def resolve(root: Any, info: Info, **given: Any) -> Any:
        context = info.context
        args = page_args(
            context, given.get("first"), given.get("last"), given.get("after"), given.get("before")
        )
        node = with_updated_since(to_node(given.get("filter")), given.get(m.UPDATED_SINCE_ARGUMENT))
        if declared.kind is not None:
            node = with_kind(node, declared.kind)
        return await root_connection(
            context,
            entity,
            node,
            order_terms(given.get("order_by")),
            args,
            lambda row: make(type_name, row),
        )

    parameters = [
        *paging_parameters(),
        *list_parameters(filter_type, order_type),
        *since_parameters(declared.filtered),
        parameter("as_of", AsOf),
    ]
    return strawberry.field(resolver=with_signature(resolve, parameters), description=description)
