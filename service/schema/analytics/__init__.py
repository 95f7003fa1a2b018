"""The analytics root fields: consideration mix, round-trip exposure, dependencies, the
investment network, portfolios, funding over time and league tables.

Each field runs its analytic (``service.analytics``) in a bounded number of SQL statements and
shapes the typed result; organizations, investments and claims it names are loaded through the
request's DataLoaders. Every list is bounded by a `first` argument (1 to 100) or by a stated cap.
One module per analytic family, as in ``service.analytics``.
"""

from __future__ import annotations

import strawberry

from service.schema.analytics.consideration import ConsiderationQuery
from service.schema.analytics.network import NetworkQuery
from service.schema.analytics.portfolio import PortfolioQuery
from service.schema.analytics.series import SeriesQuery


# Fields follow the order of the bases.
@strawberry.type
class AnalyticsQuery(ConsiderationQuery, NetworkQuery, PortfolioQuery, SeriesQuery):
    """Every analytic root field."""
