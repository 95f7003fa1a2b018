"""Two revisions of Stakegraph side by side: does a change keep the benchmark within noise?

    STAKEGRAPH_DATABASE_URL=postgresql://... .venv/bin/python -m bench.compare_refs --base REF

Starts one server from this working tree and one from ``REF`` (checked out into a temporary git
worktree, run with this venv's Python), both on the same database, and sends each benchmark
operation (bench/workload.py) to them in alternating rounds of sequential requests, so that
whatever else the machine does falls on both alike. Prints, per operation and read path
(compiled, resolvers), each side's p50 latency and their ratio; a ratio near 1 (within the
spread between rounds, also printed) is "within noise".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import asyncpg

from bench.run import Server, _free_port, _stop
from bench.workload import OPERATIONS, Operation, Params, pick_params
from service.db.server import resolve_database_url
from service.db.urls import asyncpg_dsn

ROOT = Path(__file__).resolve().parent.parent


def _start(tree: Path, url: str, compiler: bool) -> Server:
    port = _free_port()
    env = {
        **os.environ,
        "STAKEGRAPH_DATABASE_URL": url,
        "STAKEGRAPH_COMPILER": "true" if compiler else "false",
        "PYTHONPATH": str(tree),
    }
    command = [
        sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port),
        "service.app:create_app", "--factory", "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=tree, env=env, start_new_session=True)
    server = Server(str(tree), process, port)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server of {tree} exited with {process.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return server
        except OSError:
            time.sleep(0.3)
    _stop(server)
    raise RuntimeError(f"the server of {tree} did not start")


def _post(port: int, body: bytes) -> float:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        payload = json.loads(response.read())
    elapsed = time.perf_counter() - started
    if "errors" in payload:
        raise RuntimeError(f"errors: {payload['errors']}")
    return elapsed


def _measure(
    ports: tuple[int, int], op: Operation, params: Params, rounds: int, per_round: int
) -> tuple[list[float], list[float]]:
    """Per round, each side's median latency in ms; sides alternate who goes first."""
    body = json.dumps({"query": op.stakegraph, "variables": op.variables(params)}).encode()
    for port in ports:  # warm-up: plans, caches, connections
        for _ in range(per_round):
            _post(port, body)
    medians: tuple[list[float], list[float]] = ([], [])
    for n in range(rounds):
        order = (0, 1) if n % 2 == 0 else (1, 0)
        for side in order:
            times = [_post(ports[side], body) for _ in range(per_round)]
            medians[side].append(statistics.median(times) * 1000)
    return medians


def _spread(values: list[float]) -> float:
    """Half the interquartile range relative to the median: the noise between rounds."""
    q1, _, q3 = statistics.quantiles(values, n=4)
    return (q3 - q1) / 2 / statistics.median(values)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the git revision to compare against")
    parser.add_argument("--database-url", help="default: STAKEGRAPH_DATABASE_URL")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--per-round", type=int, default=15)
    parser.add_argument("--operations", default=",".join(OPERATIONS))
    parser.add_argument("--paths", default="compiled,resolvers")
    args = parser.parse_args(argv)
    url = args.database_url or resolve_database_url()

    async def params() -> Params:
        conn = await asyncpg.connect(asyncpg_dsn(url))
        try:
            return await pick_params(conn)
        finally:
            await conn.close()

    picked = asyncio.run(params())
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch) / "base"
        subprocess.run(["git", "worktree", "add", "--detach", str(base), args.base], check=True)
        try:
            rows = []
            paths = args.paths.split(",")
            for compiler in [p == "compiled" for p in paths]:
                servers = (_start(ROOT, url, compiler), _start(base, url, compiler))
                try:
                    ports = (servers[0].port, servers[1].port)
                    for name in args.operations.split(","):
                        here, there = _measure(
                            ports, OPERATIONS[name], picked, args.rounds, args.per_round
                        )
                        rows.append(_row(name, compiler, here, there))
                finally:
                    for server in servers:
                        _stop(server)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)], check=True)
    print(f"this tree vs {args.base}: p50 of per-round medians, ms")
    print("| operation | path | this tree | base | ratio | noise (±) |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for row in rows:
        print("| {} | {} | {:.2f} | {:.2f} | {:.2f} | {:.0%} |".format(*row))
    return 0


def _row(name: str, compiler: bool, here: list[float], there: list[float]) -> tuple[Any, ...]:
    a, b = statistics.median(here), statistics.median(there)
    noise = max(_spread(here), _spread(there))
    return name, "compiled" if compiler else "resolvers", a, b, a / b, noise


if __name__ == "__main__":
    raise SystemExit(main())
