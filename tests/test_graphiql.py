"""GraphiQL at GET /graphql: served from local files when they are installed, and usable in a
real browser without any request leaving the machine."""

from __future__ import annotations

import json
import os
import re
import socket
import stat
import sys
import tarfile
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from strawberry.http.ides import get_graphql_ide_html

from service import graphiql, graphiql_assets
from service.app import create_app
from service.graphiql import render_page
from service.operations import Example, load_examples

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
HTML = {"Accept": "text/html"}


def fake_assets(directory: Path) -> Path:
    """Files with the right names but not the real contents: enough for the server side."""
    directory.mkdir(parents=True, exist_ok=True)
    for asset in graphiql_assets.ASSETS:
        (directory / asset.name).write_text(f"/* {asset.name} */", encoding="utf-8")
    graphiql_assets.write_manifest(directory)
    return directory


@asynccontextmanager
async def client_for(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


# -- examples -------------------------------------------------------------------------------


def test_examples_are_the_named_operations_with_their_fragments(tmp_path: Path) -> None:
    (tmp_path / "b.graphql").write_text(
        "# Moonshot's name\n# and slug.\nquery Moonshot {\n"
        '  organization(slug: "moonshot-ai") { ...Named }\n}\n\n'
        "{ anonymous }\n\nquery Plain { plain }\n",
        encoding="utf-8",
    )
    (tmp_path / "a.graphql").write_text(
        "fragment Named on Organization { name ...Slugged }\n"
        "fragment Slugged on Organization { slug }\n"
        "fragment Unused on Organization { id }\n",
        encoding="utf-8",
    )
    (tmp_path / "broken.graphql").write_text("query Broken {", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("query NotAnOperationFile { x }", encoding="utf-8")

    examples = {e.name: e for e in load_examples(tmp_path)}

    assert list(examples) == ["Moonshot", "Plain"]
    moonshot = examples["Moonshot"]
    assert moonshot.description == "Moonshot's name and slug."
    assert moonshot.query.startswith("# Moonshot's name\n# and slug.\nquery Moonshot {")
    assert "fragment Named on Organization" in moonshot.query
    assert "fragment Slugged on Organization" in moonshot.query
    assert "Unused" not in moonshot.query
    assert examples["Plain"].query == "query Plain { plain }\n"


def test_examples_of_a_missing_directory_are_none(tmp_path: Path) -> None:
    assert load_examples(tmp_path / "absent") == []


def test_example_text_cannot_close_the_script_element() -> None:
    example = Example("X", "</script><script>alert(1)</script>", "query X { x }")
    page = render_page("/static", [example])
    assert page.count("</script>") == page.count("<script")
    config = re.search(r'id="stakegraph-config" type="application/json">(.*?)</script>', page)
    assert config is not None
    assert json.loads(config.group(1))["examples"][0]["description"] == example.description


# -- the page, without a browser ------------------------------------------------------------


async def test_page_references_only_local_assets(
    migrated_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assets = fake_assets(tmp_path / "assets")
    operations = tmp_path / "operations"
    operations.mkdir()
    (operations / "q.graphql").write_text("query OnlyHere { __typename }\n", encoding="utf-8")
    monkeypatch.setattr(graphiql_assets, "ASSETS_DIR", assets)
    monkeypatch.setattr(graphiql, "OPERATIONS_DIR", operations)

    async with client_for(create_app(database_url=migrated_url)) as client:
        response = await client.get("/graphql", headers=HTML)
        script = await client.get("/graphql/static/graphiql.min.js")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    urls = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert {u for u in urls if not u.startswith("data:")} == {
        f"/graphql/static/{a.name}" for a in graphiql_assets.ASSETS
    }
    assert "://" not in page
    assert "OnlyHere" in page
    assert script.status_code == 200
    assert script.text == "/* graphiql.min.js */"


async def test_without_assets_strawberrys_page_is_served(
    migrated_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(graphiql_assets, "ASSETS_DIR", tmp_path / "absent")

    async with client_for(create_app(database_url=migrated_url)) as client:
        response = await client.get("/graphql", headers=HTML)
        script = await client.get("/graphql/static/graphiql.min.js")

    assert response.status_code == 200
    assert response.text == get_graphql_ide_html("graphiql")
    assert script.status_code == 404


# -- fetching the assets --------------------------------------------------------------------


def test_incomplete_or_other_version_assets_are_not_installed(tmp_path: Path) -> None:
    assets = fake_assets(tmp_path)
    assert graphiql_assets.installed(assets)
    (assets / "react.production.min.js").unlink()
    assert not graphiql_assets.installed(assets)
    fake_assets(assets)
    manifest = assets / graphiql_assets.MANIFEST
    manifest.write_text(manifest.read_text().replace("18.2.0", "18.3.1"))
    assert not graphiql_assets.installed(assets)


def fake_npm(directory: Path, contents: dict[str, bytes]) -> Path:
    """An ``npm`` that packs tarballs holding ``contents`` (member -> bytes) for every spec."""
    tarballs = directory / "tarballs"
    tarballs.mkdir()
    for spec in {a.package for a in graphiql_assets.ASSETS}:
        name, version = spec.rsplit("@", 1)
        path = tarballs / f"{name.strip('@').replace('/', '-')}-{version}.tgz"
        with tarfile.open(path, "w:gz") as tar:
            for asset in graphiql_assets.ASSETS:
                if asset.package == spec:
                    source = directory / "member"
                    source.write_bytes(contents.get(asset.member, b""))
                    tar.add(source, arcname=asset.member)
    script = directory / "npm"
    script.write_text(
        f"""#!{sys.executable}
import json, shutil, sys
from pathlib import Path
args = sys.argv[1:]
destination = Path(args[args.index("--pack-destination") + 1])
packed = []
for spec in [a for a in args[args.index("--pack-destination") + 2:]]:
    name, version = spec.rsplit("@", 1)
    filename = name.strip("@").replace("/", "-") + "-" + version + ".tgz"
    shutil.copy(Path({str(tarballs)!r}) / filename, destination / filename)
    packed.append({{"name": name, "version": version, "filename": filename}})
print(json.dumps(packed))
""",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_a_tarball_not_matching_its_digest_is_refused_and_nothing_replaced(
    tmp_path: Path,
) -> None:
    previous = fake_assets(tmp_path / "graphiql")
    npm = fake_npm(tmp_path, {a.member: b"tampered" for a in graphiql_assets.ASSETS})

    with pytest.raises(graphiql_assets.FetchError, match="does not match its pinned digest"):
        graphiql_assets.fetch(previous, npm=str(npm))

    assert graphiql_assets.installed(previous)
    assert (previous / "graphiql.min.js").read_text() == "/* graphiql.min.js */"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graphiql", "member", "npm", "tarballs"]


def test_without_npm_the_fetch_is_skipped_unless_strict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    target = str(tmp_path / "graphiql")
    assert graphiql_assets.main(["--dir", target]) == 0
    assert graphiql_assets.main(["--dir", target, "--strict"]) == 1
    assert not (tmp_path / "graphiql").exists()


# -- in a real browser ----------------------------------------------------------------------


def _browser_unavailable() -> str | None:
    if not CHROMIUM.is_file():
        return f"{CHROMIUM} is not installed (apt-get install chromium)"
    if not graphiql_assets.installed():
        return f"GraphiQL assets are not in {graphiql_assets.ASSETS_DIR} (make assets)"
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


@pytest.fixture
def browser_available() -> None:
    reason = _browser_unavailable()
    if reason is None:
        return
    if os.environ.get("STAKEGRAPH_REQUIRE_BROWSER") == "1":
        pytest.fail(f"STAKEGRAPH_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """The app on a free localhost port, in a thread with its own event loop."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


@asynccontextmanager
async def graphiql_page(base_url: str) -> AsyncIterator[tuple[Any, list[str], list[str]]]:
    """A fresh browser on GET /graphql: the page, every URL it requested, and its JS errors.

    Requests to anywhere but the app are recorded and aborted, so the page cannot quietly
    work because some host on the internet happened to be reachable.
    """
    from playwright.async_api import async_playwright

    requests: list[str] = []
    errors: list[str] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = await browser.new_context()

            async def route(route: Any) -> None:
                url: str = route.request.url
                requests.append(url)
                if url.startswith(base_url + "/"):
                    await route.continue_()
                else:
                    await route.abort()

            await context.route("**/*", route)
            page = await context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.set_default_timeout(30_000)
            await page.goto(f"{base_url}/graphql")
            await page.locator(".graphiql-query-editor .CodeMirror").wait_for()
            yield page, requests, errors
        finally:
            await browser.close()


async def editor_value(page: Any, editor: str) -> str:
    value: str = await page.evaluate(
        f"document.querySelector('{editor} .CodeMirror').CodeMirror.getValue()"
    )
    return value


@pytest.mark.usefixtures("browser_available")
async def test_a_typed_query_runs_in_graphiql_offline(migrated_url: str) -> None:
    from playwright.async_api import expect

    with serve(create_app(database_url=migrated_url)) as base_url:
        async with graphiql_page(base_url) as (page, requests, errors):
            await page.locator(".graphiql-query-editor .CodeMirror").click()
            await page.keyboard.press("Control+A")
            await page.keyboard.press("Delete")
            # insert_text, unlike typing key by key, is not doubled by the editor's
            # auto-closing of brackets.
            await page.keyboard.insert_text('{ organization(slug: "moonshot-ai") { name } }')
            # GraphiQL re-reads the operation (and forgets the example tab's operation name)
            # 100 ms after the last edit; a run before that would send the stale name.
            await page.wait_for_function(
                "(cm => cm.operations?.length === 1 && cm.operationName === null)"
                "(document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror)"
            )
            await page.keyboard.press("Control+Enter")
            await expect(page.locator(".graphiql-response")).to_contain_text("Moonshot AI")
            response = await editor_value(page, ".graphiql-response")

    assert json.loads(response)["data"] == {"organization": {"name": "Moonshot AI"}}
    assert errors == []
    assert f"{base_url}/graphql/static/graphiql.min.js" in requests
    assert [u for u in requests if not u.startswith(f"{base_url}/")] == []


@pytest.mark.usefixtures("browser_available")
async def test_operations_open_as_tabs_and_from_the_examples_panel(
    migrated_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.async_api import expect

    (tmp_path / "Moonshot.graphql").write_text(
        '# Moonshot\'s name.\nquery MoonshotName {\n  organization(slug: "moonshot-ai") {\n'
        "    ...OrgName\n  }\n}\n",
        encoding="utf-8",
    )
    (tmp_path / "fragments.graphql").write_text(
        "fragment OrgName on Organization { name }\n", encoding="utf-8"
    )
    (tmp_path / "Other.graphql").write_text("query Other { __typename }\n", encoding="utf-8")
    monkeypatch.setattr(graphiql, "OPERATIONS_DIR", tmp_path)

    with serve(create_app(database_url=migrated_url)) as base_url:
        async with graphiql_page(base_url) as (page, requests, errors):
            tabs = page.locator(".graphiql-tab")
            await expect(tabs).to_have_count(2)
            await expect(tabs.nth(0)).to_contain_text("MoonshotName")
            await expect(tabs.nth(1)).to_contain_text("Other")
            await page.locator(".graphiql-execute-button").click()
            await expect(page.locator(".graphiql-response")).to_contain_text("Moonshot AI")

            await tabs.nth(1).click()
            await page.get_by_label("Show Examples").click()
            examples = page.locator(".stakegraph-examples")
            await examples.get_by_role("button", name="MoonshotName").click()
            await expect(tabs).to_have_count(3)
            await expect(tabs.nth(2)).to_contain_text("MoonshotName")
            query = await editor_value(page, ".graphiql-query-editor")

    assert query.startswith("# Moonshot's name.\nquery MoonshotName {")
    assert "fragment OrgName on Organization { name }" in query
    assert errors == []
    assert [u for u in requests if not u.startswith(f"{base_url}/")] == []


@pytest.mark.usefixtures("browser_available")
async def test_a_subscription_runs_in_graphiql_over_the_websocket(migrated_url: str) -> None:
    from playwright.async_api import expect

    # The feed's first changes are the loaded dataset's, there as soon as it subscribes.
    document = 'subscription { changes(types: ["Organization"]) { entityType operation } }'
    with serve(create_app(database_url=migrated_url)) as base_url:
        async with graphiql_page(base_url) as (page, requests, errors):
            await page.locator(".graphiql-query-editor .CodeMirror").click()
            await page.keyboard.press("Control+A")
            await page.keyboard.press("Delete")
            await page.keyboard.insert_text(document)
            sockets: list[str] = []
            page.on("websocket", lambda socket: sockets.append(socket.url))
            await page.wait_for_function(
                "(cm => cm.operations?.length === 1 && cm.operationName === null)"
                "(document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror)"
            )
            await page.keyboard.press("Control+Enter")
            # The feed waits for older transactions of the whole cluster: give it time.
            await expect(page.locator(".graphiql-response")).to_contain_text(
                "Organization", timeout=120_000
            )
            response = await editor_value(page, ".graphiql-response")

    assert json.loads(response)["data"]["changes"]["entityType"] == "Organization"
    assert sockets == [base_url.replace("http://", "ws://") + "/graphql"]
    assert errors == []
    assert [u for u in requests if not u.startswith(f"{base_url}/")] == []
