"""Per-dimension rollups of the kept USD values, for aggregates and league tables over the
whole market.

``usd_cell`` holds, per *family* (which units a grouping counts, see below) and per *block*
(the month a round falls in with its date precision, its round type, its organization's country
and whether that organization is live), the totals an aggregate group is made of: how many
units, how many unvalued, the USD sums of the valued ones, whether any is estimated, the
smallest and the largest. Any grouping by period, round type, country (and, within a family,
kind, investor or lead) is a sum of cells; min and max of cells; the average is the sum over
the valued count. So ``fundingRoundsAggregate`` / ``investmentsAggregate`` without a filter
and the league tables read cells instead of every round (service/analytics/rollups.py).

What a unit is depends on the grouping (service/analytics/aggregates.py): a round counts once
per group, split by consideration kind when grouped by kind, once per investor (one investment,
as an investor joins a round once) when grouped by investor, once per lead flag among its
investments when grouped by lead. Families (bits of ``family``): 1 investments (else rounds),
2 split by kind, 4 per investor (with its lead flag), 8 per lead flag (rounds without investor).
An investment has one investor and one lead flag, so investment cells always carry the flag.

Maintained by the same mechanism as the kept values: ``sg_usd_refresh(rounds)`` ends by calling
``sg_usd_cells_refresh(rounds)``, which recomputes whole every block the rounds were in
(``usd_round_block`` remembers it) and are in now, in the same transaction as the write. An
organization's country or retirement changes the blocks of its rounds: a statement-level
trigger on ``organization`` refreshes them.

Revision ID: 0025_analytics_rollups
Revises: 0020_usd_refresh_by_row
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision: str = "0025_analytics_rollups"
down_revision: str | None = "0020_usd_refresh_by_row"
branch_labels: str | None = None
depends_on: str | None = None

INVESTMENTS, KIND, INVESTOR, LEAD = 1, 2, 4, 8
FAMILIES = [
    0,
    KIND,
    LEAD,
    LEAD | KIND,
    INVESTOR,
    INVESTOR | KIND,
    INVESTMENTS,
    INVESTMENTS | KIND,
    INVESTMENTS | INVESTOR,
    INVESTMENTS | INVESTOR | KIND,
]

KEYS = "period_on, precision, round_type, country, org_live, kind, investor_id, is_lead"
TOTALS = "units, unvalued, amount_min, amount_max, estimated, smallest, largest"
SUMS = (
    "sum(c.units), sum(c.unvalued), sum(c.amount_min), sum(c.amount_max), bool_or(c.estimated), "
    "min(c.smallest), max(c.largest)"
)
# The investor cell of a cell: its family, investor (0 for none), whether dated, and year.
YEAR_KEY = (
    "family, coalesce(investor_id, 0) AS investor_id, precision <> 'NONE' AS dated, "
    "date_trunc('year', period_on)::date AS year_on"
)


def _units(family: int) -> str:
    """The units of ``family`` of the live rounds in ``blocks`` (a CTE of usd_round_block rows),
    as service/analytics/aggregates.py forms them from the same kept values."""
    investments = bool(family & INVESTMENTS)
    split = bool(family & KIND)
    investor = bool(family & INVESTOR)
    with_lead = investments or investor or bool(family & LEAD)
    by_investment = investments or investor or bool(family & LEAD)
    if investments:
        source = "usd_investment i JOIN usd_round v ON v.round_id = i.round_id AND i.live"
        unit_id, base_amount, base_estimated = (
            "i.investment_id",
            "i.committed_usd",
            "i.committed_estimated",
        )
    else:
        source = "usd_round v"
        if by_investment:
            source += " LEFT JOIN usd_investment i ON i.round_id = v.round_id AND i.live"
        unit_id, base_amount, base_estimated = "v.round_id", "v.raised_usd", "v.raised_estimated"
    if split:
        scope = "c.investment_id = i.investment_id" if by_investment else "c.round_id = v.round_id"
        source += f""" LEFT JOIN LATERAL (
            SELECT c.kind, sum(c.usd_min) AS usd_min, sum(c.usd_max) AS usd_max,
                   bool_or(c.estimated) AS estimated
            FROM usd_component c WHERE c.live AND {scope} GROUP BY c.kind
        ) k ON true"""
        kind = "k.kind"
        low = f"CASE WHEN k.kind IS NULL THEN {base_amount} ELSE k.usd_min END"
        high = f"CASE WHEN k.kind IS NULL THEN {base_amount} ELSE k.usd_max END"
        estimated = f"CASE WHEN k.kind IS NULL THEN {base_estimated} ELSE k.estimated END"
        combine_low = "CASE WHEN bool_or(kind IS NULL) THEN max(low) ELSE sum(low) END"
        combine_high = "CASE WHEN bool_or(kind IS NULL) THEN max(high) ELSE sum(high) END"
    else:
        kind = "NULL::text"
        low = high = base_amount
        estimated = base_estimated
        combine_low, combine_high = "max(low)", "max(high)"
    investor_key = "i.investor_id" if investor else "NULL::bigint"
    lead_key = "i.is_lead" if with_lead else "NULL::boolean"
    return f"""
    SELECT {family} AS family, {KEYS}, unit_id,
           {combine_low} AS low, {combine_high} AS high,
           bool_and(low IS NOT NULL AND high IS NOT NULL) AS valued,
           bool_or(estimated) AS estimated
    FROM (
        SELECT {unit_id} AS unit_id, b.period_on, b.precision, b.round_type, b.country,
               b.org_live, {kind} AS kind, {investor_key} AS investor_id,
               {lead_key} AS is_lead, {low} AS low, {high} AS high, {estimated} AS estimated
        FROM {source}
        JOIN usd_round_block b ON b.round_id = v.round_id
        WHERE v.live AND b.round_id IN (SELECT round_id FROM chosen)
    ) r
    GROUP BY {KEYS}, unit_id"""


def _cells_refresh() -> str:
    units = "\n    UNION ALL".join(_units(f) for f in FAMILIES)
    return f"""
