"""REST reads take ``?asOf=``, or the ``Stakegraph-As-Of`` header a frontend sets once; when
both are given they must agree, as over GraphQL."""

from __future__ import annotations

from tests.frontends.support import client

BEFORE_ANYTHING = "2000-01-01T00:00:00Z"
HEADER = "Stakegraph-As-Of"


async def test_rest_reads_take_asof_or_the_header(migrated_url: str) -> None:
    async with client(migrated_url) as c:
        now = await c.get("/api/v1/organizations/moonshot-ai")
        by_query = await c.get(
            "/api/v1/organizations/moonshot-ai", params={"asOf": BEFORE_ANYTHING}
        )
        by_header = await c.get(
            "/api/v1/organizations/moonshot-ai", headers={HEADER: BEFORE_ANYTHING}
        )
        listed = await c.get("/api/v1/organizations", headers={HEADER: BEFORE_ANYTHING})
        both = await c.get(
            "/api/v1/organizations/moonshot-ai",
            params={"asOf": "2000-01-01T01:00:00+01:00"},
            headers={HEADER: BEFORE_ANYTHING},
        )
        disagreeing = await c.get(
            "/api/v1/organizations/moonshot-ai",
            params={"asOf": "2001-01-01T00:00:00Z"},
            headers={HEADER: BEFORE_ANYTHING},
        )
        bad = await c.get("/api/v1/organizations/moonshot-ai", headers={HEADER: "soon"})
    assert now.status_code == 200
    assert now.json()["name"] == "Moonshot AI"
    assert "Stakegraph-As-Of" in now.headers["vary"]
    # Nothing was recorded in 2000: the item is not there, the list is empty.
    assert by_query.status_code == 404
    assert by_header.status_code == 404
    assert listed.status_code == 200
    assert listed.json()["nodes"] == []
    assert both.status_code == 404
    assert disagreeing.status_code == 400
    assert disagreeing.json()["code"] == "BAD_USER_INPUT"
    assert "must agree with the Stakegraph-As-Of header" in disagreeing.json()["detail"]
    assert bad.status_code == 400
    assert "ISO 8601" in bad.json()["detail"]
