"""Values for the audit's shapes, drawn from the database being audited.

The shapes (bench/plan_shapes.py) say where a value goes; this module finds values that make
the worst realistic case for each:

- rows to name in relation filters and to hang child lists from: for every foreign key that
  points at the type's table, the row referenced most (the largest investor through
  ``investment.investor_id``, the organization with most rounds through
  ``funding_round.organization_id``, ...) and the median one (a typical row); each filter leaf
  and each child connection then takes the rows that match most through the API itself
  (``totalCount``), so no table or field is named here;
- enum values: counted through the API per value, rarest and commonest kept;
- strings: the same-named field of real items of the list;
- dates: percentiles of the ``<leaf>_on`` column of the list's table (``announced`` →
  ``announced_on``);
- the asOf time: the latest recorded time of the data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import asyncpg
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
    get_nullable_type,
    is_leaf_type,
)
from sqlalchemy import Column, Date, Table

from bench.plan_shapes import (
    Entity,
    Leaf,
    ListField,
    Samples,
    child_connections,
    filter_leaves,
    is_relation_leaf,
    is_relation_match,
    reach,
    relation_key,
    root_lists,
)
from service.db import tables as t
from service.ids import encode_id
from service.repository.registry import NODE_TYPES


class Gql(Protocol):
    """Runs one GraphQL operation and returns its ``data`` (raising on errors)."""

    async def __call__(self, document: str, variables: Mapping[str, Any]) -> dict[str, Any]: ...


@dataclass(frozen=True)
class _Column:
    """A foreign key column pointing at a type's table, with its most and median referenced."""

    where: str
    top: Entity
    median: Entity


def _table_of(type_name: str) -> Table | None:
    node_type = NODE_TYPES.get(type_name)
    return node_type.entity.table if node_type is not None else None


def _references(target: Table) -> list[Column[Any]]:
    """Columns of the versioned tables holding a foreign key to ``target``."""
    found = []
    for table in t.VERSIONED_TABLES:
        for column in table.columns:
            if any(fk.column.table is target for fk in column.foreign_keys):
                found.append(column)
    return found


