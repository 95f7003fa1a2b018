"""Summary figures of every organization, kept on write: its rounds, the USD total they raised,
its last round, its investors and leads, the acquisitions it made and the exits it took part in.

``organization_summary`` holds one row per organization. As for the kept USD values (migration
0011), statement-level triggers over transition tables collect the organizations a statement
touched (on ``organization``, ``funding_round``, ``investment``, ``exit``, ``acquisition`` and
``fx_rate``) and ``sg_organization_summary_refresh(orgs)`` recomputes those organizations'
rows whole, in the same transaction, so that the kept figures always equal a computation from
scratch, whatever the writer: mutations, merges, the bulk import, the generator's COPY.

``sg_organization_summary_compute(orgs)`` is that computation, written once: the refresh
runs it, and the tests compare the kept rows with it run from scratch.

Derived data, not versioned: a read as of a recorded time joins the same table (there is no
``asof.organization_summary``), so it shows the current figures. Computing them from the
history for each organization read was tried; it read tens of thousands of rows per page of
investors (an investor's exits go through its whole portfolio), beyond what the plan guard
allows a list (docs/entities.md).

The figures (docs/entities.md):

* rounds: the live funding rounds it raised; ``unvalued``: those without a USD value (an
  undisclosed amount, or a currency with no rate on or before the round's date);
* raised USD: the sum of the valued rounds' amounts, each at the latest rate on or before its
  date (the same rule and rounding as ``usd_round.raised_usd``); null when no round is valued;
  ``estimated`` when any summed amount is;
* the last round: the live round with the latest date (undated rounds count as earliest, ties
  go to the later record); ``last_round_sort`` is its date, 0001-01-01 when undated or none;
* investors / leads: distinct organizations with a live investment in its live rounds / with a
  lead one;
* acquisitions: the live acquisitions it is the acquirer of, cancelled ones left out;
* exits: the live exits of live investments it made or that were made in its live rounds.

Revision ID: 0023_organization_summary
Revises: 0022_change_notify
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023_organization_summary"
down_revision: str | None = "0022_change_notify"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The figures of the organizations ``orgs``, from the tables of ``public`` (retired rows left
# out by their ``retired_at``). One lateral subquery per group of figures that read the same
# rows, so that a refresh reads each organization's rounds, investments, acquisitions and exits
# once each.
COMPUTE = r"""
CREATE FUNCTION sg_organization_summary_compute(orgs bigint[])
RETURNS TABLE (organization_id bigint, rounds_count integer, unvalued_rounds_count integer,
               raised_usd_min numeric, raised_usd_max numeric, raised_usd_estimated boolean,
               last_round_id bigint, last_round_on date, last_round_precision varchar(8),
               last_round_sort date, investors_count integer, leads_count integer,
               acquisitions_count integer, exits_count integer)
