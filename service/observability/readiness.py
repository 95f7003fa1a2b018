"""``GET /readyz``: whether this process can answer, and if not, what is wrong, in words an
operator can act on; never the text of an exception (it can carry addresses and names)."""

from __future__ import annotations

import asyncio
import logging

from fastapi import Request
from fastapi.responses import JSONResponse

from service.config import Settings
from service.db import migrate
from service.db.pool import PoolFull
from service.faults import UNAVAILABLE_ERRORS

log = logging.getLogger(__name__)

RETRY = {"retry-after": "1"}


async def readiness(request: Request, settings: Settings) -> JSONResponse:
    state = request.app.state
    timeout = settings.pool_acquire_timeout_ms / 1000
    try:
        async with asyncio.timeout(timeout), state.pool.acquire(timeout=timeout) as conn:
            revision = await migrate.current_revision(conn)
    except PoolFull:
        return _unready("every database connection is busy and requests are queueing")
    except UNAVAILABLE_ERRORS as exc:
        log.warning("readiness: database unavailable: %r", exc)
        return _unready("the database does not answer")
    except Exception as exc:
        log.warning("readiness: database check failed: %r", exc)
        return _unready("the database answered with an error")
    head = migrate.head_revision()
    if revision != head:
        return JSONResponse(
            {
                "status": "migrating",
                "reason": "the database schema is not at the migrations' head",
                "revision": revision,
                "head": head,
            },
            status_code=503,
            headers=RETRY,
        )
    return JSONResponse({"status": "ok", "revision": revision})


def _unready(reason: str) -> JSONResponse:
    return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503, headers=RETRY)
