"""Manifests of trusted documents: the only documents a server in trusted-documents mode runs.

Read in the formats clients produce:

* a JSON object of id → document text: Relay's ``persistConfig`` output and graphql-codegen's
  ``persisted-documents.json`` (ids are whatever hash the client chose);
* Apollo's persisted query manifest (``"format": "apollo-persisted-query-manifest"``), whose
  ids are sha256 digests of the text — the format ``python -m service.gateway.manifest``
  writes from ``graphql/operations/``.

Every document is also found by the sha256 digest of its text (what Apollo's persisted-queries
link sends), and an id given as ``sha256:<hex>`` (persisted documents' ``documentId``) is found
by its hex.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from service.operations import OPERATIONS_DIR, load_examples

APOLLO_FORMAT = "apollo-persisted-query-manifest"


class ManifestError(ValueError):
    """A manifest that cannot be read, said with the path and what is wrong."""


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalized_id(document_id: str) -> str:
    """``sha256:<hex>`` and ``<hex>`` name the same document."""
    prefix, sep, rest = document_id.partition(":")
    return rest.lower() if sep and prefix.lower() == "sha256" else document_id


@dataclass(frozen=True)
class Manifest:
    """Trusted documents by id (as the manifest gives them) and by the sha256 of their text."""

    by_id: Mapping[str, str]

    def find(self, document_id: str) -> str | None:
        return self.by_id.get(normalized_id(document_id))

    def __len__(self) -> int:
        return len(set(self.by_id.values()))


def _from_entries(entries: Mapping[str, str]) -> Manifest:
    by_id: dict[str, str] = {}
    for document_id, text in entries.items():
        by_id[normalized_id(document_id)] = text
        by_id[sha256_hex(text)] = text
    return Manifest(by_id)


def parse_manifest(data: object, where: str) -> Manifest:
    if not isinstance(data, dict):
        raise ManifestError(f"{where}: a manifest is a JSON object.")
    if data.get("format") == APOLLO_FORMAT:
        operations = data.get("operations")
        if data.get("version") != 1 or not isinstance(operations, list):
            raise ManifestError(f"{where}: an {APOLLO_FORMAT} needs version 1 and operations.")
        entries: dict[str, str] = {}
        for index, operation in enumerate(operations):
            if not (
                isinstance(operation, dict)
                and isinstance(operation.get("id"), str)
                and isinstance(operation.get("body"), str)
            ):
                raise ManifestError(f"{where}: operations[{index}] needs string id and body.")
            entries[operation["id"]] = operation["body"]
        return _from_entries(entries)
    for key, value in data.items():
        if not isinstance(value, str):
            raise ManifestError(
                f"{where}: {key!r} maps to {type(value).__name__}, not a document's text "
                f"(expected an object of id → text, or an {APOLLO_FORMAT})."
            )
    return _from_entries(data)


def load_manifest(path: Path) -> Manifest:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ManifestError(f"{path}: cannot be read ({exc.strerror}).") from None
    except ValueError as exc:
        raise ManifestError(f"{path}: not JSON ({exc}).") from None
    return parse_manifest(data, str(path))


def build_manifest(operations_dir: Path) -> dict[str, object]:
    """An Apollo persisted query manifest of every named operation in ``operations_dir``, each
    with the fragments it spreads (the text GraphiQL's examples show)."""
    from graphql import OperationDefinitionNode, parse

    operations = []
    for example in load_examples(operations_dir):
        kind = next(
            d.operation.value
            for d in parse(example.query).definitions
            if isinstance(d, OperationDefinitionNode)
        )
        operations.append(
            {"id": sha256_hex(example.query), "name": example.name, "type": kind,
             "body": example.query}
        )  # fmt: skip
    return {"format": APOLLO_FORMAT, "version": 1, "operations": operations}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m service.gateway.manifest",
        description="Writes a trusted-documents manifest (Apollo's persisted query manifest "
        "format) of the named operations in a directory of .graphql files.",
    )
    parser.add_argument("operations", type=Path, nargs="?", default=None)
    parser.add_argument("-o", "--output", type=Path, default=None)
    args = parser.parse_args(argv)
    manifest = build_manifest(args.operations or OPERATIONS_DIR)
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
