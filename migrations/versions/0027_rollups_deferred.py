"""Bulk loads refresh the analytics rollups once, at their end, instead of after every
statement.

The rollups of 0025 are recomputed whole for every block a statement touched. A bulk load (the
generator's COPYs, an import) touches nearly every block with each of its statements, so it
rebuilt nearly all of them a dozen times or more: at 6,000 generated organizations that was
59 s of a 96 s load. ``sg_usd_cells_refresh`` becomes a wrapper: while the transaction has set
``stakegraph.rollups`` to ``deferred``, it only notes the rounds in a temporary table of the
transaction; ``sg_usd_cells_flush()`` refreshes what was noted (the earlier function, now
``sg_usd_cells_refresh_now``) and must be called before the transaction commits. Any other
writer is unchanged: its refresh runs at once. Either way the rollups are the same.

Revision ID: 0027_rollups_deferred
Revises: 0026_feed_horizon
Create Date: 2026-12-02 13:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0027_rollups_deferred"
down_revision: str | None = "0026_feed_horizon"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WRAPPER = """
CREATE FUNCTION sg_usd_cells_refresh(rounds bigint[]) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    IF rounds IS NULL OR cardinality(rounds) = 0 THEN
        RETURN;
    END IF;
    IF current_setting('stakegraph.rollups', true) = 'deferred' THEN
        CREATE TEMPORARY TABLE IF NOT EXISTS sg_rollup_pending (round_id bigint PRIMARY KEY)
            ON COMMIT DROP;
        INSERT INTO pg_temp.sg_rollup_pending
        SELECT DISTINCT r FROM unnest(rounds) AS r ON CONFLICT DO NOTHING;
        RETURN;
    END IF;
    PERFORM public.sg_usd_cells_refresh_now(rounds);
END
$fn$
"""

FLUSH = """
CREATE FUNCTION sg_usd_cells_flush() RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    pending bigint[];
BEGIN
    PERFORM set_config('stakegraph.rollups', 'now', true);
    IF to_regclass('pg_temp.sg_rollup_pending') IS NULL THEN
        RETURN;
    END IF;
    EXECUTE 'SELECT array_agg(round_id ORDER BY round_id) FROM pg_temp.sg_rollup_pending'
        INTO pending;
    EXECUTE 'TRUNCATE pg_temp.sg_rollup_pending';
    PERFORM public.sg_usd_cells_refresh_now(pending);
END
$fn$
"""


def upgrade() -> None:
    op.execute("ALTER FUNCTION sg_usd_cells_refresh(bigint[]) RENAME TO sg_usd_cells_refresh_now")
    op.execute(WRAPPER)
    op.execute(FLUSH)


def downgrade() -> None:
    op.execute("DROP FUNCTION sg_usd_cells_flush()")
    op.execute("DROP FUNCTION sg_usd_cells_refresh(bigint[])")
    op.execute("ALTER FUNCTION sg_usd_cells_refresh_now(bigint[]) RENAME TO sg_usd_cells_refresh")