CREATE FUNCTION sg_usd_cells_refresh(rounds bigint[]) RETURNS void LANGUAGE plpgsql
SET search_path = public AS $fn$
DECLARE
    ons date[];
    precisions text[];
    types text[];
    countries text[];
    lives boolean[];
    families smallint[];
    investors bigint[];
    dateds boolean[];
    years date[];
BEGIN
    IF rounds IS NULL OR cardinality(rounds) = 0 THEN
        RETURN;
    END IF;
    -- The blocks the rounds were in before the change.
    SELECT array_agg(period_on), array_agg(precision), array_agg(round_type),
           array_agg(country), array_agg(org_live)
    INTO ons, precisions, types, countries, lives
    FROM usd_round_block WHERE round_id = ANY(rounds);
    DELETE FROM usd_round_block WHERE round_id = ANY(rounds);
    INSERT INTO usd_round_block (round_id, period_on, precision, round_type, country, org_live)
    SELECT v.round_id,
           CASE WHEN v.precision IN ('DAY', 'MONTH')
                THEN date_trunc('month', v.sort_on)::date ELSE v.sort_on END,
           v.precision, r.round_type, coalesce(o.country, ''), o.retired_at IS NULL
    FROM usd_round v
    JOIN funding_round r ON r.id = v.round_id
    JOIN organization o ON o.id = r.organization_id
    WHERE v.round_id = ANY(rounds) AND v.live;
    -- With the blocks they are in now.
    SELECT array_agg(period_on), array_agg(precision), array_agg(round_type),
           array_agg(country), array_agg(org_live)
    INTO ons, precisions, types, countries, lives
    FROM (
        SELECT * FROM unnest(ons, precisions, types, countries, lives)
            AS old(period_on, precision, round_type, country, org_live)
        UNION
        SELECT period_on, precision, round_type, country, org_live
        FROM usd_round_block WHERE round_id = ANY(rounds)
    ) blocks;

    -- Every cell of those blocks, recomputed whole from the rounds in them; the investor
    -- cells' (family, investor, year) they leave or fill are recomputed next.
    WITH gone AS (
        DELETE FROM usd_cell c
        USING unnest(ons, precisions, types, countries, lives)
            AS t(period_on, precision, round_type, country, org_live)
        WHERE c.period_on = t.period_on AND c.precision = t.precision
          AND c.round_type = t.round_type AND c.country = t.country
          AND c.org_live = t.org_live
        RETURNING c.family, c.investor_id, c.period_on, c.precision
    )
    SELECT array_agg(family), array_agg(investor_id), array_agg(dated), array_agg(year_on)
    INTO families, investors, dateds, years
    FROM (SELECT DISTINCT {YEAR_KEY} FROM gone WHERE family & {INVESTOR} <> 0) k;

    WITH chosen AS MATERIALIZED (
        SELECT b.round_id FROM usd_round_block b
        JOIN unnest(ons, precisions, types, countries, lives)
            AS t(period_on, precision, round_type, country, org_live)
          ON b.period_on = t.period_on AND b.precision = t.precision
         AND b.round_type = t.round_type AND b.country = t.country AND b.org_live = t.org_live
    ),
    units AS ({units}
    ),
    made AS (
        INSERT INTO usd_cell (family, {KEYS}, units, unvalued, amount_min, amount_max,
                              estimated, smallest, largest)
        SELECT family, {KEYS}, count(*), count(*) FILTER (WHERE NOT valued),
               sum(low) FILTER (WHERE valued), sum(high) FILTER (WHERE valued),
               bool_or(estimated) FILTER (WHERE valued),
               min(low) FILTER (WHERE valued), max(high) FILTER (WHERE valued)
        FROM units
        GROUP BY family, {KEYS}
        RETURNING family, investor_id, period_on, precision
    )
    SELECT array_agg(family), array_agg(investor_id), array_agg(dated), array_agg(year_on)
    INTO families, investors, dateds, years
    FROM (
        SELECT * FROM unnest(families, investors, dateds, years)
            AS old(family, investor_id, dated, year_on)
        UNION
        SELECT DISTINCT {YEAR_KEY} FROM made WHERE family & {INVESTOR} <> 0
    ) k;

    -- Investor cells per year, then of all time, from the cells.
    DELETE FROM usd_investor_year y
    USING unnest(families, investors, dateds, years) AS k(family, investor_id, dated, year_on)
    WHERE y.family = k.family AND y.investor_id = k.investor_id AND y.dated = k.dated
      AND y.year_on = k.year_on;
    INSERT INTO usd_investor_year (family, investor_id, dated, year_on, kind, is_lead, {TOTALS})
    SELECT k.family, k.investor_id, k.dated, k.year_on, c.kind, c.is_lead, {SUMS}
    FROM unnest(families, investors, dateds, years) AS k(family, investor_id, dated, year_on)
    JOIN usd_cell c
      ON c.family = k.family AND coalesce(c.investor_id, 0) = k.investor_id
     AND c.period_on >= k.year_on AND c.period_on < k.year_on + interval '1 year'
     AND (c.precision <> 'NONE') = k.dated
    GROUP BY k.family, k.investor_id, k.dated, k.year_on, c.kind, c.is_lead;
    DELETE FROM usd_investor_total a
    USING (SELECT DISTINCT * FROM unnest(families, investors)) AS k(family, investor_id)
    WHERE a.family = k.family AND a.investor_id = k.investor_id;
    INSERT INTO usd_investor_total (family, investor_id, kind, is_lead, {TOTALS})
    SELECT c.family, c.investor_id, c.kind, c.is_lead, {SUMS}
    FROM (SELECT DISTINCT * FROM unnest(families, investors)) AS k(family, investor_id)
    JOIN usd_investor_year c ON c.family = k.family AND c.investor_id = k.investor_id
    GROUP BY c.family, c.investor_id, c.kind, c.is_lead;
