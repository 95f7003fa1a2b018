"""Filter and ordering inputs of the records of an investment's life: acquisitions, listings,
valuations, funds and exits. Their trees are built by ``filters.to_node`` like every list's."""

from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry

from service.schema.common import (
    AcquisitionStatus,
    ExitKind,
    ListingStatus,
    OrderDirection,
    ValuationBasis,
)
from service.schema.filters import (
    UPDATED_SINCE,
    DateRangeFilter,
    OrganizationMatch,
    StringFilter,
)


@strawberry.input(description="Matches acquisition statuses.")
class AcquisitionStatusFilter:
    eq: AcquisitionStatus | None = strawberry.field(default=None, description="Equal to this.")
    in_: list[AcquisitionStatus] | None = strawberry.field(
        name="in", default=None, description="Any of these."
    )


@strawberry.input(description="Filters acquisitions; all given conditions must hold.")
class AcquisitionFilter:
    and_: list[AcquisitionFilter] | None = strawberry.field(
        name="and", default=None, description="All of these."
    )
    or_: list[AcquisitionFilter] | None = strawberry.field(
        name="or", default=None, description="Any of these."
    )
    not_: AcquisitionFilter | None = strawberry.field(
        name="not", default=None, description="Not this."
    )
    acquirer: OrganizationMatch | None = strawberry.field(
        default=None, description="Bought by one of these organizations."
    )
    acquired: OrganizationMatch | None = strawberry.field(
        default=None, description="Of one of these organizations."
    )
    status: AcquisitionStatusFilter | None = strawberry.field(
        default=None, description="By status."
    )
    date: DateRangeFilter | None = strawberry.field(
        default=None,
        description="Completed (else announced) within this range, by the period's first day.",
    )
    updated_since: dt.datetime | None = strawberry.field(default=None, description=UPDATED_SINCE)


@strawberry.enum(description="Orderings of acquisitions.")
class AcquisitionOrderField(Enum):
    DATE = strawberry.enum_value(
        "DATE", description="By completion, else announcement date (undated as earliest)."
    )
    PRICE = strawberry.enum_value(
        "PRICE", description="By price in its own currency (undisclosed as lowest)."
    )
    CREATED_AT = strawberry.enum_value("CREATED_AT", description="By when the record was created.")


@strawberry.input(description="One term of an acquisition ordering.")
class AcquisitionOrder:
    field: AcquisitionOrderField = strawberry.field(description="What to order by.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending or descending."
    )


@strawberry.input(description="Matches listing statuses.")
class ListingStatusFilter:
    eq: ListingStatus | None = strawberry.field(default=None, description="Equal to this.")
    in_: list[ListingStatus] | None = strawberry.field(
        name="in", default=None, description="Any of these."
    )


@strawberry.input(description="Filters listings (IPOs); all given conditions must hold.")
class ListingFilter:
    and_: list[ListingFilter] | None = strawberry.field(
        name="and", default=None, description="All of these."
    )
    or_: list[ListingFilter] | None = strawberry.field(
        name="or", default=None, description="Any of these."
    )
    not_: ListingFilter | None = strawberry.field(name="not", default=None, description="Not this.")
    organization: OrganizationMatch | None = strawberry.field(
        default=None, description="Of one of these organizations."
    )
    status: ListingStatusFilter | None = strawberry.field(default=None, description="By status.")
    exchange: StringFilter | None = strawberry.field(
        default=None, description="On one of these exchanges."
    )
    date: DateRangeFilter | None = strawberry.field(
        default=None,
        description="Its latest known step (listed, withdrawn, filed, announced) within this "
        "range, by the period's first day.",
    )
    updated_since: dt.datetime | None = strawberry.field(default=None, description=UPDATED_SINCE)


@strawberry.enum(description="Orderings of listings.")
class ListingOrderField(Enum):
    DATE = strawberry.enum_value(
        "DATE",
        description="By its latest known step: listed, withdrawn, filed or announced "
        "(undated as earliest).",
    )
    RAISED = strawberry.enum_value(
        "RAISED", description="By money raised in its own currency (unknown as lowest)."
    )
    CREATED_AT = strawberry.enum_value("CREATED_AT", description="By when the record was created.")


@strawberry.input(description="One term of a listing ordering.")
class ListingOrder:
    field: ListingOrderField = strawberry.field(description="What to order by.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending or descending."
    )


@strawberry.input(description="Matches valuation bases.")
class ValuationBasisFilter:
    eq: ValuationBasis | None = strawberry.field(default=None, description="Equal to this.")
    in_: list[ValuationBasis] | None = strawberry.field(
        name="in", default=None, description="Any of these."
    )


