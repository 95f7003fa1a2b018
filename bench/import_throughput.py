"""Times ``stakegraph import`` of a generated file into an empty database.

    STAKEGRAPH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/import_throughput.py --orgs 100000 --seed 7

The file is written by ``stakegraph generate --jsonl`` (about a million investments at
100,000 organizations) unless ``--file`` names one already there; a new database is created
from template0 with a UTF-8 ctype, migrated, imported into, measured and dropped. Rows are
table rows written (records and their embedded names, components, participants and
subjects); records are the file's lines. Without the variable the embedded PostgreSQL is used.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import BinaryIO

import asyncpg

from service.db import migrate
from service.db.server import resolve_database_url
from service.db.urls import asyncpg_dsn, with_database
from service.ingest.bulk import import_file
from service.ingest.progress import Progress


async def _admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _generate(path: Path, orgs: int, seed: int) -> None:
    command = [sys.executable, "-m", "service.cli", "generate", "--orgs", str(orgs)]
    command += ["--seed", str(seed), "--jsonl", str(path)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


async def _measure(stream: BinaryIO, name: str, size: int) -> None:
    server = resolve_database_url()
    database = f"sgbench_{uuid.uuid4().hex[:10]}"
    await _admin(
        server,
        f"CREATE DATABASE {database} TEMPLATE template0 ENCODING 'UTF8' "
        "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'",
    )
    url = with_database(server, database)
    try:
        await asyncio.to_thread(migrate.upgrade, url)
        report = await import_file(url, stream, name=name, progress=Progress())
        if not report.ok:
            sys.exit("\n".join(report.describe()))
        for line in report.describe():
            print(line)
        investments = report.tables["investment"].inserted
        print(
            f"file {size / 2**20:,.0f} MiB, {report.records:,} records, {investments:,} "
            f"investments, {report.rows:,} rows in {report.seconds:.1f}s: "
            f"{report.rows / report.seconds:,.0f} rows/s, "
            f"{report.records / report.seconds:,.0f} records/s"
        )
    finally:
        await _admin(server, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--file", type=Path, default=None, help="import this file instead")
    args = parser.parse_args()

    path: Path = args.file or Path(f"/tmp/stakegraph-import-{args.orgs}-{args.seed}.jsonl")
    if not path.exists():
        started = time.perf_counter()
        _generate(path, args.orgs, args.seed)
        print(f"generated {path} in {time.perf_counter() - started:.1f}s")
    with path.open("rb") as stream:
        asyncio.run(_measure(stream, str(path), path.stat().st_size))


if __name__ == "__main__":
    main()
