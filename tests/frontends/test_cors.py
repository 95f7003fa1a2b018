"""CORS: pages of the configured origins may call the API from a browser; others may not."""

from __future__ import annotations

import pytest

from service.config import Settings
from service.gateway.cors import OriginError, parse_origins
from tests.frontends.support import MOONSHOT, client, served

PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type, idempotency-key, "
    "stakegraph-as-of",
}


def test_development_allows_localhost_on_any_port_and_production_nothing() -> None:
    assert Settings(env="development").allowed_origins == [
        "http://localhost:*",
        "http://127.0.0.1:*",
    ]
    assert Settings(env="production").allowed_origins == []
    # As the environment gives it: one comma-separated string.
    given = Settings.model_validate({"cors_origins": "https://a.example, https://b.example"})
    assert given.allowed_origins == [
        "https://a.example",
        "https://b.example",
    ]


def test_origins_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAKEGRAPH_CORS_ORIGINS", "https://a.example, http://localhost:*")
    assert Settings().allowed_origins == ["https://a.example", "http://localhost:*"]
    monkeypatch.setenv("STAKEGRAPH_CORS_ORIGINS", '["https://a.example"]')
    assert Settings().allowed_origins == ["https://a.example"]
    monkeypatch.setenv("STAKEGRAPH_CORS_ORIGINS", "")
    assert Settings().allowed_origins == []


def test_origins_parse_to_exact_names_and_one_port_pattern() -> None:
    origins = parse_origins(["https://App.example/", "http://localhost:*", "http://[::1]:8080"])
    assert origins.exact == ("https://app.example", "http://[::1]:8080")
    assert origins.pattern is not None
    assert parse_origins(["*"]).any
    for bad in ("app.example", "ftp://x.example", "https://a.example/path", "http://x:port"):
        with pytest.raises(OriginError, match="is not an origin"):
            parse_origins([bad])


async def test_preflight_from_an_allowed_origin_is_answered_without_the_database(
    migrated_url: str,
) -> None:
    async with served(migrated_url) as (app, c):
        # The pool closed: anything that reached the database would fail.
        await app.state.pool.close()
        response = await c.options(
            "/graphql", headers={"Origin": "http://localhost:5173", **PREFLIGHT}
        )
        query = await c.post(
            "/graphql",
            json={"query": MOONSHOT},
            headers={"Origin": "http://localhost:5173", "Authorization": "Bearer sg_x"},
        )
    assert query.status_code == 503
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "http://localhost:5173"
    allowed = {
        h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")
    }
    assert {"authorization", "content-type", "idempotency-key", "stakegraph-as-of"} <= allowed
    assert "POST" in response.headers["access-control-allow-methods"]


async def test_a_preflight_from_another_origin_is_refused(migrated_url: str) -> None:
    async with client(migrated_url) as c:
        other = await c.options("/graphql", headers={"Origin": "https://evil.example", **PREFLIGHT})
        lookalike = await c.options(
            "/graphql", headers={"Origin": "http://localhost.evil.example", **PREFLIGHT}
        )
    for response in (other, lookalike):
        assert response.status_code == 400
        assert "access-control-allow-origin" not in response.headers


async def test_responses_to_an_allowed_origin_expose_the_headers_the_api_sets(
    migrated_url: str,
) -> None:
    async with client(migrated_url, cors_origins="https://app.example") as c:
        allowed = await c.post(
            "/graphql", json={"query": MOONSHOT}, headers={"Origin": "https://app.example"}
        )
        local = await c.post(
            "/graphql", json={"query": MOONSHOT}, headers={"Origin": "http://localhost:3000"}
        )
    assert allowed.headers["access-control-allow-origin"] == "https://app.example"
    exposed = {
        h.strip().lower() for h in allowed.headers["access-control-expose-headers"].split(",")
    }
    assert {"x-stakegraph-executor", "retry-after", "ratelimit-remaining"} <= exposed
    assert allowed.headers["x-stakegraph-executor"] == "compiled"
    assert "Origin" in allowed.headers["vary"]
    # Configured origins replace the development defaults.
    assert "access-control-allow-origin" not in local.headers


async def test_production_allows_no_origin_unless_configured(migrated_url: str) -> None:
    async with client(migrated_url, env="production", public_read=True) as c:
        response = await c.options(
            "/graphql", headers={"Origin": "http://localhost:5173", **PREFLIGHT}
        )
        plain = await c.post(
            "/graphql", json={"query": MOONSHOT}, headers={"Origin": "http://localhost:5173"}
        )
    assert response.status_code == 400
    assert plain.status_code == 200  # the server answers; the browser withholds it
    assert "access-control-allow-origin" not in plain.headers
