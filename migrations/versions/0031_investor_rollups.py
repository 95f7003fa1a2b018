"""Aggregate groups of an investor and one more dimension kept whole, with their count.

Grouped by investor and a period, round type or country there is about one group per
investment: summing the cells (0025) at query time built every group to page a hundred and to
count them. ``usd_investor_group`` keeps those groups — per per-investor family (rounds or
investments, without the kind split), *dimension* (1 month, 2 quarter, 3 year, 4 round type,
5 country) and investor, with the group's period, round type or country — ordered by indexes
for each ordering of the aggregates, so a page is an index range; ``usd_investor_group_count``
keeps how many groups each (family, dimension) has, so ``totalCount`` is one row.

Maintained by the refresh of 0025 and deferred with it (0027): ``sg_usd_cells_refresh_now``
ends by recomputing whole the groups of every (family, investor) whose investor cells it
recomputed, from the cells, and adds to the counts the groups made less those removed.

Revision ID: 0031_investor_rollups
Revises: 0030_angel_investments
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision: str = "0031_investor_rollups"
down_revision: str | None = "0030_angel_investments"
branch_labels: str | None = None
depends_on: str | None = None

INVESTOR, INVESTMENTS = 4, 1
FAMILIES = (INVESTOR, INVESTMENTS | INVESTOR)
_RANK = "CASE c.precision WHEN 'DAY' THEN 0 WHEN 'MONTH' THEN 1 WHEN 'QUARTER' THEN 2 ELSE 3 END"
# Dimensions 1-3 are the periods, their number the period's rank (service/analytics/rollups.py).
_INTERVAL = "CASE d.dim WHEN 1 THEN 'month' WHEN 2 THEN 'quarter' ELSE 'year' END"
_PRECISION = "CASE d.dim WHEN 1 THEN 'MONTH' WHEN 2 THEN 'QUARTER' ELSE 'YEAR' END"

# Groups are counted per year of their period (the undated and those without a period under
# 'infinity'): an aggregate's total sums a few rows, a year's league table reads its own.
_PART = "coalesce(date_trunc('year', p_start::timestamp)::date, 'infinity') AS part"

_COLUMNS = (
    "total_key, family, dim, investor_id, p_start, p_precision, round_type, country, units, "
    "leads, unvalued, amount_min, amount_max, estimated, smallest, largest"
)
_GROUP_KEY = ("p_start", "p_precision", "round_type", "country")

GROUPS_REFRESH = f"""
    -- Groups of an investor and one more dimension, recomputed for the (family, investor)
    -- pairs whose investor cells were, from the cells. Only the groups that changed are
    -- written: a write refreshes every investor of its blocks, and most of their groups stay.
    WITH cells AS MATERIALIZED (
        SELECT c.* FROM usd_cell c
        WHERE c.investor_key IN (
            SELECT y.investor_key FROM usd_investor_year y
            WHERE y.total_key = ANY(total_keys) AND y.family IN ({", ".join(map(str, FAMILIES))}))
    ),
    fresh AS MATERIALIZED (
        SELECT total_key, family, dim, investor_id, p_start, p_precision, round_type, country,
               sum(units)::integer AS units,
               coalesce(sum(units) FILTER (WHERE is_lead), 0)::integer AS leads,
               sum(unvalued)::integer AS unvalued, coalesce(sum(amount_min), 0) AS amount_min,
               coalesce(sum(amount_max), 0) AS amount_max,
               coalesce(bool_or(estimated), false) AS estimated,
               min(smallest) AS smallest, max(largest) AS largest
        FROM (
            SELECT (c.family::bigint << 40) | coalesce(c.investor_id, 0) AS total_key,
                   c.family, d.dim, c.investor_id,
                   CASE WHEN d.dim > 3 OR c.precision = 'NONE' THEN NULL
                        WHEN {_RANK} <= d.dim
                        THEN date_trunc({_INTERVAL}, c.period_on::timestamp)::date
                        ELSE c.period_on END AS p_start,
                   CASE WHEN d.dim > 3 OR c.precision = 'NONE' THEN NULL
                        WHEN {_RANK} <= d.dim THEN {_PRECISION}
                        ELSE c.precision END::text AS p_precision,
                   CASE WHEN d.dim = 4 THEN c.round_type END::text AS round_type,
                   CASE WHEN d.dim = 5 THEN nullif(c.country, '') END::text AS country,
                   c.units, c.is_lead, c.unvalued, c.amount_min, c.amount_max, c.estimated,
                   c.smallest, c.largest
            FROM cells c
            CROSS JOIN (VALUES (1), (2), (3), (4), (5)) d(dim)
            -- The row path reaches a country through the live organizations only.
            WHERE d.dim <> 5 OR c.org_live
        ) x
        GROUP BY total_key, family, dim, investor_id, p_start, p_precision, round_type, country
    ),
    kept AS MATERIALIZED (
        SELECT {_COLUMNS} FROM usd_investor_group WHERE total_key = ANY(total_keys)
    ),
    stale AS (SELECT * FROM kept EXCEPT ALL SELECT * FROM fresh),
    gone AS (
        -- A group is one row per (total_key, dim, period, round type, country).
        DELETE FROM usd_investor_group g USING stale s
        WHERE g.total_key = ANY(total_keys) AND g.total_key = s.total_key AND g.dim = s.dim
          AND {" AND ".join(f"g.{k} IS NOT DISTINCT FROM s.{k}" for k in _GROUP_KEY)}
        RETURNING g.family, g.dim, {_PART.replace("p_start", "g.p_start")}, -1 AS n
    ),
    made AS (
        INSERT INTO usd_investor_group ({_COLUMNS})
        SELECT * FROM fresh EXCEPT ALL SELECT * FROM kept
        RETURNING family, dim, {_PART}, 1 AS n
    )
    INSERT INTO usd_investor_group_count AS t (family, dim, part, groups)
    SELECT family, dim, part, sum(n) FROM (SELECT * FROM gone UNION ALL SELECT * FROM made) m
    GROUP BY family, dim, part
    ON CONFLICT (family, dim, part) DO UPDATE SET groups = t.groups + excluded.groups;
    -- A year no group is left in has no count, as a recomputation would leave it.
    DELETE FROM usd_investor_group_count WHERE groups = 0;"""

_END = "\nEND\n$fn$;"


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _refresh_now() -> str:
    """sg_usd_cells_refresh_now as 0030 left it: 0025's, renamed by 0027, with the families
    grouped per investor reading organization investors only (CREATE OR REPLACE)."""
    text: str = _module("0030_angel_investments")._cells_refresh(angels_left_out=True)
    assert text.rstrip().endswith(_END.strip())
    return text


def _group_keys() -> list[sa.Column[object]]:
    return [
        sa.Column("p_start", sa.Date(), nullable=True),
        sa.Column("p_precision", sa.Text(), nullable=True),
        sa.Column("round_type", sa.Text(), nullable=True),
        sa.Column("country", sa.Text(), nullable=True),
    ]


KEYS = ["p_start", "p_precision", "round_type", "country", "investor_id"]
# One per ordering of the aggregates (service/analytics/aggregates.py `_tail`).
INDEXES = [
    ("ix_usd_investor_group_keys", ["family", "dim", *KEYS]),
    ("ix_usd_investor_group_count", ["family", "dim", "units DESC", *KEYS]),
    (
        "ix_usd_investor_group_amount",
        ["family", "dim", "amount_max DESC", "amount_min DESC", "units DESC", *KEYS],
    ),
    ("ix_usd_investor_group_total_key", ["total_key"]),
]
# The yearly league tables of investments (family 5, dimension 3), one per ranking
# (service/analytics/rollups.py `league_page`).
LEAGUE = "WHERE family = 5 AND dim = 3"
LEAGUE_INDEXES = [
    (
        "ix_usd_investor_group_league_count",
        ["p_start", "units DESC", "amount_min DESC", "investor_id"],
    ),
    (
        "ix_usd_investor_group_league_leads",
        ["p_start", "leads DESC", "units DESC", "amount_min DESC", "investor_id"],
    ),
    (
        "ix_usd_investor_group_league_amount",
        ["p_start", "amount_min DESC", "units DESC", "investor_id"],
    ),
]


def upgrade() -> None:
    op.create_table(
        "usd_investor_group",
        sa.Column("total_key", sa.BigInteger(), nullable=False),
        sa.Column("family", sa.SmallInteger(), nullable=False),
        sa.Column("dim", sa.SmallInteger(), nullable=False),
        sa.Column("investor_id", sa.BigInteger(), nullable=True),
        *_group_keys(),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("leads", sa.Integer(), nullable=False),
        sa.Column("unvalued", sa.Integer(), nullable=False),
        sa.Column("amount_min", sa.Numeric(), nullable=False),
        sa.Column("amount_max", sa.Numeric(), nullable=False),
        sa.Column("estimated", sa.Boolean(), nullable=False),
        sa.Column("smallest", sa.Numeric(), nullable=True),
        sa.Column("largest", sa.Numeric(), nullable=True),
        comment="Aggregate groups of an investor and one more dimension (trigger-maintained, "
        "migration 0031).",
    )
    op.create_table(
        "usd_investor_group_count",
        sa.Column("family", sa.SmallInteger(), nullable=False),
        sa.Column("dim", sa.SmallInteger(), nullable=False),
        sa.Column("part", sa.Date(), nullable=False),
        sa.Column("groups", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("family", "dim", "part", name=op.f("pk_usd_investor_group_count")),
        comment="How many usd_investor_group rows each family and dimension has "
        "(trigger-maintained, migration 0031).",
    )
    for name, columns in INDEXES:
        op.execute(f"CREATE INDEX {name} ON usd_investor_group ({', '.join(columns)})")
    for name, columns in LEAGUE_INDEXES:
        op.execute(f"CREATE INDEX {name} ON usd_investor_group ({', '.join(columns)}) {LEAGUE}")
    op.execute(_refresh_now().replace(_END, GROUPS_REFRESH + _END))
    # What is already stored, grouped once from the cells.
    op.execute(
        "DO $do$ DECLARE total_keys bigint[] := ARRAY(SELECT DISTINCT total_key FROM "
        f"usd_investor_year); BEGIN {GROUPS_REFRESH}\nEND $do$"
    )


def downgrade() -> None:
    op.execute(_refresh_now())
    op.drop_table("usd_investor_group_count")
    op.drop_table("usd_investor_group")
