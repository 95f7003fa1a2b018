"""Acquisitions: one organization buying another (or a stake in it), when, at what price and
paid with what (cash, the buyer's stock, credits…), with claims like every other fact.

``acquisition`` and ``acquisition_component`` are versioned tables: ``sg_versioning_sync``
(0004) builds their history tables, triggers and ``live``/``asof`` views from the catalog.
Claims reach an acquisition through a new arc column of ``claim_subject``, so its
exactly-one check is rebuilt over the longer list and the table is synced again.

Revision ID: 0012_acquisitions
Revises: 0011_usd_values
Create Date: 2026-12-02 03:23:01.124742
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_acquisitions"
down_revision: str | None = "0011_usd_values"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SUBJECTS_BEFORE = (
    "organization_id",
    "person_role_id",
    "product_id",
    "funding_round_id",
    "investment_id",
    "consideration_component_id",
    "credit_program_id",
    "relationship_id",
    "compute_asset_id",
    "event_id",
)
SUBJECTS_AFTER = (*SUBJECTS_BEFORE, "acquisition_id")


def _exactly_one(columns: Sequence[str]) -> None:
    op.drop_constraint(op.f("ck_claim_subject_exactly_one"), "claim_subject", type_="check")
    op.create_check_constraint(
        op.f("ck_claim_subject_exactly_one"),
        "claim_subject",
        f"num_nonnulls({', '.join(columns)}) = 1",
    )


def _sync(table: str) -> None:
    op.execute(sa.text("SELECT sg_versioning_sync(:t)").bindparams(t=table))


def upgrade() -> None:
    op.create_table(
        "acquisition",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "key", sa.Text(), server_default=sa.text("gen_random_uuid()::text"), nullable=False
        ),
        sa.Column("acquirer_id", sa.BigInteger(), nullable=False),
        sa.Column("acquired_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("announced_on", sa.Date(), nullable=True),
        sa.Column("announced_precision", sa.String(length=8), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("completed_precision", sa.String(length=8), nullable=True),
        sa.Column("price_amount", sa.Numeric(precision=24, scale=4), nullable=True),
        sa.Column("price_currency", sa.String(length=3), nullable=True),
        sa.Column("price_estimated", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("stake_min", sa.Numeric(precision=7, scale=6), nullable=True),
        sa.Column("stake_max", sa.Numeric(precision=7, scale=6), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "sort_on",
            sa.Date(),
            sa.Computed("coalesce(completed_on, announced_on, '0001-01-01'::date)", persisted=True),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "recorded_by", sa.BigInteger(), server_default=sa.text("sg_key_id()"), nullable=True
        ),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "announced_precision IN ('DAY', 'MONTH', 'QUARTER', 'YEAR')",
            name=op.f("ck_acquisition_announced_precision"),
        ),
        sa.CheckConstraint(
            "announced_precision IS NULL OR announced_precision = 'DAY' OR (announced_precision = 'MONTH' AND extract(day FROM announced_on) = 1) OR (announced_precision = 'QUARTER' AND extract(day FROM announced_on) = 1 AND extract(month FROM announced_on) IN (1, 4, 7, 10)) OR (announced_precision = 'YEAR' AND extract(day FROM announced_on) = 1 AND extract(month FROM announced_on) = 1)",
            name=op.f("ck_acquisition_announced_period_start"),
        ),
        sa.CheckConstraint(
            "completed_precision IN ('DAY', 'MONTH', 'QUARTER', 'YEAR')",
            name=op.f("ck_acquisition_completed_precision"),
        ),
        sa.CheckConstraint(
            "completed_precision IS NULL OR completed_precision = 'DAY' OR (completed_precision = 'MONTH' AND extract(day FROM completed_on) = 1) OR (completed_precision = 'QUARTER' AND extract(day FROM completed_on) = 1 AND extract(month FROM completed_on) IN (1, 4, 7, 10)) OR (completed_precision = 'YEAR' AND extract(day FROM completed_on) = 1 AND extract(month FROM completed_on) = 1)",
            name=op.f("ck_acquisition_completed_period_start"),
        ),
        sa.CheckConstraint(
            "key <> '' AND key !~ '[[:space:]]'", name=op.f("ck_acquisition_key_format")
        ),
        sa.CheckConstraint(
            "status = 'COMPLETED' OR completed_on IS NULL",
            name=op.f("ck_acquisition_completed_when_done"),
        ),
        sa.CheckConstraint(
            "status IN ('ANNOUNCED', 'COMPLETED', 'CANCELLED')", name=op.f("ck_acquisition_status")
        ),
        sa.CheckConstraint(
            "(announced_on IS NULL) = (announced_precision IS NULL)",
            name=op.f("ck_acquisition_announced_pair"),
        ),
        sa.CheckConstraint(
            "(completed_on IS NULL) = (completed_precision IS NULL)",
            name=op.f("ck_acquisition_completed_pair"),
        ),
        sa.CheckConstraint(
            "(price_amount IS NULL) = (price_currency IS NULL)",
            name=op.f("ck_acquisition_price_pair"),
        ),
        sa.CheckConstraint(
            "(stake_min IS NULL) = (stake_max IS NULL)", name=op.f("ck_acquisition_stake_pair")
        ),
        sa.CheckConstraint("acquirer_id <> acquired_id", name=op.f("ck_acquisition_distinct")),
        sa.CheckConstraint(
            "completed_on IS NULL OR announced_on IS NULL OR completed_on >= announced_on",
            name=op.f("ck_acquisition_ordered"),
        ),
        sa.CheckConstraint("price_amount >= 0", name=op.f("ck_acquisition_price_non_negative")),
        sa.CheckConstraint(
            "stake_min >= 0 AND stake_max <= 1 AND stake_min <= stake_max",
            name=op.f("ck_acquisition_stake_range"),
        ),
        sa.ForeignKeyConstraint(
            ["acquired_id"],
            ["organization.id"],
            name=op.f("fk_acquisition_acquired_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["acquirer_id"],
            ["organization.id"],
            name=op.f("fk_acquisition_acquirer_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["price_currency"],
            ["currency.code"],
            name=op.f("fk_acquisition_price_currency_currency"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acquisition")),
        sa.UniqueConstraint("key", name=op.f("uq_acquisition_key")),
        comment="One organization buying another, or a stake in it: when, at what price, paid how.",
    )
    op.create_index(
        "ix_acquisition_acquired_sort",
        "acquisition",
        ["acquired_id", "sort_on", "id"],
        unique=False,
    )
    op.create_index(
        "ix_acquisition_acquirer_sort",
        "acquisition",
        ["acquirer_id", "sort_on", "id"],
        unique=False,
    )
    op.create_index("ix_acquisition_sort_id", "acquisition", ["sort_on", "id"], unique=False)
    op.create_index("ix_acquisition_updated_id", "acquisition", ["updated_at", "id"], unique=False)
    op.create_table(
        "acquisition_component",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "key", sa.Text(), server_default=sa.text("gen_random_uuid()::text"), nullable=False
        ),
        sa.Column("acquisition_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value_amount", sa.Numeric(precision=24, scale=4), nullable=True),
        sa.Column("value_currency", sa.String(length=3), nullable=True),
        sa.Column("value_estimated", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("share_min", sa.Numeric(precision=7, scale=6), nullable=True),
        sa.Column("share_max", sa.Numeric(precision=7, scale=6), nullable=True),
        sa.Column("estimated", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "recorded_by", sa.BigInteger(), server_default=sa.text("sg_key_id()"), nullable=True
        ),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "key <> '' AND key !~ '[[:space:]]'", name=op.f("ck_acquisition_component_key_format")
        ),
        sa.CheckConstraint(
            "kind IN ('CASH', 'STOCK', 'CLOUD_CREDITS', 'TRAFFIC_PROMOTION', 'SERVICES', 'OTHER')",
            name=op.f("ck_acquisition_component_kind"),
        ),
        sa.CheckConstraint(
            "(share_min IS NULL) = (share_max IS NULL)",
            name=op.f("ck_acquisition_component_share_pair"),
        ),
        sa.CheckConstraint(
            "(value_amount IS NULL) = (value_currency IS NULL)",
            name=op.f("ck_acquisition_component_value_pair"),
        ),
        sa.CheckConstraint("position >= 0", name=op.f("ck_acquisition_component_position")),
        sa.CheckConstraint(
            "share_min >= 0 AND share_max <= 1 AND share_min <= share_max",
            name=op.f("ck_acquisition_component_share_range"),
        ),
        sa.CheckConstraint(
            "value_amount >= 0", name=op.f("ck_acquisition_component_value_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["acquisition_id"],
            ["acquisition.id"],
            name=op.f("fk_acquisition_component_acquisition_id_acquisition"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["value_currency"],
            ["currency.code"],
            name=op.f("fk_acquisition_component_value_currency_currency"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acquisition_component")),
        sa.UniqueConstraint(
            "acquisition_id",
            "position",
            name=op.f("uq_acquisition_component_acquisition_id_position"),
        ),
        sa.UniqueConstraint("key", name=op.f("uq_acquisition_component_key")),
        comment="What an acquirer pays with (cash, its own stock, credits…): an amount or a share of the price, as an investment's consideration is.",
    )
    op.add_column("claim_subject", sa.Column("acquisition_id", sa.BigInteger(), nullable=True))
    op.create_index(
        "ix_claim_subject_acquisition_id",
        "claim_subject",
        ["acquisition_id", "claim_id"],
        unique=False,
        postgresql_where=sa.text("acquisition_id IS NOT NULL"),
    )
    op.create_foreign_key(
        op.f("fk_claim_subject_acquisition_id_acquisition"),
        "claim_subject",
        "acquisition",
        ["acquisition_id"],
        ["id"],
        ondelete="CASCADE",
    )
    _exactly_one(SUBJECTS_AFTER)
    for table in ("acquisition", "acquisition_component", "claim_subject"):
        _sync(table)


def downgrade() -> None:
    # The views list the columns: they go with the tables and are rebuilt for claim_subject.
    op.execute("DELETE FROM claim_subject WHERE acquisition_id IS NOT NULL")
    _exactly_one(SUBJECTS_BEFORE)
    op.execute("ALTER TABLE history.claim_subject DROP COLUMN acquisition_id CASCADE")
    op.execute("ALTER TABLE claim_subject DROP COLUMN acquisition_id CASCADE")
    _sync("claim_subject")
    for table in ("acquisition_component", "acquisition"):
        op.execute(f"DROP VIEW IF EXISTS live.{table}")
        op.execute(f"DROP VIEW IF EXISTS asof.{table}")
        op.drop_table(table)
        op.drop_table(table, schema="history")
