"""What the organization summary (migration 0023) costs writers, side by side.

    STAKEGRAPH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python -m bench.summary_cost [--orgs 5000] [--rounds 2]

As bench/write_cost.py does for migration 0007: each variant is a fresh database at migration
head with some of 0023's objects removed, filled by the generator (one transaction of COPYs,
every other trigger on); the variants run interleaved, ``--rounds`` times, and the median per
variant is printed with its ratio to the variant without any of them.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics

from bench.write_cost import measure
from service.db.server import resolve_database_url

SUMMARY_TABLES = ("organization", "funding_round", "investment", "exit", "acquisition", "fx_rate")
TRIGGERS = tuple(
    f"DROP TRIGGER sg_summary_{event} ON {table}"
    for table in SUMMARY_TABLES
    for event in ("insert", "update", "delete")
    if table != "organization" or event != "update"
)
NONE = "none of them"
VARIANTS: dict[str, tuple[str, ...]] = {
    "all of 0023": (),
    NONE: TRIGGERS,
}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    server = resolve_database_url()
    seconds: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for _ in range(args.rounds):
        for name, drops in VARIANTS.items():
            seconds[name].append(await measure(server, drops, args.orgs, args.seed))
            print(f"{name:<42}{seconds[name][-1]:8.1f} s", flush=True)
    base = statistics.median(seconds[NONE])
    print(f"\n| variant (generator, {args.orgs:,} organizations) | median s | x {NONE} |")
    print("|---|---:|---:|")
    for name, values in seconds.items():
        median = statistics.median(values)
        print(f"| {name} | {median:.1f} | {median / base:.2f} |")


if __name__ == "__main__":
    asyncio.run(main())
