"""From a GraphQL request to a cached plan, its parameters, and the `data` PostgreSQL builds.

Per document and operation name the compiler keeps the parsed, validated operation and which
variables can stay bind parameters. Per variable *shape* (what variables change in the SQL:
nulls, ``@include``/``@skip``, filters, orderings, the type an ID names) it keeps one plan: the
SQL text and how to compute each parameter from the variables. A request whose plan exists costs
a variable coercion, the limit check and one statement.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import asyncpg
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

from service.compiler.build import Builder, Fallback, Getter, Guard
from service.compiler.catalog import ROOT, id_type
from service.config import Settings
from service.schema.limits import measure

_DIALECT = PGDialect_asyncpg()  # type: ignore[no-untyped-call]

# Arguments whose variables can stay parameters: the plan depends only on whether they are null
# (and, for IDs, on the type the ID names).
_PARAMETER_ARGUMENTS = frozenset({"first", "last", "after", "before", "slug", "id"})

K = TypeVar("K")
V = TypeVar("V")


class Lru(Generic[K, V]):
    """A bounded mapping that forgets the least recently used entry."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> tuple[bool, V | None]:
        if key not in self._items:
            return False, None
        self._items.move_to_end(key)
        return True, self._items[key]

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


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
    """Compiles read operations for one schema; ``run`` answers or returns None to fall back."""

    def __init__(
        self,
        schema: strawberry.Schema,
        settings: Settings,
        *,
        max_documents: int = 256,
        max_plans: int = 1024,
    ) -> None:
        self.schema = schema
        self.settings = settings
        self._operations: Lru[tuple[str, str | None], Operation | None] = Lru(max_documents)
        self.plans: Lru[tuple[str, str | None, tuple[Any, ...]], Plan | None] = Lru(max_plans)

    def operation(self, query: str, operation_name: str | None) -> Operation | None:
        key = (query, operation_name)
        found, cached = self._operations.get(key)
        if found:
            return cached
        prepared = self._prepare(query, operation_name)
        self._operations.put(key, prepared)
        return prepared

    def _prepare(self, query: str, operation_name: str | None) -> Operation | None:
        try:
            document = parse(query)
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
        operation = chosen[0]
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

    def _within_limits(self, operation: Operation, raw_variables: Mapping[str, Any]) -> bool:
        """The QueryLimits extension's decision, from the same measure and the same settings."""
        s = self.settings
        cost = measure(
            self.schema._schema,
            operation.definition,
            operation.fragment_definitions,
            raw_variables,
            s.default_page_size,
            s.max_page_size,
        )
        return (
            cost.bad_page is None
            and cost.depth <= s.max_query_depth
            and cost.nodes <= s.max_query_nodes
        )

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
        """The plan and its parameters for this request, or None if the resolvers must serve it."""
        operation = self.operation(query, operation_name)
        if operation is None:
            return None
        coerced = get_variable_values(
            self.schema._schema,
            operation.definition.variable_definitions or (),
            dict(raw_variables),
        )
        if not isinstance(coerced, VariableValues):
            return None
        if not self._within_limits(operation, raw_variables):
            return None
        key = (query, operation_name, self._shape(operation, coerced.coerced))
        found, plan = self.plans.get(key)
        if not found:
            plan = self._build(operation, coerced)
            self.plans.put(key, plan)
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

    async def run(
        self,
        pool: asyncpg.Pool,
        query: str,
        operation_name: str | None,
        variables: Mapping[str, Any],
    ) -> bytes | None:
        """The response body, or None: the request then goes to the resolvers unchanged."""
        planned = self.plan(query, operation_name, variables)
        if planned is None:
            return None
        plan, arguments = planned
        timeout = self.settings.statement_timeout_ms / 1000
        try:
            async with pool.acquire() as conn:
                text = await conn.fetchval(plan.sql, *arguments, timeout=timeout)
        except (asyncpg.PostgresError, TimeoutError):
            # The resolvers run the request again and report the failure their way.
            return None
        return b'{"data":' + str(text).encode() + b"}"


def request_fields(payload: Any) -> tuple[str, str | None, dict[str, Any]] | None:
    """(query, operationName, variables) of a plain JSON GraphQL request, or None."""
    if not isinstance(payload, dict) or not set(payload) <= {"query", "variables", "operationName"}:
        return None
    query, name, variables = (
        payload.get("query"),
        payload.get("operationName"),
        payload.get("variables"),
    )
    if not isinstance(query, str) or not isinstance(name, str | None):
        return None
    if variables is None:
        variables = {}
    if not isinstance(variables, dict):
        return None
    return query, name, variables


__all__: Sequence[str] = ("Compiler", "Plan", "request_fields")