class Sampler:
    def __init__(self, conn: asyncpg.Connection, gql: Gql, schema: GraphQLSchema) -> None:
        self.conn = conn
        self.gql = gql
        self.schema = schema
        self._columns: dict[str, list[_Column]] = {}

    async def _entity(self, type_name: str, table: Table, pk: int, label: str) -> Entity:
        slug = None
        if "slug" in table.c:
            slug = await self.conn.fetchval(f"SELECT slug FROM {table.name} WHERE id = $1", pk)
        return Entity(label, encode_id(type_name, pk), slug)

    async def columns(self, type_name: str) -> list[_Column]:
        """Per foreign key to the type's table: the row it references most, and the median."""
        if type_name in self._columns:
            return self._columns[type_name]
        target = _table_of(type_name)
        found: list[_Column] = []
        if target is not None:
            for column in _references(target):
                where = f"{column.table.name}.{column.name}"
                row = await self.conn.fetchrow(
                    f"""
                    WITH g AS (
                        SELECT {column.name} AS id, count(*) AS n FROM {column.table.name}
                        WHERE {column.name} IS NOT NULL GROUP BY {column.name})
                    SELECT top.id AS top, top.n AS top_n, mid.id AS mid, mid.n AS mid_n
                    FROM (SELECT * FROM g ORDER BY n DESC, id LIMIT 1) top,
                         (SELECT * FROM g ORDER BY n, id
                          OFFSET (SELECT count(*) / 2 FROM g) LIMIT 1) mid
                    """
                )
                if row is None:
                    continue
                top = await self._entity(
                    type_name, target, row["top"], f"most {where} ({row['top_n']:,})"
                )
                median = await self._entity(
                    type_name, target, row["mid"], f"median {where} ({row['mid_n']:,})"
                )
                found.append(_Column(where, top, median))
        self._columns[type_name] = found
        return found

    async def _counts(self, fields: Sequence[tuple[str, str, Mapping[str, Any]]]) -> list[int]:
        """``totalCount`` of several selections in one operation.

        Each entry is (selection with ``$v`` for its variable, the variable's type, variables).
        """
        if not fields:
            return []
        declared, selections, variables = [], [], {}
        for i, (selection, var_type, values) in enumerate(fields):
            declared.append(f"$v{i}: {var_type}")
            selections.append(f"c{i}: " + selection.replace("$v", f"$v{i}"))
            variables[f"v{i}"] = values["v"]
        document = f"query Counts({', '.join(declared)}) {{ {' '.join(selections)} }}"
        data = await self.gql(document, variables)
        return [_total(data[f"c{i}"]) for i in range(len(fields))]

    async def _ranked_rows(
        self, lst: ListField, filter_name: str, id_path: tuple[str, ...], type_name: str
    ) -> list[Entity]:
        """Rows of ``type_name`` ranked by how many items of the list they match: the two that
        match most, then the median row of the first one's foreign key (a typical row)."""
        columns = await self.columns(type_name)
        selection = f"{lst.name}(filter: $v) {{ totalCount }}"
        fields = [
            (selection, filter_name, {"v": _nest(id_path, [c.top.global_id])}) for c in columns
        ]
        counts = await self._counts(fields)
        ranked = sorted(zip(counts, range(len(columns)), strict=True), key=lambda p: (-p[0], p[1]))
        out: list[Entity] = []
        for count, i in ranked:
            entity = columns[i].top
            if all(e.global_id != entity.global_id for e in out):
                out.append(
                    Entity(f"{entity.label}, {count:,} match", entity.global_id, entity.slug)
                )
            if len(out) == 2:
                break
        if ranked:
            median = columns[ranked[0][1]].median
            if all(e.global_id != median.global_id for e in out):
                out.append(median)
        return out

    def _relation_type(self, lst: ListField, leaf: Leaf) -> str | None:
        """The type a relation leaf names: the same-named field of the item, else the Node type
        whose name starts the input type's name (``OrganizationMatch`` → ``Organization``)."""
        own = lst.node_type.fields.get(relation_key(leaf)[-1])
        if own is not None:
            named = get_named_type(own.type)
            if isinstance(named, GraphQLObjectType) and named.name in NODE_TYPES:
                return named.name
        if is_relation_match(leaf.holder):
            matches = [n for n in NODE_TYPES if leaf.holder.name.startswith(n)]
            if matches:
                return max(matches, key=len)
        return None

    async def collect(self) -> Samples:
        as_of = await self.conn.fetchval("SELECT max(recorded_at) FROM organization")
        samples = Samples(as_of=as_of.isoformat())
        seen_filters: set[str] = set()
        for lst in root_lists(self.schema):
            filter_type = lst.filter_type
            if filter_type is None or filter_type.name in seen_filters:
                continue
            # The first root list with a filter type stands for every list filtered by it.
            seen_filters.add(filter_type.name)
            await self._filter_values(lst, filter_type, samples)
        for child in child_connections(self.schema):
            parents = await self._parents(child)
            if parents is not None:
                samples.parents[child.coordinate] = parents
        return samples

    async def _filter_values(
        self, lst: ListField, filter_type: GraphQLInputObjectType, samples: Samples
    ) -> None:
        name = filter_type.name
        for leaf in filter_leaves(filter_type):
            named = get_named_type(leaf.type)
            if is_relation_leaf(leaf):
                key = (name, relation_key(leaf))
                if key in samples.entities:
                    continue
                type_name = self._relation_type(lst, leaf)
                id_path = _id_sibling(leaf) if len(leaf.path) > 1 else leaf.path
                if type_name is not None and id_path is not None:
                    samples.entities[key] = await self._ranked_rows(lst, name, id_path, type_name)
            elif isinstance(named, GraphQLEnumType):
                key = (name, leaf.enclosing)
                if key not in samples.enums:
                    samples.enums[key] = await self._enum_ranking(lst, leaf, named)
            elif named.name == "String":
                key = (name, leaf.enclosing)
                if key not in samples.strings:
                    samples.strings[key] = await self._strings(lst, leaf.enclosing[-1])
            elif named.name == "Date":
                key = (name, leaf.enclosing)
                if key not in samples.dates:
                    found = await self._dates(lst.node_type.name, leaf.enclosing[-1])
                    if found is not None:
                        samples.dates[key] = found

    async def _enum_ranking(self, lst: ListField, leaf: Leaf, enum: GraphQLEnumType) -> list[str]:
        values = list(enum.values)
        many = _is_list_type(leaf)
        fields = [
            (
                f"{lst.name}(filter: $v) {{ totalCount }}",
                lst.filter_type.name if lst.filter_type else "",
                {"v": _nest(leaf.path, [v] if many else v)},
            )
            for v in values
        ]
        counts = await self._counts(fields)
        present = sorted((c, i) for i, c in enumerate(counts) if c > 0)
        return [values[i] for _, i in present] or values

    async def _strings(self, lst: ListField, field_name: str) -> list[str]:
        """Values of the item's same-named field on the list's first page."""
        own = lst.node_type.fields.get(field_name)
        if own is None or own.args or not is_leaf_type(get_named_type(own.type)):
            return []
        data = await self.gql(f"{{ {lst.name}(first: 100) {{ nodes {{ {field_name} }} }} }}", {})
        values: list[str] = []
        for node in data[lst.name]["nodes"]:
            value = node[field_name]
            for v in value if isinstance(value, list) else [value]:
                if isinstance(v, str) and v and v not in values:
                    values.append(v)
        return values

    async def _dates(self, type_name: str, leaf_name: str) -> tuple[str, str, str, str] | None:
        table = _table_of(type_name)
        if table is None:
            return None
        dated = [c for c in table.columns if isinstance(c.type, Date)]
        named = [c for c in dated if c.name == f"{_snake(leaf_name)}_on"]
        if not (named or dated):
            return None
        column = (named or dated)[0]
        row = await self.conn.fetchval(
            f"SELECT percentile_disc(ARRAY[0.25, 0.4, 0.6, 0.75]) WITHIN GROUP "
            f"(ORDER BY {column.name}) FROM {table.name} WHERE {column.name} IS NOT NULL"
        )
        if not row:
            return None
        p25, p40, p60, p75 = (d.isoformat() for d in row)
        return p25, p40, p60, p75

    async def _parents(self, child: ListField) -> tuple[Entity, Entity] | None:
        """The parent with most items in this child connection, counted through the API, and
        the median row of the same foreign key as a typical parent."""
        r = reach(self.schema, child.owner)
        columns = await self.columns(child.owner)
        if r is None or not columns:
            return None
        inner = f"{child.name} {{ totalCount }}"
        if r.fragment is not None:
            inner = f"... on {r.fragment} {{ {inner} }}"
        selection = f"{r.root_field}({r.argument}: $v) {{ {inner} }}"
        values = [c.top.slug if r.by_slug else c.top.global_id for c in columns]
        fields = [(selection, r.variable_type, {"v": v}) for v in values if v is not None]
        counts = await self._counts(fields)
        if not counts:
            return None
        best = max(range(len(counts)), key=lambda i: (counts[i], -i))
        top = columns[best].top
        largest = Entity(f"{top.label}, {counts[best]:,} items", top.global_id, top.slug)
        return largest, columns[best].median


