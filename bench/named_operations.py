"""Every named operation of graphql/operations/ on a database, timed end to end through the app
(in process, over ASGI): p50 and p99 of single requests, and the read path that answered.

    STAKEGRAPH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/sg_bench_100k \\
        .venv/bin/python -m bench.named_operations [--runs 50] [--markdown FILE]

Variables naming an organization, a fund or a node are drawn from the data so that the largest
ones are measured (the investor with the most investments, the fund with the most limited
partners, the start-up with the most rounds); the rest keep the documents' defaults. Run it on a
generated database (``stakegraph generate --orgs 100000 --seed 1``); the figures go to
docs/performance.md, never into a test.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
from pathlib import Path
from typing import Any

import asyncpg
from graphql import NonNullTypeNode, OperationDefinitionNode, parse

from bench.plan_targets import post, target
from service.config import Settings
from service.db.server import resolve_database_url
from service.db.urls import asyncpg_dsn
from service.ids import encode_id

OPERATIONS = Path(__file__).resolve().parents[1] / "graphql" / "operations"

# What each kind of variable names, as the SQL choosing the largest such thing.
LARGEST_INVESTOR = (
    "SELECT o.slug FROM live.investment i JOIN live.organization o ON o.id = i.investor_id"
    " GROUP BY o.slug ORDER BY count(*) DESC, o.slug LIMIT 1"
)
LARGEST_STARTUP = (
    "SELECT o.slug FROM live.funding_round r JOIN live.organization o ON o.id = r.organization_id"
    " GROUP BY o.slug ORDER BY count(*) DESC, o.slug LIMIT 1 OFFSET {offset}"
)
LARGEST_FUND = (
    "SELECT f.slug FROM live.fund f LEFT JOIN live.fund_commitment c ON c.fund_id = f.id"
    " GROUP BY f.slug ORDER BY count(c.*) DESC, f.slug LIMIT 1"
)
BY_VARIABLE = {
    "slug": LARGEST_INVESTOR,
    "investor": LARGEST_INVESTOR,
    "provider": LARGEST_INVESTOR,
    "organization": LARGEST_INVESTOR,
    "startup": LARGEST_STARTUP.format(offset=0),
    "from": LARGEST_STARTUP.format(offset=0),
    "to": LARGEST_STARTUP.format(offset=1),
}
BY_OPERATION = {
    ("FundLimitedPartners", "slug"): LARGEST_FUND,
    ("MoonshotRound", "slug"): LARGEST_STARTUP.format(offset=0),
}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def _variables(conn: asyncpg.Connection, name: str, document: str) -> dict[str, Any]:
    operation = next(
        d for d in parse(document).definitions if isinstance(d, OperationDefinitionNode)
    )
    chosen: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        variable = definition.variable.name.value
        # Optional variables without a default narrow the answer: left unset, as a client would.
        if not isinstance(definition.type, NonNullTypeNode) and definition.default_value is None:
            continue
        sql = BY_OPERATION.get((name, variable)) or BY_VARIABLE.get(variable)
        if sql is not None:
            value = await conn.fetchval(sql)
            if value is not None:
                chosen[variable] = value
        elif variable == "id":
            # The round with the most investments.
            round_id = await conn.fetchval(
                "SELECT round_id FROM live.investment GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
            )
            if round_id is not None:
                chosen[variable] = encode_id("FundingRound", round_id)
    return chosen


async def main(args: argparse.Namespace) -> str:
    url = resolve_database_url()
    documents = {p.stem: p.read_text() for p in sorted(OPERATIONS.glob("*.graphql"))}
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        variables = {name: await _variables(conn, name, text) for name, text in documents.items()}
        organizations = await conn.fetchval("SELECT count(*) FROM live.organization")
    finally:
        await conn.close()
    rows = [
        f"{organizations:,} organizations, {args.runs} requests each, one at a time",
        "",
        "| operation | read path | p50 ms | p99 ms | variables |",
        "| --- | --- | ---: | ---: | --- |",
    ]
    settings = Settings.model_validate({"compiler": True, "rate_limit": False})
    async with target("compiled", url, settings) as app:
        for name, document in documents.items():
            values = variables[name]
            _, executor, _ = await post(app, document, values)
            times = [(await post(app, document, values))[2] for _ in range(args.runs)]
            shown = ", ".join(f"{k}={v}" for k, v in values.items()) or "defaults"
            rows.append(
                f"| {name} | {executor} | {statistics.median(times):.1f} |"
                f" {_percentile(times, 0.99):.1f} | {shown} |"
            )
            print(rows[-1], flush=True)
    return "\n".join(rows)


def run() -> None:
    args = _arguments()
    table = asyncio.run(main(args))
    print("\n" + table)
    if args.markdown:
        Path(args.markdown).write_text(table + "\n")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--markdown", help="write the table to this file too")
    return parser.parse_args()


if __name__ == "__main__":
    run()
