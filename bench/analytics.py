"""p50/p99 of search and every analytic through the GraphQL API, with the plans behind them.

    STAKEGRAPH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/analytics.py --orgs 100000 --seed 7

Without ``--database`` a new database is created on the server the URL names (from template0,
UTF-8 ctype), migrated, given the article dataset and ``--orgs`` generated organizations, then
dropped (``--keep`` keeps it), with ``--namesakes K`` of them named after each article
organization (the search's hardest case); ``--database NAME`` reuses a populated one. Each
analytic runs as its named operation from graphql/operations/ through the real app in-process
(resolvers, loaders, SQL), one request at a time, over parameters drawn from the data (busy
and ordinary investors, start-ups funded in kind, cloud providers, random organization pairs,
judged search queries and generated names). Then each analytic's statements run under
``EXPLAIN (ANALYZE, BUFFERS)`` and the indexes they use are listed; ``--plans FILE`` writes the
full plans.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import re
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from service.analytics import consideration, network, portfolio, search, series
from service.analytics.common import Period
from service.db import migrate
from service.db.server import resolve_database_url
from service.db.urls import asyncpg_dsn, with_database
from service.repository.db import Db
from service.repository.rounds import FUNDING_ROUND
from tests.analytics.judged_queries import JUDGED

OPERATIONS = Path(__file__).resolve().parents[1] / "graphql" / "operations"
# Plans read no larger table than this whole without it being worth a note.
SMALL_TABLE_ROWS = 10_000


@dataclass
class Params:
    investors: list[str]
    busiest: list[str]
    startups: list[str]
    providers: list[str]
    pairs: list[tuple[str, str]]
    queries: list[str]


async def _params(conn: asyncpg.Connection, rng: random.Random) -> Params:
    investors = [r["slug"] for r in await conn.fetch(
        "SELECT o.slug FROM organization o WHERE EXISTS "
        "(SELECT 1 FROM investment i WHERE i.investor_id = o.id) ORDER BY o.id"
    )]  # fmt: skip
    busiest = [r["slug"] for r in await conn.fetch(
        "SELECT o.slug FROM investment i JOIN organization o ON o.id = i.investor_id "
        "GROUP BY o.slug ORDER BY count(*) DESC, o.slug LIMIT 5"
    )]  # fmt: skip
    startups = [r["slug"] for r in await conn.fetch(
        "SELECT DISTINCT o.slug FROM consideration_component c "
        "JOIN investment i ON i.id = c.investment_id JOIN funding_round r ON r.id = i.round_id "
        "JOIN organization o ON o.id = r.organization_id "
        "WHERE c.provider_id IS NOT NULL OR c.spend_restricted_to_id IS NOT NULL ORDER BY 1"
    )]  # fmt: skip
    providers = [r["slug"] for r in await conn.fetch(
        "SELECT DISTINCT o.slug FROM consideration_component c "
        "JOIN organization o ON o.id = c.provider_id ORDER BY 1"
    )]  # fmt: skip
    orgs = [r["slug"] for r in await conn.fetch("SELECT slug FROM organization ORDER BY id")]
    names = [r["value"] for r in await conn.fetch(
        "SELECT value FROM organization_name ORDER BY id"
    )]  # fmt: skip
    sample = [rng.choice(names) for _ in range(40)]
    # Typos: drop one character of a Latin generated name.
    typos = [n[:i] + n[i + 1 :] for n in sample[:20] if n.isascii() and len(n) > 5
             for i in [rng.randrange(1, len(n) - 1)]]  # fmt: skip
    return Params(
        investors=rng.sample(investors, min(40, len(investors))),
        busiest=busiest,
        startups=rng.sample(startups, min(40, len(startups))),
        providers=providers,
        pairs=[(rng.choice(orgs), rng.choice(orgs)) for _ in range(40)],
        queries=[q for q, _, _ in JUDGED] + sample + typos,
    )


def _workload(p: Params, rng: random.Random) -> dict[str, Callable[[], dict[str, Any]]]:
    """Per analytic: a function drawing one request's variables."""
    years = [(f"{y}-01-01", f"{y}-12-31") for y in range(2015, 2026)]

    def period() -> dict[str, str]:
        start, end = rng.choice(years)
        return {"gte": start, "lte": end}

    def mix() -> dict[str, Any]:
        r = rng.random()
        if r < 0.4:
            return {"investor": rng.choice(p.investors), "organization": None}
        if r < 0.7:
            return {"investor": None, "organization": rng.choice(p.startups)}
        if r < 0.9:
            return {"investor": None, "organization": None, "provider": rng.choice(p.providers)}
        return {"investor": None, "organization": None, "period": period()}

    return {
        "search": lambda: {"query": rng.choice(p.queries), "first": 10},
        "considerationMix": mix,
        "roundTripExposure": lambda: {"provider": rng.choice(p.providers)},
        "dependencies": lambda: {"startup": rng.choice(p.startups)},
        "coInvestors": lambda: {"organization": rng.choice(p.investors + p.busiest)},
        "investmentPath": lambda: dict(zip(("from", "to"), rng.choice(p.pairs), strict=True)),
        "portfolio": lambda: {"investor": rng.choice(p.investors + p.busiest)},
        "fundingTimeSeries (quarter, 1 year)": lambda: {"interval": "QUARTER", "period": period()},
        # The whole history with its non-cash share exceeds the 15 s statement timeout at this
        # size (see the README); five years is what is measured.
        "fundingTimeSeries (year, 5 years)": lambda: {
            "interval": "YEAR",
            "period": {"gte": "2020-01-01", "lte": "2024-12-31"},
        },
        "investorLeagueTables (year)": lambda: {
            "interval": "YEAR",
            "rankBy": rng.choice(["COUNT", "AMOUNT", "LEADS"]),
            "period": period(),
        },
    }


