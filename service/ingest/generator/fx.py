"""Exchange rates: a monthly series per currency, and conversion of USD sizes into them.

Rates are a mean-reverting random walk around a plausible level (pegged currencies barely
move), stored as USD per unit on the first day of each month: ``amountUsd`` takes the latest
rate on or before a fact's date, so every generated date from 2000 on has one.
"""

from __future__ import annotations

import random
from datetime import date

from service.ingest.generator.distributions import scaled, significant
from service.ingest.generator.model import Row

FIRST_YEAR = 2000
LAST_YEAR = 2026
FX_SOURCE = "Stakegraph synthetic monthly reference rates"

# (currency, USD per unit around 2015, monthly volatility); pegged currencies barely move.
CURRENCIES: tuple[tuple[str, float, float], ...] = (
    ("USD", 1.0, 0.0),
    ("CNY", 0.150, 0.008),
    ("EUR", 1.150, 0.018),
    ("GBP", 1.350, 0.020),
    ("JPY", 0.0085, 0.022),
    ("HKD", 0.1282, 0.001),
    ("SGD", 0.740, 0.010),
    ("INR", 0.0140, 0.012),
    ("AED", 0.27229, 0.0),
    ("KRW", 0.00082, 0.018),
    ("SAR", 0.26667, 0.0),
)

# Rates kept to 10 decimal places (the column's scale) and 6 significant digits.
_SCALE = 10


def month_index(day: date) -> int:
    return (day.year - FIRST_YEAR) * 12 + day.month - 1


class FxTable:
    """Monthly USD-per-unit rates for the generated currencies."""

    def __init__(self, rng: random.Random) -> None:
        months = (LAST_YEAR - FIRST_YEAR + 1) * 12
        self.usd_per_unit: dict[str, list[float]] = {}
        self.rows: list[Row] = []
        for code, level, volatility in CURRENCIES:
            series: list[float] = []
            deviation = 0.0
            for month in range(months):
                # Mean reversion keeps a 27-year walk within a believable band of its level.
                deviation = 0.97 * deviation + volatility * rng.gauss(0.0, 1.0)
                units = significant(level * (1.0 + deviation) * 10**_SCALE, 6)
                rate = scaled(units, _SCALE)
                series.append(float(rate))
                on = date(FIRST_YEAR + month // 12, month % 12 + 1, 1)
                self.rows.append((code, on, rate, FX_SOURCE))
            self.usd_per_unit[code] = series

    def rate(self, currency: str, day: date) -> float:
        return self.usd_per_unit[currency][month_index(day)]
