"""Bulk imports in the audit log: each import gets a ``bulk_import`` row, every audit row says
which version of which row it logs (``version``, ``row_key``) and which import wrote it
(``import_id``), and an import can log its changes without the row images.

A full audit row carries the row's images (``before``, ``after``) as JSON: for a bulk import
that is most of the import's cost, and it says nothing the history already keeps. Every
version of a versioned row is either the live row or a row of ``history.<table>`` (0004), so
(table, id, version) names an image exactly. With ``SET LOCAL stakegraph.audit = 'light'``
the audit trigger writes (table, id, version, action, key, import) and no images, for tables
keyed by ``id``; ``sg_audit_image(table, id, version)`` gives the image back:

* INSERT: the after image is version ``version``;
* UPDATE: the after image is version ``version``, the before image version ``version - 1``
  (``sg_version_row`` adds one per change, and logs no version for an update that changes
  nothing);
* DELETE: the before image is version ``version``, kept in the history by ``sg_version_row``.

Tables keyed otherwise (``product_alternative``, ``event_participant``) keep their images in
light mode too. ``stakegraph.import_id`` is set by the importer for its transaction; every
audit row written meanwhile carries it, light or full. No foreign key on ``import_id``: one
would cost an index probe per audit row; ``bulk_import.audit_from``/``audit_to`` bound the ids
of an import's audit rows so that they are found through the primary key.

Revision ID: 0007_bulk_import_audit
Revises: 0006_natural_keys
Create Date: 2026-12-02 03:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007_bulk_import_audit'
down_revision: str | None = '0006_natural_keys'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AUDIT = r"""
CREATE OR REPLACE FUNCTION sg_audit() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    mode text := coalesce(nullif(current_setting('stakegraph.audit', true), ''), 'full');
    import_run bigint := nullif(current_setting('stakegraph.import_id', true), '')::bigint;
    -- The natural key rows are referred to by: a slug, or the key of tables without one.
    key_column text;
    key_expr text;
    rows_of text := CASE TG_OP WHEN 'DELETE' THEN 'old_rows' ELSE 'new_rows' END;
BEGIN
    IF mode = 'off' THEN
        RETURN NULL;
    END IF;
    IF mode = 'light' AND EXISTS (
        SELECT FROM pg_attribute
        WHERE attrelid = TG_RELID AND attname = 'id' AND NOT attisdropped
    ) THEN
        SELECT attname INTO key_column FROM pg_attribute
        WHERE attrelid = TG_RELID AND attname IN ('slug', 'key') AND NOT attisdropped
        ORDER BY attname DESC LIMIT 1;
        key_expr := CASE WHEN key_column IS NULL THEN 'NULL::text'
                         ELSE format('r.%I::text', key_column) END;
        IF TG_OP = 'UPDATE' THEN
            EXECUTE format(
                'INSERT INTO public.audit_log'
                ' (key_id, action, table_name, row_id, version, row_key, import_id)'
                ' SELECT sg_key_id(), ''UPDATE'', %L, r.id, r.version, %s, $1'
                ' FROM old_rows o JOIN new_rows r USING (id) WHERE o.version <> r.version',
                TG_TABLE_NAME, key_expr
            ) USING import_run;
        ELSE
            EXECUTE format(
                'INSERT INTO public.audit_log'
                ' (key_id, action, table_name, row_id, version, row_key, import_id)'
                ' SELECT sg_key_id(), %L, %L, r.id, r.version, %s, $1 FROM %s r',
                TG_OP, TG_TABLE_NAME, key_expr, rows_of
            ) USING import_run;
        END IF;
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO public.audit_log
            (key_id, action, table_name, row_id, version, row_key, import_id, after)
        SELECT sg_key_id(), 'INSERT', TG_TABLE_NAME, (j ->> 'id')::bigint,
            (j ->> 'version')::integer, coalesce(j ->> 'slug', j ->> 'key'), import_run, j
        FROM (SELECT to_jsonb(n) AS j FROM new_rows n) AS s;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO public.audit_log
            (key_id, action, table_name, row_id, version, row_key, import_id, before)
        SELECT sg_key_id(), 'DELETE', TG_TABLE_NAME, (j ->> 'id')::bigint,
            (j ->> 'version')::integer, coalesce(j ->> 'slug', j ->> 'key'), import_run, j
        FROM (SELECT to_jsonb(o) AS j FROM old_rows o) AS s;
    ELSE
        -- TG_ARGV: the primary key's columns, to pair each old row with its new one. Updates
        -- that changed nothing kept their version and are not logged.
        EXECUTE format(
            'INSERT INTO public.audit_log (key_id, action, table_name, row_id, version, row_key,'
            ' import_id, before, after) '
            'SELECT sg_key_id(), ''UPDATE'', %L, (a ->> ''id'')::bigint, n.version, '
            'coalesce(a ->> ''slug'', a ->> ''key''), $1, to_jsonb(o), a '
            'FROM old_rows o JOIN new_rows n USING (%s) '
            'CROSS JOIN LATERAL (SELECT to_jsonb(n) AS a) AS after_image '
            'WHERE o.version <> n.version',
            TG_TABLE_NAME, array_to_string(TG_ARGV, ', ')
        ) USING import_run;
    END IF;
    RETURN NULL;
