"""The change feed: every audit row records the transaction that wrote it (``txid``), and an
index on ``(txid, id)`` reads the feed in that order.

Audit ids come from a sequence, drawn as rows are written, so a transaction that commits later
can hold smaller ids than one already read: a feed that resumed after the greatest id seen
would skip it. Ordered by ``(txid, id)`` and limited to transactions older than the reader's
snapshot xmin (every one of them has finished, and no later transaction can get a smaller
txid), the feed only ever hands out a settled prefix (docs/changes.md).

``pg_current_xact_id()`` is the top-level transaction's id even inside a savepoint, and an
``xid8`` (epoch and xid), stored as a bigint so that the column is an ordinary sortable
number. Rows written before this revision get the migrating transaction's id, which is newer
than any of theirs: they stay in id order, ahead of everything written afterwards.

Revision ID: 0019_change_feed_txid
Revises: 0018_exit_valuation_orders
Create Date: 2026-12-02 04:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_change_feed_txid"
down_revision: str | None = "0018_exit_valuation_orders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TXID = "(pg_current_xact_id()::text)::bigint"


def upgrade() -> None:
    op.add_column(
        "audit_log",
        sa.Column("txid", sa.BigInteger(), server_default=sa.text(TXID), nullable=False),
    )
    op.create_index("ix_audit_log_txid_id", "audit_log", ["txid", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_audit_log_txid_id", table_name="audit_log")
    op.drop_column("audit_log", "txid")