@strawberry.input(description="Filters valuations; all given conditions must hold.")
class ValuationFilter:
    and_: list[ValuationFilter] | None = strawberry.field(
        name="and", default=None, description="All of these."
    )
    or_: list[ValuationFilter] | None = strawberry.field(
        name="or", default=None, description="Any of these."
    )
    not_: ValuationFilter | None = strawberry.field(
        name="not", default=None, description="Not this."
    )
    organization: OrganizationMatch | None = strawberry.field(
        default=None, description="Of one of these organizations."
    )
    basis: ValuationBasisFilter | None = strawberry.field(default=None, description="By basis.")
    valued: DateRangeFilter | None = strawberry.field(
        default=None, description="Valued within this range (by the period's first day)."
    )
    updated_since: dt.datetime | None = strawberry.field(default=None, description=UPDATED_SINCE)


@strawberry.enum(description="Orderings of valuations.")
class ValuationOrderField(Enum):
    VALUED_ON = strawberry.enum_value(
        "VALUED_ON", description="By the date valued at (undated as earliest)."
    )
    VALUE = strawberry.enum_value("VALUE", description="By value in its own currency.")
    CREATED_AT = strawberry.enum_value("CREATED_AT", description="By when the record was created.")


@strawberry.input(description="One term of a valuation ordering.")
class ValuationOrder:
    field: ValuationOrderField = strawberry.field(description="What to order by.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending or descending."
    )


@strawberry.input(description="Filters funds; all given conditions must hold.")
class FundFilter:
    and_: list[FundFilter] | None = strawberry.field(
        name="and", default=None, description="All of these."
    )
    or_: list[FundFilter] | None = strawberry.field(
        name="or", default=None, description="Any of these."
    )
    not_: FundFilter | None = strawberry.field(name="not", default=None, description="Not this.")
    slug: StringFilter | None = strawberry.field(default=None, description="By slug.")
    manager: OrganizationMatch | None = strawberry.field(
        default=None, description="Managed by one of these organizations."
    )
    vintage_year: IntFilter | None = strawberry.field(
        default=None, description="Of one of these vintage years."
    )
    updated_since: dt.datetime | None = strawberry.field(default=None, description=UPDATED_SINCE)


@strawberry.input(description="Matches whole numbers exactly, or any of several.")
class IntFilter:
    eq: int | None = strawberry.field(default=None, description="Equal to this.")
    in_: list[int] | None = strawberry.field(name="in", default=None, description="Any of these.")


@strawberry.enum(description="Orderings of funds.")
class FundOrderField(Enum):
    NAME = strawberry.enum_value("NAME", description="By name.")
    VINTAGE_YEAR = strawberry.enum_value(
        "VINTAGE_YEAR", description="By vintage year (unknown as earliest)."
    )
    CREATED_AT = strawberry.enum_value("CREATED_AT", description="By when the record was created.")


@strawberry.input(description="One term of a fund ordering.")
class FundOrder:
    field: FundOrderField = strawberry.field(description="What to order by.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending or descending."
    )


@strawberry.input(description="Matches exit kinds.")
class ExitKindFilter:
    eq: ExitKind | None = strawberry.field(default=None, description="Equal to this.")
    in_: list[ExitKind] | None = strawberry.field(
        name="in", default=None, description="Any of these."
    )


@strawberry.input(description="Filters exits; all given conditions must hold.")
class ExitFilter:
    and_: list[ExitFilter] | None = strawberry.field(
        name="and", default=None, description="All of these."
    )
    or_: list[ExitFilter] | None = strawberry.field(
        name="or", default=None, description="Any of these."
    )
    not_: ExitFilter | None = strawberry.field(name="not", default=None, description="Not this.")
    investor: OrganizationMatch | None = strawberry.field(
        default=None, description="Of a stake held by one of these organizations."
    )
    organization: OrganizationMatch | None = strawberry.field(
        default=None, description="Of a stake in one of these organizations."
    )
    counterparty: OrganizationMatch | None = strawberry.field(
        default=None, description="Sold to one of these organizations."
    )
    kind: ExitKindFilter | None = strawberry.field(default=None, description="By kind.")
    exited: DateRangeFilter | None = strawberry.field(
        default=None, description="Ended within this range (by the period's first day)."
    )
    updated_since: dt.datetime | None = strawberry.field(default=None, description=UPDATED_SINCE)


@strawberry.enum(description="Orderings of exits.")
class ExitOrderField(Enum):
    EXITED_ON = strawberry.enum_value("EXITED_ON", description="By date (undated as earliest).")
    PROCEEDS = strawberry.enum_value(
        "PROCEEDS", description="By proceeds in their own currency (unknown as lowest)."
    )
    CREATED_AT = strawberry.enum_value("CREATED_AT", description="By when the record was created.")


@strawberry.input(description="One term of an exit ordering.")
class ExitOrder:
    field: ExitOrderField = strawberry.field(description="What to order by.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending or descending."
    )
