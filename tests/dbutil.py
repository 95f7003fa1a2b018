"""Throw-away databases on a real PostgreSQL server for the tests."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import asyncpg

from service.db.urls import asyncpg_dsn, with_database

ROOT = Path(__file__).resolve().parents[1]


def server_admin_url() -> str:
    """STAKEGRAPH_DATABASE_URL when given (e.g. the machine's PostgreSQL 15), else the embedded
    PostgreSQL 18 in ``.stakegraph-test/`` (started once, shared by test processes)."""
    url = os.environ.get("STAKEGRAPH_DATABASE_URL")
    if url:
        return url
    from service.db.embedded import ensure_embedded

    return ensure_embedded(ROOT / ".stakegraph-test").admin_url


async def create_database(admin_url: str, prefix: str = "sgtest") -> str:
    """A new empty database from template0 with a UTF-8 ctype (trigrams need it for CJK)."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(asyncpg_dsn(admin_url))
    try:
        await conn.execute(
            f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' "
            "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        )
    finally:
        await conn.close()
    return with_database(admin_url, name)


async def drop_database(admin_url: str, url: str) -> None:
    name = url.rsplit("/", 1)[-1].split("?", 1)[0]
    conn = await asyncpg.connect(asyncpg_dsn(admin_url))
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        await conn.close()