END
$fn$;
"""

# The audit function of 0004, put back by downgrade.
AUDIT_0004 = r"""
CREATE OR REPLACE FUNCTION sg_audit() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF current_setting('stakegraph.audit', true) = 'off' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO public.audit_log (key_id, action, table_name, row_id, after)
        SELECT sg_key_id(), 'INSERT', TG_TABLE_NAME, (j ->> 'id')::bigint, j
        FROM (SELECT to_jsonb(n) AS j FROM new_rows n) AS s;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO public.audit_log (key_id, action, table_name, row_id, before)
        SELECT sg_key_id(), 'DELETE', TG_TABLE_NAME, (j ->> 'id')::bigint, j
        FROM (SELECT to_jsonb(o) AS j FROM old_rows o) AS s;
    ELSE
        EXECUTE format(
            'INSERT INTO public.audit_log (key_id, action, table_name, row_id, before, after) '
            'SELECT sg_key_id(), ''UPDATE'', %L, (to_jsonb(n) ->> ''id'')::bigint, '
            'to_jsonb(o), to_jsonb(n) FROM old_rows o JOIN new_rows n USING (%s) '
            'WHERE o.version <> n.version',
            TG_TABLE_NAME, array_to_string(TG_ARGV, ', ')
        );
    END IF;
    RETURN NULL;
END
$fn$;
"""

IMAGE = r"""
-- One version of one row as the audit's images show it: the live row while it is current,
-- its history row (without the history's own columns) once superseded or deleted.
CREATE FUNCTION sg_audit_image(tbl text, row_id bigint, row_version integer)
RETURNS jsonb LANGUAGE plpgsql STABLE AS $fn$
DECLARE
    image jsonb;
BEGIN
    EXECUTE format(
        'SELECT to_jsonb(t) FROM public.%I t WHERE t.id = $1 AND t.version = $2', tbl
    ) INTO image USING row_id, row_version;
    IF image IS NULL THEN
        EXECUTE format(
            'SELECT to_jsonb(h) - ''recorded_to'' - ''ended_by'' FROM history.%I h'
            ' WHERE h.id = $1 AND h.version = $2', tbl
        ) INTO image USING row_id, row_version;
    END IF;
    RETURN image;
END
$fn$;
"""


def upgrade() -> None:
    op.create_table(
        'bulk_import',
        sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('key_id', sa.BigInteger(), nullable=True),
        sa.Column('source', sa.Text(), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('records', sa.BigInteger(), nullable=True),
        sa.Column('rows', sa.BigInteger(), nullable=True),
        sa.Column('audit_from', sa.BigInteger(), nullable=True),
        sa.Column('audit_to', sa.BigInteger(), nullable=True),
        sa.Column('partial', sa.Boolean(), server_default=sa.text('false'), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_bulk_import')),
        comment='Each bulk import that wrote something: who, from what, how much, and the range of ids of its audit_log rows (which carry its id).',
    )
    op.add_column('audit_log', sa.Column('version', sa.Integer(), nullable=True))
    op.add_column('audit_log', sa.Column('row_key', sa.Text(), nullable=True))
    op.add_column('audit_log', sa.Column('import_id', sa.BigInteger(), nullable=True))
    op.execute(AUDIT)
    op.execute(IMAGE)


def downgrade() -> None:
    op.execute("DROP FUNCTION sg_audit_image(text, bigint, integer)")
    op.execute(AUDIT_0004)
    op.drop_column('audit_log', 'import_id')
    op.drop_column('audit_log', 'row_key')
    op.drop_column('audit_log', 'version')
    op.drop_table('bulk_import')
