"""What investments are paid with: the consideration mix, round-trip exposure, dependencies.

Every USD figure is a range. A component known by its amount is a point, converted at the
latest rate on or before its round's date; a component known only as a share range of its
investment is ``[share_min, share_max]`` times the investment's committed amount (each bound
rounded to the cent); a component with neither, or whose investment has no amount, or whose
currency has no rate, is *unvalued*: counted, never guessed. So Alibaba's USD 800 million in
Moonshot AI (F4), 0.5-0.6 cash and 0.4-0.5 credits, comes out as cash 400-480 million and
credits 320-400 million: cash min + credits max = cash max + credits min = 800 million.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from service.analytics.common import ZERO, Period, UsdRange, organization_ids
from service.domain import ConsiderationKind
from service.repository.db import Db

# The components of the investments chosen by {where} (over `i` investment, `r` round), each
# with its USD bounds, in rounds dated within {start}..{end} when {bounded} (SQL expressions).
VALUED_COMPONENTS = """
inv AS (
    SELECT i.id, i.investor_id, i.round_id, r.organization_id AS startup_id,
           r.announced_on, i.committed_estimated,
           round(i.committed_amount * ifx.usd_per_unit, 2) AS committed_usd,
           round(r.raised_amount * rfx.usd_per_unit, 2) AS raised_usd
    FROM investment i
    JOIN funding_round r ON r.id = i.round_id
    LEFT JOIN LATERAL (
        SELECT f.usd_per_unit FROM fx_rate f
        WHERE f.currency = i.committed_currency
          AND f.rate_on <= coalesce(r.announced_on, 'infinity'::date)
        ORDER BY f.rate_on DESC LIMIT 1
    ) ifx ON true
    LEFT JOIN LATERAL (
        SELECT f.usd_per_unit FROM fx_rate f
        WHERE f.currency = r.raised_currency
          AND f.rate_on <= coalesce(r.announced_on, 'infinity'::date)
        ORDER BY f.rate_on DESC LIMIT 1
    ) rfx ON true
    WHERE ({where})
      {period_index}
      AND (NOT {bounded} OR (r.announced_on IS NOT NULL
                      AND ({start}::date IS NULL OR r.announced_on >= {start}::date)
                      AND ({end}::date IS NULL OR r.announced_on <= {end}::date)))
),
comp AS (
    SELECT c.id, c.investment_id, c.kind, c.provider_id, c.spend_restricted_to_id,
           c.escrow, c.recognized_as_revenue_by_provider, c.spend_restriction,
           c.credit_type_id,
           inv.investor_id, inv.round_id, inv.startup_id, inv.raised_usd,
           CASE WHEN c.value_amount IS NOT NULL THEN round(c.value_amount * cfx.usd_per_unit, 2)
                WHEN c.share_min IS NOT NULL THEN round(c.share_min * inv.committed_usd, 2)
           END AS usd_min,
           CASE WHEN c.value_amount IS NOT NULL THEN round(c.value_amount * cfx.usd_per_unit, 2)
                WHEN c.share_max IS NOT NULL THEN round(c.share_max * inv.committed_usd, 2)
           END AS usd_max,
           c.estimated OR c.value_estimated
               OR (c.value_amount IS NULL AND inv.committed_estimated) AS estimated
    FROM inv
    JOIN consideration_component c ON c.investment_id = inv.id
    LEFT JOIN LATERAL (
        SELECT f.usd_per_unit FROM fx_rate f
        WHERE f.currency = c.value_currency
          AND f.rate_on <= coalesce(inv.announced_on, 'infinity'::date)
        ORDER BY f.rate_on DESC LIMIT 1
    ) cfx ON true
)
"""


def valued_components(
    where: str, start: str = "$1", end: str = "$2", bounded: str = "$3", period: bool = False
) -> str:
    """The valued-components CTEs; ``period`` adds the period's bounds on ``sort_on`` (where
    undated rounds sort first) so that an index finds the rounds of a period. Only then: for
    an open period the same condition makes the planner read rounds by date instead of
    following the investor's investments."""
    period_index = (
        f"AND r.sort_on >= coalesce({start}::date, '-infinity'::date) "
        f"AND r.sort_on <= coalesce({end}::date, 'infinity'::date)"
        if period
        else ""
    )
    return VALUED_COMPONENTS.format(
        where=where, start=start, end=end, bounded=bounded, period_index=period_index
    )


