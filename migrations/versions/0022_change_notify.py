"""A notification on channel ``sg_changes`` when a transaction that wrote audit rows commits.

Subscriptions (docs/subscriptions.md) read the change feed; the notification only wakes them.
The trigger is statement-level on ``audit_log``, and its payload is the writing transaction's
id alone: PostgreSQL folds identical notifications of one transaction into one, so however
many statements a transaction runs, listeners hear of it once, after it commits (never for a
transaction that rolls back).

Revision ID: 0022_change_notify
Revises: 0021_webhooks
"""

from __future__ import annotations

from alembic import op

revision: str = "0022_change_notify"
down_revision: str | None = "0021_webhooks"
branch_labels: str | None = None
depends_on: str | None = None

CHANNEL = "sg_changes"


def upgrade() -> None:
    op.execute(
        f"""
CREATE OR REPLACE FUNCTION sg_changes_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', pg_current_xact_id()::text);
    RETURN NULL;
END
$$
"""
    )
    op.execute(
        "CREATE TRIGGER sg_changes_notify AFTER INSERT ON public.audit_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION sg_changes_notify()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS sg_changes_notify ON public.audit_log")
    op.execute("DROP FUNCTION IF EXISTS sg_changes_notify()")
