"""Natural keys for the tables without a slug, so that every row can be exported, imported and
referred to by a name that means the same in every database.

Existing rows get the keys the generator gives (``<org slug>/round-<n>``, ``<round key>/<investor
slug>``, ``<investment key>/<position>``, ``<person slug>/role-<n>``, ``<owner slug>/compute-<n>``,
``<source slug>/claim-<n>``, ``<KIND>/<source slug>/<target slug>``), numbered in id order;
rows written later without a key get a random one from the column default.

Revision ID: 0006_natural_keys
Revises: 0005
Create Date: 2026-12-01 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006_natural_keys'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    'person_role',
    'funding_round',
    'investment',
    'consideration_component',
    'relationship',
    'compute_asset',
    'claim',
)


def _numbered(table: str, parent_column: str, parent_table: str, word: str) -> str:
    return (
        f"UPDATE {table} t SET key = p.slug || '/{word}-' || n.rn"
        f" FROM (SELECT id, row_number() OVER (PARTITION BY {parent_column} ORDER BY id) AS rn"
        f" FROM {table}) n, {parent_table} p"
        f" WHERE n.id = t.id AND p.id = t.{parent_column}"
    )


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column('key', sa.Text(), nullable=True))
        # Filling in a key is no correction of the facts: the versioning and audit triggers
        # (0004) must not record the backfill as a new version of every row.
        op.execute(f'ALTER TABLE {table} DISABLE TRIGGER USER')
    # Parents before children: an investment's key extends its round's.
    op.execute(_numbered('funding_round', 'organization_id', 'organization', 'round'))
    op.execute(
        "UPDATE investment i SET key = r.key || '/' || o.slug FROM funding_round r, organization o"
        " WHERE r.id = i.round_id AND o.id = i.investor_id"
    )
    op.execute(
        "UPDATE consideration_component c SET key = i.key || '/' || c.position FROM investment i"
        " WHERE i.id = c.investment_id"
    )
    op.execute(_numbered('person_role', 'person_id', 'person', 'role'))
    op.execute(_numbered('compute_asset', 'owner_id', 'organization', 'compute'))
    op.execute(_numbered('claim', 'source_id', 'source', 'claim'))
    op.execute(
        "UPDATE relationship r SET key = r.kind || '/' || s.slug || '/' || t.slug"
        " FROM organization s, organization t WHERE s.id = r.source_id AND t.id = r.target_id"
    )
    for table in TABLES:
        op.execute(f'ALTER TABLE {table} ENABLE TRIGGER USER')
        op.alter_column(
            table, 'key', nullable=False, server_default=sa.text('gen_random_uuid()::text')
        )
        op.create_unique_constraint(op.f(f'uq_{table}_key'), table, ['key'])
        op.create_check_constraint(
            op.f(f'ck_{table}_key_format'), table, "key <> '' AND key !~ '[[:space:]]'"
        )
        # The history table and the live/asof views list their columns: extend them (0004).
        op.execute(sa.text("SELECT sg_versioning_sync(:t)").bindparams(t=table))


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_constraint(op.f(f'ck_{table}_key_format'), table, type_='check')
        op.drop_constraint(op.f(f'uq_{table}_key'), table, type_='unique')
        # The live and asof views list the column: they go with it and are built again.
        op.execute(f'ALTER TABLE history.{table} DROP COLUMN key CASCADE')
        op.execute(f'ALTER TABLE {table} DROP COLUMN key CASCADE')
        op.execute(sa.text("SELECT sg_versioning_sync(:t)").bindparams(t=table))
