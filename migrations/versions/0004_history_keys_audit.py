"""Writes you can trust: versions and recorded time on every mutable table, earlier versions in
the ``history`` schema, an append-only audit log, the ``live`` and ``asof`` views, API keys,
idempotency keys and organization merges.

Everything is done by triggers so that every writer — mutations, imports, loaders, COPY — is
versioned and audited alike:

* ``sg_version_row`` (BEFORE UPDATE OR DELETE, per row) copies the old row into
  ``history.<table>`` with the end of its recorded time, and on update bumps ``version`` and
  sets ``recorded_at``/``recorded_by``. An update that changes nothing keeps the row as it was.
* ``sg_audit`` (AFTER INSERT / UPDATE / DELETE, per statement, with transition tables) writes
  one ``audit_log`` row per changed row in one set-based INSERT, so bulk loads pay a statement,
  not a trigger call, per row. ``SET stakegraph.audit = 'off'`` skips it (documented, tested).
* ``live.<table>`` shows current, not retired rows; ``asof.<table>`` shows what was current at
  ``stakegraph.as_of``. Readers choose one with ``SET LOCAL search_path``.

``sg_versioning_sync(table)`` builds all of it from the catalog and is idempotent: a later
migration that adds a column to a versioned table calls it again to extend the history table
and rebuild the views (their column lists are fixed when they are created).

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-29 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0004'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VERSIONED = [
    'organization', 'organization_name', 'person', 'person_role', 'product',
    'product_alternative', 'funding_round', 'investment', 'credit_type', 'credit_program',
    'consideration_component', 'relationship', 'compute_asset', 'event', 'event_participant',
    'source', 'claim', 'claim_subject',
]

FUNCTIONS = [
    r"""
CREATE FUNCTION sg_key_id() RETURNS bigint LANGUAGE sql STABLE AS
$$ SELECT nullif(current_setting('stakegraph.key_id', true), '')::bigint $$;
    """,
    r"""
-- The recorded time as-of reads look at; the asof views refuse to run without it.
CREATE FUNCTION sg_as_of() RETURNS timestamptz LANGUAGE sql STABLE AS
$$ SELECT current_setting('stakegraph.as_of')::timestamptz $$;
    """,
    r"""
CREATE FUNCTION sg_version_row() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    -- Bookkeeping columns and the table's generated columns (TG_ARGV: still NULL in NEW here)
    -- do not make an update a change.
    ignored text[] := ARRAY['version', 'recorded_at', 'recorded_by', 'updated_at'] || TG_ARGV;
    -- Transaction time, so that one transaction's changes share one recorded time; never
    -- before the old version's start, so that a version's recorded range cannot invert.
    until timestamptz := greatest(now(), OLD.recorded_at);
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF (to_jsonb(NEW) - ignored) = (to_jsonb(OLD) - ignored) THEN
            RETURN OLD;
        END IF;
        NEW.version := OLD.version + 1;
        NEW.recorded_at := until;
        NEW.recorded_by := sg_key_id();
    END IF;
    EXECUTE format(
        'INSERT INTO history.%I SELECT * FROM jsonb_populate_record(NULL::history.%I, $1)',
        TG_TABLE_NAME, TG_TABLE_NAME
    ) USING to_jsonb(OLD) || jsonb_build_object('recorded_to', until, 'ended_by', sg_key_id());
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$fn$;
    """,
    r"""
CREATE FUNCTION sg_audit() RETURNS trigger LANGUAGE plpgsql AS $fn$
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
        -- TG_ARGV: the primary key's columns, to pair each old row with its new one. Updates
        -- that changed nothing kept their version and are not logged.
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
    """,
    r"""
CREATE FUNCTION sg_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION '%.% is append-only', TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$fn$;
    """,
    r"""
CREATE FUNCTION sg_versioning_sync(tbl text) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    live regclass := format('public.%I', tbl)::regclass;
    hist text := format('history.%I', tbl);
    col record;
    key_cols text;
    first_key text;
    generated text;
    cols text;
