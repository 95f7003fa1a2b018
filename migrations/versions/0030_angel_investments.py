"""Angel investments: a person can be the investor of an investment.

``investment.investor_id`` (an organization) becomes nullable beside a new
``investor_person_id`` (a person); a check keeps exactly one of the two set, and a person joins
a round once, as an organization does. Re-syncing ``investment`` gives its history table the
column and rebuilds its ``live`` / ``asof`` views.

What reads ``investor_id`` learns that it may be null:

* the kept USD values (0011/0020): ``usd_investment.investor_id`` becomes nullable (an angel's
  money still counts in its round's totals, which never read the investor);
* the rollups (0025, refreshed by ``sg_usd_cells_refresh_now`` since 0027): the cells of the
  families grouped per investor leave angel investments out, as the league tables and the
  investor groupings of service/analytics/ do; a round whose only investors are angels falls
  in the group with no investor;
* the organization summary (0023): ``investors_count`` and ``leads_count`` count distinct
  investors, organizations and angel persons alike. Its triggers pass investor ids to the
  refresh, which keeps only those naming an organization, so an angel's null is dropped there.

Downgrading deletes the angel investments (and what hangs off them): the column they need is
gone.

Revision ID: 0030_angel_investments
Revises: 0029_usd_refresh_joins
Create Date: 2026-12-02 15:00:00.000000
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision: str = "0030_angel_investments"
down_revision: str | None = "0029_usd_refresh_joins"
branch_labels: str | None = None
depends_on: str | None = None

_INVESTOR_ONLY = "AND i.live"
_ORGANIZATIONS_ONLY = "AND i.live AND i.investor_id IS NOT NULL"

_COUNTS_BEFORE = """    SELECT count(DISTINCT i.investor_id)::integer AS investors,
           count(DISTINCT i.investor_id) FILTER (WHERE i.is_lead)::integer AS leads"""
_COUNTS_AFTER = """    SELECT (count(DISTINCT i.investor_id) + count(DISTINCT i.investor_person_id))::integer
               AS investors,
           (count(DISTINCT i.investor_id) FILTER (WHERE i.is_lead)
            + count(DISTINCT i.investor_person_id) FILTER (WHERE i.is_lead))::integer AS leads"""


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cells_refresh(angels_left_out: bool) -> str:
    """``sg_usd_cells_refresh_now`` as 0025 wrote it (renamed by 0027), or with the families
    grouped per investor reading organization investors only."""
    module = _module("0025_analytics_rollups")
    original = module._units

    def units(family: int) -> str:
        text: str = original(family)
        if angels_left_out and family & module.INVESTOR:
            assert text.count(_INVESTOR_ONLY) == 1
            text = text.replace(_INVESTOR_ONLY, _ORGANIZATIONS_ONLY)
        return text

    # A fresh module object of its own: patching it changes nothing else.
    module._units = units
    text: str = module._cells_refresh()
    head = "CREATE FUNCTION sg_usd_cells_refresh(rounds bigint[])"
    assert text.count(head) == 1
    return text.replace(head, "CREATE OR REPLACE FUNCTION sg_usd_cells_refresh_now(rounds bigint[])")


def _summary_compute(angels_counted: bool) -> str:
    text: str = _module("0023_organization_summary").COMPUTE
    assert text.count(_COUNTS_BEFORE) == 1
    if angels_counted:
        text = text.replace(_COUNTS_BEFORE, _COUNTS_AFTER)
    return text.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


def _sync(table: str) -> None:
    op.execute(sa.text("SELECT sg_versioning_sync(:t)").bindparams(t=table))


def upgrade() -> None:
    op.add_column("investment", sa.Column("investor_person_id", sa.BigInteger(), nullable=True))
    op.create_foreign_key(
        op.f("fk_investment_investor_person_id_person"),
        "investment",
        "person",
        ["investor_person_id"],
        ["id"],
    )
    op.alter_column("investment", "investor_id", existing_type=sa.BigInteger(), nullable=True)
    op.create_check_constraint(
        op.f("ck_investment_one_investor"),
        "investment",
        "num_nonnulls(investor_id, investor_person_id) = 1",
    )
    op.create_unique_constraint(
        "uq_investment_round_investor_person", "investment", ["round_id", "investor_person_id"]
    )
    op.create_index(
        "ix_investment_investor_person", "investment", ["investor_person_id", "id"], unique=False
    )
    _sync("investment")
    op.alter_column(
        "usd_investment", "investor_id", existing_type=sa.BigInteger(), nullable=True
    )
    op.execute(_cells_refresh(angels_left_out=True))
    # No angel exists yet: the kept cells and summaries stay what the new functions give.
    op.execute(_summary_compute(angels_counted=True))


_HANGING = (
    "consideration_component",
    "investment_person",
    "fund_investment",
    "exit",
    "claim_subject",
)


def downgrade() -> None:
    # Angel investments cannot exist without the column: they go, with what hangs off them.
    # Deleting them refreshed the kept values; without angels the old functions agree.
    angels = "SELECT id FROM investment WHERE investor_person_id IS NOT NULL"
    for table in _HANGING:
        op.execute(f"DELETE FROM {table} WHERE investment_id IN ({angels})")
    op.execute("DELETE FROM investment WHERE investor_person_id IS NOT NULL")
    # Their history images too (the deletes just added some): they name the column. History
    # is append-only by trigger, which a downgrade that drops the column overrides.
    imaged = "SELECT id FROM history.investment WHERE investor_person_id IS NOT NULL"
    for table in (*_HANGING, "investment"):
        op.execute(f"ALTER TABLE history.{table} DISABLE TRIGGER USER")
    for table in _HANGING:
        op.execute(f"DELETE FROM history.{table} WHERE investment_id IN ({imaged})")
    op.execute("DELETE FROM history.investment WHERE investor_person_id IS NOT NULL")
    for table in (*_HANGING, "investment"):
        op.execute(f"ALTER TABLE history.{table} ENABLE TRIGGER USER")
    op.execute(_summary_compute(angels_counted=False))
    op.execute(_cells_refresh(angels_left_out=False))
    op.alter_column(
        "usd_investment", "investor_id", existing_type=sa.BigInteger(), nullable=False
    )
    op.drop_index("ix_investment_investor_person", table_name="investment")
    op.drop_constraint("uq_investment_round_investor_person", "investment", type_="unique")
    op.drop_constraint(op.f("ck_investment_one_investor"), "investment", type_="check")
    op.alter_column("investment", "investor_id", existing_type=sa.BigInteger(), nullable=False)
    # The views list the columns: they go with the column and are rebuilt for investment.
    op.execute("ALTER TABLE history.investment DROP COLUMN investor_person_id CASCADE")
    op.execute("ALTER TABLE investment DROP COLUMN investor_person_id CASCADE")
    _sync("investment")
