"""Filter and ordering inputs. Each filter becomes a hashable tree (see repository.filters)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Annotated, Any

import strawberry

from service.ids import GlobalIdError, decode_id_of
from service.repository.conditions import FilterNode
from service.schema.common import (
    ConsiderationKind,
    EventKind,
    OrderDirection,
    OrganizationKind,
    RoundStatus,
    RoundType,
    SourceKind,
)
from service.schema.relay import user_error

_LOGICAL = {"and_", "or_", "not_"}

UPDATED_SINCE = (
    "Only records created or changed at or after this time: their `recordedAt` (the time of "
    "their current version; as of a recorded time, of the version then current)."
)

# The same condition on the lists that take no filter input (declared by the read model:
# ``Children.filtered`` / ``RootList.filtered`` false), as an argument of their own.
UpdatedSince = Annotated[dt.datetime | None, strawberry.argument(description=UPDATED_SINCE)]

# Filter fields that take a plain list of global IDs, and the type those IDs must name. They are
# decoded wherever they occur, so that they work inside `and`/`or`/`not` branches too.
_ID_LISTS = {"round": "FundingRound"}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return tuple(_plain(v) for v in value)
    return value


def _leaf_ops(leaf: Any) -> list[tuple[str, Any]]:
    if isinstance(leaf, bool):
        return [("eq", leaf)]
    converter = getattr(leaf, "ops", None)
    if converter is not None:
        ops: list[tuple[str, Any]] = converter()
        return ops
    return [
        (f.name.rstrip("_"), _plain(getattr(leaf, f.name)))
        for f in dataclasses.fields(leaf)
        if getattr(leaf, f.name) is not None
    ]


def to_node(filter_input: Any | None) -> FilterNode | None:
    """A filter input → ("and", (...)) of its leaves and its and/or/not branches."""
    if filter_input is None:
        return None
    parts: list[FilterNode] = []
    for f in dataclasses.fields(filter_input):
        value = getattr(filter_input, f.name)
        if value is None:
            continue
        if f.name == "and_":
            parts.append(("and", tuple(n for v in value if (n := to_node(v)) is not None)))
        elif f.name == "or_":
            parts.append(("or", tuple(n for v in value if (n := to_node(v)) is not None)))
        elif f.name == "not_":
            inner = to_node(value)
            if inner is not None:
                parts.append(("not", inner))
        elif isinstance(value, dt.datetime):
            parts.append(("leaf", _camel(f.name), "gte", value))
        elif f.name in _ID_LISTS:
            ids = _ids(value, _ID_LISTS[f.name])
            parts.append(("leaf", _camel(f.name), "in", ids))
        else:
            parts.extend(("leaf", _camel(f.name), op, v) for op, v in _leaf_ops(value))
    return ("and", tuple(parts))


def _ids(values: list[strawberry.ID] | None, type_name: str) -> tuple[int, ...]:
    try:
        return tuple(decode_id_of(str(v), type_name) for v in values or [])
    except GlobalIdError as exc:
        raise user_error(str(exc)) from exc


@strawberry.input(description="Matches text exactly, or any of several values.")
class StringFilter:
    eq: str | None = strawberry.field(default=None, description="Equal to this.")
    in_: list[str] | None = strawberry.field(name="in", default=None, description="Any of these.")

    def ops(self) -> list[tuple[str, Any]]:
        out: list[tuple[str, Any]] = []
        if self.eq:
            out.append(("eq", self.eq))
        if self.in_:
            out.append(("in", tuple(self.in_)))
        return out


@strawberry.input(
    description="Matches a name in any of its stored forms (every language and script), "
    "ignoring case, accents and Arabic vowel marks."
)
class NameFilter:
    contains: str | None = strawberry.field(default=None, description="Substring match.")
    eq: str | None = strawberry.field(default=None, description="Whole-name match.")
    in_: list[str] | None = strawberry.field(name="in", default=None, description="Any of these.")

    def ops(self) -> list[tuple[str, Any]]:
        out: list[tuple[str, Any]] = []
        if self.contains is not None:
            if not self.contains.strip():
                raise user_error("`name.contains` must not be blank.")
            out.append(("contains", self.contains))
        if self.eq is not None:
            out.append(("eq", self.eq))
        if self.in_ is not None:
            out.append(("in", tuple(self.in_)))
        return out


@strawberry.input(description="Organizations given by global IDs and/or slugs (any of them).")
class OrganizationMatch:
    ids: list[strawberry.ID] | None = strawberry.field(default=None, description="Global IDs.")
    slugs: list[str] | None = strawberry.field(default=None, description="Slugs.")

    def ops(self) -> list[tuple[str, Any]]:
        return [("match", (_ids(self.ids, "Organization"), tuple(self.slugs or ())))]


@strawberry.input(description="People given by global IDs and/or slugs (any of them).")
class PersonMatch:
    ids: list[strawberry.ID] | None = strawberry.field(default=None, description="Global IDs.")
    slugs: list[str] | None = strawberry.field(default=None, description="Slugs.")

    def ops(self) -> list[tuple[str, Any]]:
        return [("match", (_ids(self.ids, "Person"), tuple(self.slugs or ())))]


@strawberry.input(description="A date range; either bound may be left open (bounds inclusive).")
class DateRangeFilter:
    gte: dt.date | None = strawberry.field(default=None, description="On or after.")
    lte: dt.date | None = strawberry.field(default=None, description="On or before.")


@strawberry.input(description="A count within bounds; either may be left open (inclusive).")
class CountRangeFilter:
    gte: int | None = strawberry.field(default=None, description="At least this many.")
    lte: int | None = strawberry.field(default=None, description="At most this many.")

    def ops(self) -> list[tuple[str, Any]]:
        out = [(op, v) for op, v in (("gte", self.gte), ("lte", self.lte)) if v is not None]
        if any(v < 0 for _, v in out):
            raise user_error("A count bound must be 0 or more.")
        return out


@strawberry.input(
    description="An amount in US dollars within bounds, as decimal strings; either bound may be "
    "left open (inclusive). Against a range, `gte` holds when its lower bound is at least the "
    "amount and `lte` when its upper bound is at most it; no amount matches neither."
)
class UsdAmountFilter:
    gte: str | None = strawberry.field(default=None, description='At least this, e.g. "1e8".')
    lte: str | None = strawberry.field(default=None, description="At most this.")

    def ops(self) -> list[tuple[str, Any]]:
        out: list[tuple[str, Any]] = []
        for op, text in (("gte", self.gte), ("lte", self.lte)):
            if text is None:
                continue
            try:
                amount = Decimal(text.strip())
            except InvalidOperation:
                amount = Decimal("NaN")
            if not amount.is_finite() or amount < 0:
                raise user_error(f"`{op}` must be a non-negative decimal string; got {text!r}.")
            out.append((op, amount))
        return out


@strawberry.input(description="Matches organization kinds: any of those given.")
class OrganizationKindFilter:
    eq: OrganizationKind | None = strawberry.field(default=None, description="Equal to this.")
    in_: list[OrganizationKind] | None = strawberry.field(
        name="in", default=None, description="Any of these."
    )


@strawberry.input(description="Matches ISO 3166-1 alpha-2 country codes.")
class CountryFilter:
    eq: str | None = strawberry.field(default=None, description="Equal to this.")
    in_: list[str] | None = strawberry.field(name="in", default=None, description="Any of these.")


@strawberry.input(description="Matches round types.")
class RoundTypeFilter:
    eq: RoundType | None = strawberry.field(default=None, description="Equal to this.")
    in_: list[RoundType] | None = strawberry.field(
        name="in", default=None, description="Any of these."
    )


@strawberry.input(description="Matches round statuses.")
class RoundStatusFilter:
    eq: RoundStatus | None = strawberry.field(default=None, description="Equal to this.")
    in_: list[RoundStatus] | None = strawberry.field(
        name="in", default=None, description="Any of these."
    )


@strawberry.input(description="Matches consideration kinds: any component of one of these kinds.")
class ConsiderationKindFilter:
    eq: ConsiderationKind | None = strawberry.field(default=None, description="Equal to this.")
    in_: list[ConsiderationKind] | None = strawberry.field(
        name="in", default=None, description="Any of these."
    )


@strawberry.input(description="Matches event kinds.")
class EventKindFilter:
    eq: EventKind | None = strawberry.field(default=None, description="Equal to this.")
    in_: list[EventKind] | None = strawberry.field(
        name="in", default=None, description="Any of these."
    )


@strawberry.input(description="Matches source kinds.")
class SourceKindFilter:
    eq: SourceKind | None = strawberry.field(default=None, description="Equal to this.")
    in_: list[SourceKind] | None = strawberry.field(
        name="in", default=None, description="Any of these."
    )


@strawberry.input(description="Filters organizations; all given conditions must hold.")
class OrganizationFilter:
    and_: list[OrganizationFilter] | None = strawberry.field(
        name="and", default=None, description="All of these."
    )
    or_: list[OrganizationFilter] | None = strawberry.field(
        name="or", default=None, description="Any of these."
    )
    not_: OrganizationFilter | None = strawberry.field(
        name="not", default=None, description="Not this."
    )
    slug: StringFilter | None = strawberry.field(default=None, description="By slug.")
    kind: OrganizationKindFilter | None = strawberry.field(
        default=None, description="Has any of these kinds."
    )
    country: CountryFilter | None = strawberry.field(default=None, description="By country.")
    name: NameFilter | None = strawberry.field(
        default=None, description="By any of its names, in any script."
    )
    total_raised_usd: UsdAmountFilter | None = strawberry.field(
        default=None, description="By the USD total of its funding rounds (`totalRaisedUsd`)."
    )
    rounds_count: CountRangeFilter | None = strawberry.field(
        default=None, description="By how many funding rounds it raised."
    )
    last_round_date: DateRangeFilter | None = strawberry.field(
        default=None,
        description="Its last round dated within this range (by the period's first day).",
    )
    investors_count: CountRangeFilter | None = strawberry.field(
        default=None,
        description="By how many distinct investors (organizations and angels) invested in "
        "its rounds.",
    )
    leads_count: CountRangeFilter | None = strawberry.field(
        default=None,
        description="By how many distinct investors (organizations and angels) led one of "
        "its rounds.",
    )
    acquisitions_count: CountRangeFilter | None = strawberry.field(
        default=None, description="By how many acquisitions it made (cancelled ones left out)."
    )
    exits_count: CountRangeFilter | None = strawberry.field(
        default=None, description="By how many exits it took part in (`exitsCount`)."
    )
    updated_since: dt.datetime | None = strawberry.field(default=None, description=UPDATED_SINCE)


@strawberry.input(description="Filters funding rounds; all given conditions must hold.")
class FundingRoundFilter:
    and_: list[FundingRoundFilter] | None = strawberry.field(
        name="and", default=None, description="All of these."
    )
    or_: list[FundingRoundFilter] | None = strawberry.field(
        name="or", default=None, description="Any of these."
    )
    not_: FundingRoundFilter | None = strawberry.field(
        name="not", default=None, description="Not this."
    )
    organization: OrganizationMatch | None = strawberry.field(
        default=None, description="Raised by one of these organizations."
    )
    investor: OrganizationMatch | None = strawberry.field(
        default=None, description="With one of these organizations among its investors."
    )
    announced: DateRangeFilter | None = strawberry.field(
        default=None, description="Announced within this range (by the period's first day)."
    )
    round_type: RoundTypeFilter | None = strawberry.field(default=None, description="By type.")
    status: RoundStatusFilter | None = strawberry.field(default=None, description="By status.")
    consideration_kind: ConsiderationKindFilter | None = strawberry.field(
        default=None, description="With an investment paid partly in one of these kinds."
    )
    updated_since: dt.datetime | None = strawberry.field(default=None, description=UPDATED_SINCE)


@strawberry.input(description="Filters investments; all given conditions must hold.")
class InvestmentFilter:
    and_: list[InvestmentFilter] | None = strawberry.field(
        name="and", default=None, description="All of these."
    )
    or_: list[InvestmentFilter] | None = strawberry.field(
        name="or", default=None, description="Any of these."
    )
    not_: InvestmentFilter | None = strawberry.field(
        name="not", default=None, description="Not this."
    )
    investor: OrganizationMatch | None = strawberry.field(
        default=None, description="Made by one of these organizations."
    )
    investor_person: PersonMatch | None = strawberry.field(
        default=None, description="Made by one of these people, as angels."
    )
    organization: OrganizationMatch | None = strawberry.field(
        default=None, description="In a round raised by one of these organizations."
    )
    round: list[strawberry.ID] | None = strawberry.field(
        default=None, description="In one of these rounds (global IDs)."
    )
    is_lead: bool | None = strawberry.field(default=None, description="Lead investments only.")
    consideration_kind: ConsiderationKindFilter | None = strawberry.field(
        default=None, description="Paid partly in one of these kinds."
    )
    updated_since: dt.datetime | None = strawberry.field(default=None, description=UPDATED_SINCE)


def investment_filter_node(value: InvestmentFilter | None) -> FilterNode | None:
    """An investment filter's tree (its `round` IDs are decoded by ``to_node``)."""
    return to_node(value)


