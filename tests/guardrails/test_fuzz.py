"""Fuzzing (issue 15, item 7): generated queries, and mutations with a write key on a database
of this module's own, in-process. No answer may be a 5xx or carry an error the service did not
mean (INTERNAL_SERVER_ERROR, or internals in a message), and afterwards the database must pass
the bulk importer's checks: it is exported and imported into an empty database, all or
nothing.

Derandomised, with a bounded budget, so that a run means the same every time.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable, Iterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import mutations, nodes, queries

from service.db import migrate
from service.domain import Scope
from service.ingest.bulk import export_to, import_file
from tests.dbutil import ROOT
from tests.guardrails.conftest import bearer, new_key, serving

SDL = (ROOT / "graphql" / "schema.graphql").read_text()
BUDGET = settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
SCALARS = {
    "Date": st.dates().map(lambda d: nodes.String(d.isoformat())),
    "DateTime": st.datetimes().map(lambda d: nodes.String(d.isoformat() + "Z")),
}
# What a message of an error the service meant never holds.
INTERNALS = ("Traceback", "asyncpg", "SELECT ", "psycopg", 'File "')


def check_answer(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    body = response.json()
    for error in body.get("errors") or ():
        code = (error.get("extensions") or {}).get("code")
        assert code, error
        assert code != "INTERNAL_SERVER_ERROR", error
        assert not any(word in error["message"] for word in INTERNALS), error


class Runner:
    """The app on its own event loop, driven one request at a time from hypothesis's
    synchronous examples."""

    def __init__(self, url: str, **options: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.serving: AbstractAsyncContextManager[Any] = serving(url, **options)
        _, self.client = self.loop.run_until_complete(self.serving.__aenter__())

    def post(self, query: str, headers: dict[str, str] | None = None) -> httpx.Response:
        return self.loop.run_until_complete(
            self.client.post("/graphql", json={"query": query}, headers=headers or {})
        )

    def run(self, work: Callable[[], Any]) -> Any:
        return self.loop.run_until_complete(work())

    def close(self) -> None:
        self.loop.run_until_complete(self.serving.__aexit__(None, None, None))
        self.loop.close()


@pytest.fixture
def runner(guard_url: str) -> Iterator[Runner]:
    made = Runner(guard_url, rate_limit=False)
    yield made
    made.close()


def test_generated_queries_are_answered_without_faults(runner: Runner) -> None:
    @BUDGET
    @given(query=queries(SDL, custom_scalars=SCALARS, allow_x00=True))
    def send(query: str) -> None:
        check_answer(runner.post(query))

    send()


def test_generated_invalid_queries_are_refused_with_a_code(runner: Runner) -> None:
    from hypothesis_graphql import Mode

    @BUDGET
    @given(query=queries(SDL, custom_scalars=SCALARS, mode=Mode.NEGATIVE))
    def send(query: str) -> None:
        response = runner.post(query)
        check_answer(response)

    send()


def test_generated_mutations_keep_the_database_importable(
    guard_url: str, empty_database_factory: Callable[[], Any], tmp_path: Path
) -> None:
    runner = Runner(guard_url, rate_limit=False)
    try:
        _, key = runner.run(lambda: new_key(guard_url, Scope.WRITE, "fuzz"))
        headers = bearer(key)

        @BUDGET
        @given(mutation=mutations(SDL, custom_scalars=SCALARS))
        def send(mutation: str) -> None:
            check_answer(runner.post(mutation, headers))

        send()

        async def round_trip() -> Any:
            exported = io.BytesIO()
            await export_to(guard_url, exported)
            fresh = await empty_database_factory()
            await asyncio.to_thread(migrate.upgrade, fresh)
            exported.seek(0)
            return await import_file(fresh, exported, name="fuzzed.jsonl")

        report = runner.run(round_trip)
    finally:
        runner.close()
    assert report.ok, "\n".join(report.describe())
