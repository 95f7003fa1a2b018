"""Plan building: an operation's collected fields become one SQL expression for `data`.

Fields are merged exactly as graphql-core merges them (``collect_fields``: fragments,
``@skip``/``@include``, duplicate response keys), then each object becomes a
``json_build_object`` over a row, each list a ``coalesce(json_agg(...), '[]')`` over a correlated
subquery, and each connection a keyset page of the same entity SELECT, filters and sort keys
the resolvers use (``service.repository``). Anything the builder does not know raises
``Fallback``: that request is served by the resolvers instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import strawberry
from graphql import (
    FieldNode,
    GraphQLField,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    VariableNode,
    get_named_type,
)
from graphql.execution.collect_fields import (
    FieldDetails,
    FragmentDetails,
    collect_fields,
    collect_subfields,
)
from graphql.execution.values import VariableValues, get_argument_values
from sqlalchemy import (
    BigInteger,
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    FromClause,
    Integer,
    Numeric,
    Select,
    String,
    Text,
    and_,
    bindparam,
    cast,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import JSON, aggregate_order_by
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.arguments import convert_arguments
from strawberry.types.field import StrawberryField

from service.compiler import sqlexpr
from service.config import Settings
from service.repository import paging
from service.repository.conditions import FilterError, FilterNode, build_condition
from service.repository.entities import Entity

# PostgreSQL functions take at most 100 arguments: 50 key/value pairs per json_build_object.
MAX_OBJECT_FIELDS = 50

# Arguments the field compilers read; any other given argument falls back.
KNOWN_ARGUMENTS = frozenset(
    {"first", "last", "after", "before", "filter", "orderBy", "direction", "kinds", "updatedSince"}
    | {"slug", "id", "ids"}
)
# Arguments the request's transaction applies (the gateway reads `asOf` from the parsed
# operation and reads through the as-of views), so the statement never sees them.
TRANSACTION_ARGUMENTS = frozenset({"asOf"})

Getter = Callable[[Mapping[str, Any]], Any]
Guard = Callable[[Mapping[str, Any]], None]
Row = FromClause
Link = Callable[[Row], ColumnElement[bool]]


class TypeSpec(Protocol):
    """How each field of one type compiles (service/compiler/fields.py derives them)."""

    @property
    def fields(self) -> Mapping[str, Callable[[Builder, Row, Field], ColumnElement[Any]]]: ...


class Fallback(Exception):
    """The operation (with these variables) is not compiled; the resolvers serve it."""


@dataclass(frozen=True)
class Sym:
    """An argument given by a variable whose value stays a bind parameter: the plan is shared by
    every value of it, so building must not look at the value."""

    variable: str


@dataclass(frozen=True)
class Field:
    """One response key: the field nodes merged under it and their definition."""

    key: str
    details: list[FieldDetails]
    definition: GraphQLField

    @property
    def node(self) -> FieldNode:
        return self.details[0].node

    @property
    def returns(self) -> GraphQLNamedType:
        return get_named_type(self.definition.type)


Resolve = Callable[[str, Field], ColumnElement[Any]]


@dataclass(frozen=True)
class Page:
    """A keyset page's SQL pieces: what to compare, how many rows, in which direction."""

    keys: tuple[paging.SortKey, ...]
    conditions: tuple[ColumnElement[bool], ...]
    size: ColumnElement[int]
    size_plus_one: ColumnElement[int]
    backward: bool
    has_after: bool
    has_before: bool

    @property
    def query_keys(self) -> tuple[paging.SortKey, ...]:
        return tuple(k.flipped() for k in self.keys) if self.backward else self.keys


def signature(keys: Sequence[paging.SortKey]) -> str:
    """The ordering a cursor is bound to, as ``paging.encode_cursor`` writes it."""
    return ",".join(f"{k.name}:{'D' if k.descending else 'A'}" for k in keys)


def _bind_type(kind: paging.KeyKind) -> Any:
    return {
        "text": String(),
        "int": BigInteger(),
        "decimal": Numeric(),
        "bool": Boolean(),
        "datetime": DateTime(timezone=True),
        "date": Text(),
    }[kind]


