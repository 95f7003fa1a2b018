"""REST reads take ``?asOf=`` (or the ``Stakegraph-As-Of`` header), as GraphQL does."""

from __future__ import annotations

import datetime as dt

import httpx
from fastapi import FastAPI

from service.rest.as_of import AsOfParameter


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/moment")
    async def moment(as_of: AsOfParameter) -> dict[str, str | None]:
        return {"asOf": as_of.isoformat() if as_of else None}

    return app


async def test_the_query_or_the_header_names_the_moment_and_they_must_agree() -> None:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        none = await c.get("/moment")
        query = await c.get("/moment", params={"asOf": "2024-05-01T12:00:00"})
        header = await c.get("/moment", headers={"Stakegraph-As-Of": "2024-05-01T14:00:00+02:00"})
        both = await c.get(
            "/moment",
            params={"asOf": "2024-05-01T12:00:00Z"},
            headers={"Stakegraph-As-Of": "2024-05-01T14:00:00+02:00"},
        )
        disagreeing = await c.get(
            "/moment",
            params={"asOf": "2024-05-01T12:00:00Z"},
            headers={"Stakegraph-As-Of": "2025-01-01T00:00:00Z"},
        )
        bad = await c.get("/moment", params={"asOf": "soon"})
    assert none.json() == {"asOf": None}
    noon = dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC)
    assert query.json() == {"asOf": noon.isoformat()}
    assert dt.datetime.fromisoformat(header.json()["asOf"]) == noon
    assert dt.datetime.fromisoformat(both.json()["asOf"]) == noon
    assert disagreeing.status_code == 400
    assert disagreeing.json()["detail"]["code"] == "BAD_USER_INPUT"
    assert bad.status_code == 400
    assert "ISO 8601" in bad.json()["detail"]["message"]
