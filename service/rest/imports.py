"""``POST /api/v1/import``: the bulk import over HTTP, streamed, with the command's report.

The request body is read chunk by chunk as it arrives and fed to the same readers and importer
as ``stakegraph import``; nothing holds the whole file. JSON Lines by default; CSV (rounds or
investments) when the content type says ``text/csv`` or the query says ``format=csv``. The
answer is the import report: 200 when everything was imported, 422 (and nothing written) when
any line is bad.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from service.ingest.io_import import import_stream

router = APIRouter(prefix="/api/v1", tags=["bulk"])


@router.post(
    "/import",
    summary="Import records of the bulk format (JSON Lines, or CSV of rounds or investments)",
    responses={
        200: {"description": "Every record was imported; counts per table."},
        422: {"description": "Bad lines, each with its number and reason; nothing was written."},
    },
)
async def import_records(
    request: Request,
    format: Literal["jsonl", "csv"] | None = Query(
        default=None, description="jsonl or csv; by default from the Content-Type"
    ),
) -> JSONResponse:
    content_type = request.headers.get("content-type", "")
    csv = format == "csv" if format is not None else content_type.startswith("text/csv")
    async with request.app.state.pool.acquire() as conn, conn.transaction():
        # The tables themselves, whatever view the pool's readers see, for as long as this
        # transaction lasts; the import runs in a savepoint inside it.
        await conn.execute("SELECT set_config('search_path', 'public', true)")
        report = await import_stream(conn, request.stream(), csv=csv)
    return JSONResponse(report.as_json(), status_code=200 if report.ok else 422)
