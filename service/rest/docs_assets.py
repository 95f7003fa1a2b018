"""Swagger UI's browser files for ``/api/v1/docs``, fetched as GraphiQL's are (never committed).

``python -m service.rest.docs_assets`` (run by ``make assets``) unpacks them with ``npm pack``
into ``service/static/apidocs/``, checks each against its pinned digest, and writes a
``.gitignore`` there so that they stay out of the repository. Without them (no npm, no
network) ``/api/v1/docs`` serves a plain reference page rendered from the OpenAPI document.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path

from service.graphiql_assets import Asset, FetchError, _npm_pack, sri

ASSETS_DIR = Path(__file__).resolve().parents[1] / "static" / "apidocs"
PACKAGE = "swagger-ui-dist@5.17.14"
ASSETS: tuple[Asset, ...] = (
    Asset(
        "swagger-ui.css",
        PACKAGE,
        "package/swagger-ui.css",
        "sha384-wxLW6kwyHktdDGr6Pv1zgm/VGJh99lfUbzSn6HNHBENZlCN7W602k9VkGdxuFvPn",
    ),
    Asset(
        "swagger-ui-bundle.js",
        PACKAGE,
        "package/swagger-ui-bundle.js",
        "sha384-wmyclcVGX/WhUkdkATwhaK1X1JtiNrr2EoYJ+diV3vj4v6OC5yCeSu+yW13SYJep",
    ),
)
MANIFEST = "manifest.txt"


def manifest_text() -> str:
    return "".join(f"{a.name} {a.package} {a.integrity}\n" for a in ASSETS)


def installed(directory: Path | None = None) -> bool:
    """Every asset is in place at its pinned version (the manifest is written last, after
    every digest was checked)."""
    directory = ASSETS_DIR if directory is None else directory
    try:
        if (directory / MANIFEST).read_text(encoding="utf-8") != manifest_text():
            return False
    except OSError:
        return False
    return all((directory / a.name).is_file() for a in ASSETS)


def fetch(directory: Path | None = None, npm: str | None = None) -> None:
    directory = ASSETS_DIR if directory is None else directory
    npm = npm or shutil.which("npm")
    if npm is None:
        raise FetchError("npm is not installed")
    directory.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".apidocs-", dir=directory.parent) as tmp:
        work = Path(tmp)
        downloads, staged = work / "npm", work / "apidocs"
        downloads.mkdir()
        staged.mkdir()
        tarball = _npm_pack(npm, [PACKAGE], downloads)[PACKAGE]
        with tarfile.open(tarball, "r:gz") as tar:
            for asset in ASSETS:
                member = tar.extractfile(asset.member)
                if member is None:
                    raise FetchError(f"{PACKAGE} has no {asset.member}")
                data = member.read()
                if sri(data) != asset.integrity:
                    raise FetchError(f"{PACKAGE}/{asset.member} does not match its pinned digest")
                (staged / asset.name).write_bytes(data)
        (staged / ".gitignore").write_text("*\n", encoding="utf-8")
        (staged / MANIFEST).write_text(manifest_text(), encoding="utf-8")
        if directory.exists():
            directory.rename(work / "previous")
        staged.rename(directory)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m service.rest.docs_assets", description=__doc__)
    parser.add_argument("--dir", type=Path, default=ASSETS_DIR, help="default: %(default)s")
    parser.add_argument("--strict", action="store_true", help="fail when npm is missing or fails")
    args = parser.parse_args(argv)
    directory: Path = args.dir
    if installed(directory):
        print(f"API reference assets: up to date in {directory}")
        return 0
    try:
        fetch(directory)
    except (FetchError, KeyError) as exc:
        print(f"API reference assets: not fetched ({exc}).", file=sys.stderr)
        if args.strict:
            return 1
        print("API reference assets: /api/v1/docs will serve a plain page.", file=sys.stderr)
        return 0
    print(f"API reference assets: fetched into {directory}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
