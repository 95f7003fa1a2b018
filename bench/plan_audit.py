"""Plan audit: every list query shape of the schema, timed and explained on both read paths.

    STAKEGRAPH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/sg_bench_100k \\
        .venv/bin/python -m bench.plan_audit [--runs 5] [--only investments] [--limit 50] \\
        [--paths compiled,resolvers] [--seqscan-off] [--list]

The shapes come from the schema (bench/plan_shapes.py), their values from the data
(bench/plan_samples.py). Each shape runs in-process through the ASGI app, on the compiled path
(one SQL statement) and on the resolvers (the app with the compiler off); the response must have
no errors and the ``X-Stakegraph-Executor`` header says who answered. p50 is over ``--runs``
single requests after one warm-up. The compiled statement comes from the compiler itself, the
resolvers' statements are recorded from the pool's connections as they run; each is explained
with EXPLAIN (ANALYZE, BUFFERS) in a transaction set up as the service's reads are. The compiled
statement is explained without parallel workers: the service runs it with asyncpg's
``fetchval``, whose row-limited portal PostgreSQL never runs in parallel.

Budgets (p50): 20 ms for a page, 100 ms with ``totalCount``; ``asOf`` reads go over the
history views and get 100 ms, 200 ms with ``totalCount``. The markdown table is printed worst
first (errors, then by p50 over budget), all of it written to ``bench/results/plan_audit.md``,
and the whole result as JSON to ``bench/results/plan_audit.json`` (git-ignored).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import statistics
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from fastapi import FastAPI

from bench.plan_explain import explain_statements, summarize, table_rows
from bench.plan_samples import collect_samples, samples_json
from bench.plan_shapes import Shape, enumerate_shapes
from service.app import create_app
from service.compiler.fields import TYPES
from service.compiler.plan import Compiler
from service.config import Settings
from service.db.pool import LIVE_SEARCH_PATH
from service.db.server import resolve_database_url
from service.db.urls import asyncpg_dsn
from service.schema import build_schema

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results" / "plan_audit.json"
MARKDOWN = BENCH / "results" / "plan_audit.md"
PATHS = ("compiled", "resolvers")

PAGE_BUDGET_MS = 20.0
COUNT_BUDGET_MS = 100.0
AS_OF_BUDGET_MS = 100.0
AS_OF_COUNT_BUDGET_MS = 200.0
# A shape already this slow is not repeated --runs times: the verdict would not change, and
# the whole audit has to finish on a shared two-core machine.
MAX_SECONDS_PER_SHAPE_AND_PATH = 5.0


def budget(shape: Shape) -> float:
    if shape.as_of is not None:
        return AS_OF_COUNT_BUDGET_MS if shape.total_count else AS_OF_BUDGET_MS
    return COUNT_BUDGET_MS if shape.total_count else PAGE_BUDGET_MS


# -- recording the resolvers' statements -------------------------------------------------------


class RecordingPool:
    """The app's pool, recording each statement with its parameters while ``log`` is a list.

    The service's statement log keeps SQL text only (and switches the compiler off); asyncpg's
    query logger sees the arguments too. Loggers are dropped when a connection goes back to the
    pool, so one is attached on every acquire.
    """

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self.log: list[tuple[str, tuple[Any, ...]]] | None = None

    def _record(self, record: Any) -> None:
        if self.log is not None:
            self.log.append((record.query, tuple(record.args or ())))

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[Any]:
        async with self._pool.acquire() as conn:
            conn.add_query_logger(self._record)
            try:
                yield conn
            finally:
                conn.remove_query_logger(self._record)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pool, name)


def _is_read(sql: str) -> bool:
    """The statements worth explaining: the request's reads, not BEGIN, the transaction's
    set_config, or asyncpg's own look-ups of type codecs in pg_catalog."""
    head = sql.lstrip().upper()
    if not head.startswith(("SELECT", "WITH")) or head.startswith("SELECT SET_CONFIG("):
        return False
    return "PG_CATALOG." not in head


@dataclass
class Target:
    name: str
    app: FastAPI
    client: httpx.AsyncClient
    pool: RecordingPool


@asynccontextmanager
async def _target(name: str, url: str, settings: Settings) -> AsyncIterator[Target]:
    app = create_app(settings, database_url=url)
    async with app.router.lifespan_context(app):
        pool = RecordingPool(app.state.pool)
        app.state.pool = pool
        try:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://audit", timeout=120
            ) as client:
                yield Target(name, app, client, pool)
        finally:
            # The lifespan closes the pool it created.
            app.state.pool = pool._pool


