"""GraphiQL's browser files, unpacked from npm packages into ``service/static/graphiql/``.

``python -m service.graphiql_assets`` fetches them with ``npm pack``: these are the very files,
at the very versions, that strawberry's own GraphiQL page loads from a CDN, so the page served
from them behaves the same and works without internet access. They are build products, never
committed; without them (no npm, no network) the service falls back to strawberry's page.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ASSETS_DIR = Path(__file__).resolve().parent / "static" / "graphiql"
MANIFEST = "manifest.json"
NPM_TIMEOUT_S = 300


@dataclass(frozen=True)
class Asset:
    """One file the page loads, where it comes from, and its Subresource Integrity digest."""

    name: str
    package: str
    member: str
    integrity: str

    @property
    def kind(self) -> str:
        return "stylesheet" if self.name.endswith(".css") else "script"


# The digests are those strawberry's page pins for the same files, so a tampered or
# mis-versioned tarball is refused here and, through the page's integrity attributes, by the
# browser too. Scripts are listed in the order they must load: the explorer plugin needs the
# GraphiQL global, which needs React.
ASSETS: tuple[Asset, ...] = (
    Asset(
        "react.production.min.js",
        "react@18.2.0",
        "package/umd/react.production.min.js",
        "sha384-tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8",
    ),
    Asset(
        "react-dom.production.min.js",
        "react-dom@18.2.0",
        "package/umd/react-dom.production.min.js",
        "sha384-bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh",
    ),
    Asset(
        "graphiql.min.js",
        "graphiql@3.8.3",
        "package/graphiql.min.js",
        "sha384-HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie",
    ),
    Asset(
        "graphiql.min.css",
        "graphiql@3.8.3",
        "package/graphiql.min.css",
        "sha384-Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM",
    ),
    Asset(
        "plugin-explorer.umd.js",
        "@graphiql/plugin-explorer@1.0.2",
        "package/dist/index.umd.js",
        "sha384-2oonKe47vfHIZnmB6ZZ10vl7T0Y+qrHQF2cmNTaFDuPshpKqpUMGMc9jgj9MLDZ9",
    ),
    Asset(
        "plugin-explorer.css",
        "@graphiql/plugin-explorer@1.0.2",
        "package/dist/style.css",
        "sha384-5DFJlDPW2tSATRbM8kzoP1j194jexLswuNmClWoRr2Q0x7R68JIQzPHZ02Faktwi",
    ),
)


class FetchError(RuntimeError):
    """npm is missing or failed, or a package did not hold the expected file."""


def manifest_text() -> str:
    """What ``manifest.json`` holds when the directory has exactly the files of ``ASSETS``."""
    entries = {a.name: {"package": a.package, "integrity": a.integrity} for a in ASSETS}
    return json.dumps(entries, indent=2, sort_keys=True) + "\n"


def installed(directory: Path | None = None) -> bool:
    """Every asset is present at the pinned version.

    The manifest is written last and only after every digest was checked, so its presence with
    the expected content stands for a complete, verified fetch without re-hashing megabytes of
    JavaScript on every start.
    """
    directory = ASSETS_DIR if directory is None else directory
    try:
        if (directory / MANIFEST).read_text(encoding="utf-8") != manifest_text():
            return False
    except OSError:
        return False
    return all((directory / a.name).is_file() for a in ASSETS)


def write_manifest(directory: Path) -> None:
    (directory / MANIFEST).write_text(manifest_text(), encoding="utf-8")


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")


def _npm_pack(npm: str, specs: Sequence[str], destination: Path) -> dict[str, Path]:
    """Download the package tarballs; returns ``spec -> tarball``."""
    env = dict(os.environ)
    # Keep npm's chatter (update notices, funding appeals) out of the build log.
    env.update(npm_config_update_notifier="false", npm_config_fund="false")
    try:
        result = subprocess.run(
            [npm, "pack", "--json", "--pack-destination", str(destination), *specs],
            cwd=destination,
            env=env,
            check=False,
            capture_output=True,
            text=True,
            timeout=NPM_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired as exc:
        raise FetchError(f"npm pack took longer than {NPM_TIMEOUT_S}s") from exc
    if result.returncode != 0:
        raise FetchError(f"npm pack failed: {result.stderr.strip()[-2000:]}")
    try:
        packed = json.loads(result.stdout)
        by_id = {f"{p['name']}@{p['version']}": destination / p["filename"] for p in packed}
    except (ValueError, KeyError, TypeError) as exc:
        raise FetchError(f"unexpected output from npm pack: {result.stdout[:500]!r}") from exc
    missing = [s for s in specs if s not in by_id]
    if missing:
        raise FetchError(f"npm pack did not produce {', '.join(missing)}")
    return {s: by_id[s] for s in specs}


def _unpack(tarballs: dict[str, Path], target: Path) -> None:
    for asset in ASSETS:
        with tarfile.open(tarballs[asset.package], "r:gz") as tar:
            try:
                member = tar.extractfile(asset.member)
            except KeyError:
                member = None
            if member is None:
                raise FetchError(f"{asset.package} has no {asset.member}")
            data = member.read()
        if sri(data) != asset.integrity:
            raise FetchError(f"{asset.package}/{asset.member} does not match its pinned digest")
        (target / asset.name).write_bytes(data)


def fetch(directory: Path | None = None, npm: str | None = None) -> None:
    """Fetch, verify and install the assets; the directory is replaced only on success."""
    directory = ASSETS_DIR if directory is None else directory
    npm = npm or shutil.which("npm")
    if npm is None:
        raise FetchError("npm is not installed")
    directory.parent.mkdir(parents=True, exist_ok=True)
    specs = list(dict.fromkeys(a.package for a in ASSETS))
    with tempfile.TemporaryDirectory(prefix=".graphiql-", dir=directory.parent) as tmp:
        work = Path(tmp)
        downloads = work / "npm"
        staged = work / "graphiql"
        downloads.mkdir()
        staged.mkdir()
        _unpack(_npm_pack(npm, specs, downloads), staged)
        write_manifest(staged)
        if directory.exists():
            # Moved aside rather than deleted in place so that a failure cannot leave a
            # half-written directory; the temporary directory's cleanup removes it.
            directory.rename(work / "previous")
        staged.rename(directory)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m service.graphiql_assets", description=__doc__)
    parser.add_argument("--dir", type=Path, default=ASSETS_DIR, help="default: %(default)s")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="fail when npm is missing or fails (image builds); by default the service then "
        "serves strawberry's GraphiQL page instead",
    )
    args = parser.parse_args(argv)
    directory: Path = args.dir
    if installed(directory):
        print(f"GraphiQL assets: up to date in {directory}")
        return 0
    try:
        fetch(directory)
    except FetchError as exc:
        print(f"GraphiQL assets: not fetched ({exc}).", file=sys.stderr)
        if args.strict:
            return 1
        print("GraphiQL assets: /graphql will serve strawberry's page instead.", file=sys.stderr)
        return 0
    print(f"GraphiQL assets: fetched into {directory}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
