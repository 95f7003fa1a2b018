"""The named GraphQL operations kept in ``graphql/operations/``: GraphiQL's examples, the
trusted-documents manifest and the clients' tests all read them from here."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from graphql import (
    DefinitionNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    Node,
    OperationDefinitionNode,
    Visitor,
    parse,
    visit,
)

log = logging.getLogger(__name__)

OPERATIONS_DIR = Path(__file__).resolve().parents[1] / "graphql" / "operations"


@dataclass(frozen=True)
class Example:
    """One named operation, with the comment above it and the fragments it spreads."""

    name: str
    description: str
    query: str


class _SpreadCollector(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_args: object) -> None:
        self.names.append(node.name.value)


def _spreads(node: Node) -> list[str]:
    collector = _SpreadCollector()
    visit(node, collector)
    return collector.names


def _text(body: str, node: DefinitionNode) -> str:
    assert node.loc is not None  # parse() keeps locations unless told not to
    return body[node.loc.start : node.loc.end]


def _leading_comment(body: str, node: DefinitionNode) -> list[str]:
    """The ``#`` lines directly above a definition: how the files document their operations."""
    assert node.loc is not None
    lines = body[: node.loc.start].splitlines()
    comment: list[str] = []
    for line in reversed(lines):
        if not line.strip().startswith("#"):
            break
        comment.insert(0, line.strip())
    return comment


def load_examples(directory: Path) -> list[Example]:
    """Every named operation in ``directory/*.graphql``, ordered by file then position.

    Fragments may live in any of the files. A file that does not parse is skipped with a
    warning: a broken example must not keep the API from starting.
    """
    fragments: dict[str, str] = {}
    fragment_spreads: dict[str, list[str]] = {}
    operations: list[tuple[str, list[str], list[str], str]] = []
    for path in sorted(directory.glob("*.graphql")):
        try:
            body = path.read_text(encoding="utf-8")
            document = parse(body)
        except (OSError, UnicodeDecodeError, GraphQLError) as exc:
            log.warning("named operations: skipping %s: %s", path, exc)
            continue
        for definition in document.definitions:
            if isinstance(definition, FragmentDefinitionNode):
                fragments[definition.name.value] = _text(body, definition)
                fragment_spreads[definition.name.value] = _spreads(definition)
            elif isinstance(definition, OperationDefinitionNode) and definition.name:
                comment = _leading_comment(body, definition)
                text = "\n".join([*comment, _text(body, definition)])
                operations.append((definition.name.value, comment, _spreads(definition), text))

    examples: list[Example] = []
    for name, comment, spreads, text in operations:
        needed: list[str] = []
        pending = list(spreads)
        while pending:
            fragment = pending.pop(0)
            if fragment in needed or fragment not in fragments:
                continue
            needed.append(fragment)
            pending.extend(fragment_spreads[fragment])
        query = "\n\n".join([text, *(fragments[f] for f in needed)]) + "\n"
        description = " ".join(line.lstrip("#").strip() for line in comment)
        examples.append(Example(name=name, description=description, query=query))
    return examples
