"""``POST /api/v1/import``: streamed body, the import's report as JSON."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from service.app import create_app
from service.auth.keys import create_key, revoke_key
from service.config import Settings, get_settings
from service.db.urls import asyncpg_dsn
from service.domain import Scope
from service.ingest.bulk.format import canonical, end_record, header_record
from tests.bulk.conftest import fetch, state

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


async def _key(url: str, scope: Scope, *, revoked: bool = False) -> str:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        info, secret = await create_key(conn, f"import-{scope}", scope)
        if revoked:
            await revoke_key(conn, info.prefix)
        return secret
    finally:
        await conn.close()


async def _post(
    url: str,
    content: bytes | AsyncIterator[bytes],
    key: str | None,
    *,
    settings: Settings | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    headers = dict(headers or {})
    if key is not None:
        headers["authorization"] = f"Bearer {key}"
    app = create_app(database_url=url)
    if settings is not None:
        app.dependency_overrides[get_settings] = lambda: settings
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.post("/api/v1/import", content=content, headers=headers)


async def _pieces(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), 7):
        yield data[start : start + 7]


async def test_a_streamed_import_answers_with_the_report(article_url: str) -> None:
    key = await _key(article_url, Scope.WRITE)
    response = await _post(article_url, _pieces(_body(RECORDS)), key)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["ok"] is True
    assert report["records"] == 2
    assert report["errors"] == []
    assert report["tables"]["organization"]["inserted"] == 1
    rows = await fetch(
        article_url,
        "SELECT r.key, k.name FROM funding_round r JOIN audit_log a ON a.table_name ="
        " 'funding_round' AND a.row_id = r.id JOIN api_key k ON k.id = a.key_id"
        " WHERE r.key LIKE 'posted-ai/%'",
    )
    # Written, and recorded as written by the key that posted it.
    assert [(r["key"], r["name"]) for r in rows] == [("posted-ai/round-1", "import-write")]
    # The import is on record, by the key that posted it.
    [run] = await fetch(
        article_url,
        "SELECT b.source, k.name FROM bulk_import b JOIN api_key k ON k.id = b.key_id"
        " WHERE b.id = $1",
        report["importId"],
    )
    assert (run["source"], run["name"]) == ("POST /api/v1/import", "import-write")


async def test_bad_lines_give_422_and_write_nothing(article_url: str) -> None:
    bad = [RECORDS[0], {**RECORDS[1], "status": "MAYBE"}]
    key = await _key(article_url, Scope.WRITE)
    before = await state(article_url)
    response = await _post(article_url, _body(bad), key)
    assert response.status_code == 422
    report = response.json()
    assert report["ok"] is False
    assert report["errorCount"] == 1
    assert report["errors"][0]["line"] == 3
    assert "status must be one of" in report["errors"][0]["message"]
    assert await state(article_url) == before


async def test_partial_import_over_http_writes_the_good_lines(article_url: str) -> None:
    records = [
        {**RECORDS[0], "slug": "partly-ai", "name": "Partly AI"},
        {**RECORDS[1], "key": "partly-ai/round-1", "organization": "partly-ai"},
        {**RECORDS[1], "key": "partly-ai/round-2", "organization": "partly-ai", "status": "X"},
    ]
    key = await _key(article_url, Scope.WRITE)
    response = await _post(article_url, _body(records), key)
    assert response.status_code == 422  # all or nothing unless asked
    app_url = "/api/v1/import?partial=true"
    app = create_app(database_url=article_url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            response = await client.post(
                app_url, content=_body(records), headers={"authorization": f"Bearer {key}"}
            )
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["imported"], report["ok"], report["skippedLines"]) == (True, False, 1)
    assert [e["line"] for e in report["errors"]] == [4]
    rows = await fetch(article_url, "SELECT key FROM funding_round WHERE key LIKE 'partly-ai/%'")
    assert [r["key"] for r in rows] == ["partly-ai/round-1"]


async def test_csv_by_content_type(article_url: str) -> None:
    data = b"key,organization,round_type,status\nopenai/round-x,openai,GROWTH,RUMOURED\n"
    key = await _key(article_url, Scope.ADMIN)
    response = await _post(article_url, data, key, headers={"content-type": "text/csv"})
    assert response.status_code == 200, response.text
    assert response.json()["tables"]["funding_round"]["inserted"] == 1


@pytest.mark.parametrize(
    ("scope", "revoked", "status", "code"),
    [
        pytest.param(None, False, 401, "UNAUTHENTICATED", id="no-key"),
        pytest.param(Scope.READ, False, 403, "FORBIDDEN", id="read-key"),
        pytest.param(Scope.WRITE, True, 401, "UNAUTHENTICATED", id="revoked-write-key"),
    ],
)
async def test_import_needs_a_write_key(
    article_url: str, scope: Scope | None, revoked: bool, status: int, code: str
) -> None:
    key = None if scope is None else await _key(article_url, scope, revoked=revoked)
    before = await state(article_url)
    response = await _post(article_url, _body(RECORDS), key)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert await state(article_url) == before


async def test_a_body_without_its_header_record_is_refused(article_url: str) -> None:
    key = await _key(article_url, Scope.WRITE)
    before = await state(article_url)
    body = "".join(canonical(r) + "\n" for r in RECORDS).encode()
    for content in (body, b"", b"\n\n"):
        response = await _post(article_url, content, key)
        assert response.status_code == 400, response.text
        error = response.json()["error"]
        assert error["code"] == "BAD_REQUEST"
        assert "must start with its header record" in error["message"]
    assert await state(article_url) == before


async def test_a_body_over_the_limit_is_refused_from_its_length(article_url: str) -> None:
    key = await _key(article_url, Scope.WRITE)
    body = _body(RECORDS)
    response = await _post(
        article_url, body, key, settings=Settings(import_max_bytes=len(body) - 1)
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    ok = await _post(article_url, body, key, settings=Settings(import_max_bytes=len(body)))
    assert ok.status_code == 200, ok.text


async def test_a_streamed_body_over_the_limit_is_refused_and_writes_nothing(
    article_url: str,
) -> None:
    key = await _key(article_url, Scope.WRITE)
    before = await state(article_url)
    body = _body(RECORDS)
    # Streamed without a Content-Length: the limit is crossed while reading.
    response = await _post(article_url, _pieces(body), key, settings=Settings(import_max_bytes=100))
    assert response.status_code == 413
    assert "over the limit of 100 bytes" in response.json()["error"]["message"]
    assert await state(article_url) == before


async def test_an_import_past_its_deadline_is_stopped_and_writes_nothing(
    article_url: str,
) -> None:
    key = await _key(article_url, Scope.WRITE)
    before = await state(article_url)
    body = _body(RECORDS)

    async def slow() -> AsyncIterator[bytes]:
        yield body[:80]
        await asyncio.sleep(5)
        yield body[80:]

    response = await _post(article_url, slow(), key, settings=Settings(import_deadline_ms=300))
    assert response.status_code == 504
    error = response.json()["error"]
    assert error["code"] == "TIMEOUT"
    assert "300 ms" in error["message"]
    assert await state(article_url) == before
