"""SIGTERM (issue 15, item 5): in-flight requests finish, new ones are not accepted, and the
embedded PostgreSQL the server started is stopped before it exits. Also the server's logs: one
JSON object a line, with the request id."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.dbutil import ROOT

QUERY = "{ organizations(first: 2) { nodes { slug } } }"
IN_FLIGHT = 4
# Each in-flight request's body arrives over about this long, and SIGTERM comes half-way: the
# server has read every request's headers by then, even on a loaded machine.
BODY_SECONDS = 4.0
CHUNKS = 40


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def _slow_body() -> AsyncIterator[bytes]:
    text = json.dumps({"query": QUERY}).encode()
    # Leading spaces are valid JSON whitespace: the body is sent slowly, then its document.
    for _ in range(CHUNKS):
        yield b" " * 64
        await asyncio.sleep(BODY_SECONDS / CHUNKS)
    yield text


async def _slow_request(base: str, index: int) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        return await client.post(
            "/graphql",
            content=_slow_body(),
            headers={"content-type": "application/json", "x-request-id": f"in-flight-{index}"},
        )


async def _wait_until_serving(base: str, server: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=2) as client:
        for _ in range(900):
            if server.poll() is not None:
                raise AssertionError(f"the server exited with {server.returncode}")
            try:
                if (await client.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError("the server did not become ready")


async def test_sigterm_lets_in_flight_requests_finish_and_stops_the_embedded_server(
    tmp_path: Path, server_dir: Path
) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STAKEGRAPH_", "PROMETHEUS_"))}
    env.update(
        STAKEGRAPH_DATA_DIR=str(server_dir),
        STAKEGRAPH_SHUTDOWN_GRACE_S="20",
        STAKEGRAPH_LOG_FORMAT="json",
    )
    log_path = tmp_path / "server.log"
    with open(log_path, "wb") as log_file:  # noqa: ASYNC230
        server = subprocess.Popen(  # noqa: ASYNC220
            [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            # The logs are stderr's; stdout has the banner.
            stdout=subprocess.DEVNULL,
            stderr=log_file,
        )
        try:
            await _wait_until_serving(base, server)
            pgdata = server_dir / "pgdata"
            assert (pgdata / "postmaster.pid").exists()
            flying = [asyncio.create_task(_slow_request(base, i)) for i in range(IN_FLIGHT)]
            await asyncio.sleep(BODY_SECONDS / 2)
            server.send_signal(signal.SIGTERM)
            responses = await asyncio.gather(*flying)
            for response in responses:
                assert response.status_code == 200, response.text
                assert len(response.json()["data"]["organizations"]["nodes"]) == 2
            code = await asyncio.to_thread(server.wait, 60)
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()
    # uvicorn re-raises SIGTERM once drained; the command turns it into its exit status.
    assert code == 128 + signal.SIGTERM
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient(base_url=base, timeout=2) as client:
            await client.get("/healthz")
    assert not (pgdata / "postmaster.pid").exists(), "the embedded PostgreSQL is still running"

    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.strip()]
    answered = [e for e in lines if e.get("logger") == "stakegraph.requests"]
    ids = {e.get("request_id") for e in answered if e.get("path") == "/graphql"}
    assert {f"in-flight-{i}" for i in range(IN_FLIGHT)} <= ids
    one = next(e for e in answered if e.get("request_id") == "in-flight-0")
    assert one["status"] == 200
    assert one["executor"] == "compiled"
    assert one["cost_requested"] == 2
    assert one["cost_actual"] == 2
    assert one["duration_ms"] > 0
