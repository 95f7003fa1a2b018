"""People in events: a person's part in an event (``event_person``), beside the organizations
of ``event_participant``; funds and listings found by search.

``event_person`` is a versioned table like the others (``sg_versioning_sync``, 0004): keyed by
(event, person), as ``event_participant`` is by (event, organization), so it keeps its images
in light audit mode. A fund's name gets its normalised form (``sg_normalize``, as products'
and people's) with a trigram index, which search matches; re-syncing ``fund`` gives its
history table the column and its versioning trigger the new generated column to skip. A
listing's ticker is indexed in upper case, which search compares it in.

Revision ID: 0024_people_investors
Revises: 0023_organization_summary
Create Date: 2026-12-02 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024_people_investors"
down_revision: str | None = "0023_organization_summary"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sync(table: str) -> None:
    op.execute(sa.text("SELECT sg_versioning_sync(:t)").bindparams(t=table))


def upgrade() -> None:
    op.create_table(
        "event_person",
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "recorded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "recorded_by", sa.BigInteger(), server_default=sa.text("sg_key_id()"), nullable=True
        ),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_event_person_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_event_person_person_id_person")
        ),
        sa.PrimaryKeyConstraint("event_id", "person_id", name=op.f("pk_event_person")),
        comment="A person's part in an event: appointed, questioned, stepping down.",
    )
    op.create_index(
        "ix_event_person_person", "event_person", ["person_id", "event_id"], unique=False
    )
    _sync("event_person")
    op.add_column(
        "fund",
        sa.Column(
            "name_normalized", sa.Text(), sa.Computed("sg_normalize(name)", persisted=True)
        ),
    )
    op.create_index(
        "ix_fund_name_normalized_trgm", "fund", ["name_normalized"], unique=False,
        postgresql_using="gin", postgresql_ops={"name_normalized": "gin_trgm_ops"},
    )
    _sync("fund")
    op.create_index(
        "ix_listing_ticker_upper", "listing", [sa.text("upper(ticker)")], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_listing_ticker_upper", table_name="listing")
    op.drop_index("ix_fund_name_normalized_trgm", table_name="fund")
    # The views list the columns: they go with the column and are rebuilt for fund.
    op.execute("ALTER TABLE history.fund DROP COLUMN name_normalized CASCADE")
    op.execute("ALTER TABLE fund DROP COLUMN name_normalized CASCADE")
    _sync("fund")
    op.execute("DROP VIEW IF EXISTS live.event_person")
    op.execute("DROP VIEW IF EXISTS asof.event_person")
    op.drop_table("event_person")
    op.drop_table("event_person", schema="history")
