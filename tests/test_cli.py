"""The `stakegraph` command's migrate and seed steps, each idempotent."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator

import asyncpg
import pytest

from service import cli
from service.config import get_settings
from service.db.urls import asyncpg_dsn


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def _count(url: str, table: str) -> int:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        value: int = await conn.fetchval(f"SELECT count(*) FROM {table}")
        return value
    finally:
        await conn.close()


@pytest.mark.usefixtures("fresh_settings")
async def test_migrate_and_seed_are_idempotent(
    empty_database_factory: Callable[[], Awaitable[str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = await empty_database_factory()
    monkeypatch.setenv("STAKEGRAPH_DATABASE_URL", url)

    assert await _run(["migrate"]) == 0
    assert await _run(["migrate"]) == 0
    assert await _run(["seed"]) == 0
    organizations = await _count(url, "organization")
    claims = await _count(url, "claim")
    assert organizations > 0
    assert await _run(["seed"]) == 0
    assert (await _count(url, "organization"), await _count(url, "claim")) == (
        organizations,
        claims,
    )
    out = capsys.readouterr().out
    assert "article dataset loaded" in out
    assert "already present" in out


async def _run(argv: list[str]) -> int:
    import asyncio

    # The commands run their own event loops, as they do from a shell.
    return await asyncio.to_thread(cli.main, argv)
