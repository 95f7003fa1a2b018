"""HTTP caching of GraphQL GET responses, so that a CDN or a browser can keep public reads.

A GET query answered without error to a request that presented no API key, on a server whose
reads are public, may be kept by any cache for ``STAKEGRAPH_GET_MAX_AGE_S``. Every other GET
response (keyed, refused, with errors, or a persisted query not yet registered) is ``no-store``.
GET responses vary on what changes them besides the URL: the media type asked for, the key,
the recorded time (``Stakegraph-As-Of``), and the origin (whose CORS headers they carry).
"""

from __future__ import annotations

from starlette.responses import Response

from service.gateway.as_of_header import AS_OF_HEADER

VARY = ("Accept", "Authorization", AS_OF_HEADER, "Origin")


def mark_get(response: Response, *, cacheable: bool, max_age_s: int) -> Response:
    """Adds the caching headers of a response to a GET request."""
    if cacheable and max_age_s > 0:
        response.headers["cache-control"] = f"public, max-age={max_age_s}"
    else:
        response.headers["cache-control"] = "no-store"
    for name in VARY:
        response.headers.add_vary_header(name)
    return response
