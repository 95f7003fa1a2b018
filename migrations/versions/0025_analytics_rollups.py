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
Revises: 0024_people_investors
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision: str = "0025_analytics_rollups"
down_revision: str | None = "0024_people_investors"
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


# Keys as one value each, so that a set of them is one array and `= ANY` (hashed, or an index
# scan) finds their rows whether a statement touched one round or all of them. Dates go
# through to_char: a session's DateStyle must not change a key.
def _block(p: str) -> str:
    """A block: month (or coarser date), precision, round type, country, organization live."""
    return (
        f"to_char({p}period_on, 'YYYY-MM-DD') || '|' || {p}precision || '|' || {p}round_type"
        f" || '|' || {p}country || '|' || {p}org_live::text"
    )


def _month_key(p: str) -> str:
    """A month (or coarser date) with its precision: a block's first two parts."""
    return f"to_char({p}period_on, 'YYYY-MM-DD') || '|' || {p}precision"


def _investor_key(p: str) -> str:
    """An investor cell per year: family, investor (0 for none), dated or not, year."""
    return (
        f"{p}family || '|' || coalesce({p}investor_id, 0) || '|' || "
        f"({p}precision <> 'NONE')::text || '|' || to_char({p}period_on, 'YYYY')"
    )


def _total_key(p: str) -> str:
    """An investor cell of all time: family and investor (0 for none) in one bigint."""
    return f"({p}family::bigint << 40) | coalesce({p}investor_id, 0)"


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
    blocks text[];
    investor_keys text[];
    total_keys bigint[];
    month_keys text[];
BEGIN
    IF rounds IS NULL OR cardinality(rounds) = 0 THEN
        RETURN;
    END IF;
    -- The blocks the rounds were in before the change, and those they are in now.
    SELECT array_agg(DISTINCT block) INTO blocks
    FROM usd_round_block WHERE round_id = ANY(rounds);
    DELETE FROM usd_round_block WHERE round_id = ANY(rounds);
    INSERT INTO usd_round_block (round_id, block, period_on, precision, round_type, country,
                                 org_live)
    SELECT x.round_id, {_block("x.")}, x.period_on, x.precision, x.round_type, x.country,
           x.org_live
    FROM (
        SELECT v.round_id,
               CASE WHEN v.precision IN ('DAY', 'MONTH')
                    THEN date_trunc('month', v.sort_on)::date ELSE v.sort_on END AS period_on,
               v.precision, r.round_type, coalesce(o.country, '') AS country,
               o.retired_at IS NULL AS org_live
        FROM usd_round v
        JOIN funding_round r ON r.id = v.round_id
        JOIN organization o ON o.id = r.organization_id
        WHERE v.round_id = ANY(rounds) AND v.live
    ) x;
    SELECT array_agg(DISTINCT b) INTO blocks FROM (
        SELECT unnest(blocks) UNION SELECT block FROM usd_round_block WHERE round_id = ANY(rounds)
    ) s(b);

    -- Every cell of those blocks, recomputed whole from the rounds in them; the investor
    -- cells (family, investor, year) they leave or fill are recomputed next.
    WITH gone AS (DELETE FROM usd_cell WHERE block = ANY(blocks) RETURNING investor_key)
    SELECT array_agg(DISTINCT investor_key) INTO investor_keys
    FROM gone WHERE investor_key IS NOT NULL;
    WITH chosen AS MATERIALIZED (
        SELECT round_id FROM usd_round_block WHERE block = ANY(blocks)
    ),
    units AS ({units}
    ),
    made AS (
        INSERT INTO usd_cell (family, block, month_key, investor_key, {KEYS}, {TOTALS})
        SELECT family, {_block("")}, {_month_key("")},
               CASE WHEN family & {INVESTOR} <> 0 THEN {_investor_key("")} END,
               {KEYS}, count(*), count(*) FILTER (WHERE NOT valued),
               sum(low) FILTER (WHERE valued), sum(high) FILTER (WHERE valued),
               bool_or(estimated) FILTER (WHERE valued),
               min(low) FILTER (WHERE valued), max(high) FILTER (WHERE valued)
        FROM units
        GROUP BY family, {KEYS}
        RETURNING investor_key
    )
    SELECT array_agg(DISTINCT k) INTO investor_keys FROM (
        SELECT unnest(investor_keys)
        UNION SELECT investor_key FROM made WHERE investor_key IS NOT NULL
    ) s(k);

    -- The months of those blocks, summed over round type and country, from the cells.
    month_keys := ARRAY(
        SELECT DISTINCT split_part(b, '|', 1) || '|' || split_part(b, '|', 2)
        FROM unnest(blocks) b
    );
    DELETE FROM usd_cell_month WHERE month_key = ANY(month_keys);
    INSERT INTO usd_cell_month (family, month_key, period_on, precision, kind, is_lead, {TOTALS})
    SELECT c.family, c.month_key, c.period_on, c.precision, c.kind, c.is_lead, {SUMS}
    FROM usd_cell c WHERE c.month_key = ANY(month_keys) AND c.family & {INVESTOR} = 0
    GROUP BY c.family, c.month_key, c.period_on, c.precision, c.kind, c.is_lead;

    -- Investor cells per year, then of all time, from the cells.
    DELETE FROM usd_investor_year WHERE investor_key = ANY(investor_keys);
    INSERT INTO usd_investor_year (investor_key, total_key, family, investor_id, dated, year_on,
                                   kind, is_lead, {TOTALS})
    SELECT c.investor_key, {_total_key("c.")}, c.family, coalesce(c.investor_id, 0),
           c.precision <> 'NONE', date_trunc('year', c.period_on)::date, c.kind, c.is_lead,
           {SUMS}
    FROM usd_cell c WHERE c.investor_key = ANY(investor_keys)
    GROUP BY c.investor_key, c.family, coalesce(c.investor_id, 0), c.precision <> 'NONE',
             date_trunc('year', c.period_on), c.kind, c.is_lead;
    total_keys := ARRAY(
        SELECT DISTINCT (split_part(k, '|', 1)::bigint << 40) | split_part(k, '|', 2)::bigint
        FROM unnest(investor_keys) k
    );
    DELETE FROM usd_investor_total WHERE total_key = ANY(total_keys);
    INSERT INTO usd_investor_total (total_key, family, investor_id, kind, is_lead, {TOTALS})
    SELECT c.total_key, c.family, c.investor_id, c.kind, c.is_lead, {SUMS}
    FROM usd_investor_year c WHERE c.total_key = ANY(total_keys)
    GROUP BY c.total_key, c.family, c.investor_id, c.kind, c.is_lead;
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


