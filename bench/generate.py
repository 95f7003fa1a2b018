"""Times ``stakegraph generate`` into a fresh database and prints the row counts.

    STAKEGRAPH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/generate.py --orgs 100000 --seed 7

The URL names the server (any database on it); a new database is created from template0 with a
UTF-8 ctype, migrated, filled, measured and dropped (``--keep`` keeps it for the benchmarks
that read it). Without the variable the embedded PostgreSQL is used.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid

import asyncpg

from service.db import migrate
from service.db.server import resolve_database_url
from service.db.urls import asyncpg_dsn, with_database
from service.ingest.generator import generate_into_database


async def _admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _table_sizes(url: str) -> list[tuple[str, int]]:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        rows = await conn.fetch(
            "SELECT relname, pg_total_relation_size(oid) AS bytes FROM pg_class"
            " WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY bytes DESC"
        )
        return [(row["relname"], row["bytes"]) for row in rows]
    finally:
        await conn.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    server = resolve_database_url()
    name = f"sgbench_{uuid.uuid4().hex[:10]}"
    await _admin(
        server,
        f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' "
        "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'",
    )
    url = with_database(server, name)
    try:
        await asyncio.to_thread(migrate.upgrade, url)
        started = time.perf_counter()
        report = await generate_into_database(url, orgs=args.orgs, seed=args.seed)
        elapsed = time.perf_counter() - started
        for table, count in report.row_counts.items():
            print(f"{table:<26}{count:>12,}")
        print(f"{'total rows':<26}{report.total_rows:>12,}")
        for phase, seconds in report.seconds.items():
            print(f"{phase + ' seconds':<26}{seconds:>12.1f}")
        print(f"orgs={args.orgs} seed={args.seed}: {elapsed:.1f}s wall")
        total_bytes = sum(size for _, size in await _table_sizes(url))
        print(f"database size: {total_bytes / 2**20:,.0f} MiB")
    finally:
        if args.keep:
            print(f"kept database: {url}")
        else:
            await _admin(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    asyncio.run(main())
