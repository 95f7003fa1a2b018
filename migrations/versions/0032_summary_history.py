"""The organization summary as of a recorded time: a history of its rows.

``organization_summary`` (0023) holds today's figures only, so an as-of read showed today's.
``organization_summary_history`` keeps every row it has had, each with the recorded-time range
``[valid_from, valid_to)`` it was current in (``valid_to`` is ``infinity`` for the current one),
written by statement-level triggers on ``organization_summary`` itself: whatever recomputes
the summary (the functions of 0023, left as they are), each change of a row is recorded. The
range follows the records' own versions (0004): transaction time, so that a change and the
figures it leads to share their recorded time; one transaction's successive refreshes of an
organization make one version (``written_in``: the transaction that wrote it). An
organization's first version begins with its record, which a writer may stamp with an earlier
recorded time (the generator does), so that an as-of read that shows an organization always
finds its figures.

``asof.organization_summary`` shows the rows current at ``stakegraph.as_of``: as-of reads name
the summary unqualified, like every table, and so read the figures of that time, on both read
paths, in their fields, filters and orderings. ``ix_organization_summary_history_valid``
(``organization_id, valid_to, valid_from``) finds an organization's row at a time by its
identifier and the versions ending after that time (the current one only, for a time since its
last change); the summary's four ordering indexes are repeated on the history, so that an
ordering on a figure as of a time walks an index instead of sorting every version.

The FX rates are not versioned: a figure as of a time is the USD total as it was computed then,
at the rates then known.

Backfill: each organization's current row, valid from the organization's earliest recorded
time (its first version), not from this migration's: the history cannot be recomputed (that
is what was too costly per read), and an as-of read before the migration must still find a row
for every organization it shows (the fields are non-null). As of a time before the migration
the figures are therefore those at the migration (as every as-of read showed until then); from
it on they are exact.

And ``updatedSince``: an index per root-listed table that grows with the market (not the few
acquisitions, listings and events), ``ix_<table>_recorded_utc``, on
``timezone('UTC', recorded_at), id``, the key the ``updatedSince`` leaf compares, so that a
recent time reads the few records it keeps instead of walking a whole list. Not on
``recorded_at`` itself: the ``asof`` views filter every row on ``recorded_at <= sg_as_of()``,
and an index on that column was read for it, a bitmap of most of the table per lookup; no
other query names this expression.

Revision ID: 0032_summary_history
Revises: 0031_investor_rollups
Create Date: 2026-12-02 15:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0032_summary_history"
down_revision: str | None = "0031_investor_rollups"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIGURES = (
    "rounds_count",
    "unvalued_rounds_count",
    "raised_usd_min",
    "raised_usd_max",
    "raised_usd_estimated",
    "last_round_id",
    "last_round_on",
    "last_round_precision",
    "last_round_sort",
    "investors_count",
    "leads_count",
    "acquisitions_count",
    "exits_count",
)
COLUMNS = ", ".join(("organization_id", *FIGURES))
UPDATED_SINCE_INDEXED = (
    "organization", "funding_round", "investment", "person", "product", "source", "exit",
    "valuation", "fund",
)  # fmt: skip
ORDERED = (
    ("rounds", "rounds_count"),
    ("last_round", "last_round_sort"),
    ("investors", "investors_count"),
)

# One function for the three events (TG_OP). Inside a bulk load the statistics are those of
# before it (an empty history), and a plan that scanned the history for each statement would
# read it whole once per COPY batch: index scans and nested loops only, as the refresh does.
WRITTEN = f"""
CREATE FUNCTION sg_summary_history_written() RETURNS trigger LANGUAGE plpgsql
SET search_path = public
SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off AS $fn$
DECLARE
    at timestamptz := now();
    xact bigint := txid_current();
BEGIN
    IF TG_OP = 'DELETE' THEN
        -- Never an inverted range: a version that began later than this transaction (one
        -- that started after it and committed first) ends empty.
        UPDATE organization_summary_history h SET valid_to = greatest(at, h.valid_from)
        WHERE h.organization_id IN (SELECT organization_id FROM old_rows)
          AND h.valid_to = 'infinity';
        RETURN NULL;
    END IF;
    -- This transaction's own version takes the new figures in place: one transaction's
    -- successive refreshes make one version.
    UPDATE organization_summary_history h SET
        {", ".join(f"{c} = n.{c}" for c in FIGURES)}
    FROM new_rows n
    WHERE h.organization_id = n.organization_id AND h.valid_to = 'infinity'
      AND h.written_in = xact;
    UPDATE organization_summary_history h SET valid_to = greatest(at, h.valid_from)
    WHERE h.organization_id IN (SELECT organization_id FROM new_rows)
      AND h.valid_to = 'infinity' AND h.written_in <> xact;
    -- A new version begins now, after the organization's earlier ones. Its first begins with
    -- the organization's record, which a writer may have recorded as of an earlier time (the
    -- generator stamps its rows with one fixed time): an as-of read that shows the
    -- organization finds its figures.
    INSERT INTO organization_summary_history (valid_from, valid_to, written_in, {COLUMNS})
    SELECT greatest(least(at, o.recorded_at), coalesce(e.ended, '-infinity')), 'infinity', xact,
           {", ".join(f"n.{c}" for c in ("organization_id", *FIGURES))}
    FROM new_rows n
    LEFT JOIN organization o ON o.id = n.organization_id
    LEFT JOIN LATERAL (
        SELECT max(h.valid_to) AS ended FROM organization_summary_history h
        WHERE h.organization_id = n.organization_id
    ) e ON true
    WHERE NOT EXISTS (
        SELECT FROM organization_summary_history h
        WHERE h.organization_id = n.organization_id AND h.valid_to = 'infinity'
    );
    RETURN NULL;