class RequestError(RuntimeError):
    pass


async def _post(
    target: Target, document: str, variables: Mapping[str, Any]
) -> tuple[dict[str, Any], str | None, float]:
    started = time.perf_counter()
    response = await target.client.post(
        "/graphql", json={"query": document, "variables": dict(variables)}
    )
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RequestError(f"HTTP {response.status_code}: {response.text[:300]}")
    body: dict[str, Any] = response.json()
    if body.get("errors"):
        raise RequestError(json.dumps(body["errors"])[:500])
    if body.get("data") is None:
        raise RequestError("no data")
    return body["data"], response.headers.get("x-stakegraph-executor"), elapsed


# -- one shape ---------------------------------------------------------------------------------


@dataclass
class Result:
    shape: str
    category: str
    connection: str
    path: str
    executor: str | None = None
    p50_ms: float | None = None
    runs_ms: list[float] = field(default_factory=list)
    budget_ms: float = 0.0
    verdict: str = "ok"
    statements: int = 0
    rows_read: int = 0
    shared_hit: int = 0
    shared_read: int = 0
    explain_ms: float = 0.0
    seq_scans: list[dict[str, Any]] = field(default_factory=list)
    access: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    document: str = ""
    variables: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return (self.p50_ms or 0.0) / self.budget_ms if self.budget_ms else 0.0

    @property
    def large_seq_scans(self) -> list[dict[str, Any]]:
        return [s for s in self.seq_scans if s["table_rows"] > 10_000]


