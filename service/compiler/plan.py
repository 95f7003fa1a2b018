"""From a GraphQL request to a cached plan, its parameters, and the `data` PostgreSQL builds.

Per document and operation name the compiler keeps the parsed, validated operation and which
variables can stay bind parameters. Per variable *shape* (what variables change in the SQL:
nulls, ``@include``/``@skip``, filters, orderings, the type an ID names) it keeps one plan: the
SQL text and how to compute each parameter from the variables. A request whose plan exists costs
a variable coercion, the limit check and one statement.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
    parse,
    specified_rules,
)
from graphql.execution.collect_fields import FragmentDetails
from graphql.execution.values import VariableValues, get_variable_values
from graphql.language import Visitor, visit
from sqlalchemy import Text, cast, select
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.sql.compiler import SQLCompiler
from strawberry.schema.schema import validate_document

from service.caching import WeightedLru, digest
from service.compiler.build import Builder, Fallback, Getter, Guard
from service.compiler.fields import TYPES
from service.compiler.roots import ROOT, id_type
from service.config import Settings

_DIALECT = PGDialect_asyncpg()  # type: ignore[no-untyped-call]

# Arguments whose variables can stay parameters: the plan depends only on whether they are null
# (and, for IDs, on the type the ID names).
_PARAMETER_ARGUMENTS = frozenset({"first", "last", "after", "before", "slug", "id", "asOf"})


@dataclass(frozen=True)
class Operation:
    """A validated query operation of a document, ready for planning."""

    definition: OperationDefinitionNode
    fragments: dict[str, FragmentDetails]
    fragment_definitions: dict[str, FragmentDefinitionNode]
    # Variables that stay parameters → True when they name a node (their ID's type is shape).
    symbolic: dict[str, bool]


@dataclass(frozen=True)
class Plan:
    sql: str
    params: tuple[tuple[bool, Any], ...]  # (True, getter) or (False, constant), positional
    guards: tuple[Guard, ...]

    def arguments(self, variables: Mapping[str, Any]) -> list[Any]:
        for guard in self.guards:
            guard(variables)
        return [source(variables) if dynamic else source for dynamic, source in self.params]


class _Uses(Visitor):
    """Counts each variable's uses, and those that are a whole parameter-like argument."""

    def __init__(self) -> None:
        super().__init__()
        self.all: dict[str, int] = {}
        self.direct: dict[str, int] = {}
        self.ids: set[str] = set()

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        for argument in node.arguments or ():
            value = argument.value
            if isinstance(value, VariableNode) and argument.name.value in _PARAMETER_ARGUMENTS:
                name = value.name.value
                self.direct[name] = self.direct.get(name, 0) + 1
                if argument.name.value == "id":
                    self.ids.add(name)

    def enter_variable(self, node: VariableNode, *_: Any) -> None:
        self.all[node.name.value] = self.all.get(node.name.value, 0) + 1


def _symbolic(document: DocumentNode, operation: OperationDefinitionNode) -> dict[str, bool]:
    uses = _Uses()
    visit(operation.selection_set, uses)
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            visit(definition.selection_set, uses)
    return {
        name: name in uses.ids for name, count in uses.direct.items() if uses.all.get(name) == count
    }


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=repr, ensure_ascii=False)