# An organization's corporate family: everything under its topmost parent (Alibaba and
# Alibaba Cloud), so "its own credits" covers credits a subsidiary provides. Depth-capped
# against cycles the schema does not forbid across several rows.
FAMILY = """
family AS (
    WITH RECURSIVE up(id, parent_id, depth) AS (
        SELECT o.id, o.parent_id, 0 FROM organization o WHERE o.id = $4
        UNION ALL
        SELECT o.id, o.parent_id, up.depth + 1 FROM organization o
        JOIN up ON o.id = up.parent_id WHERE up.depth < 10
    ),
    root AS (SELECT id FROM up ORDER BY depth DESC LIMIT 1),
    down(id, depth) AS (
        SELECT id, 0 FROM root
        UNION ALL
        SELECT o.id, down.depth + 1 FROM organization o
        JOIN down ON o.parent_id = down.id WHERE down.depth < 10
    )
    SELECT DISTINCT id FROM down
)
"""


@dataclass(frozen=True, slots=True)
class KindTotal:
    kind: ConsiderationKind
    investment_count: int
    component_count: int
    unvalued_count: int
    usd: UsdRange


@dataclass(frozen=True, slots=True)
class ConsiderationMix:
    investment_count: int
    unknown_split_count: int
    unvalued_count: int
    committed_usd: Decimal
    committed_unknown_count: int
    by_kind: list[KindTotal]
    investment_ids: list[int]


@dataclass(frozen=True, slots=True)
class MixScope:
    investors: list[str] = field(default_factory=list)
    organizations: list[str] = field(default_factory=list)
    providers: list[str] = field(default_factory=list)
    period: Period = field(default_factory=Period)


def _period_args(period: Period) -> list[object]:
    return [period.start, period.end, period.bounded]


async def consideration_mix(db: Db, scope: MixScope, first: int) -> ConsiderationMix:
    investors = await organization_ids(db, scope.investors)
    startups = await organization_ids(db, scope.organizations)
    providers = await organization_ids(db, scope.providers)
    # Only the conditions given, each able to use its index (an `x = ANY(empty) OR ...` form
    # would read every investment).
    conditions = []
    if investors:
        conditions.append("i.investor_id = ANY($4::bigint[])")
    if startups:
        conditions.append("r.organization_id = ANY($5::bigint[])")
    if providers:
        # A provider's credits include those its subsidiaries provide.
        conditions.append(
            """i.id IN (SELECT pc.investment_id FROM consideration_component pc
                        WHERE pc.provider_id IN (SELECT o.id FROM organization o
                                                 WHERE o.id = ANY($6::bigint[])
                                                    OR o.parent_id = ANY($6::bigint[])))"""
        )
    where = " AND ".join(conditions) or "true"
    sql = f"""
    WITH scope AS (  -- names every parameter, so that unused scopes still have a type
        SELECT $4::bigint[] AS investors, $5::bigint[] AS startups, $6::bigint[] AS providers
    ),
    {valued_components(where, period=scope.period.bounded)},
    per_kind AS (
        SELECT kind, count(DISTINCT investment_id) AS investments, count(*) AS components,
               count(*) FILTER (WHERE usd_min IS NULL OR usd_max IS NULL) AS unvalued,
               coalesce(sum(usd_min) FILTER (WHERE usd_max IS NOT NULL), 0) AS usd_min,
               coalesce(sum(usd_max) FILTER (WHERE usd_min IS NOT NULL), 0) AS usd_max,
               coalesce(bool_or(estimated) FILTER (WHERE usd_min IS NOT NULL), false)
                   AS estimated
        FROM comp GROUP BY kind
    ),
    per_investment AS (
        SELECT inv.id, inv.committed_usd,
               count(comp.id) AS components,
               count(comp.id) FILTER (WHERE comp.usd_min IS NULL OR comp.usd_max IS NULL)
                   AS unvalued
        FROM inv LEFT JOIN comp ON comp.investment_id = inv.id
        GROUP BY inv.id, inv.committed_usd
    )
    SELECT 'kind' AS part, kind, investments, components, unvalued, usd_min, usd_max,
           estimated, NULL::bigint AS id
    FROM per_kind
    UNION ALL
    SELECT 'totals', NULL, count(*), count(*) FILTER (WHERE components = 0),
           count(*) FILTER (WHERE unvalued > 0), coalesce(sum(committed_usd), 0),
           count(*) FILTER (WHERE committed_usd IS NULL), NULL, NULL
    FROM per_investment
    UNION ALL
    SELECT * FROM (
        -- Typed NULLs: a subquery's bare NULLs would be text, which UNION cannot match.
        SELECT 'investment', NULL::text, NULL::bigint, NULL::bigint, NULL::bigint,
               committed_usd, NULL::numeric, NULL::boolean, id
        FROM per_investment ORDER BY committed_usd DESC NULLS LAST, id LIMIT $7
    ) top
    """
    rows = await db.fetch_sql(
        sql, [*_period_args(scope.period), investors, startups, providers, first]
    )
    kinds = {r["kind"]: r for r in rows if r["part"] == "kind"}
    (totals,) = [r for r in rows if r["part"] == "totals"]
    by_kind = []
    for kind in ConsiderationKind:
        row = kinds.get(kind.value)
        if row is None:
            by_kind.append(KindTotal(kind, 0, 0, 0, ZERO))
        else:
            by_kind.append(
                KindTotal(
                    kind,
                    row["investments"],
                    row["components"],
                    row["unvalued"],
                    UsdRange(row["usd_min"], row["usd_max"], row["estimated"]),
                )
            )
    return ConsiderationMix(
        investment_count=totals["investments"],
        unknown_split_count=totals["components"],
        unvalued_count=totals["unvalued"],
        committed_usd=totals["usd_min"],
        committed_unknown_count=int(totals["usd_max"]),
        by_kind=by_kind,
        investment_ids=[r["id"] for r in rows if r["part"] == "investment"],
    )