class Auditor:
    def __init__(
        self,
        targets: Mapping[str, Target],
        compiler: Compiler,
        explain_conn: asyncpg.Connection,
        sizes: Mapping[str, float],
        args: argparse.Namespace,
        statement_timeout_ms: int,
    ) -> None:
        self.targets = targets
        self.compiler = compiler
        self.explain_conn = explain_conn
        self.sizes = sizes
        self.args = args
        self.statement_timeout_ms = statement_timeout_ms

    async def _cursor(self, shape: Shape) -> dict[str, Any] | None:
        """The shape's variables with its cursor from a real first page (None: too short)."""
        source = shape.cursor
        if source is None:
            return dict(shape.variables)
        target = self.targets.get("compiled") or next(iter(self.targets.values()))
        data, _, _ = await _post(target, source.document, source.variables)
        node: Any = data
        for key in source.path:
            node = node.get(key) if isinstance(node, dict) else None
        edges = node.get("edges", []) if isinstance(node, dict) else []
        if len(edges) < 2:
            return None
        return {**shape.variables, source.variable: edges[len(edges) // 2]["cursor"]}

    async def run(self, shape: Shape) -> list[Result]:
        results: list[Result] = []
        try:
            variables = await self._cursor(shape)
        except RequestError as exc:
            variables, failure = None, str(exc)
        else:
            failure = (
                "the list has fewer than 2 items: no middle cursor" if variables is None else ""
            )
        for path in self.args.paths:
            result = Result(shape.name, shape.category, shape.connection, path)
            result.budget_ms = budget(shape)
            result.document = shape.document
            result.variables = variables if variables is not None else dict(shape.variables)
            if shape.as_of is not None and path == "compiled":
                # GuardedCompiledReads sends every asOf request to the resolvers: the
                # resolvers' row is the only one to measure.
                continue
            if variables is None:
                result.verdict = "skipped"
                result.notes.append(failure)
                results.append(result)
                continue
            await self._measure(shape, result, self.targets[path], variables)
            results.append(result)
        return results

    async def _measure(
        self, shape: Shape, result: Result, target: Target, variables: dict[str, Any]
    ) -> None:
        target.pool.log = []
        try:
            _, executor, _ = await _post(target, shape.document, variables)  # warm-up
        except RequestError as exc:
            result.verdict = "error"
            result.notes.append(str(exc))
            return
        finally:
            await asyncio.sleep(0)  # asyncpg calls query loggers soon, not at once
            captured, target.pool.log = target.pool.log or [], None
        result.executor = executor
        if result.path == "compiled" and executor != "compiled":
            result.notes.append("the compiler fell back to the resolvers")
        spent = 0.0
        for _ in range(self.args.runs):
            _, executor, elapsed = await _post(target, shape.document, variables)
            result.runs_ms.append(round(elapsed, 2))
            spent += elapsed / 1000
            if spent > MAX_SECONDS_PER_SHAPE_AND_PATH:
                result.notes.append(f"stopped after {len(result.runs_ms)} runs (slow)")
                break
        result.p50_ms = round(statistics.median(result.runs_ms), 2)
        if result.p50_ms > result.budget_ms:
            result.verdict = "over"
        await self._explain(shape, result, variables, captured)

    async def _explain(
        self,
        shape: Shape,
        result: Result,
        variables: dict[str, Any],
        captured: Sequence[tuple[str, tuple[Any, ...]]],
    ) -> None:
        statements: list[tuple[str, Sequence[Any]]]
        planned = None
        if result.path == "compiled" and result.executor == "compiled":
            planned = self.compiler.plan(shape.document, None, variables)
        if planned is not None:
            plan, arguments = planned
            statements = [(plan.sql, arguments)]
        else:
            statements = [(sql, args) for sql, args in captured if _is_read(sql)]
        as_of = dt.datetime.fromisoformat(shape.as_of) if shape.as_of is not None else None
        plans, errors = await explain_statements(
            self.explain_conn,
            statements,
            as_of=as_of,
            statement_timeout_ms=self.statement_timeout_ms,
            seqscan_off=self.args.seqscan_off,
            serial=planned is not None,
        )
        summary = summarize(plans, self.sizes)
        result.statements = len(statements)
        result.rows_read = summary.rows_read
        result.shared_hit = summary.shared_hit
        result.shared_read = summary.shared_read
        result.explain_ms = round(summary.execution_ms, 2)
        result.seq_scans = summary.seq_scans
        result.access = summary.access
        result.notes.extend(f"EXPLAIN failed: {e[:200]}" for e in errors)


# -- the report --------------------------------------------------------------------------------


def _order_key(result: Result) -> tuple[int, float]:
    rank = {"error": 0, "over": 1, "ok": 2, "skipped": 3}.get(result.verdict, 2)
    return (rank, -result.ratio)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _seq(result: Result) -> str:
    scans: dict[str, None] = {}
    for scan in result.large_seq_scans:
        scans[f"{scan['table']} ({scan['table_rows']:,.0f})"] = None
    return ", ".join(scans) or "-"


def markdown(results: Sequence[Result], top: int | None = None) -> str:
    rows = sorted(results, key=_order_key)
    if top:
        rows = rows[:top]
    lines = [
        "| # | shape | path | p50 ms | budget | verdict | rows read | buffers hit+read "
        "| seq scans (>10k rows) | access paths |",
        "|---:|---|---|---:|---:|---|---:|---:|---|---|",
    ]
    for i, r in enumerate(rows, 1):
        p50 = f"{r.p50_ms:.1f}" if r.p50_ms is not None else "-"
        verdict = r.verdict.upper() if r.verdict != "ok" else "ok"
        if r.executor and r.path == "compiled" and r.executor != "compiled":
            verdict += " (fell back)"
        access = ", ".join(a for a in r.access if not a.startswith("Seq Scan")) or "-"
        lines.append(
            f"| {i} | {_cell(r.shape)} | {r.path} | {p50} | {r.budget_ms:.0f} | {verdict} "
            f"| {r.rows_read:,} | {r.shared_hit + r.shared_read:,} | {_cell(_seq(r))} "
            f"| {_cell(access)} |"
        )
    return "\n".join(lines)


def summary_lines(shapes: Sequence[Shape], results: Sequence[Result]) -> str:
    per_category = Counter(s.category for s in shapes)
    lines = ["| category | shapes |", "|---|---:|"]
    lines += [f"| {c} | {n} |" for c, n in per_category.items()]
    lines.append(f"| **total** | {len(shapes)} |")
    verdicts = Counter((r.path, r.verdict) for r in results)
    seq = Counter(r.path for r in results if r.large_seq_scans)
    lines += ["", "| path | ok | over | error | skipped | with a seq scan of a large table |"]
    lines.append("|---|---:|---:|---:|---:|---:|")
    for path in dict.fromkeys(r.path for r in results):
        counts = [verdicts[(path, v)] for v in ("ok", "over", "error", "skipped")]
        lines.append(f"| {path} | {' | '.join(map(str, counts))} | {seq[path]} |")
    return "\n".join(lines)


# -- main --------------------------------------------------------------------------------------


async def audit(args: argparse.Namespace) -> int:
    url = args.database_url or resolve_database_url()
    compiled_settings = Settings.model_validate({"compiler": True})
    resolver_settings = Settings.model_validate({"compiler": False})
    strawberry_schema = build_schema(compiled_settings)
    schema = strawberry_schema._schema
    compiler = Compiler(strawberry_schema, compiled_settings)
    explain_conn = await asyncpg.connect(
        asyncpg_dsn(url), server_settings={"search_path": LIVE_SEARCH_PATH, "TimeZone": "UTC"}
    )
    try:
        async with (
            _target("compiled", url, compiled_settings) as compiled,
            _target("resolvers", url, resolver_settings) as resolvers,
        ):
            targets = {"compiled": compiled, "resolvers": resolvers}

            async def gql(document: str, variables: Mapping[str, Any]) -> dict[str, Any]:
                data, _, _ = await _post(compiled, document, variables)
                return data

            started = time.perf_counter()
            samples = await collect_samples(explain_conn, gql, schema)
            print(f"samples drawn in {time.perf_counter() - started:.1f}s", file=sys.stderr)
            known = {name: set(spec.fields) for name, spec in TYPES.items()}
            enumeration = enumerate_shapes(schema, samples, known_fields=known)
            shapes = [
                s
                for s in enumeration.shapes
                if args.only in s.name and (not args.category or s.category == args.category)
            ]
            if args.limit:
                shapes = shapes[: args.limit]
            if args.list:
                for s in shapes:
                    print(f"{s.category:12} {s.name}")
                print(summary_lines(shapes, []))
                for where, leaf, reason in enumeration.skipped:
                    print(f"skipped: {where} {leaf}: {reason}")
                return 0
            sizes = await table_rows(explain_conn)
            auditor = Auditor(
                {p: targets[p] for p in args.paths},
                compiler,
                explain_conn,
                sizes,
                args,
                compiled_settings.statement_timeout_ms,
            )
            results: list[Result] = []
            for i, shape in enumerate(shapes, 1):
                for result in await auditor.run(shape):
                    results.append(result)
                    p50 = f"{result.p50_ms:8.1f}" if result.p50_ms is not None else "       -"
                    print(
                        f"[{i}/{len(shapes)}] {result.path:9} {p50} ms {result.verdict:7} "
                        f"{shape.name}",
                        file=sys.stderr,
                        flush=True,
                    )
            elapsed = time.perf_counter() - started
    finally:
        await explain_conn.close()

    summary = summary_lines(shapes, results)
    print(summary + "\n\n" + markdown(results, args.top))
    # The file keeps every row: at a few thousand rows the terminal is not where to read them.
    _write(Path(args.markdown), summary + "\n\n" + markdown(results))
    report = {
        "database": url.rsplit("/", 1)[-1],
        "generated_at": dt.datetime.now(dt.UTC).isoformat(),
        "seconds": round(elapsed, 1),
        "settings": {
            "runs": args.runs,
            "paths": args.paths,
            "seqscan_off_in_explain": args.seqscan_off,
            "only": args.only,
            "category": args.category,
            "limit": args.limit,
        },
        "budgets_ms": {
            "page": PAGE_BUDGET_MS,
            "totalCount": COUNT_BUDGET_MS,
            "asOf": AS_OF_BUDGET_MS,
            "asOf totalCount": AS_OF_COUNT_BUDGET_MS,
        },
        "shapes_per_category": dict(Counter(s.category for s in shapes)),
        "skipped_leaves": [list(s) for s in enumeration.skipped],
        "samples": samples_json(samples),
        "results": [asdict(r) for r in sorted(results, key=_order_key)],
    }
    _write(Path(args.json), json.dumps(report, indent=1, default=str, ensure_ascii=False))
    print(f"\nJSON: {args.json}, table: {args.markdown}", file=sys.stderr)
    return 0


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: STAKEGRAPH_DATABASE_URL")
    parser.add_argument("--runs", type=int, default=5, help="timed requests per shape and path")
    parser.add_argument("--only", default="", help="only shapes whose name contains this")
    parser.add_argument("--category", default="", help="only shapes of this category (leaf, ...)")
    parser.add_argument("--limit", type=int, default=0, help="at most this many shapes")
    parser.add_argument("--paths", default=",".join(PATHS), help="compiled,resolvers")
    parser.add_argument(
        "--seqscan-off", action="store_true", help="SET enable_seqscan = off while explaining"
    )
    parser.add_argument("--list", action="store_true", help="print the shapes and exit")
    parser.add_argument("--top", type=int, default=0, help="print only the worst N rows")
    parser.add_argument("--json", default=str(RESULTS), help="where to write the JSON report")
    parser.add_argument("--markdown", default=str(MARKDOWN), help="where to write the table")
    args = parser.parse_args(argv)
    args.paths = [p for p in args.paths.split(",") if p]
    if not args.paths or set(args.paths) - set(PATHS):
        parser.error(f"--paths takes {', '.join(PATHS)}")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return asyncio.run(audit(args))


if __name__ == "__main__":
    raise SystemExit(main())
