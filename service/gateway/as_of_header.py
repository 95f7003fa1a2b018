"""``Stakegraph-As-Of``: the recorded time a request reads at, set once by a client.

Relay's generated refetch queries go through ``node(id:)``, which takes no other argument, so a
client that reads the graph as recorded at some moment says so in a header that its network
layer adds to every request. Root fields that take ``asOf`` may still give it, but must then
give the same moment as the header.
"""

from __future__ import annotations

import datetime as dt

from starlette.datastructures import Headers

from service.gateway.errors import bad_request

AS_OF_HEADER = "Stakegraph-As-Of"


def parse_moment(text: str, where: str) -> dt.datetime:
    """An ISO 8601 date-time (UTC when it names no offset), or a 400 naming ``where``."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise bad_request(
            f"{where} must be an ISO 8601 date-time such as 2025-01-31T12:00:00Z; "
            f"got {text[:64]!r}."
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def header_as_of(headers: Headers) -> dt.datetime | None:
    """The moment the request's ``Stakegraph-As-Of`` header names, if it has one."""
    values = headers.getlist(AS_OF_HEADER)
    if not values:
        return None
    if len(values) > 1:
        raise bad_request(f"Send one {AS_OF_HEADER} header, not several.")
    return parse_moment(values[0], f"The {AS_OF_HEADER} header")
