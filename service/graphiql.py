"""GraphiQL at ``GET /graphql`` that works offline, with the repository's operations as examples.

When ``python -m service.graphiql_assets`` has put GraphiQL's files in place, the page loads
them from this service (``/graphql/static/``) instead of a CDN that an intranet or an offline
laptop cannot reach; otherwise strawberry's own page is served unchanged. The named
operations in ``graphql/operations/*.graphql`` open as the first visit's tabs and stay one
click away in an "Examples" side panel.
"""

from __future__ import annotations

import html
import json
import logging
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles
from strawberry.fastapi import GraphQLRouter
from strawberry.fastapi.router import Context
from strawberry.http.typevars import RootValue

from service import graphiql_assets
from service.operations import OPERATIONS_DIR, Example, load_examples

log = logging.getLogger(__name__)

STATIC_PATH = "/graphql/static"


def render_page(static_url: str, examples: list[Example]) -> str:
    """The GraphiQL page loading its files from ``static_url``."""
    tags: list[str] = []
    for asset in graphiql_assets.ASSETS:
        url = html.escape(f"{static_url}/{asset.name}", quote=True)
        integrity = html.escape(asset.integrity, quote=True)
        if asset.kind == "stylesheet":
            tags.append(f'<link rel="stylesheet" href="{url}" integrity="{integrity}" />')
        else:
            tags.append(f'<script src="{url}" integrity="{integrity}"></script>')
    config = json.dumps(
        {
            "examples": [
                {"name": e.name, "description": e.description, "query": e.query} for e in examples
            ]
        },
        ensure_ascii=False,
    )
    # "<" escaped so that no operation text can close the <script> element holding it.
    config = config.replace("<", "\\u003c")
    return _PAGE.replace("{{ASSETS}}", "\n    ".join(tags)).replace("{{CONFIG}}", config)


class GraphiQLRouter(GraphQLRouter[Context, RootValue]):
    """strawberry's router, rendering the offline page when the assets are installed.

    Where the assets are and which examples exist is decided once, at construction (app
    start-up), like the rest of the app's configuration.
    """

    def __init__(
        self,
        *args: Any,
        assets_dir: Path | None = None,
        operations_dir: Path | None = None,
        static_path: str = STATIC_PATH,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.assets_dir = graphiql_assets.ASSETS_DIR if assets_dir is None else assets_dir
        self.static_path = static_path
        self.offline = graphiql_assets.installed(self.assets_dir)
        self.examples = load_examples(OPERATIONS_DIR if operations_dir is None else operations_dir)
        if not self.offline:
            log.info(
                "GraphiQL assets not found in %s (run `make assets`); serving strawberry's page",
                self.assets_dir,
            )

    def static_files(self) -> StaticFiles:
        """The ASGI app to mount at ``static_path``; only meaningful when ``offline``."""
        return StaticFiles(directory=self.assets_dir)

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        if not self.offline:
            return await super().render_graphql_ide(request)
        root_path: str = request.scope.get("root_path", "")
        return HTMLResponse(render_page(root_path.rstrip("/") + self.static_path, self.examples))


_PAGE = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Stakegraph GraphiQL</title>
    <link rel="icon" href="data:," />
    <style>
      body { height: 100%; margin: 0; width: 100%; overflow: hidden; }
      #graphiql { height: 100vh; display: flex; }
      .stakegraph-examples { list-style: none; margin: 0; padding: 0; }
      .stakegraph-examples li { margin: 0 0 var(--px-8) 0; }
      .stakegraph-examples button { text-align: left; width: 100%; }
      .stakegraph-examples .description {
        color: hsla(var(--color-neutral), var(--alpha-secondary));
        display: block;
        font-size: var(--font-size-body);
      }
    </style>
    {{ASSETS}}
    <script id="stakegraph-config" type="application/json">{{CONFIG}}</script>
  </head>
  <body>
    <div id="graphiql">Loading...</div>
    <script>
      "use strict";
      const config = JSON.parse(document.getElementById("stakegraph-config").textContent);
      const h = React.createElement;
      const url = window.location.href.split(/[?#]/)[0];
      const subscriptionUrl = new URL(url);
      subscriptionUrl.protocol = subscriptionUrl.protocol === "https:" ? "wss:" : "ws:";
      const fetcher = GraphiQL.createFetcher({ url, subscriptionUrl: subscriptionUrl.href });

      function ExamplesPanel() {
        const editor = GraphiQL.React.useEditorContext({ nonNull: true });
        function open(example) {
          editor.addTab();
          // addTab fills the editors with the new tab's (empty) contents when React renders;
          // the example goes in after that, and GraphiQL then names the tab after it.
          setTimeout(() => {
            editor.queryEditor.setValue(example.query);
            editor.variableEditor.setValue("");
          }, 0);
        }
        const items = config.examples.map((example) =>
          h("li", { key: example.name },
            h("button", {
              type: "button",
              className: "graphiql-un-styled",
              title: example.description,
              onClick: () => open(example),
            }, example.name,
            h("span", { className: "description" }, example.description))));
        return h("section", null,
          h("div", { className: "graphiql-doc-explorer-title" }, "Examples"),
          items.length
            ? h("ul", { className: "stakegraph-examples" }, items)
            : h("p", null, "No operations in graphql/operations/."));
      }

      const examplesPlugin = {
        title: "Examples",
        icon: () => h(GraphiQL.React.StarIcon),
        content: ExamplesPanel,
      };

      // Tabs are kept in localStorage; these only fill a first visit's empty state.
      const defaultTabs = config.examples.length
        ? config.examples.map((example) => ({ query: example.query }))
        : undefined;

      ReactDOM.createRoot(document.getElementById("graphiql")).render(
        h(GraphiQL, {
          fetcher,
          defaultTabs,
          plugins: [examplesPlugin, GraphiQLPluginExplorer.explorerPlugin()],
          defaultEditorToolsVisibility: true,
          inputValueDeprecation: true,
          isHeadersEditorEnabled: true,
          shouldPersistHeaders: true,
        }),
      );
    </script>
  </body>
</html>
"""
