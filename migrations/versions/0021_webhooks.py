"""Webhooks: endpoints, and an outbox of deliveries written in the same transaction as the
change (docs/webhooks.md).

A statement-level trigger on ``audit_log`` (with its transition table) inserts one delivery
per enabled endpoint and change the endpoint asks for, so that a committed change always has
its deliveries and a rolled-back one never does. A bulk import's changes (audit rows with an
``import_id``) make one delivery per endpoint and import, holding the first and last audit
rows: an import of a million rows is one event, not a million.

The endpoint filters on entity types (tables) and on operations; an operation the feed tells
apart only from the row's versions (UPDATED, RETIRED, MERGED, RESTORED are all audit UPDATEs)
is matched here by its action and exactly by the deliverer.

Revision ID: 0021_webhooks
Revises: 0020_usd_refresh_by_row
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0021_webhooks"
down_revision: str | None = "0020_usd_refresh_by_row"
branch_labels: str | None = None
depends_on: str | None = None

OUTBOX = r"""
CREATE FUNCTION sg_webhook_outbox() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF NOT EXISTS (SELECT FROM public.webhook_endpoint WHERE enabled) THEN
        RETURN NULL;
    END IF;
    INSERT INTO public.webhook_delivery (endpoint_id, audit_id, entity)
    SELECT e.id, a.id,
           a.table_name || ':' || coalesce(a.row_id::text, a.row_key, 'audit-' || a.id::text)
    FROM new_audit a
    JOIN public.webhook_endpoint e ON e.enabled
        AND (e.tables IS NULL OR a.table_name = ANY(e.tables))
        AND (e.operations IS NULL OR e.operations && sg_webhook_operations(a.action))
    WHERE a.import_id IS NULL
    ORDER BY a.id, e.id;
    INSERT INTO public.webhook_delivery (endpoint_id, audit_id, last_audit_id, import_id, entity)
    SELECT e.id, min(a.id), max(a.id), a.import_id, 'import:' || a.import_id::text
    FROM new_audit a
    JOIN public.webhook_endpoint e ON e.enabled
        AND (e.tables IS NULL OR a.table_name = ANY(e.tables))
        AND (e.operations IS NULL OR e.operations && sg_webhook_operations(a.action))
    WHERE a.import_id IS NOT NULL
    GROUP BY e.id, a.import_id
    ORDER BY e.id
    ON CONFLICT (endpoint_id, import_id) WHERE import_id IS NOT NULL DO UPDATE SET
        audit_id = least(webhook_delivery.audit_id, excluded.audit_id),
        last_audit_id = greatest(webhook_delivery.last_audit_id, excluded.last_audit_id);
    RETURN NULL;
END
$fn$
"""

# The feed operations an audit action may turn out to be.
OPERATIONS = r"""
CREATE FUNCTION sg_webhook_operations(action text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $fn$
    SELECT CASE action
        WHEN 'INSERT' THEN ARRAY['CREATED']
        WHEN 'DELETE' THEN ARRAY['DELETED']
        ELSE ARRAY['UPDATED', 'RETIRED', 'MERGED', 'RESTORED']
    END
$fn$
"""

TRIGGER = """
CREATE TRIGGER sg_webhook_outbox AFTER INSERT ON public.audit_log
REFERENCING NEW TABLE AS new_audit
FOR EACH STATEMENT EXECUTE FUNCTION sg_webhook_outbox()
"""


def upgrade() -> None:
    op.create_table(
        "webhook_endpoint",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("tables", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("operations", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("previous_secret", sa.Text(), nullable=True),
        sa.Column("previous_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("enabled", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("url ~ '^https?://'", name="ck_webhook_endpoint_url_scheme"),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_endpoint"),
        comment="Webhook endpoints: where changes are posted, which ones, and the secret that "
        "signs them.",
    )
    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("endpoint_id", sa.BigInteger(), nullable=False),
        sa.Column("audit_id", sa.BigInteger(), nullable=False),
        sa.Column("last_audit_id", sa.BigInteger(), nullable=True),
        sa.Column("import_id", sa.BigInteger(), nullable=True),
        sa.Column("entity", sa.Text(), nullable=False),
        sa.Column("state", sa.String(10), server_default=sa.text("'pending'"), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "next_attempt_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column("leased_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease", sa.BigInteger(), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'delivered', 'dead', 'skipped')",
            name="ck_webhook_delivery_state",
        ),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["webhook_endpoint.id"],
            name="fk_webhook_delivery_endpoint_id_webhook_endpoint",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_delivery"),
        comment="The webhook outbox: one row per endpoint and change (per bulk import: one for "
        "all its changes), written in the change's transaction; delivered at least once.",
    )
    op.create_index(
        "ix_webhook_delivery_due",
        "webhook_delivery",
        ["next_attempt_at", "id"],
        postgresql_where=sa.text("state = 'pending'"),
    )
    op.create_index(
        "ix_webhook_delivery_entity",
        "webhook_delivery",
        ["endpoint_id", "entity", "id"],
        postgresql_where=sa.text("state = 'pending'"),
    )
    op.create_index(
        "ix_webhook_delivery_dead",
        "webhook_delivery",
        ["endpoint_id", "id"],
        postgresql_where=sa.text("state = 'dead'"),
    )
    op.create_index(
        "ix_webhook_delivery_import",
        "webhook_delivery",
        ["endpoint_id", "import_id"],
        unique=True,
        postgresql_where=sa.text("import_id IS NOT NULL"),
    )
    op.create_index(
        "ix_webhook_delivery_finished",
        "webhook_delivery",
        ["finished_at"],
        postgresql_where=sa.text("state <> 'pending'"),
    )
    op.execute(OPERATIONS)
    op.execute(OUTBOX)
    op.execute(TRIGGER)


def downgrade() -> None:
    op.execute("DROP TRIGGER sg_webhook_outbox ON public.audit_log")
    op.execute("DROP FUNCTION sg_webhook_outbox()")
    op.execute("DROP FUNCTION sg_webhook_operations(text)")
    op.drop_table("webhook_delivery")
    op.drop_table("webhook_endpoint")
