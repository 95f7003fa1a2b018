"""``POST /api/v1/import``: the bulk import over HTTP, streamed, with the command's report.

The request body is read chunk by chunk as it arrives and fed to the same readers and importer
as ``stakegraph import``; nothing holds the whole file. JSON Lines by default; CSV (rounds or
investments) when the content type says ``text/csv`` or the query says ``format=csv``. The
answer is the import report: 200 when everything was imported, 422 (and nothing written) when
any line is bad. It needs an API key with the ``write`` scope (``Authorization: Bearer``),
checked before the body is read: 401 without a valid key, 403 with a weaker one.

Limits (``service.config``): a body over ``import_max_bytes`` is refused with 413, from its
Content-Length before anything is read or as soon as the stream crosses the limit; an import
that runs past ``import_deadline_ms`` is stopped with 504 (code ``TIMEOUT``). Either way the
import's transaction is rolled back: nothing is written. A JSON Lines body must start with its
header record (``{"type":"header","format":"stakegraph","version":1}``): without it, 400 before
anything is imported, since a body cut off at its start cannot be told from one that has none.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Literal, cast

import asyncpg
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from service.auth.keys import AuthError, Principal, authenticate, bearer_token, require
from service.config import Settings, get_settings
from service.domain import Scope
from service.gateway.bulk_admission import BulkKind, charge_bulk, release_slots, take_slot
from service.gateway.errors import Refusal
from service.ingest.bulk import ImportOptions, ImportReport, import_stream
from service.ingest.bulk.format import FORMAT_NAME, FORMAT_VERSION, HEADER_TYPE

router = APIRouter(prefix="/api/v1", tags=["bulk"])

SOURCE = "POST /api/v1/import"
BAD_REQUEST = "BAD_REQUEST"
PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
TIMEOUT = "TIMEOUT"
_HEADER = json.dumps({"type": HEADER_TYPE, "format": FORMAT_NAME, "version": FORMAT_VERSION})


class Refused(Exception):
    """The request is refused as a whole: a status, a code and a message for people."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}

    @classmethod
    def of(cls, refusal: Refusal) -> Refused:
        return cls(refusal.status, refusal.code, refusal.message, refusal.headers)

    def response(self) -> JSONResponse:
        error = {"code": self.code, "message": self.message}
        return JSONResponse(
            {"ok": False, "error": error}, status_code=self.status, headers=self.headers
        )


def _too_large(limit: int) -> Refused:
    return Refused(
        413,
        PAYLOAD_TOO_LARGE,
        f"The import is over the limit of {limit} bytes; nothing was written.",
    )


def _check_length(declared: str | None, limit: int) -> None:
    if declared is None:
        return
    try:
        length = int(declared)
    except ValueError:
        raise Refused(400, BAD_REQUEST, "The Content-Length header is not a number.") from None
    if length > limit:
        raise _too_large(limit)


async def _limited(chunks: AsyncIterator[bytes], limit: int) -> AsyncIterator[bytes]:
    """The body as it streams in, refused (the import with it) once over ``limit`` bytes."""
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        yield chunk


