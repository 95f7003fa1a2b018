"""`stakegraph keys`: create prints the key once, list never shows secrets, revoke works."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from service import cli
from service.auth.keys import authenticate
from service.config import get_settings
from service.db.urls import asyncpg_dsn


async def test_keys_create_list_revoke(
    write_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STAKEGRAPH_DATABASE_URL", write_url)
    # The command reads its settings once per process; make it read this database.
    get_settings.cache_clear()
    assert await _main(["keys", "create", "--name", "pipeline", "--scope", "write"]) == 0
    key = capsys.readouterr().out.strip()
    assert key.startswith("sg_")

    conn = await asyncpg.connect(asyncpg_dsn(write_url))
    try:
        principal = await authenticate(conn, key)
        assert principal.name == "pipeline"
        assert principal.scope == "write"

        assert await _main(["keys", "list"]) == 0
        listing = capsys.readouterr().out
        assert "pipeline" in listing
        assert key not in listing

        prefix = key.split("_")[1]
        assert await _main(["keys", "revoke", prefix]) == 0
        assert "revoked" in capsys.readouterr().out
        with pytest.raises(Exception, match="unknown or revoked"):
            await authenticate(conn, key)
        assert await _main(["keys", "revoke", "nosuchkey"]) == 1
        assert await _main(["keys", "create", "--name", " ", "--scope", "read"]) == 1
    finally:
        await conn.close()
        get_settings.cache_clear()


# The command runs its own event loop (asyncio.run): off the test's loop, on a thread.
async def _main(argv: list[str]) -> int:
    return await asyncio.to_thread(cli.main, argv)