def _total(value: Any) -> int:
    """A count from a connection, possibly under an inline fragment's object."""
    if isinstance(value, dict):
        if "totalCount" in value:
            return int(value["totalCount"])
        for inner in value.values():
            if isinstance(inner, dict):
                return _total(inner)
    return 0


def _nest(path: Sequence[str], value: Any) -> dict[str, Any]:
    out: Any = value
    for part in reversed(path):
        out = {part: out}
    return dict(out)


def _id_sibling(leaf: Leaf) -> tuple[str, ...] | None:
    for name, field_def in leaf.holder.fields.items():
        if get_named_type(field_def.type).name == "ID":
            return (*leaf.path[:-1], name)
    return None


def _is_list_type(leaf: Leaf) -> bool:
    return isinstance(get_nullable_type(leaf.type), GraphQLList)


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def samples_json(samples: Samples) -> dict[str, Any]:
    """The samples as JSON, for the report: which rows and values the shapes used."""

    def key(k: tuple[str, tuple[str, ...]]) -> str:
        return f"{k[0]}:{'.'.join(k[1])}"

    return {
        "as_of": samples.as_of,
        "entities": {key(k): [e.__dict__ for e in v] for k, v in samples.entities.items()},
        "enums": {key(k): v for k, v in samples.enums.items()},
        "strings": {key(k): v[:3] for k, v in samples.strings.items()},
        "dates": {key(k): list(v) for k, v in samples.dates.items()},
        "parents": {
            k: {"largest": a.__dict__, "typical": b.__dict__}
            for k, (a, b) in samples.parents.items()
        },
    }


async def collect_samples(conn: asyncpg.Connection, gql: Gql, schema: GraphQLSchema) -> Samples:
    """``conn`` reads the live views (search_path ``live, public``); ``gql`` runs operations."""
    return await Sampler(conn, gql, schema).collect()


__all__ = ["Gql", "Sampler", "collect_samples", "samples_json"]
