"""The change feed's horizon counts only this database's writers.

The feed lists audit rows of transactions older than its reader's snapshot xmin (0019). That
xmin is the whole server's: a long writing transaction in *another* database on the same
PostgreSQL (an import, a generator, a migration) held every reader of this one back for as long
as it ran, although it can never write here. ``sg_feed_horizon()`` is the oldest transaction
of the snapshot's in-progress list that is not known to belong to another database, or the
snapshot's xmax when there is none. A transaction it passes over has a backend in another
database now, so it wrote nothing here; one whose database cannot be told (finished since the
snapshot, prepared, or hidden) still holds the horizon back, so nothing is ever skipped.

Revision ID: 0026_feed_horizon
Revises: 0025_analytics_rollups
Create Date: 2026-12-02 12:15:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0026_feed_horizon"
down_revision: str | None = "0025_analytics_rollups"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HORIZON = """
CREATE FUNCTION sg_feed_horizon() RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(
        min((x::text)::bigint),
        (pg_snapshot_xmax(pg_current_snapshot())::text)::bigint
    )
    FROM pg_snapshot_xip(pg_current_snapshot()) AS x
    WHERE NOT EXISTS (
        SELECT 1 FROM pg_stat_activity a
        WHERE a.backend_xid = xid(x)
          AND a.datid IS NOT NULL
          AND a.datid <> (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
    )
$$
"""


def upgrade() -> None:
    op.execute(HORIZON)


def downgrade() -> None:
    op.execute("DROP FUNCTION sg_feed_horizon()")
