"""``GET /api/v1/export``: the bulk format over HTTP, streamed in bounded memory, for a read key.

JSON Lines (the default) is what ``stakegraph export`` writes — header, records, end — either
whole or for the record types named in ``types`` (header and end framing just those). CSV is
one file of rounds (``types=funding_round``) or of investments (``types=investment``): a header
row of field names, one row per record, as ``POST /api/v1/import`` reads it back (embedded
lists, such as an investment's consideration, exist only in JSON Lines). Records come from
the exporter's own queries on one REPEATABLE READ snapshot through a server-side cursor, and
leave in chunks, so memory stays bounded whatever the database holds (organizations aside,
which the exporter sorts parents first in memory).
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from typing import Any, cast

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from service.auth.keys import AuthError, require
from service.config import Settings
from service.domain import Scope
from service.faults import UNAVAILABLE_ERRORS
from service.gateway.access import principal_of
from service.gateway.bulk_admission import BulkKind, charge_bulk, release_slots, take_slot
from service.gateway.errors import Refusal
from service.ingest.bulk.export import _records
from service.ingest.bulk.format import (
    RECORD_TYPES,
    TYPE_ORDER,
    canonical,
    end_record,
    header_record,
)
from service.rest import problems

EXPORT_PATH = "/api/v1/export"
JSONL, CSV = "jsonl", "csv"
MEDIA_TYPES = {JSONL: "application/x-ndjson", CSV: "text/csv; charset=utf-8"}
CSV_TYPES = ("funding_round", "investment")
# What is sent at once: big enough for few writes, small enough to bound memory.
CHUNK_BYTES = 64 * 1024


class ExportError(ValueError):
    pass


def export_description() -> str:
    return (
        "JSON Lines (`format=jsonl`, the default): the bulk format `stakegraph export` writes "
        "and `POST /api/v1/import` reads, whole or only the record types named in `types` "
        f"(repeatable; in load order: {', '.join(TYPE_ORDER)}). CSV (`format=csv`): one file of "
        "funding rounds (`types=funding_round`) or of investments (`types=investment`), a "
        "header row of field names then one row per record, as the import reads it. Read from "
        "one snapshot and streamed. Needs an API key with the `read` scope, whether or not "
        "reads are public.\n\nExample: `GET /api/v1/export?types=organization&types="
        "funding_round`"
    )


def export_parameters() -> list[dict[str, Any]]:
    return [
        {
            "name": "format",
            "in": "query",
            "required": False,
            "description": "jsonl (default) or csv.",
            "schema": {"type": "string", "enum": [JSONL, CSV], "default": JSONL},
            "example": JSONL,
        },
        {
            "name": "types",
            "in": "query",
            "required": False,
            "description": "Record types to export (all by default); exactly one of "
            f"{' or '.join(CSV_TYPES)} for CSV.",
            "schema": {"type": "array", "items": {"type": "string", "enum": list(TYPE_ORDER)}},
            "style": "form",
            "explode": True,
            "example": ["organization", "funding_round"],
        },
    ]


def chosen(format_: str, names: Sequence[str]) -> tuple[str, ...]:
    """The record types to export, in load order; ExportError for what cannot be exported."""
    if format_ not in (JSONL, CSV):
        raise ExportError(f"`format` is {JSONL} or {CSV}, not {format_[:40]!r}.")
    requested = {n.strip() for name in names for n in name.split(",") if n.strip()}
    unknown = sorted(requested - set(TYPE_ORDER))
    if unknown:
        raise ExportError(
            f"Unknown record type(s) {', '.join(repr(u[:40]) for u in unknown[:5])}; "
            f"types are {', '.join(TYPE_ORDER)}."
        )
    if format_ == CSV and (len(requested) != 1 or not requested <= set(CSV_TYPES)):
        raise ExportError(f"CSV holds one record type: give `types` as {' or '.join(CSV_TYPES)}.")
    return tuple(t for t in TYPE_ORDER if not requested or t in requested)


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


class _Chunks:
    """Text gathered into chunks of about ``CHUNK_BYTES``."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0

    def add(self, text: str) -> bytes | None:
        data = text.encode("utf-8")
        self.parts.append(data)
        self.size += len(data)
        if self.size < CHUNK_BYTES:
            return None
        return self.take()

    def take(self) -> bytes:
        chunk = b"".join(self.parts)
        self.parts, self.size = [], 0
        return chunk


