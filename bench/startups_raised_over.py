"""The named operation StartupsRaisedOver on a database, timed: p50/p99 end to end through the
app (in process, over ASGI) and the plan of its one compiled statement.

    STAKEGRAPH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/sg_bench_100k \\
        .venv/bin/python -m bench.startups_raised_over [--runs 200] [--min-usd 100000000]

Run it on a generated database (``stakegraph generate --orgs 100000 --seed 1``); the figures
go to docs/performance.md, never into a test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
from pathlib import Path
from typing import Any

import asyncpg

from bench.plan_targets import post, target
from service.compiler.plan import Compiler
from service.config import Settings
from service.db.pool import LIVE_SEARCH_PATH
from service.db.server import resolve_database_url
from service.db.urls import asyncpg_dsn
from service.schema import build_schema

DOCUMENT = (
    Path(__file__).resolve().parents[1] / "graphql" / "operations" / "StartupsRaisedOver.graphql"
).read_text()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--min-usd", default="100000000")
    args = parser.parse_args()
    url = resolve_database_url()
    settings = Settings.model_validate({"compiler": True})
    variables: dict[str, Any] = {"minUsd": args.min_usd}
    async with target("compiled", url, settings) as app:
        data, executor, _ = await post(app, DOCUMENT, variables)
        print(f"executor: {executor}; first page: {len(data['startups']['nodes'])} start-ups")
        pages: dict[str, list[float]] = {"first page": [], "second page": []}
        second = {**variables, "after": data["startups"]["pageInfo"]["endCursor"]}
        for _ in range(args.runs):
            for name, values in (("first page", variables), ("second page", second)):
                pages[name].append((await post(app, DOCUMENT, values))[2])
        for name, times in pages.items():
            print(
                f"{name}: p50 {statistics.median(times):.1f} ms, "
                f"p99 {_percentile(times, 0.99):.1f} ms ({args.runs} runs)"
            )
    compiler = Compiler(build_schema(settings), settings)
    planned = compiler.plan(DOCUMENT, None, variables)
    assert planned is not None, "the operation is not compiled"
    conn = await asyncpg.connect(
        asyncpg_dsn(url), server_settings={"search_path": LIVE_SEARCH_PATH, "TimeZone": "UTC"}
    )
    try:
        rows = await conn.fetch(
            f"EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) {planned[0].sql}", *planned[1]
        )
        print("\n".join(r[0] for r in rows))
    finally:
        await conn.close()
    print(json.dumps({"variables": variables}))


if __name__ == "__main__":
    asyncio.run(main())
