"""The read benchmark: Stakegraph (1 and 2 workers) vs PostGraphile v5 vs a hand-written ceiling.

    stakegraph generate --orgs 100000 --seed 1
    STAKEGRAPH_DATABASE_URL=postgresql://... .venv/bin/python -m bench.run

Every server reads the same database; Debian's ``wrk`` sends the same concurrency to each, one
operation at a time, on the loopback only and for a bounded duration. Printed per operation:
requests/s, p50 and p99 latency, the ratios to PostGraphile and to the ceiling; per server: peak
RSS per process. A JSON report is written too.

Stakegraph runs as in production (``--guardrails on``, the default): rate limits on, every
request sent with a ``read`` key whose own quota is large enough never to refuse one (so the
cost is estimated, taken from the bucket and settled on every request, in Redis with
``--redis-url``), a JSON log line per request written to a file, and the Prometheus metrics
counted. ``--guardrails off`` switches limits off and logs below warnings, for comparison.

``--explain`` prints EXPLAIN (ANALYZE, BUFFERS) of each compiled statement and exits.
PostGraphile is installed with npm into ``bench/.postgraphile/`` on first use (ignored by git).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

from bench.workload import OPERATIONS, Operation, Params, pick_params
from service.auth.keys import create_key, revoke_key
from service.db.server import resolve_database_url
from service.db.urls import asyncpg_dsn
from service.domain import Scope
from service.gateway.buckets import Quota
from service.gateway.quotas import set_own_quota
from service.telemetry.logs import logging_config

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
POSTGRAPHILE_DIR = BENCH / ".postgraphile"
POSTGRAPHILE_PACKAGES = ["postgraphile@5.1.5", "postgraphile-plugin-connection-filter@4.0.1"]
TARGETS = ("stakegraph-1w", "stakegraph-2w", "postgraphile", "ceiling")


@dataclass
class Result:
    target: str
    operation: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    failures: int


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    peak_rss_mb: dict[str, float] = field(default_factory=dict)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _ensure_postgraphile() -> None:
    if not (POSTGRAPHILE_DIR / "node_modules" / "postgraphile").is_dir():
        POSTGRAPHILE_DIR.mkdir(exist_ok=True)
        package = POSTGRAPHILE_DIR / "package.json"
        if not package.exists():
            package.write_text('{"name": "bench-postgraphile", "private": true}\n')
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", *POSTGRAPHILE_PACKAGES],
            cwd=POSTGRAPHILE_DIR,
            check=True,
        )
    # The config imports the presets, so it must sit beside node_modules.
    shutil.copy(BENCH / "postgraphile" / "graphile.config.mjs", POSTGRAPHILE_DIR)


@dataclass(frozen=True)
class Guardrails:
    """How the Stakegraph servers run: with their limits, metrics and logs, or without."""

    on: bool
    redis_url: str | None
    log_dir: Path


def _start(name: str, url: str, guardrails: Guardrails) -> Server:
    port = _free_port()
    env = {**os.environ, "STAKEGRAPH_DATABASE_URL": url, "BENCH_DATABASE_URL": url}
    python = sys.executable
    uvicorn = [python, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port)]
    quiet = ["--log-level", "warning", "--no-access-log"]
    stderr = None
    if name.startswith("stakegraph"):
        workers = "2" if name.endswith("2w") else "1"
        logging_args = quiet
        env["STAKEGRAPH_RATE_LIMIT"] = "true" if guardrails.on else "false"
        env.pop("STAKEGRAPH_REDIS_URL", None)
        if guardrails.on:
            if guardrails.redis_url:
                env["STAKEGRAPH_REDIS_URL"] = guardrails.redis_url
            config = guardrails.log_dir / "logging.json"
            config.write_text(json.dumps(logging_config("json")))
            logging_args = ["--log-config", str(config), "--no-access-log"]
            stderr = (guardrails.log_dir / f"{name}.log").open("ab")
        command = [
            *uvicorn,
            "service.app:create_app",
            "--factory",
            "--workers",
            workers,
            *logging_args,
        ]
        cwd = ROOT
    elif name == "ceiling":
        command = [*uvicorn, "bench.ceiling:create_app", "--factory", "--workers", "2", *quiet]
        cwd = ROOT
    else:
        _ensure_postgraphile()
        env.update(DATABASE_URL=url, PORT=str(port), NODE_ENV="production")
        command = [
            "node",
            "--require",
            str(BENCH / "postgraphile" / "polyfill.cjs"),
            "node_modules/postgraphile/dist/cli-run.js",
            "-C",
            "graphile.config.mjs",
        ]
        cwd = POSTGRAPHILE_DIR
    process = subprocess.Popen(command, cwd=cwd, env=env, start_new_session=True, stderr=stderr)
    if stderr is not None:
        stderr.close()
    server = Server(name, process, port)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.3)
    else:
        _stop(server)
        raise RuntimeError(f"{name} did not start")
    return server


def _tree(pid: int) -> list[int]:
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = (task / "children").read_text().split()
        for child in children:
            pids.extend(_tree(int(child)))
    return pids


def _peak_rss(server: Server) -> dict[str, float]:
    """VmHWM (peak resident set) of each process of the server, in MB."""
    peaks: dict[str, float] = {}
    for pid in _tree(server.process.pid):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks[str(pid)] = int(line.split()[1]) / 1024
    return peaks


def _stop(server: Server) -> None:
    if server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait()


def _request(target: str, op: Operation, params: Params) -> tuple[str, dict[str, Any]]:
    if target == "ceiling":
        return f"/ceiling/{op.name}", {"args": op.ceiling_args(params)}
    if target == "postgraphile":
        return "/graphql", {
            "query": op.postgraphile,
            "variables": op.postgraphile_variables(params),
        }
    return "/graphql", {"query": op.stakegraph, "variables": op.variables(params)}


def _once(
    port: int, path: str, body: dict[str, Any], key: str | None
) -> tuple[dict[str, Any], str | None]:
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(), headers=headers
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        payload: dict[str, Any] = json.loads(response.read())
        return payload, response.headers.get("x-stakegraph-executor")


def _wrk(
    port: int,
    path: str,
    body: dict[str, Any],
    seconds: int,
    args: argparse.Namespace,
    key: str | None,
) -> Any:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(body, handle)
    try:
        completed = subprocess.run(
            [
                "wrk",
                f"-t{args.threads}",
                f"-c{args.connections}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                "-s",
                str(BENCH / "post.lua"),
                f"http://127.0.0.1:{port}{path}",
            ],
            env={**os.environ, "WRK_BODY": handle.name, "WRK_AUTHORIZATION": key or ""},
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(handle.name)
    for line in completed.stdout.splitlines():
        if line.startswith("WRK_JSON "):
            return json.loads(line.removeprefix("WRK_JSON "))
    raise RuntimeError(completed.stdout + completed.stderr)


def _check(
    target: str,
    op: Operation,
    payload: dict[str, Any],
    executor: str | None,
    guardrails: Guardrails,
) -> None:
    if payload.get("errors") or not payload.get("data"):
        raise RuntimeError(f"{target} {op.name}: {json.dumps(payload)[:500]}")
    if target.startswith("stakegraph") and executor != "compiled":
        raise RuntimeError(f"{target} {op.name} was not compiled (executor {executor})")
    throttled = "throttleStatus" in payload.get("extensions", {}).get("cost", {})
    if target.startswith("stakegraph") and throttled != guardrails.on:
        raise RuntimeError(f"{target}: rate limits are {'off' if guardrails.on else 'on'}")


async def _bench_key(url: str) -> str:
    """A ``read`` key whose own quota no benchmark exhausts: the limits run, never refuse."""
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        info, secret = await create_key(conn, "bench", Scope.READ)
        await set_own_quota(
            conn, str(info.id), Quota(capacity=2_000_000_000, restore=1_000_000_000)
        )
        return secret
    finally:
        await conn.close()


async def _revoke(url: str, secret: str) -> None:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await revoke_key(conn, secret.split("_")[1])
    finally:
        await conn.close()


def measure(
    args: argparse.Namespace, url: str, params: Params, guardrails: Guardrails, key: str | None
) -> tuple[list[Result], dict[str, Any]]:
    results: list[Result] = []
    rss: dict[str, Any] = {}
    reference: dict[str, Any] = {}
    for target in args.targets:
        server = _start(target, url, guardrails)
        # Only Stakegraph reads the key; the others are sent none.
        sent = key if target.startswith("stakegraph") else None
        try:
            for name in args.operations:
                op = OPERATIONS[name]
                path, body = _request(target, op, params)
                payload, executor = _once(server.port, path, body, sent)
                _check(target, op, payload, executor, guardrails)
                if target == "ceiling" or target.startswith("stakegraph"):
                    # The ceiling builds Stakegraph's exact `data`: same work, no GraphQL.
                    previous = reference.setdefault(name, payload["data"])
                    if previous != payload["data"]:
                        print(f"warning: {target} {name} differs from the other answers")
                _wrk(server.port, path, body, args.warmup, args, sent)
                summary = _wrk(server.port, path, body, args.duration, args, sent)
                seconds = summary["duration_us"] / 1e6
                results.append(
                    Result(
                        target,
                        name,
                        summary["requests"] / seconds,
                        summary["p50_us"] / 1000,
                        summary["p99_us"] / 1000,
                        summary["requests"],
                        summary["non_2xx"] + summary["socket_errors"],
                    )
                )
                print(
                    f"  {target:14} {name:16} {results[-1].requests_per_second:8.1f} req/s"
                    f"  p50 {results[-1].p50_ms:7.1f} ms  p99 {results[-1].p99_ms:7.1f} ms",
                    flush=True,
                )
            rss[target] = _peak_rss(server)
        finally:
            _stop(server)
    return results, rss


def _table(results: list[Result], rss: dict[str, Any]) -> str:
    by = {(r.target, r.operation): r for r in results}
    operations = list(dict.fromkeys(r.operation for r in results))
    targets = list(dict.fromkeys(r.target for r in results))
    lines = [
        "| operation | server | req/s | p50 ms | p99 ms | x PostGraphile | x ceiling |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for name in operations:
        pg, ceiling = by.get(("postgraphile", name)), by.get(("ceiling", name))
        for target in targets:
            r = by.get((target, name))
            if r is None:
                continue
            vs_pg = f"{r.requests_per_second / pg.requests_per_second:.2f}" if pg else "-"
            vs_ceiling = (
                f"{r.requests_per_second / ceiling.requests_per_second:.2f}" if ceiling else "-"
            )
            lines.append(
                f"| {name} | {target} | {r.requests_per_second:.0f} | {r.p50_ms:.1f} "
                f"| {r.p99_ms:.1f} | {vs_pg} | {vs_ceiling} |"
            )
    lines += ["", "| server | peak RSS per process (MB) |", "|---|---|"]
    for target, peaks in rss.items():
        values = ", ".join(f"{v:.0f}" for v in peaks.values())
        lines.append(f"| {target} | {values} |")
    return "\n".join(lines)


async def _params(url: str) -> Params:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return await pick_params(conn)
    finally:
        await conn.close()


async def explain(url: str, params: Params, operations: list[str]) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the statement the compiler runs for each operation."""
    from service.compiler.plan import Compiler
    from service.config import Settings
    from service.schema import build_schema

    settings = Settings()
    compiler = Compiler(build_schema(settings), settings)
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await conn.execute("SET TIME ZONE 'UTC'")
        for name in operations:
            op = OPERATIONS[name]
            planned = compiler.plan(op.stakegraph, None, op.variables(params))
            if planned is None:
                print(f"== {name}: not compiled")
                continue
            plan, arguments = planned
            rows = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + plan.sql, *arguments)
            print(f"== {name}\n" + "\n".join(row[0] for row in rows) + "\n")
    finally:
        await conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: STAKEGRAPH_DATABASE_URL")
    parser.add_argument("--duration", type=int, default=15, help="seconds per measurement")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up before each")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--operations", default=",".join(OPERATIONS))
    parser.add_argument("--targets", default=",".join(TARGETS))
    parser.add_argument("--report", default=str(BENCH / "report.json"))
    parser.add_argument("--explain", action="store_true", help="print the compiled plans; exit")
    parser.add_argument(
        "--guardrails",
        choices=("on", "off"),
        default="on",
        help="on: rate limits (a read key), JSON request logs and metrics as in production",
    )
    parser.add_argument("--redis-url", help="rate-limit buckets in this Redis (with limits on)")
    args = parser.parse_args(argv)
    args.operations = [o for o in args.operations.split(",") if o]
    args.targets = [t for t in args.targets.split(",") if t]
    unknown = (set(args.operations) - set(OPERATIONS)) | (set(args.targets) - set(TARGETS))
    if unknown:
        parser.error(f"unknown: {', '.join(sorted(unknown))}")
    url = args.database_url or resolve_database_url()
    params = asyncio.run(_params(url))
    if args.explain:
        asyncio.run(explain(url, params, args.operations))
        return 0
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed (apt-get install -y wrk)")
    print(f"parameters: {params}", flush=True)
    log_dir = Path(tempfile.mkdtemp(prefix="stakegraph-bench-"))
    guardrails = Guardrails(args.guardrails == "on", args.redis_url, log_dir)
    key = asyncio.run(_bench_key(url)) if guardrails.on else None
    try:
        results, rss = measure(args, url, params, guardrails, key)
    finally:
        if key is not None:
            asyncio.run(_revoke(url, key))
    logged = {p.stem: sum(1 for _ in p.open("rb")) for p in sorted(log_dir.glob("*.log"))}
    print(f"guardrails {args.guardrails}; request log lines: {logged or 'none'}")
    table = _table(results, rss)
    print("\n" + table)
    report = {
        "parameters": asdict(params),
        "settings": {
            k: getattr(args, k)
            for k in ("duration", "warmup", "connections", "threads", "guardrails", "redis_url")
        },
        "log_lines": logged,
        "results": [asdict(r) for r in results],
        "peak_rss_mb": rss,
        "table": table,
    }
    Path(args.report).write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nreport: {args.report}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
