"""Shared pieces of the analytics: USD ranges, conversions, scope resolution, SQL embedding."""

from __future__ import annotations

import datetime as dt
import re
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.sql import ClauseElement

from service.repository.db import Db, compile_statement

_INTERACTIVE: weakref.WeakSet[Db] = weakref.WeakSet()


async def interactive(db: Db) -> None:
    """Turns JIT compilation off for the request's transaction, once per request.

    Analytics plans over generated series and lateral FX lookups carry large cost estimates,
    which make PostgreSQL spend 0.5-1 s compiling expressions for queries that run in
    milliseconds.
    """
    if db not in _INTERACTIVE:
        await db.fetch_sql("SELECT set_config('jit', 'off', true)")
        _INTERACTIVE.add(db)


class AnalyticsInputError(ValueError):
    """Input an analytic cannot answer (unknown slug, bad range); reported as BAD_USER_INPUT."""


@dataclass(frozen=True, slots=True)
class UsdRange:
    """An amount in USD known to lie in [low, high]; a point value has low = high."""

    low: Decimal
    high: Decimal
    estimated: bool = False

    def __add__(self, other: UsdRange) -> UsdRange:
        return UsdRange(
            self.low + other.low, self.high + other.high, self.estimated or other.estimated
        )


ZERO = UsdRange(Decimal(0), Decimal(0))


@dataclass(frozen=True, slots=True)
class Period:
    """An inclusive date range; either end may be open."""

    start: dt.date | None = None
    end: dt.date | None = None

    def __post_init__(self) -> None:
        if self.start is not None and self.end is not None and self.start > self.end:
            raise AnalyticsInputError(
                f"The period starts ({self.start}) after it ends ({self.end})."
            )

    @property
    def bounded(self) -> bool:
        return self.start is not None or self.end is not None


async def organization_ids(db: Db, slugs: Sequence[str]) -> list[int]:
    """The ids of the organizations with these slugs, in order; an unknown slug is an error.

    Every analytic that takes organizations starts here, so this is where JIT goes off."""
    await interactive(db)
    if not slugs:
        return []
    rows = await db.fetch_sql(
        "SELECT s.slug, o.id FROM unnest($1::text[]) s(slug) "
        "LEFT JOIN organization o ON o.slug = s.slug",
        [list(slugs)],
    )
    found = {row["slug"]: row["id"] for row in rows}
    missing = [slug for slug in slugs if found.get(slug) is None]
    if missing:
        raise AnalyticsInputError(f"No organization has the slug {missing[0]!r}.")
    return [found[slug] for slug in slugs]


def shift_parameters(sql: str, offset: int) -> str:
    """Renumbers ``$n`` placeholders by ``offset`` so that two statements' parameters can share
    one argument list (the SQL here never contains dollar-quoted text)."""
    return re.sub(r"\$(\d+)", lambda m: f"${int(m.group(1)) + offset}", sql)


def embed(statement: ClauseElement, sql: str, args: Sequence[Any]) -> tuple[str, list[Any]]:
    """``sql`` (with ``$1..$k`` for ``args`` and ``{sub}`` where the compiled ``statement``
    goes) → one statement text and its arguments. This is how analytics reuse the read API's
    filters (``FundingRoundFilter``) without a second definition of what they mean."""
    sub_sql, sub_args = compile_statement(statement)
    shifted = shift_parameters(sql, len(sub_args))
    return shifted.replace("{sub}", sub_sql), [*sub_args, *args]
