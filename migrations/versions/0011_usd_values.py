"""USD values kept exact on write: per round, investment and consideration component, each with
the FX rate it used, and a monthly rollup of rounds for the time series.

Every writer (mutations, merges, the bulk import, the generator's COPY, the article loader)
changes ``funding_round``, ``investment``, ``consideration_component`` or ``fx_rate``;
statement-level triggers over their transition tables collect the rounds a statement touched
and ``sg_usd_refresh(rounds)`` recomputes those rounds' values and the rollup months they were
and are in, in the same transaction. Recomputing a round whole (instead of adding deltas) keeps
the values equal to a computation from scratch whatever the change: an amount, a currency, a
share, a date, a retirement, a merge, a moved investment or a corrected FX rate.

The values follow the analytics' rules (service/analytics/values.py computes the same at
query time for reads as of a recorded time): an amount converts at the latest rate of its
currency on or before its round's date (the latest of all for undated rounds), rounded to the
cent; a component known by a share range of its investment is that range times the
investment's USD amount. ``live`` is false for retired rows and for rows under a retired parent.

Revision ID: 0011_usd_values
Revises: 0010_api_key_rate_limit
Create Date: 2026-12-02 03:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011_usd_values'
down_revision: str | None = '0010_api_key_rate_limit'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFRESH = r"""
CREATE FUNCTION sg_usd_refresh(rounds bigint[]) RETURNS void LANGUAGE plpgsql
SET search_path = public AS $fn$
DECLARE
    months date[];
    precisions text[];
