"""The GraphQL-over-HTTP audit of the pinned ``graphql-http`` (npm) against the running server:
every audit ok, none a warning."""

from __future__ import annotations

import json
from pathlib import Path

from service.app import create_app
from tests.frontends import npm
from tests.frontends.conftest import serve

# graphql-http 1.23.1, as tests/frontends/js/package-lock.json pins it.
AUDITS = 61


def test_every_graphql_over_http_audit_is_ok(migrated_url: str, node_work: Path) -> None:
    with serve(create_app(database_url=migrated_url)) as base_url:
        result = npm.run_node(node_work, "node", "audit.mjs", f"{base_url}/graphql")
    assert result.returncode == 0, result.stderr
    audits = json.loads(result.stdout)
    not_ok = [a for a in audits if a["status"] != "ok"]
    assert not_ok == []
    assert len(audits) == AUDITS
