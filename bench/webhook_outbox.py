"""What the webhook outbox costs writers: a bulk import and single-row updates into a database
without webhook endpoints, against the same into one with an enabled endpoint that takes every
change (so that the trigger writes its deliveries), as ratios.

    STAKEGRAPH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/webhook_outbox.py --orgs 2000 --updates 300

Each run gets a new migrated database (dropped afterwards); the runs alternate (``--rounds``)
so that both see the same machine. Nothing is delivered: only the writes are timed.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg

from service.db import migrate
from service.db.server import resolve_database_url
from service.db.urls import asyncpg_dsn, with_database
from service.ingest.bulk import import_stream
from service.ingest.generator.run import generate_jsonl

ENDPOINT = (
    "INSERT INTO webhook_endpoint (url, secret) VALUES ('https://hooks.example.com/', "
    "'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')"
)


async def _database(admin: str) -> str:
    name = f"sgbench_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(asyncpg_dsn(admin))
    try:
        await conn.execute(
            f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' "
            "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        )
    finally:
        await conn.close()
    url = with_database(admin, name)
    await asyncio.to_thread(migrate.upgrade, url)
    return url


async def _drop(admin: str, url: str) -> None:
    conn = await asyncpg.connect(asyncpg_dsn(admin))
    try:
        name = url.rsplit("/", 1)[-1]
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        await conn.close()


async def _run(admin: str, data: bytes, updates: int, endpoint: bool) -> tuple[float, float]:
    """(import seconds, seconds per update)."""
    url = await _database(admin)
    try:
        conn = await asyncpg.connect(asyncpg_dsn(url))
        try:
            if endpoint:
                await conn.execute(ENDPOINT)

            async def chunks() -> AsyncIterator[bytes]:
                yield data

            started = time.perf_counter()
            report = await import_stream(conn, chunks(), csv=False)
            imported = time.perf_counter() - started
            assert report.ok, report.describe()
            ids = [
                r["id"] for r in await conn.fetch("SELECT id FROM organization LIMIT $1", updates)
            ]
            started = time.perf_counter()
            for n, pk in enumerate(ids):
                await conn.execute(
                    "UPDATE organization SET description = $2 WHERE id = $1", pk, str(n)
                )
            per_update = (time.perf_counter() - started) / max(1, len(ids))
            queued = await conn.fetchval("SELECT count(*) FROM webhook_delivery")
            assert (queued > 0) == endpoint
            return imported, per_update
        finally:
            await conn.close()
    finally:
        await _drop(admin, url)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orgs", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--updates", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    admin = resolve_database_url()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "data.jsonl"
        generate_jsonl(path, orgs=args.orgs, seed=args.seed)
        data = path.read_bytes()
    runs: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    for _ in range(args.rounds):
        for endpoint in (False, True):
            runs[endpoint].append(await _run(admin, data, args.updates, endpoint))
    without = [statistics.median(v) for v in zip(*runs[False], strict=True)]
    with_endpoint = [statistics.median(v) for v in zip(*runs[True], strict=True)]
    print(
        f"import: {without[0]:.2f} s without endpoints, {with_endpoint[0]:.2f} s with one "
        f"(ratio {with_endpoint[0] / without[0]:.2f})"
    )
    print(
        f"update: {without[1] * 1000:.2f} ms without endpoints, {with_endpoint[1] * 1000:.2f} ms "
        f"with one (ratio {with_endpoint[1] / without[1]:.2f})"
    )


if __name__ == "__main__":
    asyncio.run(main())
