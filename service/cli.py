"""The ``stakegraph`` command: serve, migrate, seed, generate, import, export, worker."""

from __future__ import annotations

import argparse
import asyncio
import logging
import logging.config
import math
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from service.config import get_settings
from service.db import migrate as migrations
from service.db.embedded import running_embedded, stop_embedded
from service.db.server import resolve_database_url
from service.telemetry.logs import logging_config

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
    metrics_dir = _metrics_directory(settings.data_dir)
    url = _database_url()
    migrations.upgrade(url)
    if asyncio.run(seed_article(url, only_if_empty=True)):
        log.info("loaded the article dataset into an empty database")
    host = args.host or settings.host
    port = args.port or settings.port
    workers = args.workers or settings.workers
    print(f"Stakegraph on http://{host}:{port}/graphql", flush=True)
    log.info("metrics of every worker are gathered in %s", metrics_dir)
    # On SIGTERM uvicorn stops accepting, lets in-flight requests finish for up to the grace
    # period, then closes what is left.
    uvicorn.run(
        "service.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=logging_config(settings.log_format),
        access_log=False,
        timeout_graceful_shutdown=max(1, math.ceil(settings.shutdown_grace_s)),
    )
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from service.webhooks.runner import deliver_due, work

    settings = get_settings()
    url = _database_url()
    migrations.upgrade(url)
    if args.once:
        delivered = asyncio.run(deliver_due(url, settings))
        print(f"{delivered} webhook deliveries attempted")
        return 0

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        # Stops claiming at once; what is in flight finishes (or its lease expires).
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        log.info("delivering webhooks until stopped")
        await work(url, settings, stop)

    asyncio.run(run())
    return 0


def _metrics_directory(data_dir: Path) -> str:
    """Where the worker processes write their metrics: set before any of them starts, and
    emptied, since values of an earlier run's processes would be summed in."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        directory = str(Path(data_dir).expanduser().resolve() / "metrics")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    Path(directory).mkdir(parents=True, exist_ok=True)
    for stale in Path(directory).glob("*.db"):
        stale.unlink()
    return directory


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def cmd_quota(args: argparse.Namespace) -> int:
    """A key's own rate limit, or back to its scope's default."""
    from service.db.urls import asyncpg_dsn
    from service.gateway.buckets import Quota
    from service.gateway.quotas import set_own_quota

    if args.default == (args.capacity is not None or args.restore is not None):
        print("stakegraph keys quota: give --capacity and --restore, or --default", file=sys.stderr)
        return 2
    if not args.default and (args.capacity is None or args.restore is None):
        print("stakegraph keys quota: give both --capacity and --restore", file=sys.stderr)
        return 2
    quota = None if args.default else Quota(args.capacity, args.restore)

    async def run() -> int:
        import asyncpg

        conn = await asyncpg.connect(asyncpg_dsn(url))
        try:
            key_id = await set_own_quota(conn, args.key, quota)
        except ValueError as exc:
            print(f"stakegraph keys quota: {exc}", file=sys.stderr)
            return 1
        finally:
            await conn.close()
        if key_id is None:
            print(f"stakegraph keys quota: no key {args.key!r}", file=sys.stderr)
            return 1
        what = (
            "its scope's default"
            if quota is None
            else (f"{quota.capacity} points, {quota.restore} restored per second")
        )
        print(f"key {key_id}: {what} (running workers see it within 30 s)")
        return 0

    url = _database_url()
    migrations.upgrade(url)
    return asyncio.run(run())


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
    worker = sub.add_parser(
        "worker",
        help="deliver webhooks (beside servers run with STAKEGRAPH_WEBHOOK_DELIVERER=off)",
    )
    worker.add_argument("--once", action="store_true", help="attempt what is due now, then exit")
    worker.set_defaults(func=cmd_worker)
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
    quota = keys_sub.add_parser("quota", help="give a key its own rate limit")
    quota.add_argument("key", help="the key's id or prefix")
    quota.add_argument("--capacity", type=int, help="bucket size in cost points")
    quota.add_argument("--restore", type=int, help="points restored per second")
    quota.add_argument("--default", action="store_true", help="back to the scope's default")
    quota.set_defaults(func=cmd_quota)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    if not logging.getLogger().handlers:
        logging.config.dictConfig(logging_config(get_settings().log_format))
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    # A signal that ends the command becomes SystemExit, so the finally below stops the
    # embedded server this command started on every way out (uvicorn re-raises SIGTERM and
    # SIGINT after its graceful shutdown). Servers running before the command are left alone.
    running = running_embedded()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGHUP):
            previous[signum] = signal.signal(signum, _exit_on_signal)
    try:
        return func(args)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        stop_embedded(keep=running)


if __name__ == "__main__":
    sys.exit(main())
