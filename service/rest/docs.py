"""``/api/v1/docs``: the API reference, served entirely by this service.

With Swagger UI's files in place (``make assets``) the page loads them from
``/api/v1/docs/static/`` with their integrity digests and renders ``/api/v1/openapi.json``;
without them it is a plain page rendered here from the same document, so the reference never
depends on a CDN.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response

from service.rest import docs_assets

DOCS_PATH = "/api/v1/docs"
STATIC_PATH = f"{DOCS_PATH}/static"
OPENAPI_PATH = "/api/v1/openapi.json"
_TYPES = {".js": "text/javascript", ".css": "text/css"}


def swagger_page() -> str:
    links = [
        f'<link rel="stylesheet" href="{STATIC_PATH}/{a.name}" integrity="{a.integrity}">'
        for a in docs_assets.ASSETS
        if a.kind == "stylesheet"
    ]
    scripts = [
        f'<script src="{STATIC_PATH}/{a.name}" integrity="{a.integrity}"></script>'
        for a in docs_assets.ASSETS
        if a.kind == "script"
    ]
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Stakegraph REST API</title>
{"".join(links)}
</head>
<body>
<div id="reference"></div>
{"".join(scripts)}
<script>
SwaggerUIBundle({{url: "{OPENAPI_PATH}", dom_id: "#reference", deepLinking: true}});
</script>
</body>
</html>
"""


def plain_page(document: dict[str, Any]) -> str:
    """The reference as static HTML: every route with its description and parameters."""
    info = document["info"]
    sections: list[str] = []
    for path, methods in document["paths"].items():
        for method, route in methods.items():
            rows = "".join(
                f"<tr><td><code>{html.escape(p['name'])}</code></td><td>{html.escape(p['in'])}"
                f"</td><td>{html.escape(p.get('description', ''))}</td></tr>"
                for p in route.get("parameters", [])
            )
            statuses = ", ".join(html.escape(s) for s in route["responses"])
            sections.append(
                f'<section id="{html.escape(route["operationId"])}">'
                f"<h2><code>{method.upper()} {html.escape(path)}</code></h2>"
                f"<p>{html.escape(route['description'])}</p>"
                f"<table><tr><th>Parameter</th><th>In</th><th>Meaning</th></tr>{rows}</table>"
                f"<p>Responses: {statuses}</p></section>"
            )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(info['title'])}</title></head><body>"
        f"<h1>{html.escape(info['title'])} {html.escape(info['version'])}</h1>"
        f"<pre>{html.escape(info['description'])}</pre>"
        f'<p>The machine-readable document: <a href="{OPENAPI_PATH}">{OPENAPI_PATH}</a>.</p>'
        f"{''.join(sections)}</body></html>"
    )


def docs_page(document: dict[str, Any], directory: Path | None = None) -> HTMLResponse:
    if docs_assets.installed(directory):
        return HTMLResponse(swagger_page())
    return HTMLResponse(plain_page(document))


def static_file(request: Request, directory: Path | None = None) -> Response:
    """One of the pinned assets, by name; nothing else in the directory is served."""
    name = request.path_params["name"]
    directory = docs_assets.ASSETS_DIR if directory is None else directory
    if name not in {a.name for a in docs_assets.ASSETS} or not docs_assets.installed(directory):
        return Response("Not found", status_code=404, media_type="text/plain")
    return FileResponse(
        directory / name,
        media_type=_TYPES[Path(name).suffix],
        headers={"cache-control": "public, max-age=86400"},
    )
