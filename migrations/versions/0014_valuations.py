"""Valuations over time: what an organization was worth on a date and on what basis (a round's
post-money, a secondary sale, its market capitalisation, a reported estimate), linked to the
round or listing it comes from (F3: Moonshot AI at USD 2.5bn after Alibaba's round).

A versioned table like the others (``sg_versioning_sync``, 0004); claims reach a valuation
through a new arc column of ``claim_subject``. ``ix_valuation_organization_sort`` serves both
an organization's valuations, latest first, and its latest valuation (one backward step).

Revision ID: 0014_valuations
Revises: 0013_listings
Create Date: 2026-12-02 03:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_valuations"
down_revision: str | None = "0013_listings"
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
)
SUBJECTS_AFTER = (*SUBJECTS_BEFORE, "valuation_id")


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
        "valuation",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "key", sa.Text(), server_default=sa.text("gen_random_uuid()::text"), nullable=False
        ),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("basis", sa.String(length=24), nullable=False),
        sa.Column("valued_on", sa.Date(), nullable=True),
        sa.Column("valued_precision", sa.String(length=8), nullable=True),
        sa.Column("value_amount", sa.Numeric(precision=24, scale=4), nullable=True),
        sa.Column("value_currency", sa.String(length=3), nullable=True),
        sa.Column("value_estimated", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("round_id", sa.BigInteger(), nullable=True),
        sa.Column("listing_id", sa.BigInteger(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "sort_on",
            sa.Date(),
            sa.Computed("coalesce(valued_on, '0001-01-01'::date)", persisted=True),
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
            "basis IN ('POST_MONEY', 'SECONDARY', 'MARKET_CAPITALISATION', 'REPORTED_ESTIMATE')",
            name=op.f("ck_valuation_basis"),
        ),
        sa.CheckConstraint(
            "key <> '' AND key !~ '[[:space:]]'", name=op.f("ck_valuation_key_format")
        ),
        sa.CheckConstraint(
            "round_id IS NULL OR basis = 'POST_MONEY'",
            name=op.f("ck_valuation_round_is_post_money"),
        ),
        sa.CheckConstraint(
            "valued_precision IN ('DAY', 'MONTH', 'QUARTER', 'YEAR')",
            name=op.f("ck_valuation_valued_precision"),
        ),
        sa.CheckConstraint(
            "valued_precision IS NULL OR valued_precision = 'DAY' OR (valued_precision = 'MONTH' AND extract(day FROM valued_on) = 1) OR (valued_precision = 'QUARTER' AND extract(day FROM valued_on) = 1 AND extract(month FROM valued_on) IN (1, 4, 7, 10)) OR (valued_precision = 'YEAR' AND extract(day FROM valued_on) = 1 AND extract(month FROM valued_on) = 1)",
            name=op.f("ck_valuation_valued_period_start"),
        ),
        sa.CheckConstraint(
            "(value_amount IS NULL) = (value_currency IS NULL)",
            name=op.f("ck_valuation_value_pair"),
        ),
        sa.CheckConstraint(
            "(valued_on IS NULL) = (valued_precision IS NULL)",
            name=op.f("ck_valuation_valued_pair"),
        ),
        sa.CheckConstraint("value_amount >= 0", name=op.f("ck_valuation_value_non_negative")),
        sa.CheckConstraint("value_amount IS NOT NULL", name=op.f("ck_valuation_has_value")),
        sa.ForeignKeyConstraint(
            ["listing_id"], ["listing.id"], name=op.f("fk_valuation_listing_id_listing")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_valuation_organization_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["funding_round.id"], name=op.f("fk_valuation_round_id_funding_round")
        ),
        sa.ForeignKeyConstraint(
            ["value_currency"], ["currency.code"], name=op.f("fk_valuation_value_currency_currency")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_valuation")),
        sa.UniqueConstraint("key", name=op.f("uq_valuation_key")),
        comment="What an organization was worth on a date, and on what basis: a round's post-money, a secondary sale, its market capitalisation, a reported estimate.",
    )
    op.create_index(op.f("ix_valuation_listing_id"), "valuation", ["listing_id"], unique=False)
    op.create_index(
        "ix_valuation_organization_sort",
        "valuation",
        ["organization_id", "sort_on", "id"],
        unique=False,
    )
    op.create_index(op.f("ix_valuation_round_id"), "valuation", ["round_id"], unique=False)
    op.create_index("ix_valuation_sort_id", "valuation", ["sort_on", "id"], unique=False)
    op.add_column("claim_subject", sa.Column("valuation_id", sa.BigInteger(), nullable=True))
    op.create_index(
        "ix_claim_subject_valuation_id",
        "claim_subject",
        ["valuation_id", "claim_id"],
        unique=False,
        postgresql_where=sa.text("valuation_id IS NOT NULL"),
    )
    op.create_foreign_key(
        op.f("fk_claim_subject_valuation_id_valuation"),
        "claim_subject",
        "valuation",
        ["valuation_id"],
        ["id"],
        ondelete="CASCADE",
    )
    _exactly_one(SUBJECTS_AFTER)
    for table in ("valuation", "claim_subject"):
        _sync(table)


def downgrade() -> None:
    # The views list the columns: they go with the table and are rebuilt for claim_subject.
    op.execute("DELETE FROM claim_subject WHERE valuation_id IS NOT NULL")
    _exactly_one(SUBJECTS_BEFORE)
    op.execute("ALTER TABLE history.claim_subject DROP COLUMN valuation_id CASCADE")
    op.execute("ALTER TABLE claim_subject DROP COLUMN valuation_id CASCADE")
    _sync("claim_subject")
    op.execute("DROP VIEW IF EXISTS live.valuation")
    op.execute("DROP VIEW IF EXISTS asof.valuation")
    op.drop_table("valuation")
    op.drop_table("valuation", schema="history")
