"""The clients that compile against the committed SDL accept it: relay-compiler with
``@refetchable`` and ``@connection`` fragments on Organization, FundingRound and Investment
(which it refuses unless ``node(id:)`` takes the ID alone), and graphql-codegen's
typescript-operations over every named operation in graphql/operations/. Relay's persisted
queries then run, by ``doc_id``, on a server whose trusted documents are Relay's own output."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import httpx
from graphql import OperationDefinitionNode, parse

from service.app import create_app
from service.config import Settings
from service.gateway.manifest import sha256_hex
from service.operations import OPERATIONS_DIR
from tests.frontends import npm

GENERATED = Path("relay/src/__generated__")
RELAY_MANIFEST = Path("relay/persisted-queries.json")


def compile_relay(work: Path) -> dict[str, str]:
    """Runs relay-compiler from scratch; Relay's persisted queries, id → text."""
    with npm.locked("relay"):
        return _compile_relay(work)


def _compile_relay(work: Path) -> dict[str, str]:
    shutil.rmtree(work / GENERATED, ignore_errors=True)
    (work / GENERATED).mkdir(parents=True)
    (work / RELAY_MANIFEST).write_text("{}", encoding="utf-8")
    result = npm.run_node(work, "node_modules/.bin/relay-compiler")
    assert result.returncode == 0, result.stdout + result.stderr
    persisted: dict[str, str] = json.loads((work / RELAY_MANIFEST).read_text(encoding="utf-8"))
    return persisted


def test_relay_compiles_refetchable_and_connection_fragments(node_work: Path) -> None:
    persisted = compile_relay(node_work)
    artifacts = {p.name for p in (node_work / GENERATED).iterdir()}
    assert {
        "AppQuery.graphql.js",
        "AppInvestorPaginationQuery.graphql.js",
        "AppRoundPaginationQuery.graphql.js",
        "AppInvestmentRefetchQuery.graphql.js",
    } <= artifacts
    # Each fragment is refetchable and paginates its connection through node(id:).
    for fragment in ("App_investor", "App_round", "App_investment"):
        reader = (node_work / GENERATED / f"{fragment}.graphql.js").read_text(encoding="utf-8")
        assert '"connection": [' in reader, fragment
        assert '"refetch": {' in reader, fragment
    refetch = next(text for text in persisted.values() if "AppInvestmentRefetchQuery" in text)
    assert "node(id: $id)" in refetch
    # SHA256 as configured: Relay's ids are the digests of the texts it persists.
    assert all(sha256_hex(text) == key for key, text in persisted.items())
    assert len(persisted) == 4


def test_relays_persisted_queries_run_as_trusted_documents(
    migrated_url: str, node_work: Path, tmp_path: Path
) -> None:
    persisted = compile_relay(node_work)
    manifest = tmp_path / "relay.json"
    manifest.write_text(json.dumps(persisted), encoding="utf-8")
    app = create_app(Settings(trusted_documents=manifest), database_url=migrated_url)
    by_name = {_operation_name(text): key for key, text in persisted.items()}
    from tests.frontends.conftest import serve

    with serve(app) as base_url, httpx.Client(base_url=base_url) as client:
        first = client.post(
            "/graphql",
            json={"doc_id": by_name["AppQuery"], "variables": {"slug": "alibaba"}},
        ).json()
        investor = first["data"]["organization"]
        cursor = investor["investments"]["pageInfo"]["endCursor"]
        second = client.post(
            "/graphql",
            json={
                "doc_id": by_name["AppInvestorPaginationQuery"],
                "variables": {"id": investor["id"], "count": 2, "cursor": cursor},
            },
        ).json()
    assert len(investor["investments"]["edges"]) == 2
    page = second["data"]["node"]["investments"]
    assert len(page["edges"]) == 2
    assert {e["node"]["id"] for e in page["edges"]}.isdisjoint(
        {e["node"]["id"] for e in investor["investments"]["edges"]}
    )