class Compiler:
    """Compiles read operations for one schema; ``run`` answers or returns None to fall back.

    Operations and plans are cached by a digest of the document (never its text), each entry
    weighed by its size, within ``settings.plan_cache_bytes`` (and ``max_plans`` entries)."""

    def __init__(
        self,
        schema: strawberry.Schema,
        settings: Settings,
        *,
        max_plans: int = 1024,
    ) -> None:
        self.schema = schema
        self.settings = settings
        budget = settings.plan_cache_bytes // 2
        self._operations: WeightedLru[tuple[bytes, str | None], Operation | None] = WeightedLru(
            budget, max_plans
        )
        self.plans: WeightedLru[tuple[bytes, str | None, tuple[Any, ...]], Plan | None] = (
            WeightedLru(budget, max_plans)
        )

    def _parsed(self, query: str, operation_name: str | None) -> tuple[Any, Any] | None:
        """Parses and validates a document on its own (tools and tests; requests arrive
        parsed, validated and checked against the limits by the gateway)."""
        try:
            document = parse(query, max_tokens=self.settings.max_document_tokens)
        except GraphQLError:
            return None
        if validate_document(self.schema._schema, document, tuple(specified_rules)):
            return None
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        chosen = [
            op
            for op in operations
            if operation_name is None or (op.name is not None and op.name.value == operation_name)
        ]
        if len(chosen) != 1 or (operation_name is None and len(operations) != 1):
            return None
        return document, chosen[0]

    def _operation(
        self, key: bytes, document: DocumentNode, operation: OperationDefinitionNode, size: int
    ) -> Operation | None:
        name = operation.name.value if operation.name is not None else None
        found, cached = self._operations.get((key, name))
        if found:
            return cached
        prepared = _prepare(document, operation)
        self._operations.put((key, name), prepared, size)
        return prepared

    def _shape(self, operation: Operation, values: Mapping[str, Any]) -> tuple[Any, ...]:
        shape: list[Any] = []
        for definition in operation.definition.variable_definitions or ():
            name = definition.variable.name.value
            value = values.get(name)
            if name not in operation.symbolic:
                shape.append(_canonical(value))
            elif value is None:
                shape.append(None)
            elif operation.symbolic[name]:
                shape.append(("id", id_type(value)))
            else:
                shape.append(True)
        return tuple(shape)

    def plan(
        self, query: str, operation_name: str | None, raw_variables: Mapping[str, Any]
    ) -> tuple[Plan, list[Any]] | None:
        """The plan and its parameters for a document given as text, or None if the resolvers
        must serve it."""
        parsed = self._parsed(query, operation_name)
        if parsed is None:
            return None
        return self.plan_operation(digest(query), parsed[0], parsed[1], raw_variables, len(query))

    def plan_operation(
        self,
        key: bytes,
        document: DocumentNode,
        operation_node: OperationDefinitionNode,
        raw_variables: Mapping[str, Any],
        size: int,
    ) -> tuple[Plan, list[Any]] | None:
        """The plan and its parameters for a parsed, valid operation (``key`` identifies its
        document, ``size`` is its length in characters)."""
        operation = self._operation(key, document, operation_node, size * _BYTES_PER_CHARACTER)
        if operation is None:
            return None
        coerced = get_variable_values(
            self.schema._schema,
            operation.definition.variable_definitions or (),
            dict(raw_variables),
        )
        if not isinstance(coerced, VariableValues):
            return None
        name = operation_node.name.value if operation_node.name is not None else None
        plan_key = (key, name, self._shape(operation, coerced.coerced))
        found, plan = self.plans.get(plan_key)
        if not found:
            plan = self._build(operation, coerced)
            weight = 256 if plan is None else 2 * len(plan.sql) + 64 * len(plan.params) + 512
            self.plans.put(plan_key, plan, weight)
        if plan is None:
            return None
        try:
            return plan, plan.arguments(coerced.coerced)
        except Fallback:
            return None

    def _build(self, operation: Operation, variables: VariableValues) -> Plan | None:
        builder = Builder(
            self.schema,
            operation.definition,
            operation.fragments,
            variables,
            frozenset(operation.symbolic),
            self.settings,
            TYPES,
        )
        try:
            data = builder.data(ROOT)
        except Fallback:
            return None
        compiled = select(cast(data, Text)).compile(
            dialect=_DIALECT, compile_kwargs={"render_postcompile": True}
        )
        assert isinstance(compiled, SQLCompiler)
        params: list[tuple[bool, Any]] = []
        for name in compiled.positiontup or ():
            getter: Getter | None = builder.getters.get(name)
            params.append((True, getter) if getter is not None else (False, compiled.params[name]))
        return Plan(compiled.string, tuple(params), tuple(builder.guards))


# A parsed operation holds a few dozen Python objects per token: a generous estimate of its
# bytes per character of source, to weigh cache entries.
_BYTES_PER_CHARACTER = 40


def _prepare(document: DocumentNode, operation: OperationDefinitionNode) -> Operation | None:
    if operation.operation is not OperationType.QUERY:
        return None
    fragment_definitions = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    if any(d.variable_definitions for d in fragment_definitions.values()):
        return None
    return Operation(
        operation,
        {name: FragmentDetails(d) for name, d in fragment_definitions.items()},
        fragment_definitions,
        _symbolic(document, operation),
    )


async def answer(conn: Any, plan: Plan, arguments: list[Any]) -> bytes:
    """The response body of a compiled plan: PostgreSQL's JSON text, passed through."""
    # ``fetch``, not ``fetchval``: asyncpg runs ``fetchval`` as a portal limited to one row, and
    # PostgreSQL never starts parallel workers for a row-limited portal, so the large scans a
    # statement may still need would run in one process.
    rows = await conn.fetch(plan.sql, *arguments)
    text = rows[0][0]
    return b'{"data":' + str(text).encode() + b"}"


__all__: Sequence[str] = ("Compiler", "Plan", "answer")
