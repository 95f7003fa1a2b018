"""What every analytic field shares: bounds on lists, periods, loading the objects an
analytic names, USD ranges."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from decimal import Decimal
from typing import TypeVar

from strawberry.types.nodes import SelectedField, Selection

from service.analytics.common import AnalyticsInputError, Period, UsdRange
from service.schema.common import (
    DatePrecision,
    PartialDate,
    ShareRange,
    UsdAmountRange,
)
from service.schema.context import Info
from service.schema.filters import DateRangeFilter
from service.schema.nodes import load_objects, require_object
from service.schema.organizations import Organization
from service.schema.relay import user_error
from service.schema.rounds import ConsiderationComponent, FundingRound, Investment
from service.values import format_decimal

T = TypeVar("T")

MAX_FIRST = 100


def first_of(value: int | None, default: int, name: str = "first") -> int:
    if value is None:
        return default
    if not 1 <= value <= MAX_FIRST:
        raise user_error(f"`{name}` must be between 1 and {MAX_FIRST}; got {value}.")
    return value


def period_of(value: DateRangeFilter | None) -> Period:
    if value is None:
        return Period()
    try:
        return Period(value.gte, value.lte)
    except AnalyticsInputError as exc:
        raise user_error(str(exc)) from exc


async def answer(run: Callable[[], Awaitable[T]]) -> T:
    """Runs an analytic, turning input it refuses into a BAD_USER_INPUT error."""
    try:
        return await run()
    except AnalyticsInputError as exc:
        raise user_error(str(exc)) from exc


async def investment_of(info: Info, pk: int) -> Investment:
    found: Investment = await require_object(info.context, "Investment", pk)
    return found


async def investments_of(info: Info, pks: list[int]) -> list[Investment]:
    found: list[Investment] = await load_objects(info.context, "Investment", pks)
    if len(found) != len(pks):
        raise LookupError("an investment vanished during the request")
    return found


async def organizations_of(info: Info, pks: list[int]) -> list[Organization]:
    found: list[Organization] = await load_objects(info.context, "Organization", pks)
    return found


async def organization_of(info: Info, pk: int) -> Organization:
    found: Organization = await require_object(info.context, "Organization", pk)
    return found


async def component_of(info: Info, pk: int) -> ConsiderationComponent:
    found: ConsiderationComponent = await require_object(info.context, "ConsiderationComponent", pk)
    return found


async def round_of(info: Info, pk: int) -> FundingRound:
    found: FundingRound = await require_object(info.context, "FundingRound", pk)
    return found


def selects(fields: Sequence[Selection], name: str) -> bool:
    """True if the query selects a field of this name anywhere below (fragments included)."""
    for field in fields:
        if isinstance(field, SelectedField) and field.name == name:
            return True
        if selects(field.selections, name):
            return True
    return False


def partial(on: dt.date | None, precision: str | None) -> PartialDate | None:
    if on is None or precision is None:
        return None
    return PartialDate(date=on, precision=DatePrecision(precision))


def share(low: Decimal | None, high: Decimal | None) -> ShareRange | None:
    if low is None or high is None:
        return None
    return ShareRange(min=format_decimal(low), max=format_decimal(high))


def usd_range(value: UsdRange) -> UsdAmountRange:
    return UsdAmountRange(
        min=format_decimal(value.low), max=format_decimal(value.high), estimated=value.estimated
    )


def usd(value: UsdRange | None) -> UsdAmountRange | None:
    return None if value is None else usd_range(value)


SCOPE = (
    "Organizations are given by slug; an unknown slug is a BAD_USER_INPUT error. `period` keeps "
    "rounds announced within it (undated rounds are then left out)."
)
