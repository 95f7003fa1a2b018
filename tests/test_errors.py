"""Unexpected failures reach clients as coded errors without internals."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from service.repository import entities
from tests.conftest import Api

QUERY = '{ organization(slug: "alibaba-cloud") { slug parent { slug } } }'


async def test_unexpected_error_is_masked(
    resolvers_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: Any) -> Any:
        raise ValueError("SELECT secret FROM internals")

    monkeypatch.setattr(entities, "fetch_by_ids", broken)
    body = await resolvers_api.query(QUERY)
    assert body["data"] == {"organization": {"slug": "alibaba-cloud", "parent": None}}
    (error,) = body["errors"]
    # The id a user can quote is the one the logs carry.
    request_id = error["extensions"]["requestId"]
    assert (
        error["message"]
        == f"Internal server error. Quote request id {request_id} when reporting it."
    )
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
    assert error["path"] == ["organization", "parent"]
    assert "secret" not in str(body)


async def test_statement_timeout_is_reported(
    resolvers_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def slow(*args: Any) -> Any:
        raise asyncpg.QueryCanceledError("canceling statement due to statement timeout")

    monkeypatch.setattr(entities, "fetch_by_ids", slow)
    (error,) = (await resolvers_api.query(QUERY))["errors"]
    assert error["extensions"] == {"code": "TIMEOUT"}


async def test_own_errors_keep_their_code(api: Api) -> None:
    (error,) = (await api.query("{ organizations(first: 0) { nodes { slug } } }"))["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "between 1 and 100" in error["message"]
