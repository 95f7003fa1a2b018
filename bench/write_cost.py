"""What the read indexes, derived columns and rollups cost writers, side by side.

    STAKEGRAPH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python -m bench.write_cost [--orgs 2000] [--rounds 2]

Each variant is a fresh database at migration head with some of 0007's objects removed, then
filled by the generator (one transaction of COPYs, the history and audit triggers on); the
variants run interleaved, ``--rounds`` times, and the median per variant is printed with its
ratio to the variant without any of them. Removing one group at a time gives that group's cost.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import statistics
import time
import uuid
from pathlib import Path
from types import ModuleType

import asyncpg

from service.db import migrate
from service.db.server import resolve_database_url
from service.db.urls import asyncpg_dsn, with_database
from service.ingest.generator import generate_into_database

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations" / "versions"


def _module(name: str) -> ModuleType:
    """A migration module (their folder is no package)."""
    spec = importlib.util.spec_from_file_location(name, MIGRATIONS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TRIGGERS = (
    "DROP TRIGGER sg_derive_on_component_insert ON consideration_component",
    "DROP TRIGGER sg_derive_on_component_update ON consideration_component",
    "DROP TRIGGER sg_derive_on_component_delete ON consideration_component",
    "DROP TRIGGER sg_derive_on_investment_insert ON investment",
    "DROP TRIGGER sg_derive_on_investment_update ON investment",
    "DROP TRIGGER sg_derive_on_investment_delete ON investment",
    "DROP TRIGGER sg_derive_on_round_insert ON funding_round",
    "DROP TRIGGER sg_derive_on_round_update ON funding_round",
)
GROUPS: dict[str, tuple[str, ...]] = {
    "investment order indexes (5)": tuple(
        f"DROP INDEX {name}"
        for name in (
            "ix_investment_lead_id",
            "ix_investment_amount_id",
            "ix_investment_created_id",
            "ix_investment_investor_amount",
            "ix_investment_investor_created",
        )
    ),
    "funding_round order indexes (3)": tuple(
        f"DROP INDEX {name}"
        for name in (
            "ix_funding_round_amount_id",
            "ix_funding_round_created_id",
            "ix_funding_round_status_sort",
        )
    ),
    "source indexes (2)": (
        "DROP INDEX ix_source_publisher_id",
        "DROP INDEX ix_source_kind_publisher",
    ),
    "kinds GIN indexes (2)": (
        "DROP INDEX ix_investment_consideration_kinds",
        "DROP INDEX ix_funding_round_consideration_kinds",
    ),
    "kinds triggers": TRIGGERS,
    # Migration 0028's groups of an investor and one more dimension: the refresh as 0025 made
    # it. Before 0025's entry, which then empties the refresh whole in "none of them".
    "investor groups of 0031": (_module("0031_investor_rollups")._refresh_now(),),
    # Migration 0025's rollups: the refresh's last step made a no-op (deferred or not), the
    # organization trigger dropped (the values of 0011 are still kept).
    "rollups of 0025": (
        "CREATE OR REPLACE FUNCTION sg_usd_cells_refresh_now(rounds bigint[]) RETURNS void "
        "LANGUAGE plpgsql AS $fn$ BEGIN END $fn$",
        "DROP TRIGGER sg_usd_cells_update ON organization",
    ),
}
ALL = "none of them"
VARIANTS: dict[str, tuple[str, ...]] = {
    "all of 0007": (),
    **{f"without {name}": drops for name, drops in GROUPS.items()},
    ALL: tuple(d for drops in GROUPS.values() for d in drops),
}


async def _admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def measure(server: str, drops: tuple[str, ...], orgs: int, seed: int) -> float:
    name = f"sgwrite_{uuid.uuid4().hex[:10]}"
    await _admin(
        server,
        f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' "
        "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'",
    )
    url = with_database(server, name)
    try:
        await asyncio.to_thread(migrate.upgrade, url)
        for statement in drops:
            await _admin(url, statement)
        started = time.perf_counter()
        await generate_into_database(url, orgs=orgs, seed=seed)
        return time.perf_counter() - started
    finally:
        await _admin(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--variant",
        action="append",
        help="run only the variants whose name contains this (ratios to the first of them)",
    )
    args = parser.parse_args()
    server = resolve_database_url()
    variants = {
        name: drops
        for name, drops in VARIANTS.items()
        if not args.variant or any(part in name for part in args.variant)
    }
    seconds: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(args.rounds):
        for name, drops in variants.items():
            seconds[name].append(await measure(server, drops, args.orgs, args.seed))
            print(f"{name:<42}{seconds[name][-1]:8.1f} s", flush=True)
    reference = ALL if ALL in seconds else next(iter(seconds))
    base = statistics.median(seconds[reference])
    print(f"\n| variant (generator, {args.orgs:,} organizations) | median s | x {reference} |")
    print("|---|---:|---:|")
    for name, values in seconds.items():
        median = statistics.median(values)
        print(f"| {name} | {median:.1f} | {median / base:.2f} |")


if __name__ == "__main__":
    asyncio.run(main())
