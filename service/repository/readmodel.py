"""The read model: every field of every object type the API reads, declared once, as data.

A type's ``TypeMap`` names, for each GraphQL field, what it is in SQL: a column shown as it is
(``Value``), a formatted value (``Decimal``, ``Timestamp``, ``PartialDate``, ``Money``,
``Share``, ``UsdRange``), the object a foreign key names (``ToOne``), a short closed list
(``Rows``), a paged child list (``Children``), its claims (``Claims``), or a claim's subject
(``Subject``). Both executors are derived from these declarations: the strawberry resolvers
read rows the entity's SELECT returns and format them (service/schema/mapped.py); the
compiler turns each kind into SQL (service/compiler/fields.py). Nothing else describes a field.

The domain modules beside this one hold the declarations, next to their entity SELECTs,
filter leaves and orderings; ``service.repository.registry`` gathers them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select

from service.repository.conditions import FilterNode, with_updated_since
from service.repository.entities import Entity

# Every kind has a ``weight``: the nodes it counts for the query limits per object holding it
# (service/gateway/cost.py multiplies it by the page sizes above). Columns of the row itself,
# and the one row a foreign key names (loaded in the same batch as its parent's siblings),
# cost nothing beyond the parent already counted; a short closed list costs one per parent
# (their rows number a few, and a batch fetches them for all parents at once). Children
# (connections) count their page size instead, as every connection does.


@dataclass(frozen=True)
class Value:
    """A column shown as stored: text, boolean, integer, enum name, array."""

    column: str
    weight: int = 0


@dataclass(frozen=True)
class Decimal:
    """A numeric column as a decimal string, without trailing zeros."""

    column: str
    weight: int = 0


@dataclass(frozen=True)
class Timestamp:
    """A timestamp column, in UTC."""

    column: str
    weight: int = 0


@dataclass(frozen=True)
class PartialDate:
    """``<prefix>_on`` and ``<prefix>_precision``: a date known to a precision, or null."""

    prefix: str
    weight: int = 0


@dataclass(frozen=True)
class Money:
    """``<prefix>_amount``, ``_currency``, ``_estimated``: money, valued in USD at the latest
    rate on or before the date in column ``dated_by`` (the latest rate of all if undated)."""

    prefix: str
    dated_by: str
    weight: int = 0


@dataclass(frozen=True)
class Share:
    """``<prefix>_min`` and ``<prefix>_max``: a fraction known as a range, or null."""

    prefix: str
    weight: int = 0


@dataclass(frozen=True)
class UsdRange:
    """``<prefix>_min``, ``<prefix>_max`` and ``<prefix>_estimated``: an amount in USD known
    to lie in a range, or null."""

    prefix: str
    weight: int = 0


@dataclass(frozen=True)
class ToOne:
    """The ``type_name`` object whose primary key is in ``column`` (null when the key is)."""

    type_name: str
    column: str
    weight: int = 0


@dataclass(frozen=True)
class Rows:
    """A short, closed list: ``select()``'s rows whose ``parent_column`` is this row's id, in
    ``order``, each a ``type_name`` object."""

    type_name: str
    parent_column: str
    order: tuple[str, ...]
    select: Callable[[], Select[Any]] | None = None
    weight: int = 1


# The argument of the lists without a filter input (``Children.filtered`` false, root lists
# likewise), as the resolvers receive it.
UPDATED_SINCE_ARGUMENT = "updated_since"

# How a child list hangs off its parent: (parent id, the field's arguments) → condition.
ChildLink = Callable[[ColumnElement[Any], Mapping[str, Any]], ColumnElement[bool]]


def by_column(column: ColumnElement[Any]) -> ChildLink:
    """The common link: children whose ``column`` holds the parent's id."""
    return lambda parent, arguments: column == parent


@dataclass(frozen=True)
class Children:
    """A paged child list (a connection) of ``type_name`` objects linked by ``link``.

    ``filtered``: it takes the child type's ``filter`` and ``orderBy``. ``arguments``: further
    arguments the link or ``extra`` read, and ``extra`` the filter they add. ``key`` names the
    link for the request's loaders, from the arguments that change it."""

    type_name: str
    link: ChildLink
    key: Callable[[Mapping[str, Any]], str]
    filtered: bool = False
    arguments: tuple[str, ...] = ()
    extra: Callable[[Mapping[str, Any]], FilterNode | None] | None = None
    weight: int = 1  # per item: a connection counts its page size

    def node(self, given: FilterNode | None, arguments: Mapping[str, Any]) -> FilterNode | None:
        """The child list's filter: the ``filter`` given, what ``extra`` adds, and (a list
        without a filter input) the ``updatedSince`` argument."""
        extra = self.extra(arguments) if self.extra is not None else None
        parts = tuple(n for n in (given, extra) if n is not None)
        node = None if not parts else parts[0] if len(parts) == 1 else ("and", parts)
        return with_updated_since(node, arguments.get(UPDATED_SINCE_ARGUMENT))


def children(type_name: str, column: ColumnElement[Any], *, filtered: bool = False) -> Children:
    """Children whose ``column`` holds the parent's id."""
    name = f"{column.table.name}.{column.name}"
    return Children(type_name, by_column(column), lambda arguments: name, filtered)


@dataclass(frozen=True)
class Claims:
    """The claims whose subject link in ``claim_subject.<column>`` names this row, by id."""

    subject_column: str
    weight: int = 1


@dataclass(frozen=True)
class Subject:
    """A claim's subject: the record its first subject link names."""

    weight: int = 0


Field = (
    Value | Decimal | Timestamp | PartialDate | Money | Share | UsdRange | ToOne | Rows | Children
    | Claims | Subject
)  # fmt: skip


@dataclass(frozen=True)
class TypeMap:
    """One object type: the entity its rows come from and its fields by GraphQL name.

    ``node``: it implements ``Node`` (a global ``id``) and ``Versioned`` (``version``,
    ``recordedAt`` and its ``history``)."""

    type_name: str
    entity: Entity
    fields: Mapping[str, Field]
    node: bool = True
    versioned_fields: Mapping[str, Field] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.node:
            object.__setattr__(
                self,
                "versioned_fields",
                {"version": Value("version"), "recordedAt": Timestamp("recorded_at")},
            )

    @property
    def all_fields(self) -> dict[str, Field]:
        return {**self.versioned_fields, **self.fields}
