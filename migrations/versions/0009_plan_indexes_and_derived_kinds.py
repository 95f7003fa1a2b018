"""Every list read on an index: indexes for each ordering as it is read, and the consideration
kinds of every investment and round as a derived, GIN-indexed array column.

Orderings: a list is read by its sort key and then ``id``, both in one direction
(service/repository/paging.py), so one btree on ``(key, id)`` serves it forwards and backwards.
The keys of nullable columns are ``coalesce(column, -1)``; their indexes are on that expression,
or PostgreSQL cannot read the order from them. ``(raised_amount, id)`` gives way to the
expression it was meant to serve.

Derived columns (``consideration_kinds``): the distinct kinds of an investment's live
components, and of a round's live investments, sorted. One mechanism keeps them, so that every
writer — mutations, the bulk import, the generator's COPY, the article loader — keeps them alike:
statement-level AFTER triggers over transition tables recompute the values of the rows a
statement touched, set-based. Their UPDATEs run with ``stakegraph.deriving = 'on'``, which
``sg_version_row`` (0004) honours by writing the row in place: a derived value is not a new
version of the facts, so it neither bumps ``version`` nor writes history or audit rows (the audit
logs only rows whose version changed). ``sg_derive_*`` are the functions later derived values
(USD values, summary figures) follow.

Revision ID: 0009_plan_indexes
Revises: 0008_search_compact_names
Create Date: 2026-12-02 03:30:00.000000
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0009_plan_indexes'
down_revision: str | None = '0008_search_compact_names'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (name, table, expressions): btrees on each ordering's (key, id).
ORDER_INDEXES = (
    ('ix_funding_round_amount_id', 'funding_round', 'coalesce(raised_amount, -1), id'),
    ('ix_funding_round_created_id', 'funding_round', 'created_at, id'),
    ('ix_funding_round_status_sort', 'funding_round', 'status, sort_on, id'),
    ('ix_investment_lead_id', 'investment', 'is_lead, id'),
    ('ix_investment_amount_id', 'investment', 'coalesce(committed_amount, -1), id'),
    ('ix_investment_created_id', 'investment', 'created_at, id'),
    (
        'ix_investment_investor_amount',
        'investment',
        'investor_id, coalesce(committed_amount, -1), id',
    ),
    ('ix_investment_investor_created', 'investment', 'investor_id, created_at, id'),
    ('ix_source_publisher_id', 'source', 'publisher, id'),
    ('ix_source_kind_publisher', 'source', 'kind, publisher, id'),
    ('ix_organization_name_normalized', 'organization_name', 'normalized, organization_id'),
)

DERIVED = ('investment', 'funding_round')



def _versioning_0004() -> tuple[str, list[str]]:
    """0004's sg_versioning_sync and its list of versioned tables, as that migration holds them."""
    path = Path(__file__).with_name('0004_history_keys_audit.py')
    spec = importlib.util.spec_from_file_location('migration_0004', path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    (sync,) = [f for f in module.FUNCTIONS if 'FUNCTION sg_versioning_sync' in f]
    return sync.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION'), list(module.VERSIONED)


# The asof views: 0004 filtered each branch of the UNION ALL, which keeps PostgreSQL from
# flattening the branches into one append relation, so no ordering could be read from an index
# (every asOf page sorted the whole table). Filtered outside the UNION ALL, the conditions are
# pushed into each branch all the same, and a page is a Merge Append of index scans.
ASOF_0004 = """        'CREATE VIEW asof.%I AS '
        'SELECT %s FROM public.%I WHERE recorded_at <= sg_as_of() AND retired_at IS NULL '
        'UNION ALL '
        'SELECT %s FROM history.%I '
        'WHERE recorded_at <= sg_as_of() AND recorded_to > sg_as_of() AND retired_at IS NULL',
        tbl, cols, tbl, cols, tbl"""
ASOF_0007 = """        'CREATE VIEW asof.%I AS SELECT %s FROM ('
        'SELECT %s, NULL::timestamptz AS sg_recorded_to FROM public.%I '
        'UNION ALL '
        'SELECT %s, recorded_to FROM history.%I) AS v '
        'WHERE recorded_at <= sg_as_of() AND retired_at IS NULL '
        'AND (sg_recorded_to IS NULL OR sg_recorded_to > sg_as_of())',
        tbl, cols, cols, tbl, cols, tbl"""

# 0004's sg_version_row, with one change: rows written while ``stakegraph.deriving`` is on
# are written as they are, without a new version.
VERSION_ROW = r"""
CREATE OR REPLACE FUNCTION sg_version_row() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    ignored text[] := ARRAY['version', 'recorded_at', 'recorded_by', 'updated_at'] || TG_ARGV;
    until timestamptz := greatest(now(), OLD.recorded_at);
BEGIN
    IF TG_OP = 'UPDATE' AND current_setting('stakegraph.deriving', true) = 'on' THEN
        RETURN NEW;
    END IF;
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
"""

VERSION_ROW_0004 = r"""
CREATE OR REPLACE FUNCTION sg_version_row() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    ignored text[] := ARRAY['version', 'recorded_at', 'recorded_by', 'updated_at'] || TG_ARGV;
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
"""

FUNCTIONS = (
    r"""
-- Derived writes are no change of the facts: no new version (sg_version_row) and no audit row
-- (sg_audit skips statements while stakegraph.audit is off; its UPDATE pairing of old and new
-- rows would otherwise run for every derived row).
CREATE FUNCTION sg_deriving(deriving text, audit text) RETURNS void LANGUAGE sql AS $fn$
    SELECT set_config('stakegraph.deriving', deriving, true),
           set_config('stakegraph.audit', audit, true);
$fn$;
    """,
    r"""
-- The kinds of the given investments, from their live components: what the column must hold.
CREATE FUNCTION sg_derive_investment_kinds(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    outer_flag text := coalesce(current_setting('stakegraph.deriving', true), '');
    outer_audit text := coalesce(current_setting('stakegraph.audit', true), '');
BEGIN
    PERFORM sg_deriving('on', 'off');
    -- Per id, an index probe for its components: planned the same whatever the statistics say
    -- mid-load (a join of the whole tables per COPY chunk made a bulk load quadratic).
    UPDATE public.investment i SET consideration_kinds = f.kinds
    FROM unnest(ids) AS t(id), LATERAL (
        SELECT coalesce(array_agg(DISTINCT c.kind ORDER BY c.kind), '{}') AS kinds
        FROM public.consideration_component c
        WHERE c.investment_id = t.id AND c.retired_at IS NULL
    ) f
    WHERE i.id = t.id AND i.consideration_kinds IS DISTINCT FROM f.kinds;
    PERFORM sg_deriving(outer_flag, outer_audit);
END
$fn$;
    """,
    r"""
-- The kinds of the given rounds: the union of their live investments' kinds.
CREATE FUNCTION sg_derive_round_kinds(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    outer_flag text := coalesce(current_setting('stakegraph.deriving', true), '');
    outer_audit text := coalesce(current_setting('stakegraph.audit', true), '');
BEGIN
    PERFORM sg_deriving('on', 'off');
    UPDATE public.funding_round r SET consideration_kinds = f.kinds
    FROM unnest(ids) AS t(id), LATERAL (
        SELECT coalesce(array_agg(DISTINCT k.kind ORDER BY k.kind), '{}') AS kinds
        FROM public.investment i, unnest(i.consideration_kinds) AS k(kind)
        WHERE i.round_id = t.id AND i.retired_at IS NULL
    ) f
    WHERE r.id = t.id AND r.consideration_kinds IS DISTINCT FROM f.kinds;
    PERFORM sg_deriving(outer_flag, outer_audit);
END
$fn$;
    """,
    r"""
-- Components written: their investments' kinds (and, by the trigger below, their rounds').
CREATE FUNCTION sg_derive_on_component() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM sg_derive_investment_kinds(ARRAY(SELECT DISTINCT investment_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM sg_derive_investment_kinds(ARRAY(SELECT DISTINCT investment_id FROM old_rows));
    ELSE
        -- Rows are paired by EXCEPT (hashed), never by a join of the transition tables, which
        -- have no statistics and could be planned as a nested loop over a whole COPY chunk.
        PERFORM sg_derive_investment_kinds(ARRAY(
            SELECT investment_id FROM (
                (SELECT id, kind, investment_id, retired_at FROM new_rows
                 EXCEPT SELECT id, kind, investment_id, retired_at FROM old_rows)
                UNION ALL
                (SELECT id, kind, investment_id, retired_at FROM old_rows
                 EXCEPT SELECT id, kind, investment_id, retired_at FROM new_rows)
            ) changed
        ));
    END IF;
    RETURN NULL;
END
$fn$;
    """,
    r"""
-- Investments written: their rounds' kinds. A new investment has no components yet: only one
-- written with kinds already set (which the column does not take from writers) is corrected.
CREATE FUNCTION sg_derive_on_investment() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM sg_derive_investment_kinds(ARRAY(
            SELECT id FROM new_rows WHERE consideration_kinds <> '{}'));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM sg_derive_round_kinds(ARRAY(
            SELECT DISTINCT round_id FROM old_rows WHERE consideration_kinds <> '{}'));
    ELSE
        IF current_setting('stakegraph.deriving', true) IS DISTINCT FROM 'on' THEN
            -- A writer's own value of the derived column is overruled.
            PERFORM sg_derive_investment_kinds(ARRAY(
                SELECT id FROM (
                    SELECT id, consideration_kinds FROM new_rows
                    EXCEPT SELECT id, consideration_kinds FROM old_rows
                ) written));
        END IF;
        PERFORM sg_derive_round_kinds(ARRAY(
            SELECT round_id FROM (
                (SELECT id, consideration_kinds, round_id, retired_at FROM new_rows
                 EXCEPT SELECT id, consideration_kinds, round_id, retired_at FROM old_rows)
                UNION ALL
                (SELECT id, consideration_kinds, round_id, retired_at FROM old_rows
                 EXCEPT SELECT id, consideration_kinds, round_id, retired_at FROM new_rows)
            ) changed
        ));
    END IF;
    RETURN NULL;
END
$fn$;
    """,
    r"""
-- Rounds whose writer set the kinds are corrected; a round's other changes leave them as they
-- are (they come from its investments).
CREATE FUNCTION sg_derive_on_round() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM sg_derive_round_kinds(ARRAY(
            SELECT id FROM new_rows WHERE consideration_kinds <> '{}'));
    ELSIF current_setting('stakegraph.deriving', true) IS DISTINCT FROM 'on' THEN
        PERFORM sg_derive_round_kinds(ARRAY(
            SELECT id FROM (
                SELECT id, consideration_kinds FROM new_rows
                EXCEPT SELECT id, consideration_kinds FROM old_rows
            ) written));
    END IF;
    RETURN NULL;
END
$fn$;
    """,
)

TRIGGERS = (
    ('consideration_component', 'sg_derive_on_component', ('INSERT', 'UPDATE', 'DELETE')),
    ('investment', 'sg_derive_on_investment', ('INSERT', 'UPDATE', 'DELETE')),
    ('funding_round', 'sg_derive_on_round', ('INSERT', 'UPDATE')),
)


def _transition(event: str) -> str:
    if event == 'INSERT':
        return 'REFERENCING NEW TABLE AS new_rows'
    if event == 'DELETE':
        return 'REFERENCING OLD TABLE AS old_rows'
    return 'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows'


def upgrade() -> None:
    sync, versioned = _versioning_0004()
    assert ASOF_0004 in sync
    op.execute(sync.replace(ASOF_0004, ASOF_0007))
    op.drop_index('ix_funding_round_raised_usd', table_name='funding_round')
    for name, table, expressions in ORDER_INDEXES:
        op.execute(f'CREATE INDEX {name} ON {table} ({expressions})')

    for table in DERIVED:
        op.add_column(
            table,
            sa.Column(
                'consideration_kinds',
                postgresql.ARRAY(sa.String(length=20)),
                server_default=sa.text("'{}'"),
                nullable=False,
            ),
        )
    op.execute(VERSION_ROW)
    for statement in FUNCTIONS:
        op.execute(statement)
    # The backfill is the triggers' own computation, run once over every row.
    op.execute("SELECT sg_derive_investment_kinds(ARRAY(SELECT id FROM investment))")
    op.execute("SELECT sg_derive_round_kinds(ARRAY(SELECT id FROM funding_round))")
    for table, function, events in TRIGGERS:
        for event in events:
            op.execute(
                f'CREATE TRIGGER {function}_{event.lower()} AFTER {event} ON {table} '
                f'{_transition(event)} FOR EACH STATEMENT EXECUTE FUNCTION {function}()'
            )
    for table in DERIVED:
        op.create_index(
            f'ix_{table}_consideration_kinds',
            table,
            ['consideration_kinds'],
            unique=False,
            postgresql_using='gin',
        )
    # Every table's views again, the asof ones filtered outside their UNION ALL; the two with a
    # new column get it in their history table and views too.
    for table in versioned:
        op.execute(sa.text("SELECT sg_versioning_sync(:t)").bindparams(t=table))


def downgrade() -> None:
    sync, versioned = _versioning_0004()
    for table, function, events in reversed(TRIGGERS):
        for event in events:
            op.execute(f'DROP TRIGGER {function}_{event.lower()} ON {table}')
    op.execute(
        'DROP FUNCTION sg_derive_on_round(), sg_derive_on_investment(), sg_derive_on_component(),'
        ' sg_derive_round_kinds(bigint[]), sg_derive_investment_kinds(bigint[]),'
        ' sg_deriving(text, text)'
    )
    op.execute(VERSION_ROW_0004)
    for table in reversed(DERIVED):
        op.drop_index(f'ix_{table}_consideration_kinds', table_name=table)
        # The live and asof views list the column: they go with it and are built again.
        op.execute(f'ALTER TABLE history.{table} DROP COLUMN consideration_kinds CASCADE')
        op.execute(f'ALTER TABLE {table} DROP COLUMN consideration_kinds CASCADE')
    op.execute(sync)
    for table in versioned:
        op.execute(sa.text("SELECT sg_versioning_sync(:t)").bindparams(t=table))
    for name, _, _ in reversed(ORDER_INDEXES):
        op.execute(f'DROP INDEX {name}')
    op.create_index('ix_funding_round_raised_usd', 'funding_round', ['raised_amount', 'id'])