def _block_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("block", sa.Text(), nullable=False),
        sa.Column("period_on", sa.Date(), nullable=False),
        sa.Column("precision", sa.String(length=8), nullable=False),
        sa.Column("round_type", sa.String(length=16), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("org_live", sa.Boolean(), nullable=False),
    ]


INDEXES = [
    ("ix_usd_round_block_block", "usd_round_block", ["block"]),
    ("ix_usd_cell_block", "usd_cell", ["block"]),
    ("ix_usd_cell_investor_key", "usd_cell", ["investor_key"]),
    ("ix_usd_cell_family", "usd_cell", ["family", "period_on"]),
    ("ix_usd_cell_month_key", "usd_cell", ["month_key"]),
    ("ix_usd_cell_month_month_key", "usd_cell_month", ["month_key"]),
    ("ix_usd_cell_month_family", "usd_cell_month", ["family", "period_on"]),
    ("ix_usd_investor_year_investor_key", "usd_investor_year", ["investor_key"]),
    ("ix_usd_investor_year_total_key", "usd_investor_year", ["total_key"]),
    ("ix_usd_investor_year_family", "usd_investor_year", ["family", "year_on"]),
    ("ix_usd_investor_total_total_key", "usd_investor_total", ["total_key"]),
    ("ix_usd_investor_total_family", "usd_investor_total", ["family"]),
]


def upgrade() -> None:
    op.create_table(
        "usd_round_block",
        sa.Column("round_id", sa.BigInteger(), nullable=False),
        *_block_columns(),
        sa.PrimaryKeyConstraint("round_id", name=op.f("pk_usd_round_block")),
        comment="The rollup block of each live round (trigger-maintained, migration 0025).",
    )
    op.create_table(
        "usd_cell",
        sa.Column("family", sa.SmallInteger(), nullable=False),
        *_block_columns(),
        sa.Column("month_key", sa.Text(), nullable=False),
        sa.Column("investor_key", sa.Text(), nullable=True),
        sa.Column("investor_id", sa.BigInteger(), nullable=True),
        *_kind_lead_totals(),
        comment="Aggregate totals per family and block (trigger-maintained, migration 0025).",
    )
    op.create_table(
        "usd_cell_month",
        sa.Column("family", sa.SmallInteger(), nullable=False),
        sa.Column("month_key", sa.Text(), nullable=False),
        sa.Column("period_on", sa.Date(), nullable=False),
        sa.Column("precision", sa.String(length=8), nullable=False),
        *_kind_lead_totals(),
        comment="Cells summed per month over round type and country (trigger-maintained, "
        "migration 0025).",
    )
    op.create_table(
        "usd_investor_year",
        sa.Column("investor_key", sa.Text(), nullable=False),
        sa.Column("total_key", sa.BigInteger(), nullable=False),
        sa.Column("family", sa.SmallInteger(), nullable=False),
        sa.Column("investor_id", sa.BigInteger(), nullable=False),
        sa.Column("dated", sa.Boolean(), nullable=False),
        sa.Column("year_on", sa.Date(), nullable=False),
        *_kind_lead_totals(),
        comment="Investor cells per year (trigger-maintained, migration 0025).",
    )
    op.create_table(
        "usd_investor_total",
        sa.Column("total_key", sa.BigInteger(), nullable=False),
        sa.Column("family", sa.SmallInteger(), nullable=False),
        sa.Column("investor_id", sa.BigInteger(), nullable=False),
        *_kind_lead_totals(),
        comment="Investor cells of all time (trigger-maintained, migration 0025).",
    )
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
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
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    for table in (
        "usd_investor_total",
        "usd_investor_year",
        "usd_cell_month",
        "usd_cell",
        "usd_round_block",
    ):
        op.drop_table(table)
