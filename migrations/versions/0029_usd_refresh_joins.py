"""sg_usd_refresh clears the kept values of the rows it rewrites by joins, not by ``OR ... IN``.

Revision 0020's deletes read ``round_id = ANY(rounds) OR component_id IN (SELECT ...)``. For a
large batch (a bulk load's 50,000 rows) the planner estimates the subquery too large to hash
and runs it as a plain subplan, once per row of ``usd_component``: at 100,000 generated
organizations one COPY batch of investments spent over ten minutes there. Two deletes, by
round and by a join to the rows about to be inserted, each read an index whatever the batch.

Revision ID: 0029_usd_refresh_joins
Revises: 0028_api_key_notify
Create Date: 2026-12-02 16:00:00.000000
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from alembic import op

revision: str = "0029_usd_refresh_joins"
down_revision: str | None = "0028_api_key_notify"
branch_labels: str | None = None
depends_on: str | None = None

_BY_JOIN = """    DELETE FROM usd_component WHERE round_id = ANY(rounds);
    DELETE FROM usd_component u USING consideration_component c, investment i
    WHERE i.round_id = ANY(rounds) AND c.investment_id = i.id AND u.component_id = c.id;
    DELETE FROM usd_investment WHERE round_id = ANY(rounds);
    DELETE FROM usd_investment u USING investment i
    WHERE i.round_id = ANY(rounds) AND u.investment_id = i.id;"""


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _refresh_0025() -> str:
    """sg_usd_refresh as revision 0025 left it (CREATE OR REPLACE)."""
    rollups = _module("0025_analytics_rollups")
    text: str = rollups._refresh_0020().replace(rollups._END, rollups._CALL)
    return text


def upgrade() -> None:
    by_row: str = _module("0020_usd_refresh_by_row")._BY_ROW
    current = _refresh_0025()
    assert current.count(by_row) == 1
    op.execute(current.replace(by_row, _BY_JOIN))


def downgrade() -> None:
    op.execute(_refresh_0025())
