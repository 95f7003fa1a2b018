"""Times ``stakegraph import`` of a generated file into empty databases, side by side: the
import as it was (records read and checked one by one in the importer's own process, written
once the input has ended, full audit rows with row images) against the import as it is
(blocks staged in worker processes, types written as soon as the input is past them, light
audit rows).

    STAKEGRAPH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/import_throughput.py --orgs 100000 --seed 7

The file is written by ``stakegraph generate --jsonl`` (about a million investments at
100,000 organizations) unless ``--file`` names one already there. Each run gets a new database
(template0, UTF-8 ctype, migrated), imports the file with the audit log on, and is dropped; the
runs alternate (``--rounds``) so that both see the same machine. Rows are table rows written
(records and their embedded names, components, participants and subjects); records are the
file's lines. ``--audit-off`` adds a run with the audit log off, for its cost. Without the
variable the embedded PostgreSQL is used.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from service.db import migrate
from service.db.server import resolve_database_url
from service.db.urls import asyncpg_dsn, with_database
from service.ingest.bulk import ImportOptions, ImportReport, import_items, import_stream
from service.ingest.bulk.pipeline import shutdown_workers
from service.ingest.bulk.read import read_jsonl
from service.ingest.progress import Progress


@dataclass(frozen=True)
class Variant:
    name: str
    options: ImportOptions
    audit: bool = True
    # Records read one by one and checked in the importer's process, then checked across
    # records and written once the input has ended: the import as it was.
    record_by_record: bool = False


BEFORE = Variant(
    "before: record by record, full audit rows",
    ImportOptions(audit_images=True),
    record_by_record=True,
)
AFTER = Variant("after: workers, write-ahead, light audit", ImportOptions())
AUDIT_OFF = Variant("after, audit log off", ImportOptions(), audit=False)


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


async def _chunks(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            yield chunk


async def _run(path: Path, variant: Variant) -> ImportReport:
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
        conn = await asyncpg.connect(asyncpg_dsn(url))
        try:
            if not variant.audit:
                await conn.execute("SET stakegraph.audit = 'off'")
            quiet = Progress(enabled=False)
            if variant.record_by_record:
                items = read_jsonl(_chunks(path))
                report = await import_items(conn, items, progress=quiet, options=variant.options)
            else:
                report = await import_stream(
                    conn, _chunks(path), csv=False, progress=quiet, options=variant.options
                )
        finally:
            await conn.close()
        if not report.ok:
            sys.exit("\n".join(report.describe()))
        return report
    finally:
        await _admin(server, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def _line(variant: Variant, report: ImportReport) -> str:
    phases = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in report.phases.items())
    return (
        f"{variant.name:<44} {report.rows:>10,} rows in {report.seconds:7.1f}s: "
        f"{report.rows / report.seconds:>8,.0f} rows/s ({phases})"
    )


async def _measure(path: Path, rounds: int, audit_off: bool) -> None:
    variants = [BEFORE, AFTER, *([AUDIT_OFF] if audit_off else [])]
    rates: dict[str, list[float]] = {v.name: [] for v in variants}
    for round_number in range(1, rounds + 1):
        for variant in variants:
            report = await _run(path, variant)
            rates[variant.name].append(report.rows / report.seconds)
            print(f"round {round_number}: {_line(variant, report)}", flush=True)
    print()
    print(f"{'variant':<44} {'rows/s (median)':>16}")
    for variant in variants:
        print(f"{variant.name:<44} {statistics.median(rates[variant.name]):>16,.0f}")
    ratio = statistics.median(
        after / before for before, after in zip(rates[BEFORE.name], rates[AFTER.name], strict=True)
    )
    print(f"after / before, audit log on, same rounds: {ratio:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--file", type=Path, default=None, help="import this file instead")
    parser.add_argument("--rounds", type=int, default=1, help="runs of each variant, alternated")
    parser.add_argument("--audit-off", action="store_true", help="also run with the audit off")
    args = parser.parse_args()

    path: Path = args.file or Path(f"/tmp/stakegraph-import-{args.orgs}-{args.seed}.jsonl")
    if not path.exists():
        started = time.perf_counter()
        _generate(path, args.orgs, args.seed)
        print(f"generated {path} in {time.perf_counter() - started:.1f}s")
    print(f"file {path}: {path.stat().st_size / 2**20:,.0f} MiB", flush=True)
    try:
        asyncio.run(_measure(path, args.rounds, args.audit_off))
    finally:
        shutdown_workers()


if __name__ == "__main__":
    main()
