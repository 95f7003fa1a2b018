"""Fixtures of the bulk import and export tests: fresh migrated databases, the article's
export, and a fingerprint of everything a database stores."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest

from service.db import migrate, tables
from service.db.urls import asyncpg_dsn, with_database
from service.ingest.bulk import ImportOptions, ImportReport, export_lines, import_stream
from service.ingest.bulk.pipeline import shutdown_workers
from tests.dbutil import create_database, drop_database


async def chunks(data: bytes, size: int = 4096) -> AsyncIterator[bytes]:
    """The data in small pieces, so that lines and records straddle chunk boundaries."""
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def run_import(
    url: str,
    data: bytes | str,
    *,
    csv: bool = False,
    partial: bool = False,
    options: ImportOptions | None = None,
) -> ImportReport:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return await import_stream(conn, chunks(raw), csv=csv, partial=partial, options=options)
    finally:
        await conn.close()


async def export_bytes(url: str) -> bytes:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return b"".join([(line + "\n").encode("utf-8") async for line in export_lines(conn)])
    finally:
        await conn.close()


@dataclass(frozen=True)
class State:
    """Row count and checksum of every table (timestamps and ids included): two equal states
    mean nothing was written, not even an unchanged value again."""

    tables: dict[str, tuple[int, str | None]]

    def rows(self, table: str) -> int:
        return self.tables[table][0]


async def state(url: str) -> State:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        result: dict[str, tuple[int, str | None]] = {}
        for table in tables.metadata.sorted_tables:
            row = await conn.fetchrow(
                f"SELECT count(*) AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS sum"
                f" FROM {table.name} t"
            )
            assert row is not None
            result[table.name] = (row["n"], row["sum"])
        return State(result)
    finally:
        await conn.close()


async def fetch(url: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()


def lines_of(data: bytes) -> list[str]:
    return data.decode("utf-8").splitlines()


def file_of(lines: Iterable[str]) -> str:
    return "".join(f"{line}\n" for line in lines)


class Clones:
    """Copies of prepared databases (``CREATE DATABASE … TEMPLATE``): a fresh database per
    test in a fraction of the time migrating and seeding one takes."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.made: list[str] = []

    async def template(self, *, seeded: bool) -> str:
        from service.ingest.article import seed_article

        url = await create_database(self.admin_url, prefix="sgio_template")
        self.made.append(url)
        await asyncio.to_thread(migrate.upgrade, url)
        if seeded:
            assert await seed_article(url)
        return url

    async def clone(self, template: str) -> str:
        name = f"sgio_{uuid.uuid4().hex[:12]}"
        source = template.rsplit("/", 1)[-1].split("?", 1)[0]
        conn = await asyncpg.connect(asyncpg_dsn(self.admin_url))
        try:
            await conn.execute(f"CREATE DATABASE {name} TEMPLATE {source}")
        finally:
            await conn.close()
        url = with_database(self.admin_url, name)
        self.made.append(url)
        return url


@pytest.fixture(scope="session", autouse=True)
def worker_processes() -> Iterator[None]:
    """The import's worker processes end with the test session (its runner's workers leave
    with os._exit, which skips exit handlers)."""
    yield
    shutdown_workers()


@pytest.fixture(scope="session")
async def clones(admin_url: str) -> AsyncIterator[Clones]:
    made = Clones(admin_url)
    yield made
    for url in reversed(made.made):
        await drop_database(admin_url, url)


@pytest.fixture(scope="session")
async def empty_template(clones: Clones) -> str:
    return await clones.template(seeded=False)


@pytest.fixture(scope="session")
async def article_template(clones: Clones) -> str:
    return await clones.template(seeded=True)


@pytest.fixture
async def empty_url(clones: Clones, empty_template: str) -> str:
    """A migrated database holding nothing."""
    return await clones.clone(empty_template)


@pytest.fixture
async def article_url(clones: Clones, article_template: str) -> str:
    """A migrated database holding the article dataset, for one test to change."""
    return await clones.clone(article_template)


@pytest.fixture(scope="session")
async def article_export(migrated_url: str) -> bytes:
    """The article dataset as ``stakegraph export`` writes it."""
    return await export_bytes(migrated_url)
