"""The size of an operation's input values, literal or given as variables, before they are used.

A filter is compiled to SQL condition by condition and an ``in`` list becomes a list of
parameters: both cost time in proportion to their size, in Python and in PostgreSQL's planner,
before the statement timeout can help. So the fields set in argument objects, the leaves of
``filter`` trees, how deeply values nest and how long any list is are all bounded here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from graphql import (
    ArgumentNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    Visitor,
    visit,
)

from service.config import Settings
from service.gateway.document import Document
from service.gateway.errors import BAD_USER_INPUT, INPUT_TOO_LARGE, Refusal, too_complex

FILTER_ARGUMENT = "filter"
# Filter fields that combine other filters rather than test anything.
_LOGICAL = frozenset({"and", "or", "not"})


@dataclass
class InputSize:
    fields: int = 0
    filter_leaves: int = 0
    depth: int = 0
    longest_list: int = 0
    # PostgreSQL text cannot hold U+0000: such a value is refused before anything runs.
    nul: bool = False
    filter_variables: set[str] = field(default_factory=set)


class _Arguments(Visitor):
    """Every argument value written in the document, literal parts measured as they are met;
    variables used inside a ``filter`` argument remembered, to count their leaves."""

    def __init__(self, size: InputSize) -> None:
        super().__init__()
        self.size = size

    def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
        in_filter = node.name.value == FILTER_ARGUMENT
        _measure_literal(node.value, self.size, in_filter, 1)


def _measure_literal(value: ValueNode, size: InputSize, in_filter: bool, depth: int) -> None:
    if isinstance(value, StringValueNode):
        size.nul = size.nul or "\x00" in value.value
        return
    if isinstance(value, VariableNode):
        if in_filter:
            size.filter_variables.add(value.name.value)
        return
    if isinstance(value, ObjectValueNode):
        size.depth = max(size.depth, depth)
        size.fields += len(value.fields)
        for entry in value.fields:
            if in_filter and entry.name.value not in _LOGICAL:
                size.filter_leaves += 1
            _measure_literal(entry.value, size, in_filter, depth + 1)
    elif isinstance(value, ListValueNode):
        size.depth = max(size.depth, depth)
        size.longest_list = max(size.longest_list, len(value.values))
        for element in value.values:
            _measure_literal(element, size, in_filter, depth + 1)


def _measure_value(value: Any, size: InputSize, in_filter: bool, depth: int) -> None:
    """A variable's JSON value, iteratively (its nesting is bounded by the JSON depth limit,
    but no recursion is needed)."""
    stack: list[tuple[Any, int]] = [(value, depth)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, str):
            size.nul = size.nul or "\x00" in item
        elif isinstance(item, dict):
            size.depth = max(size.depth, level)
            size.fields += len(item)
            for key, child in item.items():
                if in_filter and key not in _LOGICAL:
                    size.filter_leaves += 1
                stack.append((child, level + 1))
        elif isinstance(item, list):
            size.depth = max(size.depth, level)
            size.longest_list = max(size.longest_list, len(item))
            stack.extend((child, level + 1) for child in item)


def _literal_size(document: Document, operation: OperationDefinitionNode) -> InputSize:
    """What the document's own text sets: measured once per cached document and operation."""
    known: InputSize | None = document.measured.get(("inputs", id(operation)))
    if known is None:
        known = InputSize()
        visitor = _Arguments(known)
        visit(operation, visitor)
        for fragment in document.fragments.values():
            visit(fragment, visitor)
        document.measured[("inputs", id(operation))] = known
    return known


def measure_inputs(
    document: Document, operation: OperationDefinitionNode, variables: Mapping[str, Any]
) -> InputSize:
    size = replace(_literal_size(document, operation))
    size.filter_variables = set(size.filter_variables)
    for name, value in variables.items():
        _measure_value(value, size, name in size.filter_variables, 1)
    return size


def check_inputs(
    document: Document,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any],
    settings: Settings,
) -> None:
    size = measure_inputs(document, operation, variables)
    if size.nul:
        raise Refusal(BAD_USER_INPUT, "Text arguments must not contain the NUL character (U+0000).")
    for measure, found, limit, what in (
        ("listLength", size.longest_list, settings.max_list_length, "The longest input list"),
        ("inputDepth", size.depth, settings.max_input_depth, "Input values nest"),
        ("inputFields", size.fields, settings.max_input_fields, "Fields set in input objects"),
        ("filterLeaves", size.filter_leaves, settings.max_filter_leaves, "Filter conditions"),
    ):
        if found > limit:
            raise too_complex(INPUT_TOO_LARGE, measure, found, limit, what)