OPERATION_OF = {
    "search": "Search",
    "considerationMix": "ConsiderationMix",
    "roundTripExposure": "RoundTripExposure",
    "dependencies": "StartupDependencies",
    "coInvestors": "CoInvestors",
    "investmentPath": "InvestmentPath",
    "portfolio": "InvestorPortfolio",
    "fundingTimeSeries (quarter, 1 year)": "FundingTimeSeries",
    "fundingTimeSeries (year, 5 years)": "FundingTimeSeries",
    "investorLeagueTables (year)": "InvestorLeagueTables",
}


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _time_requests(
    url: str, workload: dict[str, Callable[[], dict[str, Any]]], runs: int
) -> tuple[dict[str, list[float]], dict[str, int]]:
    from service.app import create_app

    app = create_app(database_url=url)
    timings: dict[str, list[float]] = {}
    failures: dict[str, int] = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for name, draw in workload.items():
                operation = OPERATION_OF[name]
                document = (OPERATIONS / f"{operation}.graphql").read_text()
                samples: list[float] = []
                failures[name] = 0
                for i in range(runs + 5):
                    payload = {"query": document, "variables": draw(), "operationName": operation}
                    started = time.perf_counter()
                    response = await client.post("/graphql", json=payload)
                    elapsed = time.perf_counter() - started
                    body = response.json()
                    codes = {e.get("extensions", {}).get("code") for e in body.get("errors", [])}
                    if codes - {"TIMEOUT"} or response.status_code != 200:
                        raise RuntimeError(f"{name}: {json.dumps(body)[:500]}")
                    if i >= 5:  # the first requests warm caches and the pool
                        samples.append(elapsed * 1000)
                        # A request cancelled by the statement timeout counts at its time.
                        failures[name] += bool(codes)
                timings[name] = samples
    return timings, failures