@dataclass(frozen=True, slots=True)
class RoundTripLine:
    component_id: int
    investment_id: int
    round_id: int
    investor_id: int
    startup_id: int
    provider_id: int
    kind: ConsiderationKind
    usd: UsdRange | None
    escrow: bool | None
    recognized_as_revenue: bool | None
    round_share_min: Decimal | None
    round_share_max: Decimal | None
    claim_ids: list[int]


@dataclass(frozen=True, slots=True)
class RoundTrip:
    family_ids: list[int]
    line_count: int
    unvalued_count: int
    usd: UsdRange
    escrowed: UsdRange
    escrowed_count: int
    revenue: UsdRange
    revenue_count: int
    lines: list[RoundTripLine]


def _range(low: Decimal | None, high: Decimal | None, estimated: bool) -> UsdRange | None:
    if low is None or high is None:
        return None
    return UsdRange(low, high, estimated)


async def round_trip(db: Db, provider: str, period: Period, first: int) -> RoundTrip:
    """Investments a provider's corporate family paid in credits or services the same family
    provides: the money that comes back as the provider's own revenue (F6)."""
    (provider_id,) = await organization_ids(db, [provider])
    where = "i.investor_id IN (SELECT id FROM family)"
    sql = f"""
    WITH {FAMILY}, {valued_components(where, period=period.bounded)},
    lines AS (
        SELECT * FROM comp WHERE provider_id IN (SELECT id FROM family)
    ),
    top AS (
        SELECT * FROM lines ORDER BY usd_max DESC NULLS LAST, id LIMIT $5
    )
    SELECT 'line' AS part, t.id, t.investment_id, t.round_id, t.investor_id, t.startup_id,
           t.provider_id, t.kind, t.usd_min, t.usd_max, t.estimated, t.escrow,
           t.recognized_as_revenue_by_provider AS revenue,
           t.usd_min / nullif(t.raised_usd, 0) AS share_min,
           t.usd_max / nullif(t.raised_usd, 0) AS share_max,
           ARRAY(
               SELECT DISTINCT cs.claim_id FROM claim_subject cs
               WHERE cs.consideration_component_id = t.id OR cs.investment_id = t.investment_id
                  OR cs.funding_round_id = t.round_id
               ORDER BY cs.claim_id
           ) AS claims,
           NULL::bigint AS n, NULL::bigint[] AS family
    FROM top t
    UNION ALL
    SELECT 'totals', NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           sum(usd_min) FILTER (WHERE usd_max IS NOT NULL),
           sum(usd_max) FILTER (WHERE usd_min IS NOT NULL),
           coalesce(bool_or(estimated) FILTER (WHERE usd_min IS NOT NULL), false),
           NULL, NULL, NULL, NULL, NULL,
           count(*), ARRAY(SELECT id FROM family ORDER BY id)
    FROM lines
    UNION ALL
    SELECT 'unvalued', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           NULL, NULL, NULL, NULL, count(*), NULL
    FROM lines WHERE usd_min IS NULL OR usd_max IS NULL
    UNION ALL
    SELECT 'escrow', NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           sum(usd_min) FILTER (WHERE usd_max IS NOT NULL),
           sum(usd_max) FILTER (WHERE usd_min IS NOT NULL),
           coalesce(bool_or(estimated) FILTER (WHERE usd_min IS NOT NULL), false),
           NULL, NULL, NULL, NULL, NULL, count(*), NULL
    FROM lines WHERE escrow
    UNION ALL
    SELECT 'revenue', NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           sum(usd_min) FILTER (WHERE usd_max IS NOT NULL),
           sum(usd_max) FILTER (WHERE usd_min IS NOT NULL),
           coalesce(bool_or(estimated) FILTER (WHERE usd_min IS NOT NULL), false),
           NULL, NULL, NULL, NULL, NULL, count(*), NULL
    FROM lines WHERE recognized_as_revenue_by_provider
    """
    rows = await db.fetch_sql(sql, [*_period_args(period), provider_id, first])
    parts = {r["part"]: r for r in rows if r["part"] != "line"}

    def total(part: str) -> UsdRange:
        row = parts[part]
        return UsdRange(
            row["usd_min"] or Decimal(0), row["usd_max"] or Decimal(0), row["estimated"]
        )

    lines = [
        RoundTripLine(
            component_id=r["id"],
            investment_id=r["investment_id"],
            round_id=r["round_id"],
            investor_id=r["investor_id"],
            startup_id=r["startup_id"],
            provider_id=r["provider_id"],
            kind=ConsiderationKind(r["kind"]),
            usd=_range(r["usd_min"], r["usd_max"], r["estimated"]),
            escrow=r["escrow"],
            recognized_as_revenue=r["revenue"],
            round_share_min=r["share_min"],
            round_share_max=r["share_max"],
            claim_ids=list(r["claims"]),
        )
        for r in rows
        if r["part"] == "line"
    ]
    return RoundTrip(
        family_ids=list(parts["totals"]["family"]),
        line_count=parts["totals"]["n"],
        unvalued_count=parts["unvalued"]["n"],
        usd=total("totals"),
        escrowed=total("escrow"),
        escrowed_count=parts["escrow"]["n"],
        revenue=total("revenue"),
        revenue_count=parts["revenue"]["n"],
        lines=lines,
    )