def _operation_name(text: str) -> str:
    operation = next(d for d in parse(text).definitions if isinstance(d, OperationDefinitionNode))
    assert operation.name is not None
    return operation.name.value


def _operation_names() -> set[str]:
    return {
        d.name.value
        for path in OPERATIONS_DIR.glob("*.graphql")
        for d in parse(path.read_text(encoding="utf-8")).definitions
        if isinstance(d, OperationDefinitionNode) and d.name is not None
    }


def test_graphql_codegen_types_every_named_operation(node_work: Path) -> None:
    output = node_work / "generated" / "operations.ts"
    output.unlink(missing_ok=True)
    result = npm.run_node(node_work, "node_modules/.bin/graphql-codegen", "--config", "codegen.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    generated = output.read_text(encoding="utf-8")
    names = _operation_names()
    typed = set(re.findall(r"^export type (\w+)Query = ", generated, re.MULTILINE))
    assert names
    assert names <= typed
    # The error codes are a union of literals that client code can narrow on.
    union = re.search(
        r"^export type UserErrorCode =\n((?:\s+(?:/\*\*.*\*/|\| '\w+';?)\n)+)", generated, re.M
    )
    assert union is not None
    assert "| 'STALE_VERSION'" in union.group(1)


def test_codegen_persisted_documents_run_as_trusted_documents(
    migrated_url: str, node_work: Path, tmp_path: Path
) -> None:
    output = node_work / "generated" / "client" / "persisted-documents.json"
    with npm.locked("codegen-persisted"):
        output.unlink(missing_ok=True)
        result = npm.run_node(
            node_work, "node_modules/.bin/graphql-codegen", "--config", "codegen-persisted.yml"
        )
        assert result.returncode == 0, result.stdout + result.stderr
        documents: dict[str, str] = json.loads(output.read_text(encoding="utf-8"))
    manifest = tmp_path / "persisted-documents.json"
    manifest.write_text(json.dumps(documents), encoding="utf-8")
    app = create_app(Settings(trusted_documents=manifest), database_url=migrated_url)
    from tests.frontends.conftest import serve

    answers = {}
    with serve(app) as base_url, httpx.Client(base_url=base_url, timeout=60) as client:
        for document_id in documents:
            answers[document_id] = client.post("/graphql", json={"documentId": document_id}).json()
    # Every named operation, by the preset's own (sha1) ids, answered without error.
    assert len(answers) == len(_operation_names())
    assert {k: a for k, a in answers.items() if "errors" in a or not a.get("data")} == {}


def test_apollos_persisted_query_manifest_runs_by_hash(
    migrated_url: str, node_work: Path, tmp_path: Path
) -> None:
    output = node_work / "generated" / "apollo-persisted-query-manifest.json"
    with npm.locked("apollo-manifest"):
        output.unlink(missing_ok=True)
        result = npm.run_node(node_work, "node_modules/.bin/generate-persisted-query-manifest")
        assert result.returncode == 0, result.stdout + result.stderr
        manifest_text = output.read_text(encoding="utf-8")
    manifest = tmp_path / "apollo.json"
    manifest.write_text(manifest_text, encoding="utf-8")
    operations = json.loads(manifest_text)["operations"]
    app = create_app(Settings(trusted_documents=manifest), database_url=migrated_url)
    from tests.frontends.conftest import serve

    answers = {}
    with serve(app) as base_url, httpx.Client(base_url=base_url, timeout=60) as client:
        for operation in operations:
            # As Apollo Client's persisted-queries link sends it with trusted documents: the
            # hash alone, here over GET.
            extensions = {"persistedQuery": {"version": 1, "sha256Hash": operation["id"]}}
            answers[operation["name"]] = client.get(
                "/graphql",
                params={"extensions": json.dumps(extensions)},
                headers={"Accept": "application/graphql-response+json"},
            ).json()
    assert set(answers) == _operation_names()
    assert {k: a for k, a in answers.items() if "errors" in a or not a.get("data")} == {}