class Recorder(Db):
    """Keeps every statement with its arguments, to explain afterwards."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        super().__init__(conn)
        self.calls: list[tuple[str, list[Any]]] = []

    async def fetch_sql(self, sql: str, args: Sequence[Any] = ()) -> list[asyncpg.Record]:
        self.calls.append((sql, list(args)))
        return await super().fetch_sql(sql, args)


async def _explain(
    url: str, p: Params
) -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, str]]:
    """Runs each analytic once with a recorder, then EXPLAIN ANALYZE on its statements."""
    one_year = Period(dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    five_years = Period(dt.date(2020, 1, 1), dt.date(2024, 12, 31))
    runs: dict[str, Callable[[Db], Awaitable[object]]] = {
        "search": lambda db: search.search(db, "alibba", None, 10),
        "considerationMix": lambda db: consideration.consideration_mix(
            db, consideration.MixScope(investors=[p.busiest[0]]), 10
        ),
        "roundTripExposure": lambda db: consideration.round_trip(db, p.providers[0], Period(), 20),
        "dependencies": lambda db: consideration.dependencies(db, p.startups[0], 20),
        "coInvestors": lambda db: network.co_investors(db, p.busiest[0], 20),
        "investmentPath": lambda db: network.shortest_path(db, *p.pairs[0], 4),
        "portfolio": lambda db: portfolio.portfolio(db, p.busiest[0], 20),
        "fundingTimeSeries (quarter, 1 year)": lambda db: series.funding_series(
            db, FUNDING_ROUND.filtered(None), series.Interval.QUARTER, one_year
        ),
        "fundingTimeSeries (year, 5 years)": lambda db: series.funding_series(
            db, FUNDING_ROUND.filtered(None), series.Interval.YEAR, five_years
        ),
        "investorLeagueTables (year)": lambda db: series.league_tables(
            db,
            FUNDING_ROUND.filtered(None),
            series.Interval.YEAR,
            one_year,
            series.LeagueRanking.COUNT,
            10,
        ),
    }
    indexes: dict[str, list[str]] = {}
    scans: dict[str, list[str]] = {}
    plans: dict[str, str] = {}
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        sizes = {r["relname"]: r["reltuples"] for r in await conn.fetch(
            "SELECT relname, reltuples FROM pg_class WHERE relkind = 'r'"
        )}  # fmt: skip
        for name, run in runs.items():
            async with conn.transaction(readonly=True):
                recorder = Recorder(conn)
                await run(recorder)
                text_plans = []
                for sql, args in recorder.calls:
                    if "set_config" in sql:
                        await conn.fetch(sql, *args)  # the same settings the request has
                        continue
                    rows = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + sql, *args)
                    text_plans.append("\n".join(r[0] for r in rows))
            plan = "\n\n".join(text_plans)
            plans[name] = plan
            scanned = re.findall(r"Index (?:Only )?Scan (?:Backward )?using (\w+)", plan)
            bitmaps = re.findall(r"Bitmap Index Scan on (\w+)", plan)
            indexes[name] = sorted(set(scanned) | set(bitmaps))
            scans[name] = sorted(
                table for table in set(re.findall(r"Seq Scan on (\w+)", plan))
                if sizes.get(table, 0) > SMALL_TABLE_ROWS
            )  # fmt: skip
    finally:
        await conn.close()
    return indexes, scans, plans


async def _create(server: str, orgs: int, seed: int, namesakes: int) -> str:
    from service.ingest.article import seed_article
    from service.ingest.generator import generate_into_database
    from service.ingest.progress import Progress

    name = f"sgbench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(asyncpg_dsn(server))
    try:
        await admin.execute(
            f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' "
            "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        )
    finally:
        await admin.close()
    url = with_database(server, name)
    await asyncio.to_thread(migrate.upgrade, url)
    await seed_article(url)
    await generate_into_database(
        url, orgs=orgs, seed=seed, namesakes=namesakes, progress=Progress(enabled=False)
    )
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return url


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--orgs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=200, help="requests per analytic")
    parser.add_argument(
        "--namesakes",
        type=int,
        default=0,
        help="of the generated organizations, this many named after each article one",
    )
    parser.add_argument("--database", help="reuse this populated database on the server")
    parser.add_argument("--keep", action="store_true", help="keep the database it creates")
    parser.add_argument("--plans", type=Path, help="write the full EXPLAIN plans here")
    args = parser.parse_args()
    server = resolve_database_url()
    url = with_database(server, args.database) if args.database else None
    if url is None:
        started = time.perf_counter()
        url = await _create(server, args.orgs, args.seed, args.namesakes)
        print(f"generated {args.orgs} organizations in {time.perf_counter() - started:.0f} s")
    try:
        conn = await asyncpg.connect(asyncpg_dsn(url))
        try:
            params = await _params(conn, random.Random(args.seed))
            counts = {t: await conn.fetchval(f"SELECT count(*) FROM {t}") for t in (
                "organization", "funding_round", "investment", "consideration_component"
            )}  # fmt: skip
            version = await conn.fetchval("SHOW server_version")
        finally:
            await conn.close()
        print(f"PostgreSQL {version}; " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        timings, failures = await _time_requests(
            url, _workload(params, random.Random(1)), args.runs
        )
        indexes, scans, plans = await _explain(url, params)
        print(f"\n{args.runs} requests each, one at a time, through POST /graphql (ms):\n")
        print(
            "| analytic | p50 | p99 | timeouts | indexes used (EXPLAIN) "
            "| seq scans of large tables |"
        )
        print("| --- | ---: | ---: | ---: | --- | --- |")
        for name, samples in timings.items():
            used = ", ".join(indexes.get(name, [])) or "—"
            seq = ", ".join(scans.get(name, [])) or "none"
            p50, p99 = statistics.median(samples), _percentile(samples, 0.99)
            print(f"| {name} | {p50:.1f} | {p99:.1f} | {failures[name]} | {used} | {seq} |")
        if args.plans:
            args.plans.write_text(
                "\n\n".join(f"=== {name}\n{plan}" for name, plan in plans.items()) + "\n"
            )
            print(f"\nplans written to {args.plans}")
    finally:
        if not args.database and not args.keep:
            admin = await asyncpg.connect(asyncpg_dsn(server))
            try:
                name = url.rsplit("/", 1)[-1].split("?", 1)[0]
                await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            finally:
                await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