BEGIN
    IF rounds IS NULL OR cardinality(rounds) = 0 THEN
        RETURN;
    END IF;
    -- The rollup cells the rounds were in before the change.
    SELECT array_agg(date_trunc('month', sort_on)::date), array_agg(precision)
    INTO months, precisions
    FROM usd_round WHERE round_id = ANY(rounds);

    DELETE FROM usd_component WHERE round_id = ANY(rounds);
    DELETE FROM usd_investment WHERE round_id = ANY(rounds);
    DELETE FROM usd_round WHERE round_id = ANY(rounds);

    INSERT INTO usd_investment (investment_id, round_id, investor_id, live, is_lead,
                                committed_usd, committed_fx, committed_fx_on,
                                committed_estimated)
    SELECT i.id, i.round_id, i.investor_id, i.retired_at IS NULL AND r.retired_at IS NULL,
           i.is_lead, round(i.committed_amount * fx.usd_per_unit, 2), fx.usd_per_unit,
           fx.rate_on, i.committed_estimated
    FROM investment i
    JOIN funding_round r ON r.id = i.round_id
    LEFT JOIN LATERAL (
        SELECT f.usd_per_unit, f.rate_on FROM fx_rate f
        WHERE f.currency = i.committed_currency
          AND f.rate_on <= coalesce(r.announced_on, 'infinity'::date)
        ORDER BY f.rate_on DESC LIMIT 1
    ) fx ON true
    WHERE i.round_id = ANY(rounds);

    INSERT INTO usd_component (component_id, investment_id, round_id, kind, live, usd_min,
                               usd_max, estimated, value_fx, value_fx_on)
    SELECT c.id, c.investment_id, iv.round_id, c.kind, c.retired_at IS NULL AND iv.live,
           CASE WHEN c.value_amount IS NOT NULL THEN round(c.value_amount * fx.usd_per_unit, 2)
                WHEN c.share_min IS NOT NULL THEN round(c.share_min * iv.committed_usd, 2)
           END,
           CASE WHEN c.value_amount IS NOT NULL THEN round(c.value_amount * fx.usd_per_unit, 2)
                WHEN c.share_max IS NOT NULL THEN round(c.share_max * iv.committed_usd, 2)
           END,
           c.estimated OR c.value_estimated
               OR (c.value_amount IS NULL AND iv.committed_estimated),
           CASE WHEN c.value_amount IS NOT NULL THEN fx.usd_per_unit ELSE iv.committed_fx END,
           CASE WHEN c.value_amount IS NOT NULL THEN fx.rate_on ELSE iv.committed_fx_on END
    FROM consideration_component c
    JOIN usd_investment iv ON iv.investment_id = c.investment_id
    JOIN funding_round r ON r.id = iv.round_id
    LEFT JOIN LATERAL (
        SELECT f.usd_per_unit, f.rate_on FROM fx_rate f
        WHERE f.currency = c.value_currency
          AND f.rate_on <= coalesce(r.announced_on, 'infinity'::date)
        ORDER BY f.rate_on DESC LIMIT 1
    ) fx ON true
    WHERE iv.round_id = ANY(rounds);

    INSERT INTO usd_round (round_id, live, sort_on, precision, raised_usd, raised_fx,
                           raised_fx_on, raised_estimated, cash_min, cash_max, other_min,
                           other_max)
    SELECT r.id, r.retired_at IS NULL, r.sort_on, coalesce(r.announced_precision, 'NONE'),
           round(r.raised_amount * fx.usd_per_unit, 2), fx.usd_per_unit, fx.rate_on,
           r.raised_estimated,
           coalesce(m.cash_min, 0), coalesce(m.cash_max, 0),
           coalesce(m.other_min, 0), coalesce(m.other_max, 0)
    FROM funding_round r
    LEFT JOIN LATERAL (
        SELECT f.usd_per_unit, f.rate_on FROM fx_rate f
        WHERE f.currency = r.raised_currency
          AND f.rate_on <= coalesce(r.announced_on, 'infinity'::date)
        ORDER BY f.rate_on DESC LIMIT 1
    ) fx ON true
    LEFT JOIN LATERAL (
        -- The valued consideration of the round's live investments, cash and the rest.
        SELECT sum(c.usd_min) FILTER (WHERE c.kind = 'CASH') AS cash_min,
               sum(c.usd_max) FILTER (WHERE c.kind = 'CASH') AS cash_max,
               sum(c.usd_min) FILTER (WHERE c.kind <> 'CASH') AS other_min,
               sum(c.usd_max) FILTER (WHERE c.kind <> 'CASH') AS other_max
        FROM usd_component c
        WHERE c.round_id = r.id AND c.live AND c.usd_min IS NOT NULL AND c.usd_max IS NOT NULL
    ) m ON true
    WHERE r.id = ANY(rounds);

    -- Every rollup cell the rounds were or are in, recomputed whole from the live rounds.
    SELECT array_agg(month), array_agg(precision) INTO months, precisions
    FROM (
        SELECT * FROM unnest(months, precisions) AS old(month, precision)
        UNION
        SELECT date_trunc('month', sort_on)::date, precision FROM usd_round
        WHERE round_id = ANY(rounds)
    ) cells;
    DELETE FROM usd_month m USING unnest(months, precisions) AS cells(month, precision)
    WHERE m.month = cells.month AND m.precision = cells.precision;
    INSERT INTO usd_month (month, precision, rounds, valued, estimated, raised_usd, cash_min,
                           cash_max, other_min, other_max)
    SELECT cells.month, v.precision, count(*), count(v.raised_usd),
           count(*) FILTER (WHERE v.raised_usd IS NOT NULL AND v.raised_estimated),
           coalesce(sum(v.raised_usd), 0), sum(v.cash_min), sum(v.cash_max), sum(v.other_min),
           sum(v.other_max)
    FROM usd_round v
    JOIN unnest(months, precisions) AS cells(month, precision)
      ON v.sort_on >= cells.month AND v.sort_on < cells.month + interval '1 month'
     AND v.precision = cells.precision
    WHERE v.live
    GROUP BY cells.month, v.precision;
