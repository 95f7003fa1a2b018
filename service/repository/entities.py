"""What each list of the API reads: its base SELECT, its filter leaves and its orderings."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from sqlalchemy import ColumnElement, Date, Select, Table, Text, cast, func, literal, select

from service.db import tables as t
from service.repository import filters as f
from service.repository.db import Db
from service.repository.paging import KeyKind, SortKey


@dataclass(frozen=True)
class Entity:
    name: str
    table: Table
    base: Callable[[], Select[Any]]
    leaves: Mapping[str, f.Leaf] = field(default_factory=dict)
    orders: Mapping[str, tuple[ColumnElement[Any], KeyKind]] = field(default_factory=dict)
    default_order: tuple[tuple[str, bool], ...] = ()

    @property
    def pk(self) -> ColumnElement[int]:
        column: ColumnElement[int] = self.table.c.id
        return column

    def sort_keys(self, order: Sequence[tuple[str, bool]]) -> list[SortKey]:
        """The given ordering (or the default), made total with the primary key."""
        terms = list(order) or list(self.default_order)
        keys = [SortKey(name, *self.orders[name], descending=desc) for name, desc in terms]
        descending = keys[-1].descending if keys else False
        keys.append(SortKey("ID", self.pk, "int", descending=descending))
        return keys

    def filtered(self, node: f.FilterNode | None) -> Select[Any]:
        return self.base().where(f.build_condition(node, self.leaves))


def _plain(table: Table) -> Callable[[], Select[Any]]:
    return lambda: select(table)


def _rounds() -> Select[Any]:
    return select(t.funding_round)


# The round's columns ride along through LEFT JOINs on NOT NULL foreign keys (a live record's
# round is live too: a round with live investments cannot be retired), so they give the same
# rows as inner joins; but PostgreSQL drops a LEFT JOIN to a unique key whose columns a query
# does not use, which spares the compiled path two index probes per investment or component.


def _investments() -> Select[Any]:
    r = t.funding_round
    return select(
        t.investment,
        r.c.organization_id.label("round_organization_id"),
        r.c.announced_on.label("round_announced_on"),
    ).outerjoin_from(t.investment, r, t.investment.c.round_id == r.c.id)


def _components() -> Select[Any]:
    r, i = t.funding_round, t.investment
    return (
        select(t.consideration_component, r.c.announced_on.label("round_announced_on"))
        .outerjoin_from(
            t.consideration_component, i, t.consideration_component.c.investment_id == i.c.id
        )
        .outerjoin(r, i.c.round_id == r.c.id)
    )


ORGANIZATION = Entity(
    "organization",
    t.organization,
    _plain(t.organization),
    f.ORGANIZATION_LEAVES,
    {
        "NAME": (t.organization.c.name, "text"),
        "SLUG": (t.organization.c.slug, "text"),
        "CREATED_AT": (t.organization.c.created_at, "datetime"),
    },
    (("NAME", False),),
)

ORGANIZATION_NAME = Entity("organization_name", t.organization_name, _plain(t.organization_name))

FUNDING_ROUND = Entity(
    "funding_round",
    t.funding_round,
    _rounds,
    f.FUNDING_ROUND_LEAVES,
    {
        "ANNOUNCED_ON": (t.funding_round.c.sort_on, "date"),
        "AMOUNT": (func.coalesce(t.funding_round.c.raised_amount, -1), "decimal"),
        "CREATED_AT": (t.funding_round.c.created_at, "datetime"),
    },
    (("ANNOUNCED_ON", True),),
)

INVESTMENT = Entity(
    "investment",
    t.investment,
    _investments,
    f.INVESTMENT_LEAVES,
    {
        "IS_LEAD": (t.investment.c.is_lead, "bool"),
        "AMOUNT": (func.coalesce(t.investment.c.committed_amount, -1), "decimal"),
        "CREATED_AT": (t.investment.c.created_at, "datetime"),
    },
    (("IS_LEAD", True),),
)

CONSIDERATION_COMPONENT = Entity("consideration_component", t.consideration_component, _components)

PERSON = Entity(
    "person",
    t.person,
    _plain(t.person),
    f.PERSON_LEAVES,
    {"NAME": (t.person.c.name, "text")},
    (("NAME", False),),
)

# The date undated rows sort on, as the computed `sort_on` columns of rounds and events have it.
_EARLIEST = cast(literal("0001-01-01", Text), Date)

PERSON_ROLE = Entity(
    "person_role",
    t.person_role,
    _plain(t.person_role),
    {},
    # Undated roles sort as the oldest, on the same 0001-01-01 as undated rounds and events.
    # The fallback is cast in SQL: a bare string bind makes PostgreSQL refuse
    # COALESCE(date, varchar), and asyncpg would send a date.min bind as -infinity.
    {"STARTED_ON": (func.coalesce(t.person_role.c.started_on, _EARLIEST), "date")},
    (("STARTED_ON", True),),
)

PRODUCT = Entity(
    "product",
    t.product,
    _plain(t.product),
    f.PRODUCT_LEAVES,
    {"NAME": (t.product.c.name, "text")},
    (("NAME", False),),
)

CREDIT_TYPE = Entity(
    "credit_type",
    t.credit_type,
    _plain(t.credit_type),
    f.CREDIT_TYPE_LEAVES,
    {"NAME": (t.credit_type.c.name, "text")},
    (("NAME", False),),
)

CREDIT_PROGRAM = Entity(
    "credit_program",
    t.credit_program,
    _plain(t.credit_program),
    f.CREDIT_PROGRAM_LEAVES,
    {"NAME": (t.credit_program.c.name, "text")},
    (("NAME", False),),
)

RELATIONSHIP = Entity(
    "relationship",
    t.relationship,
    _plain(t.relationship),
    {"kind": f.eq_in(t.relationship.c.kind)},
    {"KIND": (t.relationship.c.kind, "text")},
    (("KIND", False),),
)

COMPUTE_ASSET = Entity(
    "compute_asset",
    t.compute_asset,
    _plain(t.compute_asset),
    {},
    {"CHIP_MODEL": (t.compute_asset.c.chip_model, "text")},
    (("CHIP_MODEL", False),),
)

EVENT = Entity(
    "event",
    t.event,
    _plain(t.event),
    f.EVENT_LEAVES,
    {"OCCURRED_ON": (t.event.c.sort_on, "date")},
    (("OCCURRED_ON", True),),
)

SOURCE = Entity(
    "source",
    t.source,
    _plain(t.source),
    f.SOURCE_LEAVES,
    {"PUBLISHER": (t.source.c.publisher, "text"), "TITLE": (t.source.c.title, "text")},
    (("PUBLISHER", False),),
)

CLAIM = Entity("claim", t.claim, _plain(t.claim))

PRODUCT_ALTERNATIVE = Entity(
    "product_alternative", t.product_alternative, _plain(t.product_alternative)
)

EVENT_PARTICIPANT = Entity("event_participant", t.event_participant, _plain(t.event_participant))


async def fetch_by_ids(db: Db, entity: Entity, ids: Sequence[int]) -> dict[int, asyncpg.Record]:
    rows = await db.fetch(entity.base().where(entity.pk.in_(list(ids))))
    return {row["id"]: row for row in rows}


async def fetch_by_column(
    db: Db, entity: Entity, column: ColumnElement[Any], values: Sequence[Any]
) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await db.fetch(
        entity.base().where(column.in_(list(values))).order_by(*entity.table.primary_key.columns)
    )
    return rows
