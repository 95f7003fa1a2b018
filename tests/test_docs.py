"""The documentation stays true: every setting is in the README's table, every GraphQL example
in the README and docs/ validates against the schema, and every relative link resolves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    OperationDefinitionNode,
    parse,
    validate,
)

from service.config import Settings
from service.schema import build_schema

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\| `STAKEGRAPH_([A-Z_]+)` \|", readme, re.MULTILINE))
    settings = {name.upper() for name in Settings.model_fields}
    assert settings - documented == set(), "settings missing from the README's table"
    assert documented - settings == set(), "the README's table names settings that do not exist"


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_graphql_examples_validate(page: Path) -> None:
    schema = build_schema()._schema
    for block in re.findall(r"```graphql\n(.*?)```", page.read_text(), re.DOTALL):
        definitions = parse(block).definitions
        fragments = [d for d in definitions if isinstance(d, FragmentDefinitionNode)]
        # A block may show several operations side by side: each is checked on its own.
        for operation in (d for d in definitions if isinstance(d, OperationDefinitionNode)):
            document = DocumentNode(definitions=(operation, *fragments))
            assert validate(schema, document) == [], block


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_relative_links_resolve(page: Path) -> None:
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text()):
        assert (page.parent / target).exists(), f"{page.name} links to missing {target}"