LANGUAGE sql STABLE SET search_path = public
-- A refresh reads a few rows of each organization through their indexes. Inside a bulk load
-- the tables' statistics are those of before it (empty), and the planner scanned or hashed
-- whole tables per organization (46 s for the generator's exits at 1,500 organizations):
-- index scans and nested loops only.
SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off AS $fn$
SELECT o.id, coalesce(r.rounds, 0), coalesce(r.unvalued, 0), r.raised, r.raised,
       coalesce(r.estimated, false), lr.id, lr.announced_on, lr.announced_precision,
       coalesce(lr.sort_on, '0001-01-01'::date), coalesce(iv.investors, 0),
       coalesce(iv.leads, 0), coalesce(a.n, 0), coalesce(x.n, 0)
FROM unnest(orgs) AS o(id)
LEFT JOIN LATERAL (
    SELECT count(*)::integer AS rounds, count(*) FILTER (WHERE v.usd IS NULL)::integer AS unvalued,
           sum(v.usd) AS raised,
           bool_or(fr.raised_estimated) FILTER (WHERE v.usd IS NOT NULL) AS estimated
    FROM funding_round fr
    LEFT JOIN LATERAL (
        SELECT round(fr.raised_amount * f.usd_per_unit, 2) AS usd FROM fx_rate f
        WHERE f.currency = fr.raised_currency
          AND f.rate_on <= coalesce(fr.announced_on, 'infinity'::date)
        ORDER BY f.rate_on DESC LIMIT 1
    ) v ON true
    WHERE fr.organization_id = o.id AND fr.retired_at IS NULL
) r ON true
LEFT JOIN LATERAL (
    SELECT fr.id, fr.announced_on, fr.announced_precision, fr.sort_on FROM funding_round fr
    WHERE fr.organization_id = o.id AND fr.retired_at IS NULL
    ORDER BY fr.sort_on DESC, fr.id DESC LIMIT 1
) lr ON true
LEFT JOIN LATERAL (
    SELECT count(DISTINCT i.investor_id)::integer AS investors,
           count(DISTINCT i.investor_id) FILTER (WHERE i.is_lead)::integer AS leads
    FROM funding_round fr JOIN investment i ON i.round_id = fr.id
    WHERE fr.organization_id = o.id AND fr.retired_at IS NULL AND i.retired_at IS NULL
) iv ON true
LEFT JOIN LATERAL (
    SELECT count(*)::integer AS n FROM acquisition q
    WHERE q.acquirer_id = o.id AND q.retired_at IS NULL AND q.status <> 'CANCELLED'
) a ON true
LEFT JOIN LATERAL (
    -- Two indexed paths (as investor, as investee), united: an OR across the join would not be.
    SELECT count(*)::integer AS n FROM (
        SELECT e.id FROM exit e
        JOIN investment i ON i.id = e.investment_id
        JOIN funding_round fr ON fr.id = i.round_id
        WHERE i.investor_id = o.id
          AND e.retired_at IS NULL AND i.retired_at IS NULL AND fr.retired_at IS NULL
        UNION
        SELECT e.id FROM funding_round fr
        JOIN investment i ON i.round_id = fr.id
        JOIN exit e ON e.investment_id = i.id
        WHERE fr.organization_id = o.id
          AND e.retired_at IS NULL AND i.retired_at IS NULL AND fr.retired_at IS NULL
    ) both_sides
) x ON true
$fn$;
"""

REFRESH = r"""
CREATE FUNCTION sg_organization_summary_refresh(orgs bigint[]) RETURNS void LANGUAGE plpgsql
SET search_path = public AS $fn$
BEGIN
    IF orgs IS NULL OR cardinality(orgs) = 0 THEN
        RETURN;
    END IF;
    INSERT INTO organization_summary AS s
    SELECT * FROM sg_organization_summary_compute(ARRAY(
        SELECT o.id FROM organization o WHERE o.id = ANY(orgs)
    ))
    ON CONFLICT (organization_id) DO UPDATE SET
        rounds_count = excluded.rounds_count,
        unvalued_rounds_count = excluded.unvalued_rounds_count,
        raised_usd_min = excluded.raised_usd_min,
        raised_usd_max = excluded.raised_usd_max,
        raised_usd_estimated = excluded.raised_usd_estimated,
        last_round_id = excluded.last_round_id,
        last_round_on = excluded.last_round_on,
        last_round_precision = excluded.last_round_precision,
        last_round_sort = excluded.last_round_sort,
        investors_count = excluded.investors_count,
        leads_count = excluded.leads_count,
        acquisitions_count = excluded.acquisitions_count,
        exits_count = excluded.exits_count
    -- An unchanged row is not rewritten (no dead tuple, no index churn).
    WHERE (s.*) IS DISTINCT FROM (excluded.*);
END
$fn$;
"""

# The organizations a table's changed rows (``{rows}``: a transition table) concern.
AFFECTED = {
    "organization": "SELECT id FROM {rows}",
    # A retired or moved round also changes the exits its investors made.
    "funding_round": """SELECT organization_id FROM {rows}
        UNION SELECT i.investor_id FROM investment i JOIN exit e ON e.investment_id = i.id
        WHERE i.round_id IN (SELECT id FROM {rows})""",
    # The investor's figures count only the exits of its investments: an investment without
    # exits (every new one) leaves them as they were, and a large investor is not recomputed
    # for every statement that adds to its portfolio.
    "investment": """SELECT n.investor_id FROM {rows} n
        WHERE EXISTS (SELECT FROM exit e WHERE e.investment_id = n.id)
        UNION SELECT r.organization_id FROM funding_round r
        WHERE r.id IN (SELECT round_id FROM {rows})""",
    "exit": """SELECT i.investor_id FROM investment i
        WHERE i.id IN (SELECT investment_id FROM {rows})
        UNION SELECT r.organization_id FROM investment i JOIN funding_round r ON r.id = i.round_id
        WHERE i.id IN (SELECT investment_id FROM {rows})""",
    "acquisition": "SELECT acquirer_id FROM {rows}",
}

CHANGED = r"""
CREATE FUNCTION sg_summary_{table}_changed() RETURNS trigger LANGUAGE plpgsql
SET search_path = public AS $fn$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM sg_organization_summary_refresh(ARRAY({new}));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM sg_organization_summary_refresh(ARRAY({old}));
    ELSE
        PERFORM sg_organization_summary_refresh(ARRAY({new} UNION {old}));
    END IF;
    RETURN NULL;
END
$fn$;
"""

# A changed rate of a currency from a date on changes the USD value of every round in that
# currency dated on or after it (and of every undated one, which takes the latest rate).
FX_CHANGED = r"""
CREATE FUNCTION sg_summary_fx_rate_changed() RETURNS trigger LANGUAGE plpgsql
SET search_path = public AS $fn$
DECLARE
    changed_currencies text[];
    since date;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT currency), min(rate_on) INTO changed_currencies, since
        FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT currency), min(rate_on) INTO changed_currencies, since
        FROM old_rows;
    ELSE
        SELECT array_agg(DISTINCT currency), min(rate_on) INTO changed_currencies, since
        FROM (SELECT currency, rate_on FROM new_rows
              UNION ALL SELECT currency, rate_on FROM old_rows) x;
    END IF;
    IF changed_currencies IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM sg_organization_summary_refresh(ARRAY(
        SELECT DISTINCT r.organization_id FROM funding_round r
        WHERE r.raised_currency = ANY(changed_currencies)
          AND coalesce(r.announced_on, 'infinity'::date) >= since
    ));
    RETURN NULL;
