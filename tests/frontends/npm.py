"""The npm packages of the frontend tests, installed from tests/frontends/js/'s lock file into
build/frontends/ (ignored by git), where the JavaScript sources are copied to run beside them.

Reinstalled only when the lock file changes. Without node and npm the tests that need them are
skipped, unless STAKEGRAPH_REQUIRE_BROWSER=1 (as in CI), where they fail instead.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = Path(__file__).resolve().parent / "js"
WORK = ROOT / "build" / "frontends"
STAMP = WORK / "node_modules" / ".lock-digest"
NPM_TIMEOUT_S = 600


class NodeUnavailable(RuntimeError):
    pass


def _lock_digest() -> str:
    return hashlib.sha256((SOURCES / "package-lock.json").read_bytes()).hexdigest()


def _copy_sources() -> None:
    for path in SOURCES.rglob("*"):
        if path.is_file():
            target = WORK / path.relative_to(SOURCES)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


def install() -> Path:
    """The work directory with the sources copied in and the locked packages installed."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise NodeUnavailable("node and npm are not installed (apt-get install npm)")
    WORK.mkdir(parents=True, exist_ok=True)
    # Test processes run side by side: one installs while the others wait.
    with (WORK / ".install-lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _install_locked()
    return WORK


def _install_locked() -> None:
    _copy_sources()
    digest = _lock_digest()
    if not STAMP.is_file() or STAMP.read_text() != digest:
        result = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=WORK,
            capture_output=True,
            text=True,
            timeout=NPM_TIMEOUT_S,
            check=False,
        )
        if result.returncode != 0:
            raise NodeUnavailable(f"npm ci failed: {result.stderr[-2000:]}")
        STAMP.write_text(digest)


def work_dir_or_skip() -> Path:
    try:
        return install()
    except NodeUnavailable as exc:
        if os.environ.get("STAKEGRAPH_REQUIRE_BROWSER") == "1":
            pytest.fail(f"STAKEGRAPH_REQUIRE_BROWSER=1 but {exc}")
        pytest.skip(str(exc))


@contextmanager
def locked(name: str) -> Iterator[None]:
    """One test process at a time in a step that writes into the shared work directory."""
    WORK.mkdir(parents=True, exist_ok=True)
    with (WORK / f".{name}-lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def run_node(work: Path, *args: str, timeout_s: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args), cwd=work, capture_output=True, text=True, timeout=timeout_s, check=False
    )
