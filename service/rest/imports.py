"""``POST /api/v1/import``: the bulk import over HTTP, streamed, with the command's report.

The request body is read chunk by chunk as it arrives and fed to the same readers and importer
as ``stakegraph import``; nothing holds the whole file. JSON Lines by default; CSV (rounds or
investments) when the content type says ``text/csv`` or the query says ``format=csv``. The
answer is the import report: 200 when everything was imported, 422 (and nothing written) when
any line is bad. It needs an API key with the ``write`` scope (``Authorization: Bearer``),
checked before the body is read: 401 without a valid key, 403 with a weaker one.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from service.auth.keys import AuthError, authenticate, bearer_token, require
from service.domain import Scope
from service.ingest.bulk import import_stream

router = APIRouter(prefix="/api/v1", tags=["bulk"])


@router.post(
    "/import",
    summary="Import records of the bulk format (JSON Lines, or CSV of rounds or investments)",
    responses={
        200: {"description": "Every record was imported; counts per table."},
        401: {"description": "No API key, or an unknown or revoked one."},
        403: {"description": "The API key lacks the write scope."},
        422: {"description": "Bad lines, each with its number and reason; nothing was written."},
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
    content_type = request.headers.get("content-type", "")
    csv = format == "csv" if format is not None else content_type.startswith("text/csv")
    async with pool.acquire() as conn, conn.transaction():
        # The tables themselves (the pool's readers see the live views), and the acting key,
        # which the versioning and audit triggers record, for as long as this transaction
        # lasts; the import runs in a savepoint inside it.
        await conn.execute(
            "SELECT set_config('search_path', 'public', true),"
            " set_config('stakegraph.key_id', $1, true)",
            str(principal.key_id),
        )
        report = await import_stream(conn, request.stream(), csv=csv, partial=partial)
    return JSONResponse(report.as_json(), status_code=200 if report.imported else 422)
