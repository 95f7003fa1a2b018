"""Exits: an investment's end, whole or in part — sold in an acquisition or a secondary,
divested, written off or realised through a listing — with its date, proceeds, counterparty
and the acquisition or listing it ended in. An investment's status (active, partially exited,
exited) follows from its exits by two probes of ``ix_exit_investment_sort``.

A versioned table (``sg_versioning_sync``, 0004); claims reach an exit through a new arc
column of ``claim_subject``.

Revision ID: 0016_exits
Revises: 0015_funds
Create Date: 2026-12-02 04:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_exits"
down_revision: str | None = "0015_funds"
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
    "acquisition_id",
    "listing_id",
    "valuation_id",
    "fund_id",
    "fund_commitment_id",
)
SUBJECTS_AFTER = (*SUBJECTS_BEFORE, "exit_id")
NEW_SUBJECTS = ["exit_id"]


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
        "exit",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "key", sa.Text(), server_default=sa.text("gen_random_uuid()::text"), nullable=False
        ),
        sa.Column("investment_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("exited_on", sa.Date(), nullable=True),
        sa.Column("exited_precision", sa.String(length=8), nullable=True),
        sa.Column("proceeds_amount", sa.Numeric(precision=24, scale=4), nullable=True),
        sa.Column("proceeds_currency", sa.String(length=3), nullable=True),
        sa.Column(
            "proceeds_estimated", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("share_min", sa.Numeric(precision=7, scale=6), nullable=True),
        sa.Column("share_max", sa.Numeric(precision=7, scale=6), nullable=True),
        sa.Column("counterparty_id", sa.BigInteger(), nullable=True),
        sa.Column("acquisition_id", sa.BigInteger(), nullable=True),
        sa.Column("listing_id", sa.BigInteger(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "sort_on",
            sa.Date(),
            sa.Computed("coalesce(exited_on, '0001-01-01'::date)", persisted=True),
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
            "acquisition_id IS NULL OR kind = 'ACQUISITION'", name=op.f("ck_exit_acquisition_kind")
        ),
        sa.CheckConstraint(
            "exited_precision IN ('DAY', 'MONTH', 'QUARTER', 'YEAR')",
            name=op.f("ck_exit_exited_precision"),
        ),
        sa.CheckConstraint(
            "exited_precision IS NULL OR exited_precision = 'DAY' OR (exited_precision = 'MONTH' AND extract(day FROM exited_on) = 1) OR (exited_precision = 'QUARTER' AND extract(day FROM exited_on) = 1 AND extract(month FROM exited_on) IN (1, 4, 7, 10)) OR (exited_precision = 'YEAR' AND extract(day FROM exited_on) = 1 AND extract(month FROM exited_on) = 1)",
            name=op.f("ck_exit_exited_period_start"),
        ),
        sa.CheckConstraint("key <> '' AND key !~ '[[:space:]]'", name=op.f("ck_exit_key_format")),
        sa.CheckConstraint(
            "kind IN ('ACQUISITION', 'SECONDARY', 'DIVESTMENT', 'WRITE_OFF', 'LISTING')",
            name=op.f("ck_exit_kind"),
        ),
        sa.CheckConstraint(
            "listing_id IS NULL OR kind = 'LISTING'", name=op.f("ck_exit_listing_kind")
        ),
        sa.CheckConstraint(
            "(exited_on IS NULL) = (exited_precision IS NULL)", name=op.f("ck_exit_exited_pair")
        ),
        sa.CheckConstraint(
            "(proceeds_amount IS NULL) = (proceeds_currency IS NULL)",
            name=op.f("ck_exit_proceeds_pair"),
        ),
        sa.CheckConstraint(
            "(share_min IS NULL) = (share_max IS NULL)", name=op.f("ck_exit_share_pair")
        ),
        sa.CheckConstraint("proceeds_amount >= 0", name=op.f("ck_exit_proceeds_non_negative")),
        sa.CheckConstraint(
            "share_min >= 0 AND share_max <= 1 AND share_min <= share_max",
            name=op.f("ck_exit_share_range"),
        ),
        sa.ForeignKeyConstraint(
            ["acquisition_id"], ["acquisition.id"], name=op.f("fk_exit_acquisition_id_acquisition")
        ),
        sa.ForeignKeyConstraint(
            ["counterparty_id"],
            ["organization.id"],
            name=op.f("fk_exit_counterparty_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["investment_id"], ["investment.id"], name=op.f("fk_exit_investment_id_investment")
        ),
        sa.ForeignKeyConstraint(
            ["listing_id"], ["listing.id"], name=op.f("fk_exit_listing_id_listing")
        ),
        sa.ForeignKeyConstraint(
            ["proceeds_currency"],
            ["currency.code"],
            name=op.f("fk_exit_proceeds_currency_currency"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exit")),
        sa.UniqueConstraint("key", name=op.f("uq_exit_key")),
        comment="An investment's end, whole or in part: sold in an acquisition or a secondary, divested, written off or realised through a listing; when, for how much, to whom.",
    )
    op.create_index(op.f("ix_exit_acquisition_id"), "exit", ["acquisition_id"], unique=False)
    op.create_index(op.f("ix_exit_counterparty_id"), "exit", ["counterparty_id"], unique=False)
    op.create_index(
        "ix_exit_investment_sort", "exit", ["investment_id", "sort_on", "id"], unique=False
    )
    op.create_index(op.f("ix_exit_listing_id"), "exit", ["listing_id"], unique=False)
    op.create_index("ix_exit_sort_id", "exit", ["sort_on", "id"], unique=False)
    op.add_column("claim_subject", sa.Column("exit_id", sa.BigInteger(), nullable=True))
    op.create_index(
        "ix_claim_subject_exit_id",
        "claim_subject",
        ["exit_id", "claim_id"],
        unique=False,
        postgresql_where=sa.text("exit_id IS NOT NULL"),
    )
    op.create_foreign_key(
        op.f("fk_claim_subject_exit_id_exit"),
        "claim_subject",
        "exit",
        ["exit_id"],
        ["id"],
        ondelete="CASCADE",
    )
    _exactly_one(SUBJECTS_AFTER)
    for table in ("exit", "claim_subject"):
        _sync(table)


def downgrade() -> None:
    # The views list the columns: they go with the tables and are rebuilt for claim_subject.
    for column in NEW_SUBJECTS:
        op.execute(f"DELETE FROM claim_subject WHERE {column} IS NOT NULL")
    _exactly_one(SUBJECTS_BEFORE)
    for column in NEW_SUBJECTS:
        op.execute(f"ALTER TABLE history.claim_subject DROP COLUMN {column} CASCADE")
        op.execute(f"ALTER TABLE claim_subject DROP COLUMN {column} CASCADE")
    _sync("claim_subject")
    for table in ("exit",):
        op.execute(f"DROP VIEW IF EXISTS live.{table}")
        op.execute(f"DROP VIEW IF EXISTS asof.{table}")
        op.drop_table(table)
        op.drop_table(table, schema="history")