@dataclass(frozen=True, slots=True)
class DependencyLine:
    component_id: int
    investment_id: int
    round_id: int
    backer_id: int
    platform_id: int
    kind: ConsiderationKind
    usd: UsdRange | None
    escrow: bool | None
    spend_restriction: str | None
    restricted: bool
    announced_on: dt.date | None


@dataclass(frozen=True, slots=True)
class PlatformDependency:
    platform_id: int
    line_count: int
    backer_count: int
    unvalued_count: int
    usd: UsdRange
    restricted_count: int
    relationship_ids: list[int]


@dataclass(frozen=True, slots=True)
class Dependencies:
    platforms: list[PlatformDependency]
    lines: list[DependencyLine]
    line_count: int


async def dependencies(db: Db, startup: str, first: int) -> Dependencies:
    """Whose compute and platforms a start-up depends on: consideration paid in a provider's
    credits or services, cash that must be spent on a platform (F5), and CLOUD_PROVIDER_OF
    relationships."""
    (startup_id,) = await organization_ids(db, [startup])
    where = "r.organization_id = $4"
    sql = f"""
    WITH {valued_components(where)},
    lines AS (
        SELECT comp.*, coalesce(comp.spend_restricted_to_id, comp.provider_id) AS platform_id,
               comp.spend_restricted_to_id IS NOT NULL OR comp.spend_restriction IS NOT NULL
                   AS restricted,
               r.announced_on
        FROM comp JOIN funding_round r ON r.id = comp.round_id
        -- Backers are organizations: an angel's own money is no platform dependency.
        WHERE (comp.provider_id IS NOT NULL OR comp.spend_restricted_to_id IS NOT NULL)
          AND comp.investor_id IS NOT NULL
    ),
    related AS (
        SELECT x.source_id AS platform_id, array_agg(x.id ORDER BY x.id) AS ids
        FROM relationship x WHERE x.target_id = $4 AND x.kind = 'CLOUD_PROVIDER_OF'
        GROUP BY x.source_id
    ),
    platforms AS (
        SELECT coalesce(l.platform_id, rel.platform_id) AS platform_id,
               count(l.id) AS line_count, count(DISTINCT l.investor_id) AS backers,
               count(l.id) FILTER (WHERE l.usd_min IS NULL OR l.usd_max IS NULL) AS unvalued,
               coalesce(sum(l.usd_min) FILTER (WHERE l.usd_max IS NOT NULL), 0) AS usd_min,
               coalesce(sum(l.usd_max) FILTER (WHERE l.usd_min IS NOT NULL), 0) AS usd_max,
               coalesce(bool_or(l.estimated) FILTER (WHERE l.usd_min IS NOT NULL), false)
                   AS estimated,
               count(l.id) FILTER (WHERE l.restricted) AS restricted,
               coalesce(rel.ids, '{{}}') AS relationships
        FROM lines l FULL JOIN related rel ON rel.platform_id = l.platform_id
        GROUP BY coalesce(l.platform_id, rel.platform_id), rel.ids
    )
    SELECT 'platform' AS part, platform_id, line_count, backers, unvalued, usd_min, usd_max,
           estimated, restricted, relationships,
           NULL::bigint AS id, NULL::bigint AS investment_id, NULL::bigint AS round_id,
           NULL::bigint AS investor_id, NULL::text AS kind, NULL::boolean AS escrow,
           NULL::text AS spend_restriction, NULL::date AS announced_on
    FROM platforms
    UNION ALL
    SELECT * FROM (
        SELECT 'line', platform_id, NULL::bigint, NULL::bigint, NULL::bigint, usd_min,
               usd_max, estimated, restricted::int::bigint, NULL::bigint[], id, investment_id,
               round_id, investor_id, kind, escrow, spend_restriction, announced_on
        FROM lines ORDER BY usd_max DESC NULLS LAST, id LIMIT $5
    ) top
    UNION ALL
    SELECT 'count', NULL, count(*), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           NULL, NULL, NULL, NULL, NULL, NULL
    FROM lines
    """
    rows = await db.fetch_sql(sql, [None, None, False, startup_id, first])
    platforms = sorted(
        (
            PlatformDependency(
                platform_id=r["platform_id"],
                line_count=r["line_count"],
                backer_count=r["backers"],
                unvalued_count=r["unvalued"],
                usd=UsdRange(r["usd_min"], r["usd_max"], r["estimated"]),
                restricted_count=r["restricted"],
                relationship_ids=list(r["relationships"]),
            )
            for r in rows
            if r["part"] == "platform"
        ),
        key=lambda p: (-p.usd.high, -p.line_count, p.platform_id),
    )
    lines = [
        DependencyLine(
            component_id=r["id"],
            investment_id=r["investment_id"],
            round_id=r["round_id"],
            backer_id=r["investor_id"],
            platform_id=r["platform_id"],
            kind=ConsiderationKind(r["kind"]),
            usd=_range(r["usd_min"], r["usd_max"], r["estimated"]),
            escrow=r["escrow"],
            spend_restriction=r["spend_restriction"],
            restricted=bool(r["restricted"]),
            announced_on=r["announced_on"],
        )
        for r in rows
        if r["part"] == "line"
    ]
    (count,) = [r["line_count"] for r in rows if r["part"] == "count"]
    return Dependencies(platforms=platforms, lines=lines, line_count=count)
