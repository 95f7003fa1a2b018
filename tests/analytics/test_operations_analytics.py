"""Every analytics operation in graphql/operations/ runs with asserted results.

Each test is named after its operation (``test_<OperationName>``), which is how
tests/test_operations.py checks that no operation goes untested.
"""

from __future__ import annotations

from tests.analytics.conftest import run_operation
from tests.conftest import Api


async def test_Search(api: Api) -> None:
    data = await run_operation(api, "Search")
    first, second = data["search"]
    assert first["node"] == {
        "__typename": "Organization",
        "slug": "moonshot-ai",
        "name": "Moonshot AI",
        "country": "CN",
    }
    assert first["matchedName"] == "月之暗面"
    assert second["kind"] == "FUNDING_ROUND"
    assert second["node"]["organization"] == {"slug": "moonshot-ai"}
    typo = await run_operation(api, "Search", {"query": "alibba", "first": 1})
    assert typo["search"][0]["node"]["slug"] == "alibaba"
    person = await run_operation(api, "Search", {"query": "吴泳铭", "kinds": ["PERSON"]})
    assert [h["node"]["slug"] for h in person["search"]] == ["eddie-wu"]