@strawberry.input(description="Filters people.")
class PersonFilter:
    name: StringFilter | None = strawberry.field(default=None, description="By name.")
    slug: StringFilter | None = strawberry.field(default=None, description="By slug.")
    updated_since: dt.datetime | None = strawberry.field(default=None, description=UPDATED_SINCE)


@strawberry.input(description="Filters products.")
class ProductFilter:
    name: StringFilter | None = strawberry.field(default=None, description="By name.")
    organization: OrganizationMatch | None = strawberry.field(
        default=None, description="Made by one of these organizations."
    )
    updated_since: dt.datetime | None = strawberry.field(default=None, description=UPDATED_SINCE)


@strawberry.input(description="Filters events.")
class EventFilter:
    kind: EventKindFilter | None = strawberry.field(default=None, description="By kind.")
    occurred: DateRangeFilter | None = strawberry.field(
        default=None, description="Occurred within this range."
    )
    organization: OrganizationMatch | None = strawberry.field(
        default=None, description="Involving one of these organizations."
    )
    updated_since: dt.datetime | None = strawberry.field(default=None, description=UPDATED_SINCE)


@strawberry.input(description="Filters sources.")
class SourceFilter:
    kind: SourceKindFilter | None = strawberry.field(default=None, description="By kind.")
    publisher: StringFilter | None = strawberry.field(default=None, description="By publisher.")
    updated_since: dt.datetime | None = strawberry.field(default=None, description=UPDATED_SINCE)


