"""EXPLAIN (ANALYZE, BUFFERS) of a request's statements, and what the plans say about access.

Each statement is explained in a transaction set up as the service sets up its reads
(service/db/pool.py ``set_transaction_view``: ``live, public``, or ``asof, public`` with
``stakegraph.as_of``), read-only and repeatable-read, with the service's statement timeout.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from service.db.pool import set_transaction_view

LARGE_TABLE_ROWS = 10_000

# Nodes that read a table's rows; a Bitmap Index Scan only reads the index its heap scan
# then visits, so its rows are not counted again.
_TABLE_SCANS = frozenset(
    {"Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Heap Scan", "Tid Scan", "Tid Range Scan"}
)


@dataclass
class PlanSummary:
    """What the plans of one request read, summed over its statements."""

    statements: int = 0
    rows_read: int = 0  # actual rows of table scans, plus the rows their filters removed
    shared_hit: int = 0
    shared_read: int = 0
    execution_ms: float = 0.0
    seq_scans: list[dict[str, Any]] = field(default_factory=list)  # {table, table_rows, rows}
    access: list[str] = field(default_factory=list)  # "Index Scan ix_...", "Seq Scan on ..."
    errors: list[str] = field(default_factory=list)

    @property
    def large_seq_scans(self) -> list[dict[str, Any]]:
        return [s for s in self.seq_scans if s["table_rows"] > LARGE_TABLE_ROWS]


async def table_rows(conn: asyncpg.Connection) -> dict[str, float]:
    """Estimated rows per table (``reltuples``), by ``schema.table`` and, for ``public``,
    by the bare name too."""
    rows = await conn.fetch(
        "SELECT n.nspname, c.relname, greatest(c.reltuples, 0) AS n FROM pg_class c"
        " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p')"
    )
    out: dict[str, float] = {}
    for row in rows:
        out[f"{row['nspname']}.{row['relname']}"] = float(row["n"])
        if row["nspname"] == "public":
            out[row["relname"]] = float(row["n"])
    return out


def _nodes(node: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield node
    for child in node.get("Plans", ()):
        yield from _nodes(child)


def _relation(node: Mapping[str, Any]) -> str:
    schema, name = node.get("Schema"), node.get("Relation Name", "?")
    return name if schema in (None, "public") else f"{schema}.{name}"


def _rows(count: float) -> str:
    if count >= 1_000_000:
        return f"{count / 1_000_000:.1f}M"
    if count >= 1_000:
        return f"{count / 1_000:.0f}k"
    return f"{count:.0f}"


def summarize(plans: Sequence[Mapping[str, Any]], sizes: Mapping[str, float]) -> PlanSummary:
    """Adds the EXPLAIN (FORMAT JSON) output of each statement into one summary."""
    summary = PlanSummary()
    access: dict[str, None] = {}
    for explained in plans:
        root = explained["Plan"]
        summary.statements += 1
        summary.execution_ms += float(explained.get("Execution Time", 0.0))
        # Buffers are cumulative: the root's count is the statement's, init plans included.
        summary.shared_hit += int(root.get("Shared Hit Blocks", 0))
        summary.shared_read += int(root.get("Shared Read Blocks", 0))
        for node in _nodes(root):
            kind = node.get("Node Type", "")
            loops = float(node.get("Actual Loops", 0))
            if kind in _TABLE_SCANS and loops > 0:
                per_loop = (
                    float(node.get("Actual Rows", 0))
                    + float(node.get("Rows Removed by Filter", 0))
                    + float(node.get("Rows Removed by Index Recheck", 0))
                )
                summary.rows_read += round(per_loop * loops)
            if loops == 0:
                continue  # planned but never run: not an access the request made
            if kind == "Seq Scan":
                relation = _relation(node)
                size = sizes.get(relation, sizes.get(node.get("Relation Name", ""), 0.0))
                summary.seq_scans.append(
                    {
                        "table": relation,
                        "table_rows": size,
                        "rows_read": round(
                            (
                                float(node.get("Actual Rows", 0))
                                + float(node.get("Rows Removed by Filter", 0))
                            )
                            * loops
                        ),
                        "loops": round(loops),
                    }
                )
                suffix = f" ({_rows(size)} rows)" if size > LARGE_TABLE_ROWS else ""
                access[f"Seq Scan on {relation}{suffix}"] = None
            elif kind in ("Index Scan", "Index Only Scan"):
                access[f"{kind} {node.get('Index Name', '?')}"] = None
            elif kind == "Bitmap Index Scan":
                access[f"Bitmap {node.get('Index Name', '?')}"] = None
    summary.access = list(access)
    return summary


async def explain_statements(
    conn: asyncpg.Connection,
    statements: Sequence[tuple[str, Sequence[Any]]],
    *,
    as_of: dt.datetime | None,
    statement_timeout_ms: int,
    seqscan_off: bool,
    serial: bool = False,
) -> tuple[list[dict[str, Any]], list[str]]:
    """The JSON plan of each statement (run for real: ANALYZE), and the errors of those that
    could not be explained. One transaction per statement, so that one timing out does not
    lose the others.

    ``serial`` runs the plan without parallel workers, as a statement run as a row-limited
    portal (asyncpg's ``fetchval``, ``fetchrow``) runs: PostgreSQL runs its Gather nodes in the
    leader alone. The plan stays the one PostgreSQL picks.
    """
    plans: list[dict[str, Any]] = []
    errors: list[str] = []
    for sql, args in statements:
        try:
            async with conn.transaction(isolation="repeatable_read", readonly=True):
                await set_transaction_view(
                    conn, statement_timeout_ms=statement_timeout_ms, as_of=as_of
                )
                if seqscan_off:
                    await conn.execute("SET LOCAL enable_seqscan = off")
                if serial:
                    await conn.execute("SET LOCAL max_parallel_workers = 0")
                raw = await conn.fetchval(
                    "EXPLAIN (ANALYZE, BUFFERS, VERBOSE, FORMAT JSON) " + sql, *args
                )
        except (asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
            continue
        parsed = json.loads(raw) if isinstance(raw, str) else raw
        plans.append(parsed[0])
    return plans, errors
