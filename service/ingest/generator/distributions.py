"""Random draws with the shapes venture data has, all from one seeded ``random.Random``.

Only the draws of ``random.Random`` (Mersenne Twister, identical on every platform) and
correctly rounded operations feed the output; continuous values are rounded to a few
significant digits before they become decimals, so that a last-bit difference in a libm
``exp`` cannot change a stored amount in practice.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from itertools import accumulate

from service.domain import DatePrecision

DAY = DatePrecision.DAY.value
MONTH = DatePrecision.MONTH.value
QUARTER = DatePrecision.QUARTER.value
YEAR = DatePrecision.YEAR.value

# The generated world ends here: no announcement, role or event is dated after it.
END = date(2025, 12, 31)
END_ORDINAL = END.toordinal()

_DECIMAL_CACHE: dict[tuple[int, int], Decimal] = {}


def scaled(value: int, places: int) -> Decimal:
    """``value * 10**-places`` as an exact Decimal (shares in millionths, FX in 1e-10)."""
    key = (value, places)
    cached = _DECIMAL_CACHE.get(key)
    if cached is None:
        sign, digits, _ = Decimal(value).as_tuple()
        cached = Decimal((sign, digits, -places))
        if len(_DECIMAL_CACHE) < 100_000:
            _DECIMAL_CACHE[key] = cached
    return cached


def significant(x: float, digits: int = 3) -> int:
    """``x`` rounded to ``digits`` significant digits, as an integer ≥ 1 (12 345 678 → 12 300 000).

    Reported deal sizes are round numbers; the decimal formatting is correctly rounded on every
    platform, which makes the result independent of the float's last bits in all but ties.
    """
    if x < 1:
        return 1
    return max(1, int(float(f"{x:.{digits - 1}e}")))


def lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(sigma * rng.gauss(0.0, 1.0))


def pareto_weight(rng: random.Random, alpha: float) -> float:
    """A draw from a Pareto(alpha) on [1, inf): most investors tiny, a few enormous."""
    u = 1.0 - rng.random()  # in (0, 1]
    return float(u ** (-1.0 / alpha))


class WeightedPicker:
    """Picks indices with probability proportional to fixed weights, in O(log n) a draw."""

    __slots__ = ("_cumulative", "_items", "_total")

    def __init__(self, items: Sequence[int], weights: Sequence[float]) -> None:
        if not items:
            raise ValueError("a picker needs at least one item")
        self._items = list(items)
        self._cumulative = list(accumulate(weights))
        self._total = self._cumulative[-1]

    def pick(self, rng: random.Random) -> int:
        i = bisect_right(self._cumulative, rng.random() * self._total)
        return self._items[min(i, len(self._items) - 1)]


def choose_index(rng: random.Random, cumulative: Sequence[float]) -> int:
    """Index into a table of cumulative probabilities (the last one 1.0)."""
    return min(bisect_right(cumulative, rng.random()), len(cumulative) - 1)


def cumulative(weights: Sequence[float]) -> tuple[float, ...]:
    total = float(sum(weights))
    return tuple(c / total for c in accumulate(weights))


def period_start(day: date, precision: str) -> date:
    """The first day of the period ``day`` falls in, as the partial-date CHECK requires."""
    if precision == DAY:
        return day
    if precision == MONTH:
        return day.replace(day=1)
    if precision == QUARTER:
        return date(day.year, 1 + 3 * ((day.month - 1) // 3), 1)
    return date(day.year, 1, 1)


# Announcements are mostly dated to the day; founding dates are often known only by year.
ANNOUNCED_PRECISION = (DAY, MONTH, QUARTER, YEAR)
ANNOUNCED_CUMULATIVE = cumulative((0.62, 0.24, 0.09, 0.05))
FOUNDED_CUMULATIVE = cumulative((0.30, 0.30, 0.08, 0.32))


def partial_date(
    rng: random.Random, ordinal: int, table: Sequence[float] = ANNOUNCED_CUMULATIVE
) -> tuple[date, str]:
    precision = ANNOUNCED_PRECISION[choose_index(rng, table)]
    return period_start(date.fromordinal(min(ordinal, END_ORDINAL)), precision), precision


def year_ordinal(rng: random.Random, first_year: int, last_year: int) -> int:
    """A uniformly random day within [first_year, last_year]."""
    start = date(first_year, 1, 1).toordinal()
    stop = min(date(last_year, 12, 31).toordinal(), END_ORDINAL)
    return rng.randint(start, stop)
