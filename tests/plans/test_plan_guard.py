"""The plan guard: every list shape the schema allows reads through indexes, on both paths.

The shapes come from the schema (bench/plan_shapes.py), so a new filter, ordering or
connection is guarded as soon as it exists. Each shape runs on the generated database of
tests/plans/conftest.py and each of its statements is explained with EXPLAIN (ANALYZE,
BUFFERS) under ``enable_seqscan = off``: a sequential scan of a large table that remains has
no index to serve it. And the rows the plan reads are bounded per shape, so that an index
walked end to end under a filter fails too. Counts, never timings.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from bench.plan_explain import PlanSummary, explain_statements, summarize
from bench.plan_shapes import Shape, child_connections, root_lists
from bench.plan_targets import is_read, post, shape_variables
from service.config import Settings
from service.schema import build_schema
from tests.plans.conftest import PlanRun

# A table larger than this is one a request must not scan whole (at the guard's scale the
# small ones — currencies, credit types, events — are read whole by any plan, cheaply).
LARGE_TABLE_ROWS = 1_000
# Rows a plan may read per object it returns (the object, its to-one rows, FX look-ups of its
# money fields) and per statement; a count may read every row it counts.
ROWS_PER_OBJECT = 40
ROWS_PER_STATEMENT = 200
# Beyond that, a plan may read this share of its largest table: a filter that leaves a page
# short (a rare value, the largest investor's whole portfolio to sort) reads more than a page,
# but never the whole table.
SHARE_OF_LARGEST_TABLE = 0.25

_SCHEMA = build_schema(Settings())._schema
CONNECTIONS = sorted(
    {lst.coordinate for lst in root_lists(_SCHEMA)}
    | {lst.coordinate for lst in child_connections(_SCHEMA)}
)


def _objects(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + sum(_objects(v) for v in value.values())
    if isinstance(value, list):
        return sum(_objects(v) for v in value)
    return 0


def _counted(value: Any) -> Iterator[int]:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "totalCount" and isinstance(inner, int):
                yield inner
            else:
                yield from _counted(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _counted(inner)


def _bound(data: dict[str, Any], summary: PlanSummary, sizes: dict[str, float]) -> int:
    largest = max((size for size in sizes.values()), default=0.0)
    return round(
        ROWS_PER_OBJECT * (_objects(data) + 1)
        + ROWS_PER_STATEMENT * summary.statements
        + sum(_counted(data))
        + SHARE_OF_LARGEST_TABLE * largest
    )


def _read_tables(summary: PlanSummary, sizes: dict[str, float]) -> dict[str, float]:
    return {a: sizes.get(a, 0.0) for a in summary.access}


async def _check(run: PlanRun, shape: Shape, path: str) -> list[str]:
    """What is wrong with the shape's plans on one path (nothing: an empty list)."""
    app = run.targets[path]
    variables = await shape_variables(run.targets["compiled"], shape)
    if variables is None:
        return []  # too short a list for a middle cursor: nothing to page from
    app.pool.log = []
    try:
        data, executor, _ = await post(app, shape.document, variables)
    finally:
        await asyncio.sleep(0)  # asyncpg calls query loggers soon, not at once
        captured, app.pool.log = app.pool.log or [], None
    if path == "compiled":
        if executor != "compiled":
            return []  # the resolvers answered it: their row guards it
        planned = run.compiler.plan(shape.document, None, variables)
        assert planned is not None
        statements: list[tuple[str, Any]] = [(planned[0].sql, planned[1])]
    else:
        statements = [(sql, args) for sql, args in captured if is_read(sql)]
    as_of = dt.datetime.fromisoformat(shape.as_of) if shape.as_of is not None else None
    plans, errors = await explain_statements(
        run.conn,
        statements,
        as_of=as_of,
        statement_timeout_ms=run.statement_timeout_ms,
        seqscan_off=True,
    )
    summary = summarize(plans, run.sizes)
    problems = [f"EXPLAIN failed: {e}" for e in errors]
    sizes = {k: v for k, v in run.sizes.items() if k.split(".")[-1] in _tables_of(plans)}
    bound = _bound(data, summary, sizes)
    scanned = {s["table"] for s in summary.seq_scans if s["table_rows"] > LARGE_TABLE_ROWS}
    # Counting a whole table reads all of it, and no index does that for less: a count may
    # scan, as long as it reads no more than it counts.
    if scanned and not (shape.total_count and summary.rows_read <= bound):
        problems.append(f"Seq Scan on {', '.join(sorted(scanned))}")
    if summary.rows_read > bound:
        problems.append(f"read {summary.rows_read:,} rows, bound {bound:,}")
    return [f"{path}: {shape.name}: {p} ({', '.join(summary.access)})" for p in problems]


def _tables_of(plans: list[dict[str, Any]]) -> set[str]:
    found: set[str] = set()

    def walk(node: dict[str, Any]) -> None:
        if "Relation Name" in node:
            found.add(node["Relation Name"])
        for child in node.get("Plans", ()):
            walk(child)

    for plan in plans:
        walk(plan["Plan"])
    return found


def _kept(shape: Shape) -> bool:
    default = shape.name.endswith("default order")
    if shape.category == "leaf":
        # The rarest value is the one an ordered index walk reads furthest for. A substring
        # (``contains``) is read through a trigram index whose selectivity PostgreSQL 15
        # misjudges on a table this small (it walks the names instead, as it does not at
        # 100,000 organizations): the audit covers it at scale (docs/performance.md).
        return default and "(commonest)" not in shape.name and ".contains=" not in shape.name
    if shape.category == "not":
        # NOT of a list holding the commonest value (nearly every row has it) matches nearly
        # nothing: a page of it reads the whole list whatever the indexes (docs/performance.md).
        return '.in=["' not in shape.name
    if shape.category in ("after", "last", "nested", "asof order"):
        return default
    if shape.category in ("count", "asof count"):
        return "=" not in shape.name  # unfiltered
    return shape.category not in ("asof leaf", "before", "typical")


def guarded(shapes: list[Shape]) -> list[Shape]:
    """The shapes the suite runs, within its time: every ordering unfiltered; every filter
    leaf alone (its rarest value, and several rows for a relation), negated, and the first
    pair under ``and`` and ``or``, in the default order (the orderings are covered
    unfiltered); paging on from the middle and the last page; counts unfiltered; every child
    connection on its largest parent and nested under each root list; asOf unfiltered. The
    100,000-organization audit runs them all (bench/plan_audit.py)."""
    chosen: list[Shape] = []
    pairs: set[tuple[str, str]] = set()
    for shape in shapes:
        if shape.category in ("and", "or"):
            if (shape.connection, shape.category) in pairs:
                continue
            pairs.add((shape.connection, shape.category))
        elif not _kept(shape):
            continue
        chosen.append(shape)
    return chosen


@pytest.mark.parametrize("connection", CONNECTIONS)
async def test_every_shape_reads_through_indexes(plan_run: PlanRun, connection: str) -> None:
    shapes = guarded(plan_run.shapes.get(connection, []))
    problems: list[str] = []
    for shape in shapes:
        for path in ("compiled", "resolvers"):
            if path == "compiled" and shape.as_of is not None:
                continue  # asOf reads are the resolvers' (GuardedCompiledReads)
            problems.extend(await _check(plan_run, shape, path))
    assert not problems, f"{len(problems)} of {len(shapes)} shapes:\n" + "\n".join(problems)
