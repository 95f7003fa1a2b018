"""sg_usd_refresh also clears the kept values of the rows it rewrites, wherever they were.

Rows whose stored round no longer matches (a component or investment that reached its round
by a path the triggers saw only as a derived write) made the refresh insert a second value
for the same component. It now deletes by the rows it is about to insert as well as by
round.

Revision ID: 0020_usd_refresh_by_row
Revises: 0019_change_feed_txid
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from alembic import op

revision: str = "0020_usd_refresh_by_row"
down_revision: str | None = "0019_change_feed_txid"
branch_labels: str | None = None
depends_on: str | None = None

_BY_ROUND = """    DELETE FROM usd_component WHERE round_id = ANY(rounds);
    DELETE FROM usd_investment WHERE round_id = ANY(rounds);"""
_BY_ROW = """    DELETE FROM usd_component WHERE round_id = ANY(rounds) OR component_id IN (
        SELECT c.id FROM consideration_component c
        JOIN investment i ON i.id = c.investment_id WHERE i.round_id = ANY(rounds));
    DELETE FROM usd_investment WHERE round_id = ANY(rounds) OR investment_id IN (
        SELECT id FROM investment WHERE round_id = ANY(rounds));"""


def _refresh() -> str:
    spec = importlib.util.spec_from_file_location(
        "usd_values", Path(__file__).with_name("0011_usd_values.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    original: str = module.REFRESH
    assert _BY_ROUND in original
    return original.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


def upgrade() -> None:
    op.execute(_refresh().replace(_BY_ROUND, _BY_ROW))


def downgrade() -> None:
    op.execute(_refresh())