BEGIN
    -- The history table: every live column as a plain, nullable column (a version older than
    -- a column has no value for it), then when the version ended and who ended it.
    EXECUTE format('CREATE TABLE IF NOT EXISTS %s ()', hist);
    FOR col IN
        SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type
        FROM pg_attribute a
        WHERE a.attrelid = live AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum
    LOOP
        EXECUTE format('ALTER TABLE %s ADD COLUMN IF NOT EXISTS %I %s', hist, col.attname, col.type);
    END LOOP;
    EXECUTE format(
        'ALTER TABLE %s ADD COLUMN IF NOT EXISTS recorded_to timestamptz NOT NULL, '
        'ADD COLUMN IF NOT EXISTS ended_by bigint', hist
    );

    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.i), min(a.attname::text) FILTER (WHERE k.i = 1)
    INTO key_cols, first_key
    FROM pg_index x
    CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, i)
    JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
    WHERE x.indrelid = live AND x.indisprimary;
    IF NOT EXISTS (
        SELECT 1 FROM pg_constraint WHERE conrelid = hist::regclass AND contype = 'p'
    ) THEN
        EXECUTE format(
            'ALTER TABLE %s ADD CONSTRAINT %I PRIMARY KEY (%s, version)', hist, 'pk_' || tbl, key_cols
        );
    END IF;

    -- Indexes as tables.py declares them: references to other rows and single-column keys.
    FOR col IN
        SELECT DISTINCT a.attname
        FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        WHERE c.conrelid = live AND a.attname <> first_key AND (
            (c.contype = 'f' AND a.attname LIKE '%\_id')
            OR (c.contype = 'u' AND cardinality(c.conkey) = 1)
        )
    LOOP
        EXECUTE format(
            'CREATE INDEX IF NOT EXISTS %I ON %s (%I)', 'ix_' || tbl || '_' || col.attname, hist,
            col.attname
        );
    END LOOP;

    EXECUTE format('DROP TRIGGER IF EXISTS sg_append_only ON %s', hist);
    EXECUTE format(
        'CREATE TRIGGER sg_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON %s '
        'FOR EACH STATEMENT EXECUTE FUNCTION sg_refuse_change()', hist
    );

    SELECT coalesce(string_agg(quote_literal(attname), ', '), '')
    INTO generated
    FROM pg_attribute
    WHERE attrelid = live AND attnum > 0 AND NOT attisdropped AND attgenerated <> '';
    EXECUTE format('DROP TRIGGER IF EXISTS sg_version ON %s', live);
    EXECUTE format(
        'CREATE TRIGGER sg_version BEFORE UPDATE OR DELETE ON %s '
        'FOR EACH ROW EXECUTE FUNCTION sg_version_row(%s)', live, generated
    );
    EXECUTE format('DROP TRIGGER IF EXISTS sg_audit_insert ON %s', live);
    EXECUTE format(
        'CREATE TRIGGER sg_audit_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows '
        'FOR EACH STATEMENT EXECUTE FUNCTION sg_audit()', live
    );
    EXECUTE format('DROP TRIGGER IF EXISTS sg_audit_update ON %s', live);
    EXECUTE format(
        'CREATE TRIGGER sg_audit_update AFTER UPDATE ON %s '
        'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
        'FOR EACH STATEMENT EXECUTE FUNCTION sg_audit(%s)', live,
        (SELECT string_agg(quote_literal(k), ', ') FROM unnest(string_to_array(key_cols, ', ')) k)
    );
    EXECUTE format('DROP TRIGGER IF EXISTS sg_audit_delete ON %s', live);
    EXECUTE format(
        'CREATE TRIGGER sg_audit_delete AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows '
        'FOR EACH STATEMENT EXECUTE FUNCTION sg_audit()', live
    );

    -- The views list the live table's columns, in its order, so they are rebuilt here.
    SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum)
    INTO cols
    FROM pg_attribute
    WHERE attrelid = live AND attnum > 0 AND NOT attisdropped;
    EXECUTE format('DROP VIEW IF EXISTS live.%I', tbl);
    EXECUTE format(
        'CREATE VIEW live.%I AS SELECT %s FROM public.%I WHERE retired_at IS NULL', tbl, cols, tbl
    );
    EXECUTE format('DROP VIEW IF EXISTS asof.%I', tbl);
    EXECUTE format(
        'CREATE VIEW asof.%I AS '
        'SELECT %s FROM public.%I WHERE recorded_at <= sg_as_of() AND retired_at IS NULL '
        'UNION ALL '
        'SELECT %s FROM history.%I '
        'WHERE recorded_at <= sg_as_of() AND recorded_to > sg_as_of() AND retired_at IS NULL',
        tbl, cols, tbl, cols, tbl
    );
