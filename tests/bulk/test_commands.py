"""``stakegraph export`` and ``stakegraph import`` as a shell runs them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from service import cli
from service.config import get_settings
from tests.bulk.conftest import export_bytes, state


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def _run(argv: list[str], url: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("STAKEGRAPH_DATABASE_URL", url)
    get_settings.cache_clear()
    # The commands run their own event loops, as they do from a shell.
    return await asyncio.to_thread(cli.main, argv)


@pytest.mark.usefixtures("database")
async def test_export_then_import_on_the_command_line(
    article_url: str,
    empty_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "all.jsonl"
    assert await _run(["export", str(path)], article_url, monkeypatch) == 0
    assert path.read_bytes() == await export_bytes(article_url)

    assert await _run(["import", str(path)], empty_url, monkeypatch) == 0
    out = capsys.readouterr().out
    assert "records" in out
    assert "rows/s" in out
    assert await export_bytes(empty_url) == path.read_bytes()


@pytest.mark.usefixtures("database")
async def test_a_bad_file_fails_the_command_and_names_the_line(
    article_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "rounds.csv"
    path.write_text(
        "key,organization,round_type,status\nx/round-1,moonshot-ai,SEED,CLOSED\n"
        "x/round-2,moonshot-ai,SEED,OPEN\n",
        encoding="utf-8",
    )
    before = await state(article_url)
    assert await _run(["import", str(path)], article_url, monkeypatch) == 1
    err = capsys.readouterr().err
    assert 'line 3: funding_round "x/round-2": status must be one of' in err
    assert "1 bad line(s): nothing was imported" in err
    assert await state(article_url) == before