END
$fn$;
"""


# An organization's country and liveness place its rounds in blocks.
ORGANIZATION_CHANGED = """
CREATE FUNCTION sg_usd_organization_changed() RETURNS trigger LANGUAGE plpgsql
SET search_path = public AS $fn$
BEGIN
    PERFORM sg_usd_cells_refresh(ARRAY(
        SELECT r.id FROM funding_round r
        WHERE r.organization_id IN (
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE n.country IS DISTINCT FROM o.country
               OR (n.retired_at IS NULL) <> (o.retired_at IS NULL)
        )
    ));
    RETURN NULL;
END
$fn$;
"""

_END = "\nEND\n$fn$;"
_CALL = "\n    PERFORM sg_usd_cells_refresh(rounds);\nEND\n$fn$;"


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _refresh_0020() -> str:
    """sg_usd_refresh as revision 0020 left it (CREATE OR REPLACE)."""
    module = _module("0020_usd_refresh_by_row")
    text: str = module._refresh().replace(module._BY_ROUND, module._BY_ROW)
    assert text.rstrip().endswith(_END.strip())
    assert text.count(_END) == 1
    return text


def _kind_lead_totals() -> list[sa.Column[object]]:
    return [
        sa.Column("kind", sa.String(length=20), nullable=True),
        sa.Column("is_lead", sa.Boolean(), nullable=True),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("unvalued", sa.Integer(), nullable=False),
        sa.Column("amount_min", sa.Numeric(), nullable=True),
        sa.Column("amount_max", sa.Numeric(), nullable=True),
        sa.Column("estimated", sa.Boolean(), nullable=True),
        sa.Column("smallest", sa.Numeric(), nullable=True),
        sa.Column("largest", sa.Numeric(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "usd_round_block",
        sa.Column("round_id", sa.BigInteger(), nullable=False),
        sa.Column("period_on", sa.Date(), nullable=False),
        sa.Column("precision", sa.String(length=8), nullable=False),
        sa.Column("round_type", sa.String(length=16), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("org_live", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("round_id", name=op.f("pk_usd_round_block")),
        comment="The rollup block of each live round (trigger-maintained, migration 0025).",
    )
    op.create_index(
        "ix_usd_round_block_block",
        "usd_round_block",
        ["period_on", "precision", "round_type", "country"],
    )
    op.create_table(
        "usd_cell",
        sa.Column("family", sa.SmallInteger(), nullable=False),
        sa.Column("period_on", sa.Date(), nullable=False),
        sa.Column("precision", sa.String(length=8), nullable=False),
        sa.Column("round_type", sa.String(length=16), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("org_live", sa.Boolean(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=True),
        sa.Column("investor_id", sa.BigInteger(), nullable=True),
        sa.Column("is_lead", sa.Boolean(), nullable=True),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("unvalued", sa.Integer(), nullable=False),
        sa.Column("amount_min", sa.Numeric(), nullable=True),
        sa.Column("amount_max", sa.Numeric(), nullable=True),
        sa.Column("estimated", sa.Boolean(), nullable=True),
        sa.Column("smallest", sa.Numeric(), nullable=True),
        sa.Column("largest", sa.Numeric(), nullable=True),
        comment="Aggregate totals per family and block (trigger-maintained, migration 0025).",
    )
    op.create_index(
        "ix_usd_cell_block",
        "usd_cell",
        ["period_on", "precision", "round_type", "country"],
    )
    op.create_index("ix_usd_cell_family", "usd_cell", ["family", "period_on"])
    op.create_index(
        "ix_usd_cell_investor",
        "usd_cell",
        ["family", sa.text("coalesce(investor_id, 0)"), "period_on"],
    )
    op.create_table(
        "usd_investor_year",
        sa.Column("family", sa.SmallInteger(), nullable=False),
        sa.Column("investor_id", sa.BigInteger(), nullable=False),
        sa.Column("dated", sa.Boolean(), nullable=False),
        sa.Column("year_on", sa.Date(), nullable=False),
        *_kind_lead_totals(),
        comment="Investor cells per year (trigger-maintained, migration 0025).",
    )
    op.create_index("ix_usd_investor_year_investor", "usd_investor_year", ["family", "investor_id"])
    op.create_table(
        "usd_investor_total",
        sa.Column("family", sa.SmallInteger(), nullable=False),
        sa.Column("investor_id", sa.BigInteger(), nullable=False),
        *_kind_lead_totals(),
        comment="Investor cells of all time (trigger-maintained, migration 0025).",
    )
    op.create_index(
        "ix_usd_investor_total_investor", "usd_investor_total", ["family", "investor_id"]
    )
    op.execute(_cells_refresh())
    op.execute(ORGANIZATION_CHANGED)
    op.execute(_refresh_0020().replace(_END, _CALL))
    op.execute(
        "CREATE TRIGGER sg_usd_cells_update AFTER UPDATE ON organization "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION sg_usd_organization_changed()"
    )
    # What is already stored, rolled up once.
    op.execute("SELECT sg_usd_cells_refresh(ARRAY(SELECT id FROM funding_round))")


def downgrade() -> None:
    op.execute("DROP TRIGGER sg_usd_cells_update ON organization")
    op.execute(_refresh_0020())
    op.execute("DROP FUNCTION sg_usd_organization_changed(), sg_usd_cells_refresh(bigint[])")
    op.drop_index("ix_usd_investor_total_investor", table_name="usd_investor_total")
    op.drop_table("usd_investor_total")
    op.drop_index("ix_usd_investor_year_investor", table_name="usd_investor_year")
    op.drop_table("usd_investor_year")
    op.drop_index("ix_usd_cell_investor", table_name="usd_cell")
    op.drop_index("ix_usd_cell_family", table_name="usd_cell")
    op.drop_index("ix_usd_cell_block", table_name="usd_cell")
    op.drop_table("usd_cell")
    op.drop_index("ix_usd_round_block_block", table_name="usd_round_block")
    op.drop_table("usd_round_block")
