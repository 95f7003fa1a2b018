"""Listings: an organization's shares on an exchange (IPO or direct listing), from plan to
trading or withdrawal, with the money raised and the valuation at listing (F13: Alibaba
Cloud's IPO plan, withdrawn in November 2023).

A versioned table like the others: ``sg_versioning_sync`` (0004) builds its history table,
triggers and views. Claims reach a listing through a new arc column of ``claim_subject``.

Revision ID: 0013_listings
Revises: 0012_acquisitions
Create Date: 2026-12-02 03:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_listings"
down_revision: str | None = "0012_acquisitions"
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
)
SUBJECTS_AFTER = (*SUBJECTS_BEFORE, "listing_id")


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
        "listing",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "key", sa.Text(), server_default=sa.text("gen_random_uuid()::text"), nullable=False
        ),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("exchange", sa.Text(), nullable=True),
        sa.Column("ticker", sa.Text(), nullable=True),
        sa.Column("announced_on", sa.Date(), nullable=True),
        sa.Column("announced_precision", sa.String(length=8), nullable=True),
        sa.Column("filed_on", sa.Date(), nullable=True),
        sa.Column("filed_precision", sa.String(length=8), nullable=True),
        sa.Column("listed_on", sa.Date(), nullable=True),
        sa.Column("listed_precision", sa.String(length=8), nullable=True),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("withdrawn_precision", sa.String(length=8), nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), nullable=True),
        sa.Column("shares_offered", sa.Numeric(precision=20, scale=0), nullable=True),
        sa.Column("raised_amount", sa.Numeric(precision=24, scale=4), nullable=True),
        sa.Column("raised_currency", sa.String(length=3), nullable=True),
        sa.Column(
            "raised_estimated", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("valuation_amount", sa.Numeric(precision=24, scale=4), nullable=True),
        sa.Column("valuation_currency", sa.String(length=3), nullable=True),
        sa.Column(
            "valuation_estimated", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "sort_on",
            sa.Date(),
            sa.Computed(
                "coalesce(listed_on, withdrawn_on, filed_on, announced_on, '0001-01-01'::date)",
                persisted=True,
            ),
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
            name=op.f("ck_listing_announced_precision"),
        ),
        sa.CheckConstraint(
            "announced_precision IS NULL OR announced_precision = 'DAY' OR (announced_precision = 'MONTH' AND extract(day FROM announced_on) = 1) OR (announced_precision = 'QUARTER' AND extract(day FROM announced_on) = 1 AND extract(month FROM announced_on) IN (1, 4, 7, 10)) OR (announced_precision = 'YEAR' AND extract(day FROM announced_on) = 1 AND extract(month FROM announced_on) = 1)",
            name=op.f("ck_listing_announced_period_start"),
        ),
        sa.CheckConstraint(
            "filed_precision IN ('DAY', 'MONTH', 'QUARTER', 'YEAR')",
            name=op.f("ck_listing_filed_precision"),
        ),
        sa.CheckConstraint(
            "filed_precision IS NULL OR filed_precision = 'DAY' OR (filed_precision = 'MONTH' AND extract(day FROM filed_on) = 1) OR (filed_precision = 'QUARTER' AND extract(day FROM filed_on) = 1 AND extract(month FROM filed_on) IN (1, 4, 7, 10)) OR (filed_precision = 'YEAR' AND extract(day FROM filed_on) = 1 AND extract(month FROM filed_on) = 1)",
            name=op.f("ck_listing_filed_period_start"),
        ),
        sa.CheckConstraint(
            "key <> '' AND key !~ '[[:space:]]'", name=op.f("ck_listing_key_format")
        ),
        sa.CheckConstraint(
            "listed_precision IN ('DAY', 'MONTH', 'QUARTER', 'YEAR')",
            name=op.f("ck_listing_listed_precision"),
        ),
        sa.CheckConstraint(
            "listed_precision IS NULL OR listed_precision = 'DAY' OR (listed_precision = 'MONTH' AND extract(day FROM listed_on) = 1) OR (listed_precision = 'QUARTER' AND extract(day FROM listed_on) = 1 AND extract(month FROM listed_on) IN (1, 4, 7, 10)) OR (listed_precision = 'YEAR' AND extract(day FROM listed_on) = 1 AND extract(month FROM listed_on) = 1)",
            name=op.f("ck_listing_listed_period_start"),
        ),
        sa.CheckConstraint(
            "status = 'LISTED' OR listed_on IS NULL", name=op.f("ck_listing_listed_when_listed")
        ),
        sa.CheckConstraint(
            "status = 'WITHDRAWN' OR withdrawal_reason IS NULL",
            name=op.f("ck_listing_reason_when_withdrawn"),
        ),
        sa.CheckConstraint(
            "status = 'WITHDRAWN' OR withdrawn_on IS NULL",
            name=op.f("ck_listing_withdrawn_when_withdrawn"),
        ),
        sa.CheckConstraint(
            "status IN ('PLANNED', 'FILED', 'PRICED', 'LISTED', 'WITHDRAWN')",
            name=op.f("ck_listing_status"),
        ),
        sa.CheckConstraint(
            "withdrawn_precision IN ('DAY', 'MONTH', 'QUARTER', 'YEAR')",
            name=op.f("ck_listing_withdrawn_precision"),
        ),
        sa.CheckConstraint(
            "withdrawn_precision IS NULL OR withdrawn_precision = 'DAY' OR (withdrawn_precision = 'MONTH' AND extract(day FROM withdrawn_on) = 1) OR (withdrawn_precision = 'QUARTER' AND extract(day FROM withdrawn_on) = 1 AND extract(month FROM withdrawn_on) IN (1, 4, 7, 10)) OR (withdrawn_precision = 'YEAR' AND extract(day FROM withdrawn_on) = 1 AND extract(month FROM withdrawn_on) = 1)",
            name=op.f("ck_listing_withdrawn_period_start"),
        ),
        sa.CheckConstraint(
            "(announced_on IS NULL) = (announced_precision IS NULL)",
            name=op.f("ck_listing_announced_pair"),
        ),
        sa.CheckConstraint(
            "(filed_on IS NULL) = (filed_precision IS NULL)", name=op.f("ck_listing_filed_pair")
        ),
        sa.CheckConstraint(
            "(listed_on IS NULL) = (listed_precision IS NULL)", name=op.f("ck_listing_listed_pair")
        ),
        sa.CheckConstraint(
            "(raised_amount IS NULL) = (raised_currency IS NULL)",
            name=op.f("ck_listing_raised_pair"),
        ),
        sa.CheckConstraint(
            "(valuation_amount IS NULL) = (valuation_currency IS NULL)",
            name=op.f("ck_listing_valuation_pair"),
        ),
        sa.CheckConstraint(
            "(withdrawn_on IS NULL) = (withdrawn_precision IS NULL)",
            name=op.f("ck_listing_withdrawn_pair"),
        ),
        sa.CheckConstraint("raised_amount >= 0", name=op.f("ck_listing_raised_non_negative")),
        sa.CheckConstraint("shares_offered >= 0", name=op.f("ck_listing_shares_offered")),
        sa.CheckConstraint("valuation_amount >= 0", name=op.f("ck_listing_valuation_non_negative")),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_listing_organization_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["raised_currency"], ["currency.code"], name=op.f("fk_listing_raised_currency_currency")
        ),
        sa.ForeignKeyConstraint(
            ["valuation_currency"],
            ["currency.code"],
            name=op.f("fk_listing_valuation_currency_currency"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listing")),
        sa.UniqueConstraint("key", name=op.f("uq_listing_key")),
        comment="An organization's listing on an exchange (IPO, direct listing), from plan to trading or withdrawal (F13: Alibaba Cloud's IPO plan, withdrawn in November 2023).",
    )
    op.create_index(
        "ix_listing_organization_sort",
        "listing",
        ["organization_id", "sort_on", "id"],
        unique=False,
    )
    op.create_index("ix_listing_sort_id", "listing", ["sort_on", "id"], unique=False)
    op.create_index("ix_listing_status_sort", "listing", ["status", "sort_on", "id"], unique=False)
    op.add_column("claim_subject", sa.Column("listing_id", sa.BigInteger(), nullable=True))
    op.create_index(
        "ix_claim_subject_listing_id",
        "claim_subject",
        ["listing_id", "claim_id"],
        unique=False,
        postgresql_where=sa.text("listing_id IS NOT NULL"),
    )
    op.create_foreign_key(
        op.f("fk_claim_subject_listing_id_listing"),
        "claim_subject",
        "listing",
        ["listing_id"],
        ["id"],
        ondelete="CASCADE",
    )
    _exactly_one(SUBJECTS_AFTER)
    for table in ("listing", "claim_subject"):
        _sync(table)


def downgrade() -> None:
    # The views list the columns: they go with the table and are rebuilt for claim_subject.
    op.execute("DELETE FROM claim_subject WHERE listing_id IS NOT NULL")
    _exactly_one(SUBJECTS_BEFORE)
    op.execute("ALTER TABLE history.claim_subject DROP COLUMN listing_id CASCADE")
    op.execute("ALTER TABLE claim_subject DROP COLUMN listing_id CASCADE")
    _sync("claim_subject")
    op.execute("DROP VIEW IF EXISTS live.listing")
    op.execute("DROP VIEW IF EXISTS asof.listing")
    op.drop_table("listing")
    op.drop_table("listing", schema="history")
