"""Value types shared by every domain: enums, Money, ranges, partial dates, names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum

import asyncpg
import strawberry

from service import domain
from service.schema.context import Context
from service.values import format_decimal, to_usd

OrganizationKind = domain.OrganizationKind
strawberry.enum(OrganizationKind, description="What an organization is; it can be several kinds.")
NameKind = domain.NameKind
strawberry.enum(NameKind, description="What sort of name a name is.")
DatePrecision = domain.DatePrecision
strawberry.enum(DatePrecision, description="How precisely a date is known.")
RoleKind = domain.RoleKind
strawberry.enum(RoleKind, description="The sort of role a person holds.")
RoundType = domain.RoundType
strawberry.enum(RoundType, description="The type of a funding round.")
RoundStatus = domain.RoundStatus
strawberry.enum(RoundStatus, description="How settled a round is.")
ConsiderationKind = domain.ConsiderationKind
strawberry.enum(ConsiderationKind, description="What an investor gives in exchange for equity.")
RelationshipKind = domain.RelationshipKind
strawberry.enum(RelationshipKind, description="The type of a relationship between organizations.")
RelationshipDirection = domain.RelationshipDirection
strawberry.enum(
    RelationshipDirection, description="Which end of a relationship an organization is."
)
EventKind = domain.EventKind
strawberry.enum(EventKind, description="The type of an event.")
SourceKind = domain.SourceKind
strawberry.enum(SourceKind, description="The type of a source.")
Attribution = domain.Attribution
strawberry.enum(Attribution, description="Who a claim is attributed to, by the source.")
Stance = domain.Stance
strawberry.enum(Stance, description="What the attributed party did: assert, decline to comment…")
CreditUnit = domain.CreditUnit
strawberry.enum(CreditUnit, description="What a credit is counted in.")
AcquisitionStatus = domain.AcquisitionStatus
strawberry.enum(AcquisitionStatus, description="How far an acquisition has gone.")
PaymentKind = domain.PaymentKind
strawberry.enum(PaymentKind, description="What a buyer pays with.")
ListingStatus = domain.ListingStatus
strawberry.enum(ListingStatus, description="How far a listing (an IPO or direct listing) has gone.")
ValuationBasis = domain.ValuationBasis
strawberry.enum(ValuationBasis, description="What a valuation is based on.")
ExitKind = domain.ExitKind
strawberry.enum(ExitKind, description="How an investment ended.")
InvestmentStatus = domain.InvestmentStatus
strawberry.enum(InvestmentStatus, description="Whether an investment is still held.")
DealRole = domain.DealRole
strawberry.enum(DealRole, description="A person's part in an investment, for the investor.")

for _vocabulary, _meanings in domain.MEANINGS.items():
    for _value in _vocabulary.__strawberry_definition__.values:  # type: ignore[attr-defined]
        _value.description = _meanings[_value.name]


@strawberry.enum(description="Sort direction.")
class OrderDirection(Enum):
    ASC = strawberry.enum_value("ASC", description="Ascending: smallest, earliest, A first.")
    DESC = strawberry.enum_value("DESC", description="Descending: largest, latest, Z first.")


@strawberry.type(description="A date known to a precision.")
class PartialDate:
    date: dt.date = strawberry.field(
        description="The first day of the period the date names (e.g. 2024-02-01 for February "
        "2024 at MONTH precision)."
    )
    precision: DatePrecision = strawberry.field(description="How precisely the date is known.")


def partial_date(row: asyncpg.Record, prefix: str) -> PartialDate | None:
    on = row[f"{prefix}_on"]
    if on is None:
        return None
    return PartialDate(date=on, precision=DatePrecision(row[f"{prefix}_precision"]))


@strawberry.type(description="The exchange rate used to express an amount in USD.")
class UsdRate:
    rate: str = strawberry.field(description="USD per unit of the currency, a decimal string.")
    rate_on: dt.date = strawberry.field(description="The date the rate is for.")
    source: str = strawberry.field(description="Where the rate comes from.")


@strawberry.type(description="An exact amount of money. Never a float.")
class Money:
    amount: str = strawberry.field(description='The amount, a decimal string (e.g. "800000000").')
    currency: str = strawberry.field(description="ISO 4217 currency code.")
    estimated: bool = strawberry.field(description="True if the amount is an estimate.")
    _raw: strawberry.Private[Decimal]
    _on: strawberry.Private[dt.date | None]

    @strawberry.field(
        description="The amount in USD at the latest known rate on or before the fact's date "
        "(the latest rate of all for undated facts); null where no rate is known."
    )
    async def amount_usd(self, info: strawberry.Info[Context, None]) -> str | None:
        rate = await info.context.loaders.fx().load((self.currency, self._on))
        if rate is None:
            return None
        return format_decimal(to_usd(self._raw, rate["usd_per_unit"]))

    @strawberry.field(description="The rate used for `amountUsd`; null where none is known.")
    async def usd_rate(self, info: strawberry.Info[Context, None]) -> UsdRate | None:
        rate = await info.context.loaders.fx().load((self.currency, self._on))
        if rate is None:
            return None
        return UsdRate(
            rate=format_decimal(rate["usd_per_unit"]),
            rate_on=rate["rate_on"],
            source=rate["source"],
        )


def money(row: asyncpg.Record, prefix: str, on: dt.date | None) -> Money | None:
    amount = row[f"{prefix}_amount"]
    if amount is None:
        return None
    return Money(
        amount=format_decimal(amount),
        currency=row[f"{prefix}_currency"],
        estimated=row[f"{prefix}_estimated"],
        _raw=amount,
        _on=on,
    )


@strawberry.type(description="A fraction known as a range; a point value has min = max.")
class ShareRange:
    min: str = strawberry.field(description="Lower bound in [0, 1], a decimal string.")
    max: str = strawberry.field(description="Upper bound in [0, 1], a decimal string.")


def share_range(row: asyncpg.Record, prefix: str) -> ShareRange | None:
    low = row[f"{prefix}_min"]
    if low is None:
        return None
    return ShareRange(min=format_decimal(low), max=format_decimal(row[f"{prefix}_max"]))


@strawberry.type(
    description="An amount in US dollars known only to lie in a range; a known amount has "
    "min = max. Decimal strings, to the cent."
)
class UsdAmountRange:
    min: str = strawberry.field(description="Lower bound in USD.")
    max: str = strawberry.field(description="Upper bound in USD.")
    estimated: bool = strawberry.field(
        description="True if any amount or share behind the range is an estimate."
    )


def usd_amount_range(row: asyncpg.Record, prefix: str) -> UsdAmountRange | None:
    low = row[f"{prefix}_min"]
    if low is None:
        return None
    return UsdAmountRange(
        min=format_decimal(low),
        max=format_decimal(row[f"{prefix}_max"]),
        estimated=row[f"{prefix}_estimated"],
    )