END
$fn$
"""

AS_OF_VIEW = f"""
CREATE VIEW asof.organization_summary AS
SELECT {COLUMNS} FROM public.organization_summary_history
WHERE valid_from <= sg_as_of() AND valid_to > sg_as_of()
"""

BACKFILL = f"""
INSERT INTO organization_summary_history (valid_from, valid_to, written_in, {COLUMNS})
SELECT coalesce(
           least(o.recorded_at,
                 (SELECT min(v.recorded_at) FROM history.organization v WHERE v.id = o.id)),
           now()),
       'infinity', txid_current(),
       {", ".join(f"s.{c}" for c in ("organization_id", *FIGURES))}
FROM organization_summary s LEFT JOIN organization o ON o.id = s.organization_id
"""


def _trigger(event: str) -> str:
    referencing = {
        "INSERT": "NEW TABLE AS new_rows",
        "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "DELETE": "OLD TABLE AS old_rows",
    }[event]
    return (
        f"CREATE TRIGGER sg_summary_history_{event.lower()} AFTER {event} "
        f"ON organization_summary REFERENCING {referencing} "
        "FOR EACH STATEMENT EXECUTE FUNCTION sg_summary_history_written()"
    )


def upgrade() -> None:
    op.create_table(
        "organization_summary_history",
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=False),
        sa.Column("written_in", sa.BigInteger(), nullable=False),
        sa.Column("rounds_count", sa.Integer(), nullable=False),
        sa.Column("unvalued_rounds_count", sa.Integer(), nullable=False),
        sa.Column("raised_usd_min", sa.Numeric(), nullable=True),
        sa.Column("raised_usd_max", sa.Numeric(), nullable=True),
        sa.Column("raised_usd_estimated", sa.Boolean(), nullable=False),
        sa.Column("last_round_id", sa.BigInteger(), nullable=True),
        sa.Column("last_round_on", sa.Date(), nullable=True),
        sa.Column("last_round_precision", sa.String(length=8), nullable=True),
        sa.Column("last_round_sort", sa.Date(), nullable=False),
        sa.Column("investors_count", sa.Integer(), nullable=False),
        sa.Column("leads_count", sa.Integer(), nullable=False),
        sa.Column("acquisitions_count", sa.Integer(), nullable=False),
        sa.Column("exits_count", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "valid_from <= valid_to", name=op.f("ck_organization_summary_history_range")
        ),
        comment="Every row organization_summary has had, with the recorded time it was current "
        "in (trigger-maintained, migration 0032).",
    )
    op.create_index(
        "ix_organization_summary_history_valid",
        "organization_summary_history",
        ["organization_id", "valid_to", "valid_from"],
    )
    # The summary's ordering indexes again (0023), for the orderings as of a time: a page
    # walks the figure's index and skips the versions not current then, instead of sorting
    # every version (docs/performance.md).
    op.create_index(
        "ix_organization_summary_history_raised",
        "organization_summary_history",
        [sa.text("coalesce(raised_usd_min, -1)"), "organization_id"],
    )
    for name, column in ORDERED:
        op.create_index(
            f"ix_organization_summary_history_{name}",
            "organization_summary_history",
            [column, "organization_id"],
        )
    for table in UPDATED_SINCE_INDEXED:
        op.create_index(
            f"ix_{table}_recorded_utc",
            table,
            [sa.text("timezone('UTC'::text, recorded_at)"), "id"],
        )
    op.execute(BACKFILL)
    op.execute(WRITTEN)
    for event in ("INSERT", "UPDATE", "DELETE"):
        op.execute(_trigger(event))
    op.execute(AS_OF_VIEW)


def downgrade() -> None:
    for table in UPDATED_SINCE_INDEXED:
        op.drop_index(f"ix_{table}_recorded_utc", table_name=table)
    op.execute("DROP VIEW asof.organization_summary")
    for event in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER sg_summary_history_{event} ON organization_summary")
    op.execute("DROP FUNCTION sg_summary_history_written()")
    op.drop_table("organization_summary_history")