async def _with_header(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """The body, once its first line is known to be a header record; refused otherwise."""
    seen: list[bytes] = []
    first = b""
    async for chunk in chunks:
        seen.append(chunk)
        start = b"".join(seen).lstrip(b"\xef\xbb\xbf \t\r\n")
        if b"\n" in start:
            first = start.split(b"\n", 1)[0]
            break
    else:
        first = b"".join(seen).lstrip(b"\xef\xbb\xbf \t\r\n")
    try:
        record = json.loads(first)
    except ValueError:
        record = None
    if not isinstance(record, dict) or record.get("type") != HEADER_TYPE:
        raise Refused(
            400,
            BAD_REQUEST,
            f"A JSON Lines import must start with its header record {_HEADER} (and end with "
            '{"type":"end","records":N}); this body does not. Nothing was imported.',
        )
    for chunk in seen:
        yield chunk
    async for chunk in chunks:
        yield chunk


@router.post(
    "/import",
    summary="Import records of the bulk format (JSON Lines, or CSV of rounds or investments)",
    responses={
        200: {"description": "Every record was imported; counts per table."},
        401: {"description": "No API key, or an unknown or revoked one."},
        400: {"description": "A JSON Lines body without its header record."},
        403: {"description": "The API key lacks the write scope."},
        413: {"description": "The body is over `import_max_bytes`; nothing was written."},
        422: {"description": "Bad lines, each with its number and reason; nothing was written."},
        429: {
            "description": "Rate limited (`THROTTLED`): the key's bucket lacks the import's cost, "
            "or the key already runs as many imports as it may; see `Retry-After`."
        },
        504: {"description": "The import ran past `import_deadline_ms`; nothing was written."},
    },
)
async def import_records(
    request: Request,
    format: Literal["jsonl", "csv"] | None = Query(
        default=None, description="jsonl or csv; by default from the Content-Type"
    ),
    partial: bool = Query(
        default=False,
        description="Import the good lines, skipping bad ones and what relies on them; the "
        "report lists the skipped lines (`imported: true`, status 200).",
    ),
    settings: Settings = Depends(get_settings),
) -> JSONResponse:
    pool = request.app.state.pool
    try:
        token = bearer_token(request.headers.get("authorization"))
        async with pool.acquire() as conn:
            principal = await authenticate(conn, token)
        require(principal, Scope.WRITE, "Importing")
    except AuthError as exc:
        return JSONResponse(
            {"ok": False, "error": {"code": exc.code, "message": exc.message}},
            status_code=exc.http_status,
        )
    try:
        admission = await charge_bulk(request.app.state.throttle, request, principal, pool)
    except Refusal as refusal:
        return Refused.of(refusal).response()
    content_type = request.headers.get("content-type", "")
    csv = format == "csv" if format is not None else content_type.startswith("text/csv")
    limit = settings.import_max_bytes
    try:
        _check_length(request.headers.get("content-length"), limit)
        body = _limited(request.stream(), limit)
        chunks = body if csv else _with_header(body)
        async with asyncio.timeout(settings.import_deadline_ms / 1000):
            report = await _import(
                request, principal, chunks, settings=settings, csv=csv, partial=partial
            )
    except Refusal as refusal:
        return Refused.of(refusal).response()
    except Refused as refused:
        return refused.response()
    except TimeoutError:
        return Refused(
            504,
            TIMEOUT,
            f"The import took longer than its deadline of {settings.import_deadline_ms} ms and "
            "was stopped; nothing was written.",
        ).response()
    return JSONResponse(
        report.as_json(), status_code=200 if report.imported else 422, headers=admission.headers
    )


async def _import(
    request: Request,
    principal: Principal,
    chunks: AsyncIterator[bytes],
    *,
    settings: Settings,
    csv: bool,
    partial: bool,
) -> ImportReport:
    key_id = principal.key_id
    async with request.app.state.pool.acquire() as conn:
        # Before the body is read: a key that already runs its imports is refused at once.
        await take_slot(conn, settings, principal, BulkKind.IMPORT)
        try:
            return await _import_on(
                cast(asyncpg.Connection, conn), key_id, chunks, csv=csv, partial=partial
            )
        finally:
            await release_slots(conn)


async def _import_on(
    conn: asyncpg.Connection,
    key_id: int | None,
    chunks: AsyncIterator[bytes],
    *,
    csv: bool,
    partial: bool,
) -> ImportReport:
    async with conn.transaction():
        # The tables themselves (the pool's readers see the live views), and the acting key,
        # which the versioning and audit triggers record, for as long as this transaction
        # lasts; the import runs in a savepoint inside it.
        await conn.execute(
            "SELECT set_config('search_path', 'public', true),"
            " set_config('stakegraph.key_id', $1, true)",
            "" if key_id is None else str(key_id),
        )
        options = ImportOptions(partial=partial, source=SOURCE)
        return await import_stream(conn, chunks, csv=csv, options=options)
