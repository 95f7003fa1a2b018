"""Funds and their limited partners: a fund managed by an investor organization (vintage year,
target and final size, strategy), limited partners' commitments to it (an amount or a share,
with dates), and the fund an investment was made through, so that "who is behind this
investor" is a query.

``fund_investment`` links an investment to at most one fund (its ``investment_id`` is unique):
the investment's SELECT LEFT JOINs it, and PostgreSQL drops the join when the fund is not
read. All three tables are versioned (``sg_versioning_sync``, 0004); claims reach funds and
commitments through new arc columns of ``claim_subject``.

Revision ID: 0015_funds
Revises: 0014_valuations
Create Date: 2026-12-02 04:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_funds"
down_revision: str | None = "0014_valuations"
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
)
SUBJECTS_AFTER = (*SUBJECTS_BEFORE, "fund_id", "fund_commitment_id")
NEW_SUBJECTS = ["fund_id", "fund_commitment_id"]


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
        "fund",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("manager_id", sa.BigInteger(), nullable=False),
        sa.Column("vintage_year", sa.SmallInteger(), nullable=True),
        sa.Column("target_size_amount", sa.Numeric(precision=24, scale=4), nullable=True),
        sa.Column("target_size_currency", sa.String(length=3), nullable=True),
        sa.Column(
            "target_size_estimated", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("final_size_amount", sa.Numeric(precision=24, scale=4), nullable=True),
        sa.Column("final_size_currency", sa.String(length=3), nullable=True),
        sa.Column(
            "final_size_estimated", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("strategy", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
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
        sa.CheckConstraint("slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'", name=op.f("ck_fund_slug_format")),
        sa.CheckConstraint(
            "(final_size_amount IS NULL) = (final_size_currency IS NULL)",
            name=op.f("ck_fund_final_size_pair"),
        ),
        sa.CheckConstraint(
            "(target_size_amount IS NULL) = (target_size_currency IS NULL)",
            name=op.f("ck_fund_target_size_pair"),
        ),
        sa.CheckConstraint("final_size_amount >= 0", name=op.f("ck_fund_final_size_non_negative")),
        sa.CheckConstraint(
            "target_size_amount >= 0", name=op.f("ck_fund_target_size_non_negative")
        ),
        sa.CheckConstraint("vintage_year BETWEEN 1900 AND 2200", name=op.f("ck_fund_vintage_year")),
        sa.ForeignKeyConstraint(
            ["final_size_currency"],
            ["currency.code"],
            name=op.f("fk_fund_final_size_currency_currency"),
        ),
        sa.ForeignKeyConstraint(
            ["manager_id"], ["organization.id"], name=op.f("fk_fund_manager_id_organization")
        ),
        sa.ForeignKeyConstraint(
            ["target_size_currency"],
            ["currency.code"],
            name=op.f("fk_fund_target_size_currency_currency"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund")),
        sa.UniqueConstraint("slug", name=op.f("uq_fund_slug")),
        comment="A pool of capital managed by an investor organization, raised from limited partners.",
    )
    op.create_index("ix_fund_manager", "fund", ["manager_id", "id"], unique=False)
    op.create_index("ix_fund_name_id", "fund", ["name", "id"], unique=False)
    op.create_table(
        "fund_commitment",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "key", sa.Text(), server_default=sa.text("gen_random_uuid()::text"), nullable=False
        ),
        sa.Column("fund_id", sa.BigInteger(), nullable=False),
        sa.Column("limited_partner_id", sa.BigInteger(), nullable=False),
        sa.Column("amount_amount", sa.Numeric(precision=24, scale=4), nullable=True),
        sa.Column("amount_currency", sa.String(length=3), nullable=True),
        sa.Column(
            "amount_estimated", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("share_min", sa.Numeric(precision=7, scale=6), nullable=True),
        sa.Column("share_max", sa.Numeric(precision=7, scale=6), nullable=True),
        sa.Column("committed_on", sa.Date(), nullable=True),
        sa.Column("committed_precision", sa.String(length=8), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("ended_precision", sa.String(length=8), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
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
            "committed_precision IN ('DAY', 'MONTH', 'QUARTER', 'YEAR')",
            name=op.f("ck_fund_commitment_committed_precision"),
        ),
        sa.CheckConstraint(
            "committed_precision IS NULL OR committed_precision = 'DAY' OR (committed_precision = 'MONTH' AND extract(day FROM committed_on) = 1) OR (committed_precision = 'QUARTER' AND extract(day FROM committed_on) = 1 AND extract(month FROM committed_on) IN (1, 4, 7, 10)) OR (committed_precision = 'YEAR' AND extract(day FROM committed_on) = 1 AND extract(month FROM committed_on) = 1)",
            name=op.f("ck_fund_commitment_committed_period_start"),
        ),
        sa.CheckConstraint(
            "ended_precision IN ('DAY', 'MONTH', 'QUARTER', 'YEAR')",
            name=op.f("ck_fund_commitment_ended_precision"),
        ),
        sa.CheckConstraint(
            "ended_precision IS NULL OR ended_precision = 'DAY' OR (ended_precision = 'MONTH' AND extract(day FROM ended_on) = 1) OR (ended_precision = 'QUARTER' AND extract(day FROM ended_on) = 1 AND extract(month FROM ended_on) IN (1, 4, 7, 10)) OR (ended_precision = 'YEAR' AND extract(day FROM ended_on) = 1 AND extract(month FROM ended_on) = 1)",
            name=op.f("ck_fund_commitment_ended_period_start"),
        ),
        sa.CheckConstraint(
            "key <> '' AND key !~ '[[:space:]]'", name=op.f("ck_fund_commitment_key_format")
        ),
        sa.CheckConstraint(
            "(amount_amount IS NULL) = (amount_currency IS NULL)",
            name=op.f("ck_fund_commitment_amount_pair"),
        ),
        sa.CheckConstraint(
            "(committed_on IS NULL) = (committed_precision IS NULL)",
            name=op.f("ck_fund_commitment_committed_pair"),
        ),
        sa.CheckConstraint(
            "(ended_on IS NULL) = (ended_precision IS NULL)",
            name=op.f("ck_fund_commitment_ended_pair"),
        ),
        sa.CheckConstraint(
            "(share_min IS NULL) = (share_max IS NULL)", name=op.f("ck_fund_commitment_share_pair")
        ),
        sa.CheckConstraint(
            "amount_amount >= 0", name=op.f("ck_fund_commitment_amount_non_negative")
        ),
        sa.CheckConstraint(
            "ended_on IS NULL OR committed_on IS NULL OR ended_on >= committed_on",
            name=op.f("ck_fund_commitment_ordered"),
        ),
        sa.CheckConstraint(
            "share_min >= 0 AND share_max <= 1 AND share_min <= share_max",
            name=op.f("ck_fund_commitment_share_range"),
        ),
        sa.ForeignKeyConstraint(
            ["amount_currency"],
            ["currency.code"],
            name=op.f("fk_fund_commitment_amount_currency_currency"),
        ),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["fund.id"], name=op.f("fk_fund_commitment_fund_id_fund")
        ),
        sa.ForeignKeyConstraint(
            ["limited_partner_id"],
            ["organization.id"],
            name=op.f("fk_fund_commitment_limited_partner_id_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_commitment")),
        sa.UniqueConstraint(
            "fund_id",
            "limited_partner_id",
            name=op.f("uq_fund_commitment_fund_id_limited_partner_id"),
        ),
        sa.UniqueConstraint("key", name=op.f("uq_fund_commitment_key")),
        comment="A limited partner's commitment to a fund: an amount, or its share of the fund.",
    )
    op.create_index("ix_fund_commitment_fund", "fund_commitment", ["fund_id", "id"], unique=False)
    op.create_index(
        "ix_fund_commitment_limited_partner",
        "fund_commitment",
        ["limited_partner_id", "id"],
        unique=False,
    )
    op.create_table(
        "fund_investment",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("investment_id", sa.BigInteger(), nullable=False),
        sa.Column("fund_id", sa.BigInteger(), nullable=False),
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
        sa.ForeignKeyConstraint(
            ["fund_id"], ["fund.id"], name=op.f("fk_fund_investment_fund_id_fund")
        ),
        sa.ForeignKeyConstraint(
            ["investment_id"],
            ["investment.id"],
            name=op.f("fk_fund_investment_investment_id_investment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_investment")),
        sa.UniqueConstraint("investment_id", name=op.f("uq_fund_investment_investment_id")),
        comment="The fund an investment was made through (at most one per investment).",
    )
    op.create_index(
        "ix_fund_investment_fund", "fund_investment", ["fund_id", "investment_id"], unique=False
    )
    op.add_column("claim_subject", sa.Column("fund_id", sa.BigInteger(), nullable=True))
    op.create_index(
        "ix_claim_subject_fund_id",
        "claim_subject",
        ["fund_id", "claim_id"],
        unique=False,
        postgresql_where=sa.text("fund_id IS NOT NULL"),
    )
    op.create_foreign_key(
        op.f("fk_claim_subject_fund_id_fund"),
        "claim_subject",
        "fund",
        ["fund_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.add_column("claim_subject", sa.Column("fund_commitment_id", sa.BigInteger(), nullable=True))
    op.create_index(
        "ix_claim_subject_fund_commitment_id",
        "claim_subject",
        ["fund_commitment_id", "claim_id"],
        unique=False,
        postgresql_where=sa.text("fund_commitment_id IS NOT NULL"),
    )
    op.create_foreign_key(
        op.f("fk_claim_subject_fund_commitment_id_fund_commitment"),
        "claim_subject",
        "fund_commitment",
        ["fund_commitment_id"],
        ["id"],
        ondelete="CASCADE",
    )
    _exactly_one(SUBJECTS_AFTER)
    for table in ("fund", "fund_commitment", "fund_investment", "claim_subject"):
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
    for table in ("fund_investment", "fund_commitment", "fund"):
        op.execute(f"DROP VIEW IF EXISTS live.{table}")
        op.execute(f"DROP VIEW IF EXISTS asof.{table}")
        op.drop_table(table)
        op.drop_table(table, schema="history")