def _cursor_bind_value(kind: paging.KeyKind, value: Any) -> Any:
    # Dates travel as text and are cast in SQL: asyncpg sends date.min as -infinity.
    return value.isoformat() if kind == "date" else value


def _compare(key: paging.SortKey, bound: ColumnElement[Any]) -> ColumnElement[Any]:
    return cast(bound, Date) if key.kind == "date" else bound


def _after(keys: Sequence[paging.SortKey], bounds: Sequence[ColumnElement[Any]]) -> Any:
    """Rows strictly after the bound values in the order ``keys`` describe."""
    terms = []
    for i, key in enumerate(keys):
        equal = [keys[j].expr == _compare(keys[j], bounds[j]) for j in range(i)]
        value = _compare(key, bounds[i])
        beyond = key.expr < value if key.descending else key.expr > value
        terms.append(and_(*equal, beyond))
    return or_(*terms)


class Builder:
    """Builds the SQL for one operation and one variable shape."""

    def __init__(
        self,
        schema: strawberry.Schema,
        operation: OperationDefinitionNode,
        fragments: dict[str, FragmentDetails],
        variables: VariableValues,
        symbolic: frozenset[str],
        settings: Settings,
        types: Mapping[str, TypeSpec],
    ) -> None:
        self.types = types
        self.schema = schema
        self.graphql_schema: GraphQLSchema = schema._schema
        self.operation = operation
        self.fragments = fragments
        self.variables = variables
        self.symbolic = symbolic
        self.settings = settings
        self.getters: dict[str, Getter] = {}
        self.guards: list[Guard] = []

    # -- parameters -------------------------------------------------------------------------

    def param(self, getter: Getter, type_: Any) -> ColumnElement[Any]:
        """A bind parameter whose value each request computes from its variables."""
        name = f"v{len(self.getters)}"
        self.getters[name] = getter
        return bindparam(name, None, type_=type_, required=False)

    def guard(self, check: Guard) -> None:
        self.guards.append(check)

    # -- fields -----------------------------------------------------------------------------

    def _fields(self, parent: GraphQLObjectType, grouped: Mapping[str, list[FieldDetails]]) -> Any:
        for key, details in grouped.items():
            for detail in details:
                if detail.defer_usage is not None or detail.fragment_variable_values is not None:
                    raise Fallback("@defer or fragment variables")
            name = details[0].node.name.value
            if name == "__typename":
                yield key, name, None
                continue
            definition = parent.fields.get(name)
            if definition is None:
                raise Fallback(f"unknown field {parent.name}.{name}")
            yield key, name, Field(key, details, definition)

    def _object_type(self, name: str) -> GraphQLObjectType:
        gtype = self.graphql_schema.get_type(name)
        if not isinstance(gtype, GraphQLObjectType):
            raise Fallback(f"{name} is not an object type")
        return gtype

    def data(self, root: Mapping[str, Callable[[Builder, Field], ColumnElement[Any]]]) -> Any:
        query_type = self.graphql_schema.query_type
        assert query_type is not None
        collected = collect_fields(
            self.graphql_schema, self.fragments, self.variables, query_type, self.operation
        )
        if collected.new_defer_usages:
            raise Fallback("@defer")
        pairs: list[tuple[str, ColumnElement[Any]]] = []
        for key, name, field in self._fields(query_type, collected.grouped_field_set):
            if field is None:
                pairs.append((key, sqlexpr.text_literal(query_type.name)))
                continue
            compile_root = root.get(name)
            if compile_root is None:
                raise Fallback(f"root field {name}")
            pairs.append((key, compile_root(self, field)))
        return self._json(pairs)

    def _json(self, pairs: Sequence[tuple[str, ColumnElement[Any]]]) -> ColumnElement[Any]:
        if len(pairs) > MAX_OBJECT_FIELDS:
            raise Fallback("too many fields in one object")
        return sqlexpr.json_object(pairs)

    def object(self, type_name: str, details: list[FieldDetails], resolve: Resolve) -> Any:
        """An object of ``type_name`` with the merged selection of ``details``."""
        gtype = self._object_type(type_name)
        collected = collect_subfields(
            self.graphql_schema, self.fragments, self.variables, self.operation, gtype, details
        )
        pairs: list[tuple[str, ColumnElement[Any]]] = []
        for key, name, field in self._fields(gtype, collected.grouped_field_set):
            if field is None:
                pairs.append((key, sqlexpr.text_literal(type_name)))
            else:
                pairs.append((key, resolve(name, field)))
        return self._json(pairs)

    def values(self, type_name: str, details: list[FieldDetails], values: Any) -> Any:
        """An object whose fields are plain SQL values (``values``: field name → expression)."""

        def resolve(name: str, field: Field) -> ColumnElement[Any]:
            if name not in values:
                raise Fallback(f"{type_name}.{name}")
            value: ColumnElement[Any] = values[name]
            return value

        return self.object(type_name, details, resolve)

    def entity_object(self, type_name: str, row: Row, details: list[FieldDetails]) -> Any:
        spec = self.spec(type_name)

        def resolve(name: str, field: Field) -> ColumnElement[Any]:
            compile_field = spec.fields.get(name)
            if compile_field is None:
                raise Fallback(f"{type_name}.{name}")
            return compile_field(self, row, field)

        return self.object(type_name, details, resolve)

    def spec(self, type_name: str) -> TypeSpec:
        spec = self.types.get(type_name)
        if spec is None:
            raise Fallback(f"type {type_name}")
        return spec

    # -- arguments --------------------------------------------------------------------------

    def arguments(self, field: Field, symbolic_ok: frozenset[str] = frozenset()) -> dict[str, Any]:
        """The field's arguments as the resolver receives them (strawberry inputs and enums), with
        ``Sym`` for those given by a variable whose value stays a parameter."""
        coerced = get_argument_values(field.definition, field.node, self.variables)
        for name in TRANSACTION_ARGUMENTS:
            coerced.pop(name, None)
        for name, value in coerced.items():
            # An argument the compiler does not know changes what the resolvers read: only its
            # absence (null) is safe to ignore.
            if value is not None and name not in KNOWN_ARGUMENTS:
                raise Fallback(f"argument {name} of {field.key}")
        symbols: dict[str, Sym] = {}
        for argument in field.node.arguments or ():
            if argument.name.value in TRANSACTION_ARGUMENTS:
                continue
            value = argument.value
            if isinstance(value, VariableNode) and value.name.value in self.symbolic:
                if self.variables.coerced.get(value.name.value) is None:
                    continue  # null is part of the plan's shape; the argument is simply null
                if argument.name.value not in symbolic_ok:
                    raise Fallback(f"variable ${value.name.value} in {field.key}")
                symbols[argument.name.value] = Sym(value.name.value)
                coerced.pop(argument.name.value, None)
        definition = field.definition.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
        if not isinstance(definition, StrawberryField):
            raise Fallback(f"{field.key} has no strawberry definition")
        converter = self.schema.schema_converter
        kwargs = convert_arguments(
            coerced, definition.arguments, converter.scalar_registry, self.schema.config
        )
        kwargs.update(symbols)
        return kwargs

    # -- rows -------------------------------------------------------------------------------

    def by_pk(
        self,
        type_name: str,
        entity: Entity,
        pk: ColumnElement[Any],
        outer: Row | None,
        details: list[FieldDetails],
    ) -> Any:
        """The object with primary key ``pk``, or NULL."""
        statement = entity.base().where(entity.pk == pk)
        return self.single(type_name, statement, outer, details)

    def single(
        self, type_name: str, statement: Select[Any], outer: Row | None, details: list[FieldDetails]
    ) -> Any:
        if outer is not None:
            statement = statement.correlate(outer)
        row = statement.subquery()
        obj = self.entity_object(type_name, row, details)
        return select(obj).select_from(row).scalar_subquery()

    def rows(
        self,
        statement: Select[Any],
        outer: Row,
        order: Callable[[Row], Sequence[ColumnElement[Any]]],
        make: Callable[[Row], ColumnElement[Any]],
    ) -> Any:
        """A JSON array of ``make(row)`` over the rows of ``statement``, ``[]`` when none."""
        row = statement.correlate(outer).subquery()
        aggregated = func.json_agg(aggregate_order_by(make(row), *order(row)), type_=JSON)
        return (
            select(func.coalesce(aggregated, sqlexpr.EMPTY_ARRAY, type_=JSON))
            .select_from(row)
            .scalar_subquery()
        )

    # -- connections ------------------------------------------------------------------------

    def page(self, args: Mapping[str, Any], entity: Entity, order: Any) -> Page:
        """The page arguments checked as the resolvers check them; what would fail falls back."""
        first, last = args.get("first"), args.get("last")
        after, before = args.get("after"), args.get("before")
        if first is not None and last is not None:
            raise Fallback("first and last")
        limit = self.settings.max_page_size
        for value in (first, last):
            if isinstance(value, Sym):
                self._guard_page_size(value.variable, limit)
            elif value is not None and not 1 <= value <= limit:
                raise Fallback("page size out of range")
        try:
            keys = tuple(entity.sort_keys(order))
        except KeyError as exc:
            raise Fallback("unknown ordering") from exc
        backward = last is not None and first is None
        size_source = last if backward else first
        size: ColumnElement[int]
        plus_one: ColumnElement[int]
        if isinstance(size_source, Sym):
            variable = size_source.variable
            size = self.param(lambda v: v[variable], Integer())
            plus_one = self.param(lambda v: v[variable] + 1, Integer())
        else:
            count = self.settings.default_page_size if size_source is None else int(size_source)
            size, plus_one = literal(count, Integer()), literal(count + 1, Integer())
        conditions = paging.required(keys)
        if after is not None:
            conditions.append(_after(keys, self._cursor_bounds(keys, after)))
        if before is not None:
            flipped = [k.flipped() for k in keys]
            conditions.append(_after(flipped, self._cursor_bounds(keys, before)))
        return Page(
            keys, tuple(conditions), size, plus_one, backward, after is not None, before is not None
        )

    def _guard_page_size(self, variable: str, limit: int) -> None:
        def check(values: Mapping[str, Any]) -> None:
            value = values[variable]
            if value is not None and not 1 <= value <= limit:
                raise Fallback("page size out of range")

        self.guard(check)

    def _cursor_bounds(self, keys: tuple[paging.SortKey, ...], cursor: Any) -> list[Any]:
        if not isinstance(cursor, Sym):
            try:
                decoded = paging.decode_cursor(keys, cursor)
            except paging.CursorError as exc:
                raise Fallback("invalid cursor") from exc
            return [
                literal(_cursor_bind_value(k.kind, v), _bind_type(k.kind))
                for k, v in zip(keys, decoded, strict=True)
            ]
        variable = cursor.variable

        def decode(values: Mapping[str, Any]) -> tuple[Any, ...]:
            try:
                return paging.decode_cursor(keys, values[variable])
            except paging.CursorError as exc:
                raise Fallback("invalid cursor") from exc

        def check(values: Mapping[str, Any]) -> None:
            decode(values)

        def value_of(i: int, kind: paging.KeyKind) -> Getter:
            return lambda values: _cursor_bind_value(kind, decode(values)[i])

        self.guard(check)
        return [self.param(value_of(i, k.kind), _bind_type(k.kind)) for i, k in enumerate(keys)]

    def connection(
        self,
        field: Field,
        args: Mapping[str, Any],
        node_type: str,
        entity: Entity,
        node: FilterNode | None,
        order: Any,
        outer: Row | None,
        link: Link | None,
    ) -> Any:
        """A Relay connection: the resolvers' keyset page, counted only when asked."""
        page = self.page(args, entity, order)
        try:
            base = entity.filtered(node)
        except FilterError as exc:
            raise Fallback(str(exc)) from exc
        linked = base if link is None or outer is None else base.where(link(outer))
        connection_type = self._object_type(field.returns.name)
        wanted = collect_subfields(
            self.graphql_schema,
            self.fragments,
            self.variables,
            self.operation,
            connection_type,
            field.details,
        ).grouped_field_set
        needs_rows = any(
            d[0].node.name.value in ("edges", "nodes", "pageInfo") for d in wanted.values()
        )

        def count() -> Any:
            # Counted on the entity's own table: the joins of an entity's SELECT follow NOT NULL
            # foreign keys to primary keys, so they neither drop nor repeat rows, and the filter
            # leaves only read the entity's table (or subqueries of their own).
            condition = build_condition(node, entity.leaves)
            statement = select(func.count()).select_from(entity.table).where(condition)
            if link is not None and outer is not None:
                statement = statement.where(link(outer)).correlate(outer)
            return statement.scalar_subquery()

        if not needs_rows:
            return self.values(connection_type.name, field.details, {"totalCount": count()})

        keyed = linked.add_columns(*(k.expr.label(f"_k{i}") for i, k in enumerate(page.keys)))
        statement = (
            keyed.where(*page.conditions)
            .order_by(*(k.expr.desc() if k.descending else k.expr.asc() for k in page.query_keys))
            .limit(page.size_plus_one)
        )
        if outer is not None:
            statement = statement.correlate(outer)
        fetched = statement.subquery()
        numbered = select(
            fetched,
            func.row_number()
            .over(
                order_by=[
                    fetched.c[f"_k{i}"].desc() if k.descending else fetched.c[f"_k{i}"].asc()
                    for i, k in enumerate(page.query_keys)
                ]
            )
            .label("_rn"),
            func.count().over().label("_n"),
        ).subquery()
        rn = numbered.c["_rn"]
        visible = rn <= page.size
        shown_order = rn.desc() if page.backward else rn.asc()
        cursor = sqlexpr.cursor(
            signature(page.keys),
            [(numbered.c[f"_k{i}"], k.kind) for i, k in enumerate(page.keys)],
        )
        more = func.count() > page.size
        first_row = rn == 1
        last_row = rn == func.least(numbered.c["_n"], page.size)
        start, end = (last_row, first_row) if page.backward else (first_row, last_row)

        def aggregate(make: ColumnElement[Any]) -> ColumnElement[Any]:
            listed = func.json_agg(aggregate_order_by(make, shown_order), type_=JSON)
            return func.coalesce(listed.filter(visible), sqlexpr.EMPTY_ARRAY, type_=JSON)

        edge_type = get_named_type(connection_type.fields["edges"].type).name

        def resolve(name: str, sub: Field) -> ColumnElement[Any]:
            if name == "totalCount":
                return count()  # type: ignore[no-any-return]
            if name == "nodes":
                return aggregate(self.entity_object(node_type, numbered, sub.details))
            if name == "edges":

                def edge_field(edge_name: str, edge_sub: Field) -> ColumnElement[Any]:
                    if edge_name == "cursor":
                        return cursor
                    if edge_name == "node":
                        return self.entity_object(node_type, numbered, edge_sub.details)  # type: ignore[no-any-return]
                    raise Fallback(f"{edge_type}.{edge_name}")

                return aggregate(self.object(edge_type, sub.details, edge_field))
            if name == "pageInfo":
                # As paging._finish: forward, a next page is known from the extra row and a
                # previous one assumed when `after` was given; backward, the reverse.
                after_given = true() if page.has_after else false()
                before_given = true() if page.has_before else false()
                return self.values(  # type: ignore[no-any-return]
                    "PageInfo",
                    sub.details,
                    {
                        "hasNextPage": before_given if page.backward else more,
                        "hasPreviousPage": more if page.backward else after_given,
                        "startCursor": func.min(cursor).filter(start),
                        "endCursor": func.min(cursor).filter(end),
                    },
                )
            raise Fallback(f"{connection_type.name}.{name}")

        obj = self.object(connection_type.name, field.details, resolve)
        # GROUP BY (): exactly one row, over any number of page rows, even when the selection
        # aggregates nothing (a pageInfo asked only for its __typename).
        grouped = select(obj).select_from(numbered).group_by(literal_column("()"))
        return grouped.scalar_subquery()