END
$fn$;
"""

ORGANIZATION_DELETED = r"""
CREATE FUNCTION sg_summary_organization_deleted() RETURNS trigger LANGUAGE plpgsql
SET search_path = public AS $fn$
BEGIN
    DELETE FROM organization_summary WHERE organization_id IN (SELECT id FROM old_rows);
    RETURN NULL;
END
$fn$;
"""

WATCHED = ("funding_round", "investment", "exit", "acquisition", "fx_rate")


def _trigger(table: str, event: str, function: str) -> str:
    referencing = {
        "INSERT": "NEW TABLE AS new_rows",
        "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "DELETE": "OLD TABLE AS old_rows",
    }[event]
    return (
        f"CREATE TRIGGER sg_summary_{event.lower()} AFTER {event} ON {table} "
        f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
    )


def upgrade() -> None:
    op.create_table(
        "organization_summary",
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
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
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_organization_summary")),
        comment="Summary figures of each organization (trigger-maintained, migration 0023).",
    )
    # Each ordering's (key, organization) (service/repository/organizations.py).
    op.create_index(
        "ix_organization_summary_raised",
        "organization_summary",
        [sa.text("coalesce(raised_usd_min, -1)"), "organization_id"],
    )
    for name, column in (
        ("rounds", "rounds_count"),
        ("last_round", "last_round_sort"),
        ("investors", "investors_count"),
    ):
        op.create_index(
            f"ix_organization_summary_{name}", "organization_summary", [column, "organization_id"]
        )
    op.execute(COMPUTE)
    op.execute(REFRESH)
    for table, affected in AFFECTED.items():
        op.execute(
            CHANGED.format(
                table=table,
                new=affected.format(rows="new_rows"),
                old=affected.format(rows="old_rows"),
            )
        )
    op.execute(FX_CHANGED)
    op.execute(ORGANIZATION_DELETED)
    op.execute(_trigger("organization", "INSERT", "sg_summary_organization_changed"))
    op.execute(_trigger("organization", "DELETE", "sg_summary_organization_deleted"))
    for table in WATCHED:
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(_trigger(table, event, f"sg_summary_{table}_changed"))
    # What is already stored, summed up once.
    op.execute("SELECT sg_organization_summary_refresh(ARRAY(SELECT id FROM organization))")


def downgrade() -> None:
    for table in WATCHED:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER sg_summary_{event} ON {table}")
    op.execute("DROP TRIGGER sg_summary_insert ON organization")
    op.execute("DROP TRIGGER sg_summary_delete ON organization")
    op.execute(
        "DROP FUNCTION sg_summary_organization_deleted(), sg_summary_fx_rate_changed(), "
        + ", ".join(f"sg_summary_{table}_changed()" for table in AFFECTED)
        + ", sg_organization_summary_refresh(bigint[]), "
        "sg_organization_summary_compute(bigint[])"
    )
    op.drop_table("organization_summary")
