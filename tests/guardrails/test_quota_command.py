"""`stakegraph keys quota`: a key's own rate limit, and back to its scope's default."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from service import cli
from service.config import get_settings
from service.db.urls import asyncpg_dsn
from service.domain import Scope
from service.gateway.buckets import Quota
from service.gateway.quotas import own_quota
from tests.guardrails.conftest import new_key


async def _main(argv: list[str]) -> int:
    # The command runs its own event loop (asyncio.run): off the test's loop, on a thread.
    return await asyncio.to_thread(cli.main, argv)


async def test_keys_quota_sets_and_clears_a_keys_own_limit(
    guard_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    key_id, _ = await new_key(guard_url, Scope.READ, "quota")
    monkeypatch.setenv("STAKEGRAPH_DATABASE_URL", guard_url)
    get_settings.cache_clear()
    conn = await asyncpg.connect(asyncpg_dsn(guard_url))
    try:
        assert (
            await _main(["keys", "quota", str(key_id), "--capacity", "800", "--restore", "8"]) == 0
        )
        assert "800 points, 8 restored per second" in capsys.readouterr().out
        assert await own_quota(conn, key_id) == Quota(800, 8)

        assert await _main(["keys", "quota", str(key_id), "--default"]) == 0
        assert await own_quota(conn, key_id) is None

        assert await _main(["keys", "quota", str(key_id), "--capacity", "800"]) == 2
        assert await _main(["keys", "quota", str(key_id)]) == 2
        assert await _main(["keys", "quota", "nosuchkey", "--default"]) == 1
        assert await _main(["keys", "quota", str(key_id), "--capacity", "0", "--restore", "1"]) == 1
        assert "positive" in capsys.readouterr().err
    finally:
        await conn.close()
        get_settings.cache_clear()
