"""GET /api/v1/export: the bulk format over HTTP, for a read key, streamed in chunks."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.types import Message

from service.app import create_app
from service.config import Settings
from service.ingest.bulk.format import RECORD_TYPES
from service.rest import export
from tests.bulk.conftest import export_bytes, run_import, state
from tests.rest.conftest import Keys, serving

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
async def client(keyed_url: str) -> AsyncIterator[httpx.AsyncClient]:
    # Reads are public here: the export needs a read key all the same.
    async with serving(keyed_url) as http:
        yield http


async def test_needs_a_read_key(client: httpx.AsyncClient, keys: Keys) -> None:
    for headers, code in (
        ({}, "UNAUTHENTICATED"),
        ({"Authorization": "Bearer sg_unknown"}, "UNAUTHENTICATED"),
    ):
        response = await client.get("/api/v1/export", headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["code"] == code
    for key in (keys.read, keys.write, keys.admin):
        response = await client.get("/api/v1/export?types=fx_rate", headers=Keys.bearer(key))
        assert response.status_code == 200, response.text


async def test_jsonl_is_the_command_s_export(
    client: httpx.AsyncClient, keys: Keys, keyed_url: str
) -> None:
    response = await client.get("/api/v1/export", headers=Keys.bearer(keys.read))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-ndjson"
    assert "attachment" in response.headers["content-disposition"]
    assert response.content == await export_bytes(keyed_url)


async def test_chosen_types_are_framed_alone(
    client: httpx.AsyncClient, keys: Keys, keyed_url: str
) -> None:
    response = await client.get(
        "/api/v1/export?types=funding_round&types=organization", headers=Keys.bearer(keys.read)
    )
    lines = response.text.splitlines()
    header, *records, end = (json.loads(line) for line in lines)
    assert header["type"] == "header"
    assert end == {"type": "end", "records": len(records)}
    # Load order whatever the order asked in, and exactly the lines the whole export has.
    kinds = [r["type"] for r in records]
    assert kinds == sorted(kinds, key=["organization", "funding_round"].index)
    assert set(kinds) == {"organization", "funding_round"}
    whole = (await export_bytes(keyed_url)).decode().splitlines()
    chosen = [line for line in whole if json.loads(line)["type"] in set(kinds)]
    assert lines[1:-1] == chosen
    # A file the import takes back as it is: nothing changes.
    before = await state(keyed_url)
    report = await run_import(keyed_url, response.content)
    assert report.ok, report.describe()
    assert await state(keyed_url) == before


@pytest.mark.parametrize("record_type", ["funding_round", "investment"])
async def test_csv_round_trips_through_the_import(
    client: httpx.AsyncClient, keys: Keys, keyed_url: str, record_type: str
) -> None:
    response = await client.get(
        f"/api/v1/export?format=csv&types={record_type}", headers=Keys.bearer(keys.read)
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == [f.name for f in RECORD_TYPES[record_type].fields]
    whole = [json.loads(line) for line in (await export_bytes(keyed_url)).decode().splitlines()]
    records = [r for r in whole if r["type"] == record_type]
    assert [row[0] for row in rows[1:]] == [r["key"] for r in records]
    before = await state(keyed_url)
    report = await run_import(keyed_url, response.content, csv=True)
    assert report.ok, report.describe()
    assert report.tables[record_type].unchanged == len(records)
    assert await state(keyed_url) == before


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("format=xml", "`format` is jsonl or csv"),
        ("types=organisation", "Unknown record type"),
        ("format=csv", "CSV holds one record type"),
        ("format=csv&types=funding_round&types=investment", "CSV holds one record type"),
        ("format=csv&types=organization", "CSV holds one record type"),
        ("type=organization", "Unknown parameter `type`"),
    ],
)
async def test_bad_requests_are_problems(
    client: httpx.AsyncClient, keys: Keys, query: str, words: str
) -> None:
    response = await client.get(f"/api/v1/export?{query}", headers=Keys.bearer(keys.read))
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["code"] == "BAD_USER_INPUT"
    assert words in body["detail"]


async def test_streams_in_bounded_chunks(
    keyed_url: str, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sent as it is read, one bounded chunk at a time (seen at the ASGI interface, since an
    HTTP client may join the chunks)."""
    monkeypatch.setattr(export, "CHUNK_BYTES", 2048)
    app = create_app(Settings(), database_url=keyed_url)
    sent: list[Message] = []

    requested = False

    async def receive() -> Message:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # the client stays connected until the response ends
        raise AssertionError("unreachable")

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/api/v1/export",
        "raw_path": b"/api/v1/export",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"authorization", f"Bearer {keys.read}".encode())],
        "client": ("127.0.0.1", 1),
        "server": ("test", 80),
    }
    async with app.router.lifespan_context(app):
        await app(scope, receive, send)
    assert sent[0]["status"] == 200
    chunks = [m["body"] for m in sent[1:] if m["body"]]
    sizes = [len(c) for c in chunks]
    longest_line = max(len(line) for c in chunks for line in c.split(b"\n"))
    assert b"".join(chunks) == await export_bytes(keyed_url)
    assert len(sizes) > 5
    # A chunk leaves as soon as it reaches the bound, so it exceeds it by under one line.
    assert max(sizes) < 2048 + longest_line + 1
