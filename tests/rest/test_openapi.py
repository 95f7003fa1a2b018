"""The OpenAPI document: valid OpenAPI 3.1, generated from the routes the app serves, every route
described with a working example; and the reference page, offline either way."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate
from starlette.routing import Route

from service import graphiql_assets
from service.config import Settings
from service.rest import docs, docs_assets
from service.rest.api import rest_router
from service.rest.operations import load_operations
from service.schema import build_schema

SERVED_BESIDE = {docs.DOCS_PATH, docs.OPENAPI_PATH, docs.STATIC_PATH + "/{name}", "/api/v1/import"}


@pytest.fixture(scope="module")
async def document(http: httpx.AsyncClient) -> dict[str, Any]:
    response = await http.get(docs.OPENAPI_PATH)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_the_document_has_every_route_and_no_other(document: dict[str, Any]) -> None:
    settings = Settings()
    schema = build_schema(settings)
    router = rest_router(schema, settings)
    served = {
        (method.lower(), r.path)
        for r in router.routes
        if isinstance(r, Route) and r.path not in SERVED_BESIDE
        for method in r.methods or ()
        if method != "HEAD"
    }
    documented = {(m, path) for path, methods in document["paths"].items() for m in methods}
    assert documented == served
    operations = load_operations(schema._schema)
    assert {o.path for o in operations} | {"/api/v1/export"} == set(document["paths"])


def test_every_route_is_described_with_an_example(document: dict[str, Any]) -> None:
    for path, methods in document["paths"].items():
        for method, route in methods.items():
            assert route["summary"], path
            assert route["description"], path
            pattern = rf"Example: `{method.upper()} /api/v1/\S+`"
            assert re.search(pattern, route["description"]), (method, path)
            body = route.get("requestBody", {}).get("content", {}).get("application/json", {})
            examples = [p for p in route["parameters"] if "example" in p]
            assert examples or "example" in body or path == "/api/v1/webhooks", (method, path)


async def test_every_example_answers(http: httpx.AsyncClient, document: dict[str, Any]) -> None:
    for path, methods in document["paths"].items():
        route = methods.get("get")
        if route is None or {} not in route["security"]:
            continue  # needs a key: tests/rest/test_export.py, tests/webhooks
        example = re.search(r"Example: `GET (\S+)`", route["description"])
        assert example is not None
        response = await http.get(example.group(1))
        assert response.status_code == 200, (path, response.text)


def test_flat_filters_and_sort_are_documented(document: dict[str, Any]) -> None:
    parameters = {
        p["name"]: p for p in document["paths"]["/api/v1/organizations"]["get"]["parameters"]
    }
    assert parameters["country"]["schema"] == {"type": "array", "items": {"type": "string"}}
    assert parameters["kind"]["schema"]["items"]["enum"][:2] == ["STARTUP", "INVESTOR"]
    assert re.fullmatch(parameters["sort"]["schema"]["pattern"], "-created_at,name")
    tree = parameters["filter"]["content"]["application/json"]["schema"]
    assert tree == {"$ref": "#/components/schemas/OrganizationFilter"}
    assert "OrganizationFilter" in document["components"]["schemas"]


async def test_reference_page_without_assets_is_plain_html(
    document: dict[str, Any], tmp_path: Path
) -> None:
    page = bytes(docs.docs_page(document, tmp_path).body).decode()
    assert "<script" not in page
    assert "<link" not in page
    for path, methods in document["paths"].items():
        for method in methods:
            assert f"{method.upper()} {path}</code>" in page


async def test_reference_page_loads_only_local_pinned_assets(http: httpx.AsyncClient) -> None:
    if not docs_assets.installed():
        pytest.skip("Swagger UI's files are not installed (make assets)")
    page = (await http.get(docs.DOCS_PATH)).text
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources
    assert all(s.startswith(docs.STATIC_PATH + "/") for s in sources)
    for asset in docs_assets.ASSETS:
        assert f'integrity="{asset.integrity}"' in page
        served = await http.get(f"{docs.STATIC_PATH}/{asset.name}")
        assert served.status_code == 200
        assert graphiql_assets.sri(served.content) == asset.integrity
    assert (await http.get(f"{docs.STATIC_PATH}/manifest.txt")).status_code == 404
    assert (await http.get(f"{docs.STATIC_PATH}/..%2F..%2Fapp.py")).status_code == 404