@strawberry.enum(description="Orderings of organizations.")
class OrganizationOrderField(Enum):
    NAME = strawberry.enum_value("NAME", description="By display name.")
    SLUG = strawberry.enum_value("SLUG", description="By slug.")
    CREATED_AT = strawberry.enum_value("CREATED_AT", description="By when the record was created.")
    TOTAL_RAISED = strawberry.enum_value(
        "TOTAL_RAISED",
        description="By the USD total raised, its lower bound (no total as lowest: first "
        "ascending, last descending).",
    )
    LAST_ROUND_DATE = strawberry.enum_value(
        "LAST_ROUND_DATE",
        description="By the date of its last round (undated or no round as earliest: first "
        "ascending, last descending).",
    )
    ROUNDS_COUNT = strawberry.enum_value("ROUNDS_COUNT", description="By its number of rounds.")
    INVESTORS_COUNT = strawberry.enum_value(
        "INVESTORS_COUNT", description="By its number of distinct investors."
    )


@strawberry.input(description="One term of an organization ordering.")
class OrganizationOrder:
    field: OrganizationOrderField = strawberry.field(description="What to order by.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending or descending."
    )


@strawberry.enum(description="Orderings of funding rounds.")
class FundingRoundOrderField(Enum):
    ANNOUNCED_ON = strawberry.enum_value(
        "ANNOUNCED_ON", description="By announcement date (undated rounds count as earliest)."
    )
    AMOUNT = strawberry.enum_value(
        "AMOUNT", description="By amount raised in its own currency (undisclosed as lowest)."
    )
    CREATED_AT = strawberry.enum_value("CREATED_AT", description="By when the record was created.")


@strawberry.input(description="One term of a funding-round ordering (undated rounds first).")
class FundingRoundOrder:
    field: FundingRoundOrderField = strawberry.field(description="What to order by.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending or descending."
    )


@strawberry.enum(description="Orderings of investments.")
class InvestmentOrderField(Enum):
    IS_LEAD = strawberry.enum_value(
        "IS_LEAD", description="Lead investments apart from the others (DESC: leads first)."
    )
    AMOUNT = strawberry.enum_value(
        "AMOUNT", description="By committed amount in its own currency (undisclosed as lowest)."
    )
    CREATED_AT = strawberry.enum_value("CREATED_AT", description="By when the record was created.")


@strawberry.input(description="One term of an investment ordering.")
class InvestmentOrder:
    field: InvestmentOrderField = strawberry.field(description="What to order by.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending or descending."
    )