END
$fn$;
"""

# One function per table turns a statement's transition tables into the rounds it touched.
TRIGGERS = r"""
CREATE FUNCTION sg_usd_round_changed() RETURNS trigger LANGUAGE plpgsql
SET search_path = public AS $fn$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM sg_usd_refresh(ARRAY(SELECT id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM sg_usd_refresh(ARRAY(SELECT id FROM old_rows));
    ELSE
        PERFORM sg_usd_refresh(ARRAY(SELECT id FROM new_rows UNION SELECT id FROM old_rows));
    END IF;
    RETURN NULL;
END
$fn$;

CREATE FUNCTION sg_usd_investment_changed() RETURNS trigger LANGUAGE plpgsql
SET search_path = public AS $fn$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM sg_usd_refresh(ARRAY(SELECT DISTINCT round_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM sg_usd_refresh(ARRAY(SELECT DISTINCT round_id FROM old_rows));
    ELSE
        PERFORM sg_usd_refresh(ARRAY(
            SELECT round_id FROM new_rows UNION SELECT round_id FROM old_rows
        ));
    END IF;
    RETURN NULL;
END
$fn$;

-- A component's round: through its investment, or (the investment gone with it) through the
-- values kept for it.
CREATE FUNCTION sg_usd_component_changed() RETURNS trigger LANGUAGE plpgsql
SET search_path = public AS $fn$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM sg_usd_refresh(ARRAY(
            SELECT DISTINCT i.round_id FROM investment i
            WHERE i.id IN (SELECT investment_id FROM new_rows)
        ));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM sg_usd_refresh(ARRAY(
            SELECT i.round_id FROM investment i
            WHERE i.id IN (SELECT investment_id FROM old_rows)
            UNION
            SELECT v.round_id FROM usd_component v
            WHERE v.component_id IN (SELECT id FROM old_rows)
        ));
    ELSE
        PERFORM sg_usd_refresh(ARRAY(
            SELECT i.round_id FROM investment i
            WHERE i.id IN (SELECT investment_id FROM new_rows
                           UNION SELECT investment_id FROM old_rows)
        ));
    END IF;
    RETURN NULL;
END
$fn$;

-- A changed rate of a currency from a date on can change every amount in that currency dated
-- on or after it (and every undated one, which takes the latest rate).
CREATE FUNCTION sg_usd_fx_changed() RETURNS trigger LANGUAGE plpgsql
SET search_path = public AS $fn$
DECLARE
    changed_currencies text[];
    since date;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT currency), min(rate_on) INTO changed_currencies, since
        FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT currency), min(rate_on) INTO changed_currencies, since
        FROM old_rows;
    ELSE
        SELECT array_agg(DISTINCT currency), min(rate_on) INTO changed_currencies, since
        FROM (SELECT currency, rate_on FROM new_rows
              UNION ALL SELECT currency, rate_on FROM old_rows) x;
    END IF;
    IF changed_currencies IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM sg_usd_refresh(ARRAY(
        SELECT r.id FROM funding_round r
        WHERE r.raised_currency = ANY(changed_currencies)
          AND coalesce(r.announced_on, 'infinity'::date) >= since
        UNION
        SELECT i.round_id FROM investment i JOIN funding_round r ON r.id = i.round_id
        WHERE i.committed_currency = ANY(changed_currencies)
          AND coalesce(r.announced_on, 'infinity'::date) >= since
        UNION
        SELECT i.round_id FROM consideration_component c
        JOIN investment i ON i.id = c.investment_id
        JOIN funding_round r ON r.id = i.round_id
        WHERE c.value_currency = ANY(changed_currencies)
          AND coalesce(r.announced_on, 'infinity'::date) >= since
    ));
    RETURN NULL;
END
$fn$;
"""

WATCHED = {
    'funding_round': 'sg_usd_round_changed',
    'investment': 'sg_usd_investment_changed',
    'consideration_component': 'sg_usd_component_changed',
    'fx_rate': 'sg_usd_fx_changed',
}


def _statements(text: str) -> list[str]:
    """The CREATE FUNCTION statements of ``text``, one each (asyncpg runs one at a time)."""
    return [part.strip() + "\n$fn$;" for part in text.split("$fn$;") if part.strip()]


def _numeric() -> sa.Numeric:
    return sa.Numeric()


def upgrade() -> None:
    op.create_table(
        'usd_round',
        sa.Column('round_id', sa.BigInteger(), nullable=False),
        sa.Column('live', sa.Boolean(), nullable=False),
        sa.Column('sort_on', sa.Date(), nullable=False),
        sa.Column('precision', sa.String(length=8), nullable=False),
        sa.Column('raised_usd', _numeric(), nullable=True),
        sa.Column('raised_fx', sa.Numeric(precision=20, scale=10), nullable=True),
        sa.Column('raised_fx_on', sa.Date(), nullable=True),
        sa.Column('raised_estimated', sa.Boolean(), nullable=False),
        sa.Column('cash_min', _numeric(), nullable=False),
        sa.Column('cash_max', _numeric(), nullable=False),
        sa.Column('other_min', _numeric(), nullable=False),
        sa.Column('other_max', _numeric(), nullable=False),
        sa.PrimaryKeyConstraint('round_id', name=op.f('pk_usd_round')),
        comment='USD value of each funding round (trigger-maintained, migration 0007).',
    )
    op.create_index('ix_usd_round_sort', 'usd_round', ['sort_on', 'precision'], unique=False)
    op.create_table(
        'usd_investment',
        sa.Column('investment_id', sa.BigInteger(), nullable=False),
        sa.Column('round_id', sa.BigInteger(), nullable=False),
        sa.Column('investor_id', sa.BigInteger(), nullable=False),
        sa.Column('live', sa.Boolean(), nullable=False),
        sa.Column('is_lead', sa.Boolean(), nullable=False),
        sa.Column('committed_usd', _numeric(), nullable=True),
        sa.Column('committed_fx', sa.Numeric(precision=20, scale=10), nullable=True),
        sa.Column('committed_fx_on', sa.Date(), nullable=True),
        sa.Column('committed_estimated', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('investment_id', name=op.f('pk_usd_investment')),
        comment='USD value of each investment (trigger-maintained, migration 0007).',
    )
    op.create_index('ix_usd_investment_round', 'usd_investment', ['round_id'], unique=False)
    op.create_index('ix_usd_investment_investor', 'usd_investment', ['investor_id'], unique=False)
    op.create_table(
        'usd_component',
        sa.Column('component_id', sa.BigInteger(), nullable=False),
        sa.Column('investment_id', sa.BigInteger(), nullable=False),
        sa.Column('round_id', sa.BigInteger(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('live', sa.Boolean(), nullable=False),
        sa.Column('usd_min', _numeric(), nullable=True),
        sa.Column('usd_max', _numeric(), nullable=True),
        sa.Column('estimated', sa.Boolean(), nullable=False),
        sa.Column('value_fx', sa.Numeric(precision=20, scale=10), nullable=True),
        sa.Column('value_fx_on', sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint('component_id', name=op.f('pk_usd_component')),
        comment='USD value range of each consideration component (trigger-maintained, '
        'migration 0007).',
    )
    op.create_index('ix_usd_component_round', 'usd_component', ['round_id'], unique=False)
    op.create_index(
        'ix_usd_component_investment', 'usd_component', ['investment_id'], unique=False
    )
    op.create_table(
        'usd_month',
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('precision', sa.String(length=8), nullable=False),
        sa.Column('rounds', sa.Integer(), nullable=False),
        sa.Column('valued', sa.Integer(), nullable=False),
        sa.Column('estimated', sa.Integer(), nullable=False),
        sa.Column('raised_usd', _numeric(), nullable=False),
        sa.Column('cash_min', _numeric(), nullable=False),
        sa.Column('cash_max', _numeric(), nullable=False),
        sa.Column('other_min', _numeric(), nullable=False),
        sa.Column('other_max', _numeric(), nullable=False),
        sa.PrimaryKeyConstraint('month', 'precision', name=op.f('pk_usd_month')),
        comment='Live rounds by the month of their date and its precision, with their USD '
        'totals (trigger-maintained, migration 0007).',
    )
    op.execute(REFRESH)
    for statement in _statements(TRIGGERS):
        op.execute(statement)
    for table, function in WATCHED.items():
        op.execute(
            f"CREATE TRIGGER sg_usd_insert AFTER INSERT ON {table} "
            f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )
        op.execute(
            f"CREATE TRIGGER sg_usd_update AFTER UPDATE ON {table} "
            "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )
        op.execute(
            f"CREATE TRIGGER sg_usd_delete AFTER DELETE ON {table} "
            f"REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )
    # What is already stored, valued once.
    op.execute("SELECT sg_usd_refresh(ARRAY(SELECT id FROM funding_round))")


def downgrade() -> None:
    for table in WATCHED:
        for trigger in ('sg_usd_insert', 'sg_usd_update', 'sg_usd_delete'):
            op.execute(f"DROP TRIGGER {trigger} ON {table}")
    op.execute(
        "DROP FUNCTION sg_usd_fx_changed(), sg_usd_component_changed(), "
        "sg_usd_investment_changed(), sg_usd_round_changed(), sg_usd_refresh(bigint[])"
    )
    op.drop_table('usd_month')
    op.drop_index('ix_usd_component_investment', table_name='usd_component')
    op.drop_index('ix_usd_component_round', table_name='usd_component')
    op.drop_table('usd_component')
    op.drop_index('ix_usd_investment_investor', table_name='usd_investment')
    op.drop_index('ix_usd_investment_round', table_name='usd_investment')
    op.drop_table('usd_investment')
    op.drop_index('ix_usd_round_sort', table_name='usd_round')
    op.drop_table('usd_round')
