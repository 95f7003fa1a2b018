"""A GraphQL document: parsed under a token limit, measured, validated, and kept by digest.

What a document costs to parse and validate grows with its size, and what it costs to plan
grows with its fragment expansion (a fragment spread twice in a fragment spread twice…), so
each is bounded before the next step runs: tokens while parsing, then aliases, directives,
fragment spreads and the expanded field count in one linear walk with each fragment measured
once, then validation. Documents are cached by a digest of their text and weighed by size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
    specified_rules,
)
from graphql.validation import ASTValidationRule, NoSchemaIntrospectionCustomRule, validate
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from service.caching import WeightedLru, digest
from service.config import Settings
from service.gateway.errors import (
    GRAPHQL_PARSE_FAILED,
    GRAPHQL_VALIDATION_FAILED,
    OPERATION_NOT_FOUND,
    QUERY_TOO_COMPLEX,
    QUERY_TOO_LARGE,
    Refusal,
    too_complex,
)
from service.gateway.production import introspection_enabled, suggestions_enabled

# A parsed document holds a few dozen Python objects per token; this is a generous estimate of
# its bytes per character of source, used to weigh cache entries.
_BYTES_PER_CHARACTER = 40


@dataclass(frozen=True)
class Document:
    """A parsed, measured and valid document."""

    node: DocumentNode
    operations: tuple[OperationDefinitionNode, ...]
    fragments: dict[str, FragmentDefinitionNode]
    # What is measured of the document's own text once, for every request that sends it
    # again (gateway/inputs.py), by operation.
    measured: dict[tuple[str, int], Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass
class _Counts:
    aliases: int = 0
    directives: int = 0
    spreads: int = 0


def _locations(error: GraphQLError) -> list[dict[str, int]] | None:
    if not error.locations:
        return None
    return [{"line": loc.line, "column": loc.column} for loc in error.locations]


def validation_rules(settings: Settings) -> tuple[type[ASTValidationRule], ...]:
    """graphql-core's rules and strawberry's, and no introspection where it is switched off."""
    rules = (*specified_rules, MaybeNullValidationRule, OneOfInputValidationRule)
    if introspection_enabled(settings):
        return rules
    return (*rules, NoSchemaIntrospectionCustomRule)


class Documents:
    """Parses and validates documents for one schema, within the configured limits."""

    def __init__(self, schema: GraphQLSchema, settings: Settings) -> None:
        self.schema = schema
        self.settings = settings
        self.rules = validation_rules(settings)
        self._cache: WeightedLru[bytes, Document | Refusal] = WeightedLru(
            settings.plan_cache_bytes // 2
        )

    def prepare(self, query: str) -> Document:
        key = digest(query)
        found, cached = self._cache.get(key)
        if not found:
            try:
                cached = self._prepare(query)
            except Refusal as refusal:
                cached = refusal
            self._cache.put(key, cached, len(query) * _BYTES_PER_CHARACTER + 512)
        if isinstance(cached, Refusal):
            raise cached
        assert cached is not None
        return cached

    def _prepare(self, query: str) -> Document:
        s = self.settings
        try:
            node = parse(query, max_tokens=s.max_document_tokens)
        except GraphQLSyntaxError as exc:
            code = QUERY_TOO_LARGE if "tokens" in exc.message else GRAPHQL_PARSE_FAILED
            raise Refusal(code, exc.message, locations=_locations(exc)) from None
        except RecursionError:
            raise Refusal(GRAPHQL_PARSE_FAILED, "The document nests too deeply.") from None
        operations = tuple(d for d in node.definitions if isinstance(d, OperationDefinitionNode))
        fragments = {
            d.name.value: d for d in node.definitions if isinstance(d, FragmentDefinitionNode)
        }
        counts = _count(node)
        for measure, found, limit, what in (
            ("aliases", counts.aliases, s.max_aliases, "Aliases in the document"),
            ("directives", counts.directives, s.max_directives, "Directives in the document"),
            ("fragmentSpreads", counts.spreads, s.max_fragment_spreads, "Fragment spreads"),
        ):
            if found > limit:
                raise too_complex(QUERY_TOO_COMPLEX, measure, found, limit, what)
        expanded = _expanded_fields(operations, fragments, s.max_expanded_fields)
        if expanded > s.max_expanded_fields:
            raise too_complex(
                QUERY_TOO_COMPLEX,
                "expandedFields",
                expanded,
                s.max_expanded_fields,
                "Fields selected once fragments are expanded",
            )
        errors = validate(
            self.schema, node, self.rules, hide_suggestions=not suggestions_enabled(s)
        )
        if errors:
            first = errors[0]
            raise Refusal(
                GRAPHQL_VALIDATION_FAILED,
                first.message if len(errors) == 1 else _joined(errors),
                locations=_locations(first),
            )
        return Document(node, operations, fragments)


def _joined(errors: list[GraphQLError]) -> str:
    shown = "; ".join(e.message for e in errors[:5])
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return f"{len(errors)} validation errors: {shown}{more}"


def _count(document: DocumentNode) -> _Counts:
    """Aliases, directives and spreads written anywhere in the document (one walk)."""
    counts = _Counts()
    stack: list[Any] = list(document.definitions)
    while stack:
        node = stack.pop()
        counts.directives += len(getattr(node, "directives", None) or ())
        for definition in getattr(node, "variable_definitions", None) or ():
            counts.directives += len(definition.directives or ())
        if isinstance(node, FieldNode) and node.alias is not None:
            counts.aliases += 1
        if isinstance(node, FragmentSpreadNode):
            counts.spreads += 1
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)
    return counts


def _expanded_fields(
    operations: tuple[OperationDefinitionNode, ...],
    fragments: dict[str, FragmentDefinitionNode],
    limit: int,
) -> int:
    """The most fields any operation selects with its fragments expanded in place; each
    fragment is measured once, so the walk is linear even when expansion is exponential.
    Counts stop growing past ``limit`` (the answer is then only "over")."""
    measured: dict[str, int] = {}
    measuring: set[str] = set()

    def of_fragment(name: str) -> int:
        if name in measured:
            return measured[name]
        fragment = fragments.get(name)
        if fragment is None or name in measuring:  # validation reports unknown or cyclic ones
            return 0
        measuring.add(name)
        size = of_selections(fragment.selection_set)
        measuring.discard(name)
        measured[name] = size
        return size

    def of_selections(selection_set: SelectionSetNode) -> int:
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += 1
                if selection.selection_set is not None:
                    total += of_selections(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                total += of_selections(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                total += of_fragment(selection.name.value)
            if total > limit:
                return limit + 1
        return total

    return max((of_selections(op.selection_set) for op in operations), default=0)


def choose_operation(document: Document, name: str | None) -> OperationDefinitionNode:
    """The operation to run: the one named, or the only one there is."""
    if name is None:
        if len(document.operations) != 1:
            raise Refusal(
                OPERATION_NOT_FOUND,
                f"The document has {len(document.operations)} operations: give "
                "`operationName` to choose one.",
            )
        return document.operations[0]
    for operation in document.operations:
        if operation.name is not None and operation.name.value == name:
            return operation
    raise Refusal(OPERATION_NOT_FOUND, f"The document has no operation named {name!r}.")
