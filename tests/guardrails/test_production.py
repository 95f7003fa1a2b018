"""Production mode (issue 15, item 3) and the metrics endpoint (item 4)."""

from __future__ import annotations

import pytest

from service.domain import Scope
from tests.guardrails.conftest import bearer, new_key, serving

INTROSPECTION = "{ __schema { queryType { name } } }"
TYPO = "{ organisations(first: 1) { nodes { slug } } }"


async def test_production_hides_introspection_graphiql_docs_and_suggestions(
    guard_url: str,
) -> None:
    _, key = await new_key(guard_url, Scope.READ)
    async with serving(guard_url, env="production") as (_, client):
        introspection = await client.post(
            "/graphql", json={"query": INTROSPECTION}, headers=bearer(key)
        )
        typo = await client.post("/graphql", json={"query": TYPO}, headers=bearer(key))
        page = await client.get("/graphql", headers={"accept": "text/html"})
        docs = [await client.get(p) for p in ("/docs", "/redoc", "/openapi.json")]
        metrics = await client.get("/metrics")
        admin_metrics = await client.get("/metrics", headers=bearer(key))
    error = introspection.json()["errors"][0]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "introspection" in error["message"]
    message = typo.json()["errors"][0]["message"]
    assert "organisations" in message
    assert "Did you mean" not in message
    assert page.status_code == 404 or "graphiql" not in page.text.lower()
    assert [r.status_code for r in docs] == [404, 404, 404]
    assert metrics.status_code == 401
    assert admin_metrics.status_code == 403


async def test_production_switches_can_be_turned_back_on(guard_url: str) -> None:
    async with serving(
        guard_url,
        env="production",
        public_read=True,
        introspection=True,
        field_suggestions=True,
        docs_pages=True,
        public_metrics=True,
    ) as (_, client):
        introspection = await client.post("/graphql", json={"query": INTROSPECTION})
        typo = await client.post("/graphql", json={"query": TYPO})
        docs = await client.get("/openapi.json")
        metrics = await client.get("/metrics")
    assert introspection.json()["data"] == {"__schema": {"queryType": {"name": "Query"}}}
    assert "Did you mean" in typo.json()["errors"][0]["message"]
    assert docs.status_code == 200
    assert metrics.status_code == 200


async def test_development_shows_them(guard_url: str) -> None:
    async with serving(guard_url) as (_, client):
        typo = await client.post("/graphql", json={"query": TYPO})
        docs = await client.get("/docs")
    assert "Did you mean" in typo.json()["errors"][0]["message"]
    assert docs.status_code == 200


@pytest.mark.parametrize("given", [None, "trace-42.a:b"])
async def test_the_request_id_is_accepted_or_made_and_returned(
    guard_url: str, given: str | None
) -> None:
    headers = {"x-request-id": given} if given else {}
    async with serving(guard_url) as (_, client):
        response = await client.post(
            "/graphql",
            json={"query": "{ organizations(first: 1) { nodes { slug } } }"},
            headers=headers,
        )
        odd = await client.get("/healthz", headers={"x-request-id": "not ok; " * 30})
    if given:
        assert response.headers["x-request-id"] == given
    else:
        assert len(response.headers["x-request-id"]) == 32
    # An id that is no sensible token is replaced, not echoed.
    assert odd.headers["x-request-id"] != "not ok"
    assert len(odd.headers["x-request-id"]) == 32


FAMILIES = (
    "stakegraph_requests_total",
    "stakegraph_request_duration_seconds_bucket",
    "stakegraph_db_pool_in_use",
    "stakegraph_db_pool_waiting",
    "stakegraph_statement_timeouts_total",
    "stakegraph_database_unavailable_total",
    "stakegraph_throttled_requests_total",
    "stakegraph_rate_limit_fallbacks_total",
    "stakegraph_query_cost_bucket",
)


async def test_metrics_are_scraped(guard_url: str) -> None:
    async with serving(guard_url, rate_anonymous_capacity=10, rate_anonymous_restore=1) as (
        _,
        client,
    ):
        await client.post(
            "/graphql",
            json={"query": "query Scraped { organizations(first: 2) { nodes { slug } } }"},
        )
        await client.post(
            "/graphql",
            json={"query": "query Scraped { organizations(first: 20) { nodes { slug } } }"},
        )
        scrape = await client.get("/metrics")
    assert scrape.status_code == 200
    assert scrape.headers["content-type"].startswith("text/plain")
    text = scrape.text
    for family in FAMILIES:
        assert family in text, family
    assert 'stakegraph_requests_total{executor="compiled",operation="Scraped",outcome="ok"}' in text
    assert (
        'stakegraph_requests_total{executor="none",operation="Scraped",outcome="throttled"}' in text
    )


async def test_requests_are_traced_when_tracing_is_on(guard_url: str) -> None:
    pytest.importorskip("opentelemetry.sdk")
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    async with serving(guard_url, tracing=True) as (_, client):
        response = await client.post(
            "/graphql",
            json={"query": "query Traced { organizations(first: 2) { nodes { slug } } }"},
        )
    (span,) = [s for s in exporter.get_finished_spans() if s.name == "POST /graphql"]
    attributes = dict(span.attributes or {})
    assert attributes["stakegraph.operation"] == "Traced"
    assert attributes["stakegraph.executor"] == "compiled"
    assert attributes["stakegraph.cost_requested"] == 2
    assert attributes["stakegraph.request_id"] == response.headers["x-request-id"]
