"""What each analytic costs in the query limits' points, calibrated from ``bench/analytics.py``.

One point is about 0.35 ms of database time on the benchmark machine (a 20-node page of a
connection, 21 points, answers in about 3.5 ms at the median with limits on; the analytics'
medians and 99th percentiles on 100,000 generated organizations are in the README's table).
The time series value every round and component in their period, so they cost per year the
period spans (open ends: from ``OPEN_START`` to today); league tables add their entries; the
rest cost about what their common cases measured, per item bounded by `first`.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from service.analytics.series import MAX_LEAGUE_PERIODS
from service.schema.costs import Arguments, cost

OPEN_START = dt.date(2000, 1, 1)
_PERIODS_PER_YEAR = {"MONTH": 12, "QUARTER": 4, "YEAR": 1}

# fundingTimeSeries: 5 years by year 5.1 s, 1 year by quarter 2.3 s (p50); the whole history
# (about 27 years) 17 s. 1,500 points per year keeps the whole history to one per request.
SERIES_PER_YEAR = 1_500
# investorLeagueTables: the whole history by year (27 periods) 557 ms (p50): 60 per period.
LEAGUE_PER_PERIOD = 60
# considerationMix: 13.6 ms at the median but 1.2 s at p99 (the whole market, default 10).
MIX_PER_INVESTMENT = 100
# roundTripExposure 12.7 ms p50, 109 ms p99; dependencies 3.1 / 6.1 ms; coInvestors 3.6 / 75;
# investmentPath 7.0 / 34.2; portfolio 4.7 / 147.7: per item bounded by `first`.
ROUND_TRIP_PER_LINE = 3
PATH = 100
PORTFOLIO_PER_HOLDING = 2


def _date(value: Any, default: dt.date) -> dt.date:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return default
    return default


def years_spanned(arguments: Arguments) -> int:
    period = arguments.get("period")
    period = period if isinstance(period, dict) else {}
    today = dt.datetime.now(dt.UTC).date()
    start = _date(period.get("gte"), OPEN_START)
    end = _date(period.get("lte"), today)
    return max(1, math.ceil((end - start).days / 365.25))


def league_periods(arguments: Arguments) -> int:
    per_year = _PERIODS_PER_YEAR.get(str(arguments.get("interval")), 12)
    return min(MAX_LEAGUE_PERIODS, years_spanned(arguments) * per_year)


SERIES = cost(weight=SERIES_PER_YEAR, items=years_spanned)
LEAGUE = cost(weight=LEAGUE_PER_PERIOD, items=league_periods)
MIX = cost(weight=MIX_PER_INVESTMENT, items="first", default_items=10)
ROUND_TRIP = cost(weight=ROUND_TRIP_PER_LINE, items="first", default_items=20)
DEPENDENCIES = cost(items="first", default_items=20)
CO_INVESTORS = cost(items="first", default_items=20)
PORTFOLIO = cost(weight=PORTFOLIO_PER_HOLDING, items="first", default_items=20)
INVESTMENT_PATH = cost(weight=PATH)
