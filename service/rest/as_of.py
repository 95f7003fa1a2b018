"""``?asOf=`` on REST reads: the recorded time a read is served at, as GraphQL takes it.

A REST read takes ``asOf`` in its query string, or the ``Stakegraph-As-Of`` header that a
frontend sets once for every request; when both are given they must name the same moment.
Use it as a dependency (``as_of: AsOfParameter``) and read through
``service.db.pool.read_transaction(..., as_of=as_of)``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request

from service.gateway.as_of_header import AS_OF_HEADER, header_as_of, parse_moment
from service.gateway.errors import BAD_USER_INPUT, Refusal


def _http_error(code: str, message: str) -> HTTPException:
    return HTTPException(status_code=400, detail={"code": code, "message": message})


def recorded_time(
    request: Request,
    as_of: Annotated[
        str | None,
        Query(
            alias="asOf",
            description="Read as the database recorded it at this moment (ISO 8601; without a "
            f"time zone, UTC). The {AS_OF_HEADER} header says the same, and must agree.",
        ),
    ] = None,
) -> dt.datetime | None:
    """The moment ``?asOf=`` or the header names (the same one when both do), or None."""
    try:
        header = header_as_of(request.headers)
        given = parse_moment(as_of, "`asOf`") if as_of is not None else None
    except Refusal as refusal:
        raise _http_error(refusal.code, refusal.message) from None
    if header is not None and given is not None and header != given:
        raise _http_error(
            BAD_USER_INPUT,
            f"`asOf` ({given.isoformat()}) must agree with the {AS_OF_HEADER} header "
            f"({header.isoformat()}).",
        )
    return given if given is not None else header


AsOfParameter = Annotated[dt.datetime | None, Depends(recorded_time)]
