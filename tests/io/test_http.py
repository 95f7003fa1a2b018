"""``POST /api/v1/import``: streamed body, the import's report as JSON."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx

from service.app import create_app
from service.ingest.io_format import canonical, end_record, header_record
from tests.io.conftest import fetch, state

RECORDS: list[dict[str, object]] = [
    {"type": "organization", "slug": "posted-ai", "name": "Posted AI", "kinds": ["STARTUP"]},
    {
        "type": "funding_round",
        "key": "posted-ai/round-1",
        "organization": "posted-ai",
        "round_type": "SEED",
        "status": "CLOSED",
    },
]


def _body(records: list[dict[str, object]]) -> bytes:
    lines = [header_record(), *records, end_record(len(records))]
    return "".join(canonical(r) + "\n" for r in lines).encode()


async def _post(url: str, content: bytes | AsyncIterator[bytes], **kwargs: str) -> httpx.Response:
    app = create_app(database_url=url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.post("/api/v1/import", content=content, headers=kwargs or None)


async def _pieces(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), 7):
        yield data[start : start + 7]


async def test_a_streamed_import_answers_with_the_report(article_url: str) -> None:
    response = await _post(article_url, _pieces(_body(RECORDS)))
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["ok"] is True
    assert report["records"] == 2
    assert report["errors"] == []
    assert report["tables"]["organization"]["inserted"] == 1
    rows = await fetch(article_url, "SELECT key FROM funding_round WHERE key LIKE 'posted-ai/%'")
    assert [r["key"] for r in rows] == ["posted-ai/round-1"]


async def test_bad_lines_give_422_and_write_nothing(article_url: str) -> None:
    bad = [RECORDS[0], {**RECORDS[1], "status": "MAYBE"}]
    before = await state(article_url)
    response = await _post(article_url, _body(bad))
    assert response.status_code == 422
    report = response.json()
    assert report["ok"] is False
    assert report["errorCount"] == 1
    assert report["errors"][0]["line"] == 3
    assert "status must be one of" in report["errors"][0]["message"]
    assert await state(article_url) == before


async def test_csv_by_content_type(article_url: str) -> None:
    data = b"key,organization,round_type,status\nopenai/round-x,openai,GROWTH,RUMOURED\n"
    response = await _post(article_url, data, **{"content-type": "text/csv"})
    assert response.status_code == 200, response.text
    assert response.json()["tables"]["funding_round"]["inserted"] == 1
