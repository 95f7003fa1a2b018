"""Summary figures of every organization, kept on write: its rounds, the USD total they raised,
its last round, its investors and leads, the acquisitions it made and the exits it took part in.

``organization_summary`` holds one row per organization. As for the kept USD values (migration
0011), statement-level triggers over transition tables collect the organizations a statement
touched (on ``organization``, ``funding_round``, ``investment``, ``exit``, ``acquisition`` and
``fx_rate``) and ``sg_organization_summary_refresh(orgs)`` recomputes those organizations'
rows whole, in the same transaction, so that the kept figures always equal a computation from
scratch, whatever the writer: mutations, merges, the bulk import, the generator's COPY.

Each figure is one SQL expression, written once (``FIGURES``) and instantiated twice: over
``public`` in ``sg_organization_summary_compute(orgs)``, which the refresh runs (retired rows
are left out by their ``retired_at``), and over the ``asof`` views in
``asof.organization_summary``, which an as-of read joins (its search path puts ``asof`` first),
so that such a read gets the figures as they were at its recorded time.

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
Revises: 0020_usd_refresh_by_row
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023_organization_summary"
down_revision: str | None = "0020_usd_refresh_by_row"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each figure of one organization ``o``, as an expression over the tables of schema ``{s}``:
# the refresh computes them from ``public`` (retired rows left out by their ``retired_at``), the
# as-of view from the ``asof`` views. Scalar subqueries, so that a statement reads only the
# figures it selects, for only the rows it returns (PostgreSQL drops a pulled-up view's unused
# outputs).
_LIVE_ROUNDS = "FROM {s}funding_round fr WHERE fr.organization_id = o.id AND fr.retired_at IS NULL"
# A round's USD value: its amount at the latest rate on or before its date (the latest of all
# when undated), to the cent, as usd_round.raised_usd.
_ROUND_USD = """(SELECT round(fr.raised_amount * f.usd_per_unit, 2) FROM public.fx_rate f
        WHERE f.currency = fr.raised_currency
          AND f.rate_on <= coalesce(fr.announced_on, 'infinity'::date)
        ORDER BY f.rate_on DESC LIMIT 1)"""
_LAST_ROUND = f"{_LIVE_ROUNDS} ORDER BY fr.sort_on DESC, fr.id DESC LIMIT 1"
_INVESTMENTS = (
    "FROM {s}funding_round fr JOIN {s}investment i ON i.round_id = fr.id "
    "WHERE fr.organization_id = o.id AND fr.retired_at IS NULL AND i.retired_at IS NULL"
)
FIGURES: dict[str, str] = {
    "rounds_count": f"(SELECT count(*)::integer {_LIVE_ROUNDS})",
    "unvalued_rounds_count": (
        f"(SELECT count(*)::integer {_LIVE_ROUNDS} AND {_ROUND_USD} IS NULL)"
    ),
    "raised_usd_min": f"(SELECT sum({_ROUND_USD}) {_LIVE_ROUNDS})",
    "raised_usd_max": f"(SELECT sum({_ROUND_USD}) {_LIVE_ROUNDS})",
    "raised_usd_estimated": (
        f"coalesce((SELECT bool_or(fr.raised_estimated) {_LIVE_ROUNDS}"
        f" AND {_ROUND_USD} IS NOT NULL), false)"
    ),
    "last_round_id": f"(SELECT fr.id {_LAST_ROUND})",
    "last_round_on": f"(SELECT fr.announced_on {_LAST_ROUND})",
    "last_round_precision": f"(SELECT fr.announced_precision::varchar(8) {_LAST_ROUND})",
    "last_round_sort": f"coalesce((SELECT max(fr.sort_on) {_LIVE_ROUNDS}), '0001-01-01'::date)",
    "investors_count": f"(SELECT count(DISTINCT i.investor_id)::integer {_INVESTMENTS})",
    "leads_count": (
        f"(SELECT count(DISTINCT i.investor_id)::integer {_INVESTMENTS} AND i.is_lead)"
    ),
    "acquisitions_count": """(SELECT count(*)::integer FROM {s}acquisition q
        WHERE q.acquirer_id = o.id AND q.retired_at IS NULL AND q.status <> 'CANCELLED')""",
    # Two indexed paths (as investor, as investee), united: an OR across the join is not one.
    "exits_count": """(SELECT count(*)::integer FROM (
        SELECT e.id FROM {s}exit e
        JOIN {s}investment i ON i.id = e.investment_id
        JOIN {s}funding_round fr ON fr.id = i.round_id
        WHERE i.investor_id = o.id
          AND e.retired_at IS NULL AND i.retired_at IS NULL AND fr.retired_at IS NULL
        UNION
        SELECT e.id FROM {s}funding_round fr
        JOIN {s}investment i ON i.round_id = fr.id
        JOIN {s}exit e ON e.investment_id = i.id
        WHERE fr.organization_id = o.id
          AND e.retired_at IS NULL AND i.retired_at IS NULL AND fr.retired_at IS NULL
    ) both_sides)""",
}


def _figures(schema: str) -> str:
    return ",\n       ".join(
        f"{sql.format(s=schema)} AS {name}" for name, sql in FIGURES.items()
    )


COMPUTE = f"""
CREATE FUNCTION sg_organization_summary_compute(orgs bigint[])
RETURNS TABLE (organization_id bigint, rounds_count integer, unvalued_rounds_count integer,
               raised_usd_min numeric, raised_usd_max numeric, raised_usd_estimated boolean,
               last_round_id bigint, last_round_on date, last_round_precision varchar(8),
               last_round_sort date, investors_count integer, leads_count integer,
               acquisitions_count integer, exits_count integer)
LANGUAGE sql STABLE AS $fn$
SELECT o.id,
       {_figures("public.")}
FROM unnest(orgs) AS o(id)
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

# What an as-of read joins: the same figures from the asof views, for each organization as it
# is read. One relation with scalar subqueries: joined on its key, it is a primary-key probe,
# dropped by a statement that uses none of its columns (a count), and its figures are computed
# only for the rows a statement returns.
AS_OF_VIEW = f"""
CREATE VIEW asof.organization_summary AS
SELECT o.id AS organization_id,
       {_figures("asof.")}
FROM public.organization o
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
    op.execute(AS_OF_VIEW)
    # What is already stored, summed up once.
    op.execute("SELECT sg_organization_summary_refresh(ARRAY(SELECT id FROM organization))")


def downgrade() -> None:
    op.execute("DROP VIEW asof.organization_summary")
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