async def _jsonl(conn: asyncpg.Connection, types: Iterable[str]) -> AsyncIterator[str]:
    yield canonical(header_record()) + "\n"
    count = 0
    for name in types:
        async for record in _records(conn, RECORD_TYPES[name]):
            count += 1
            yield canonical(record) + "\n"
    yield canonical(end_record(count)) + "\n"


async def _csv(conn: asyncpg.Connection, name: str) -> AsyncIterator[str]:
    columns = [f.name for f in RECORD_TYPES[name].fields]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    async for record in _records(conn, RECORD_TYPES[name]):
        writer.writerow([csv_cell(record.get(c)) for c in columns])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


async def _stream(
    pool: asyncpg.Pool, pooled: PoolConnectionProxy, format_: str, types: tuple[str, ...]
) -> AsyncIterator[bytes]:
    conn = cast(asyncpg.Connection, pooled)
    chunks = _Chunks()
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            # The tables themselves, as `stakegraph export` reads them (the pool's
            # connections otherwise see the live views).
            await conn.execute("SELECT set_config('search_path', 'public', true)")
            lines = _jsonl(conn, types) if format_ == JSONL else _csv(conn, types[0])
            async for text in lines:
                chunk = chunks.add(text)
                if chunk is not None:
                    yield chunk
        yield chunks.take()
    finally:
        try:
            await release_slots(conn)
        finally:
            await pool.release(pooled)


def export_handler(settings: Settings) -> Callable[[Request], Awaitable[Response]]:
    async def export(request: Request) -> Response:
        return await _export(request, settings)

    return export


async def _export(request: Request, settings: Settings) -> Response:
    instance = request.url.path
    query = request.query_params
    try:
        format_ = query.get("format", JSONL)
        if len(query.getlist("format")) > 1:
            raise ExportError("Give `format` once.")
        unknown = sorted(set(query.keys()) - {"format", "types"})
        if unknown:
            raise ExportError(
                f"Unknown parameter `{unknown[0][:60]}`; this route takes format, types."
            )
        types = chosen(format_, query.getlist("types"))
    except ExportError as exc:
        return problems.problem("BAD_USER_INPUT", str(exc), instance=instance)
    pool: asyncpg.Pool = request.app.state.pool
    try:
        conn = await pool.acquire(timeout=settings.pool_acquire_timeout_ms / 1000)
    except UNAVAILABLE_ERRORS:
        return problems.problem(
            "SERVICE_UNAVAILABLE", "The database is unavailable; retry shortly.", instance=instance
        )
    try:
        principal, _ = await principal_of(request.headers, conn)
        require(principal, Scope.READ, "Exporting")
        admission = await charge_bulk(request.app.state.throttle, request, principal, pool)
        # Held until the stream ends (released with the connection's reset otherwise).
        await take_slot(conn, settings, principal, BulkKind.EXPORT)
    except AuthError as exc:
        await pool.release(conn)
        return problems.problem(exc.code, exc.message, instance=instance)
    except Refusal as refusal:
        await pool.release(conn)
        return problems.problem(
            refusal.code,
            refusal.message,
            status=refusal.status,
            instance=instance,
            headers=refusal.headers,
        )
    except BaseException:
        await pool.release(conn)
        raise
    suffix = JSONL if format_ == JSONL else f"{types[0]}.csv"
    return StreamingResponse(
        _stream(pool, conn, format_, types),
        media_type=MEDIA_TYPES[format_],
        headers={
            "content-disposition": f'attachment; filename="stakegraph-export.{suffix}"',
            "cache-control": "private, no-store",
            **admission.headers,
        },
    )