END
$fn$;
    """,
]


def upgrade() -> None:
    op.execute("CREATE SCHEMA history")
    op.execute("CREATE SCHEMA live")
    op.execute("CREATE SCHEMA asof")
    for statement in FUNCTIONS:
        op.execute(statement)

    op.create_table(
        'api_key',
        sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('prefix', sa.String(length=16), nullable=False),
        sa.Column('name', sa.Text(), nullable=False),
        sa.Column('scope', sa.String(length=8), nullable=False),
        sa.Column('salt', sa.LargeBinary(), nullable=False),
        sa.Column('secret_hash', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("length(btrim(name)) > 0", name=op.f('ck_api_key_name_not_blank')),
        sa.CheckConstraint("scope IN ('read', 'write', 'admin')", name=op.f('ck_api_key_scope')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_key')),
        sa.UniqueConstraint('prefix', name=op.f('uq_api_key_prefix')),
        comment='API keys. Only a salted SHA-256 of each secret is stored; the non-secret prefix finds the row.',
    )
    op.create_table(
        'audit_log',
        sa.Column('id', sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('key_id', sa.BigInteger(), nullable=True),
        sa.Column('action', sa.String(length=8), nullable=False),
        sa.Column('table_name', sa.Text(), nullable=False),
        sa.Column('row_id', sa.BigInteger(), nullable=True),
        sa.Column('before', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column('after', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.CheckConstraint("action IN ('INSERT', 'UPDATE', 'DELETE')", name=op.f('ck_audit_log_action')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log')),
        comment='Every change to a versioned table: who (the API key), when, what, before and after. Written by triggers; append-only.',
    )
    op.create_index('ix_audit_log_row', 'audit_log', ['table_name', 'row_id', 'id'], unique=False)
    op.create_index(op.f('ix_audit_log_at'), 'audit_log', ['at'], unique=False)
    op.create_index(op.f('ix_audit_log_key_id_id'), 'audit_log', ['key_id', 'id'], unique=False)
    op.execute(
        "CREATE TRIGGER sg_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION sg_refuse_change()"
    )
    op.create_table(
        'idempotency_key',
        sa.Column('key_id', sa.BigInteger(), nullable=False),
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('response', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.ForeignKeyConstraint(['key_id'], ['api_key.id'], name=op.f('fk_idempotency_key_key_id_api_key')),
        sa.PrimaryKeyConstraint('key_id', 'key', name=op.f('pk_idempotency_key')),
        comment='Idempotency-Key headers of mutation requests, per API key, with the response of the first request; kept 24 hours.',
    )
    op.create_index(op.f('ix_idempotency_key_created_at'), 'idempotency_key', ['created_at'], unique=False)
    op.create_table(
        'organization_merge',
        sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('survivor_id', sa.BigInteger(), nullable=False),
        sa.Column('merged_id', sa.BigInteger(), nullable=False),
        sa.Column('key_id', sa.BigInteger(), nullable=True),
        sa.Column('merged_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('changes', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint('survivor_id <> merged_id', name=op.f('ck_organization_merge_distinct')),
        sa.ForeignKeyConstraint(['merged_id'], ['organization.id'], name=op.f('fk_organization_merge_merged_id_organization')),
        sa.ForeignKeyConstraint(['survivor_id'], ['organization.id'], name=op.f('fk_organization_merge_survivor_id_organization')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_organization_merge')),
        comment='Duplicate organizations merged into a survivor: every row the merge changed and its values before, so that the merge can be undone.',
    )
    op.create_index(op.f('ix_organization_merge_merged_id'), 'organization_merge', ['merged_id'], unique=False)
    op.create_index(op.f('ix_organization_merge_survivor_id'), 'organization_merge', ['survivor_id'], unique=False)

    for table in VERSIONED:
        op.add_column(table, sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False))
        op.add_column(table, sa.Column('recorded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False))
        op.add_column(table, sa.Column('recorded_by', sa.BigInteger(), server_default=sa.text('sg_key_id()'), nullable=True))
        op.add_column(table, sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True))
        op.execute(sa.text("SELECT sg_versioning_sync(:t)").bindparams(t=table))


def downgrade() -> None:
    # The views and history tables depend on the live tables' columns: they go first.
    op.execute("DROP SCHEMA asof CASCADE")
    op.execute("DROP SCHEMA live CASCADE")
    op.execute("DROP SCHEMA history CASCADE")
    for table in reversed(VERSIONED):
        for trigger in ('sg_version', 'sg_audit_insert', 'sg_audit_update', 'sg_audit_delete'):
            op.execute(f'DROP TRIGGER {trigger} ON {table}')
        for column in ('retired_at', 'recorded_by', 'recorded_at', 'version'):
            op.drop_column(table, column)
    op.drop_table('organization_merge')
    op.drop_table('idempotency_key')
    op.execute("DROP TRIGGER sg_append_only ON audit_log")
    op.drop_table('audit_log')
    op.drop_table('api_key')
    op.execute(
        "DROP FUNCTION sg_versioning_sync(text), sg_refuse_change(), sg_audit(), "
        "sg_version_row(), sg_as_of(), sg_key_id()"
    )
