"""The ``stakegraph`` command: serve, migrate, seed."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Callable, Sequence

from service.config import get_settings
from service.db import migrate as migrations
from service.db.urls import resolve_database_url

log = logging.getLogger("stakegraph")


def _database_url() -> str:
    """The server to use; starting the embedded one here makes it one per ``serve``."""
    url = resolve_database_url()
    # Worker processes inherit this, so they connect to this server instead of starting one.
    os.environ["STAKEGRAPH_DATABASE_URL"] = url
    return url


def cmd_migrate(args: argparse.Namespace) -> int:
    migrations.upgrade(_database_url())
    print(f"database at revision {migrations.head_revision()}")
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    from service.ingest.article import seed_article

    loaded = asyncio.run(seed_article(_database_url()))
    print("article dataset loaded" if loaded else "article dataset already present; nothing done")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from service.ingest.article import seed_article

    settings = get_settings()
    url = _database_url()
    migrations.upgrade(url)
    if asyncio.run(seed_article(url, only_if_empty=True)):
        log.info("loaded the article dataset into an empty database")
    host = args.host or settings.host
    port = args.port or settings.port
    workers = args.workers or settings.workers
    print(f"Stakegraph on http://{host}:{port}/graphql", flush=True)
    uvicorn.run(
        "service.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stakegraph", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="migrate, seed an empty database, and serve the API")
    serve.add_argument("--host", default=None, help="default: STAKEGRAPH_HOST or 127.0.0.1")
    serve.add_argument("--port", type=int, default=None, help="default: STAKEGRAPH_PORT or 8000")
    serve.add_argument("--workers", type=int, default=None, help="uvicorn worker processes")
    serve.set_defaults(func=cmd_serve)

    sub.add_parser("migrate", help="migrate the database to head (idempotent)").set_defaults(
        func=cmd_migrate
    )
    sub.add_parser("seed", help="load the article dataset (idempotent)").set_defaults(func=cmd_seed)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    return func(args)


if __name__ == "__main__":
    sys.exit(main())
