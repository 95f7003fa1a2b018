"""A page on a second loopback origin uses the API in headless Chromium, as frontends do: plain
``fetch`` (a query, a keyed mutation with ``Idempotency-Key``, an APQ round trip), Apollo
Client with its persisted-queries link, and a Relay environment that paginates a
``@connection`` and refetches a ``@refetchable`` fragment — and all of it fails when the
page's origin is not allowed."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from service.app import create_app
from service.auth.keys import create_key
from service.config import Settings
from service.db import migrate
from service.db.urls import asyncpg_dsn
from service.domain import Scope
from tests.frontends import npm
from tests.frontends.conftest import serve
from tests.frontends.test_client_compilers import _compile_relay, compile_relay

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def page_dir(node_work: Path) -> Path:
    """The page and its bundle (Apollo Client, relay-runtime and Relay's artifacts)."""
    if not CHROMIUM.is_file():
        reason = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("STAKEGRAPH_REQUIRE_BROWSER") == "1":
            pytest.fail(f"STAKEGRAPH_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    with npm.locked("relay"):
        # The bundle imports Relay's artifacts: compile them here, whatever ran before.
        _compile_relay(node_work)
        dist = node_work / "dist"
        result = npm.run_node(
            node_work,
            "node_modules/.bin/esbuild",
            "browser/app.js",
            "--bundle",
            "--format=esm",
            "--platform=browser",
            f"--outfile={dist / 'app.js'}",
            "--define:process.env.NODE_ENV='production'".replace("'", '"'),
            "--log-level=warning",
        )
        assert result.returncode == 0, result.stderr
        (dist / "index.html").write_bytes((node_work / "browser" / "index.html").read_bytes())
    return dist


@pytest.fixture(scope="module")
async def write_database(empty_database_factory: Callable[[], Awaitable[str]]) -> str:
    """A database of its own, since the page writes."""
    from service.ingest.article import seed_article

    url = await empty_database_factory()
    await asyncio.to_thread(migrate.upgrade, url)
    await seed_article(url)
    return url


async def _write_key(url: str) -> str:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        _, key = await create_key(conn, "browser test", Scope.WRITE)
    finally:
        await conn.close()
    return key


async def _run_page(page_url: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """What the page's scenarios returned, and every response the page received."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = await browser.new_context()

            async def loopback_only(route: Any) -> None:
                if route.request.url.startswith("http://127.0.0.1:"):
                    await route.continue_()
                else:
                    await route.abort()

            await context.route("**/*", loopback_only)
            page = await context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            responses: list[dict[str, Any]] = []

            async def record(response: Any) -> None:
                request = response.request
                responses.append(
                    {
                        "method": request.method,
                        "url": request.url,
                        "status": response.status,
                        "headers": await response.all_headers(),
                    }
                )

            page.on("response", record)
            await page.goto(page_url)
            await page.wait_for_function("window.stakegraph !== undefined", timeout=60_000)
            results: dict[str, Any] = await page.evaluate("window.stakegraph")
        finally:
            await browser.close()
    assert errors == []
    return results, responses


def _page_server(page_dir: Path) -> Starlette:
    return Starlette(routes=[Mount("/", StaticFiles(directory=page_dir, html=True))])


async def test_frontends_use_the_api_from_another_origin(
    write_database: str, page_dir: Path, node_work: Path, tmp_path: Path
) -> None:
    persisted = compile_relay(node_work)
    relay_manifest = tmp_path / "relay.json"
    relay_manifest.write_text(json.dumps(persisted), encoding="utf-8")
    key = await _write_key(write_database)
    # Out of the box: the development defaults allow http://127.0.0.1 on any port.
    apq = create_app(Settings(), database_url=write_database)
    trusted = create_app(Settings(trusted_documents=relay_manifest), database_url=write_database)
    with serve(apq) as api, serve(trusted) as relay_api, serve(_page_server(page_dir)) as site:
        assert api != site
        results, responses = await _run_page(
            f"{site}/index.html?api={api}/graphql&relayApi={relay_api}/graphql&key={key}"
        )

    fetched = results["plainFetch"]
    assert "error" not in fetched, fetched
    assert fetched["query"]["data"] == {"organization": {"name": "Moonshot AI"}}
    assert fetched["executor"] == "compiled"  # an exposed header, readable cross-origin
    created = fetched["created"]["data"]["organizationCreate"]
    assert created["userErrors"] == []
    assert fetched["replayed"] == fetched["created"]  # the same key replays, writing nothing
    assert fetched["duplicate"]["data"]["organizationCreate"]["userErrors"] == [
        {"code": "DUPLICATE"}
    ]
    assert fetched["apqUnknown"]["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert fetched["apqRegistered"]["data"] == {"organization": {"name": "Alibaba"}}
    assert fetched["apqGet"] == fetched["apqRegistered"]
    assert fetched["apqGetCacheControl"] == "public, max-age=60"

    apollo = results["apollo"]
    assert "error" not in apollo, apollo
    assert apollo["first"]["organization"]["name"] == "Moonshot AI"
    assert apollo["second"] == apollo["first"]
    assert apollo["past"] == {"organization": None}
    # Apollo's link: a GET by hash (unknown), the POST that registers, then GETs by hash alone.
    hashed = [
        r
        for r in responses
        if "ApolloMoonshot" in r["url"]
        and "query=" not in r["url"].split("?", 1)[-1]
        and r["method"] != "OPTIONS"  # preflights, where the browser reports them
    ]
    assert [r["method"] for r in hashed] == ["GET", "GET", "GET"]
    registering = [r for r in responses if r["method"] == "POST" and r["url"].startswith(api)]
    assert registering
    answered = hashed[1]
    assert answered["status"] == 200
    assert answered["headers"]["x-stakegraph-executor"] == "compiled"
    assert answered["headers"]["cache-control"] == "public, max-age=60"
    assert answered["headers"]["access-control-allow-origin"] == site
    assert "stakegraph-as-of" in answered["headers"]["vary"].lower()

    relay = results["relay"]
    assert "error" not in relay, relay
    assert len(relay["firstPage"]) == 2
    assert relay["hadNextPage"] is True
    assert len(relay["merged"]) == 4
    assert relay["merged"][:2] == relay["firstPage"]
    assert relay["investment"] == {"id": relay["merged"][0], "investor": "alibaba"}
    assert relay["pastNode"] is None


async def test_a_page_from_an_origin_not_allowed_cannot_read_the_api(
    migrated_url: str, page_dir: Path
) -> None:
    elsewhere = Settings(cors_origins=["https://app.example"])
    with (
        serve(create_app(elsewhere, database_url=migrated_url)) as api,
        serve(_page_server(page_dir)) as site,
    ):
        results, _ = await _run_page(
            f"{site}/index.html?api={api}/graphql&relayApi={api}/graphql&key=none"
        )
    for scenario in ("plainFetch", "apollo", "relay"):
        assert "error" in results[scenario], results[scenario]
    assert results["plainFetch"]["error"] == "TypeError: Failed to fetch"
