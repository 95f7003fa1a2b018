"""Every list query shape the API accepts, enumerated from the live GraphQL schema.

The plan audit (bench/plan_audit.py) runs these shapes against a large database; a test-suite
guard can run them on a small one with ``enable_seqscan = off``. Nothing here names a field of
the API: root lists are the ``Query`` fields returning a ``...Connection``, child connections
the object fields returning one, filter leaves come from walking each ``filter`` input type, and
orderings from each ``orderBy`` input's enums. A new filter, ordering or connection is therefore
covered as soon as it is in the schema. The values put into filters come from ``Samples``,
which bench/plan_samples.py draws from the data.

What is enumerated, per connection (the combinatorics are bounded as stated):

- ``order``: no filter, in the default order and every orderBy term in both directions;
- ``leaf``: each filter leaf alone (values: see ``leaf_variants``), in every ordering;
- ``count``: ``totalCount`` with no filter and with each leaf variant, default order;
- ``and`` / ``or``: every pair of different top-level filter fields (their first variant),
  at most ``MAX_PAIRS`` pairs per connection;
- ``not``: each leaf (its first variant) negated;
- ``after`` / ``before`` / ``last``: paging from a cursor in the middle of a real first page,
  forward and backward, and the last page, in every ordering;
- ``arg``: each value of a connection's other enum arguments (e.g. a direction);
- child connections run all of the above on their largest parent (the one with most items),
  plus ``typical`` (a median parent, with and without ``totalCount``) and ``nested`` (under
  each root list of the parent type, 10 items of 10 parents, every ordering, and counted);
- ``asof``: root lists with ``asOf`` at a recorded time: every ordering, each leaf variant
  (default order), and ``totalCount`` unfiltered and per leaf variant.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    get_named_type,
    get_nullable_type,
    is_leaf_type,
)

# The Relay conventions every list of the API follows (argument names, not fields of the data).
PAGING_ARGS = frozenset({"first", "last", "after", "before"})
FILTER_ARG = "filter"
ORDER_ARG = "orderBy"
AS_OF_ARG = "asOf"
LOGICAL = ("and", "or", "not")

PAGE = 50  # a page as clients ask for it (the slow reports were `first: 50`)
NESTED_PARENTS = 10
NESTED_PAGE = 10
# C(10, 2): more top-level filter fields than 10 on one list would need a sample of pairs.
MAX_PAIRS = 45


# -- what the data supplies --------------------------------------------------------------------


@dataclass(frozen=True)
class Entity:
    """A row to name in a filter or to hang child lists from, with why it was picked."""

    label: str  # e.g. "most investment.investor_id (5,102)"
    global_id: str
    slug: str | None = None

    @property
    def short(self) -> str:
        """The label without its counts, for shape names."""
        return self.label.split(" (")[0]


@dataclass
class Samples:
    """Values for the shapes, drawn from the data (see bench/plan_samples.py).

    Keys are ``(filter input type, path of the field holding the leaf)``, so a filter type used
    by a root list and by child connections gets the same values everywhere. A missing key
    leaves that leaf out (and ``shapes`` reports it through ``Enumeration.skipped``).
    """

    as_of: str  # a recorded time (ISO 8601) that the asOf shapes read at
    # Relation leaves (ids/slugs of an organization, ids of a round): most matches first; the
    # last one is typical rather than large.
    entities: dict[tuple[str, tuple[str, ...]], list[Entity]] = field(default_factory=dict)
    # Enum leaves: the values present in the data, rarest first.
    enums: dict[tuple[str, tuple[str, ...]], list[str]] = field(default_factory=dict)
    # String leaves: values of the same-named field of real items.
    strings: dict[tuple[str, tuple[str, ...]], list[str]] = field(default_factory=dict)
    # Date leaves: the 25th, 40th, 60th and 75th percentiles of the dates filtered on.
    dates: dict[tuple[str, tuple[str, ...]], tuple[str, str, str, str]] = field(
        default_factory=dict
    )
    # Child connections ("Organization.investments"): (largest parent, typical parent).
    parents: dict[str, tuple[Entity, Entity]] = field(default_factory=dict)


# -- the schema's lists ------------------------------------------------------------------------


@dataclass(frozen=True)
class ListField:
    """A field returning a connection: a root list (owner ``Query``) or a child connection."""

    owner: str
    name: str
    definition: GraphQLField
    node_type: GraphQLObjectType

    @property
    def coordinate(self) -> str:
        return f"{self.owner}.{self.name}"

    @property
    def filter_type(self) -> GraphQLInputObjectType | None:
        arg = self.definition.args.get(FILTER_ARG)
        named = get_named_type(arg.type) if arg is not None else None
        return named if isinstance(named, GraphQLInputObjectType) else None

    @property
    def order_type(self) -> GraphQLInputObjectType | None:
        arg = self.definition.args.get(ORDER_ARG)
        named = get_named_type(arg.type) if arg is not None else None
        return named if isinstance(named, GraphQLInputObjectType) else None

    @property
    def other_args(self) -> dict[str, GraphQLArgument]:
        known = PAGING_ARGS | {FILTER_ARG, ORDER_ARG, AS_OF_ARG}
        return {k: v for k, v in self.definition.args.items() if k not in known}


def connection_node_type(
    schema: GraphQLSchema, field_def: GraphQLField
) -> GraphQLObjectType | None:
    """The item type if ``field_def`` returns a Relay connection (``nodes`` and ``pageInfo``)."""
    named = get_named_type(field_def.type)
    if not isinstance(named, GraphQLObjectType) or not named.name.endswith("Connection"):
        return None
    if "nodes" not in named.fields or "pageInfo" not in named.fields:
        return None
    item = get_named_type(named.fields["nodes"].type)
    return item if isinstance(item, GraphQLObjectType) else None


def root_lists(schema: GraphQLSchema) -> list[ListField]:
    query = schema.query_type
    assert query is not None
    found = []
    for name, field_def in query.fields.items():
        item = connection_node_type(schema, field_def)
        if item is not None:
            found.append(ListField("Query", name, field_def, item))
    return found


def child_connections(schema: GraphQLSchema) -> list[ListField]:
    found = []
    for type_name, named in sorted(schema.type_map.items()):
        if type_name.startswith("__") or not isinstance(named, GraphQLObjectType):
            continue
        if named is schema.query_type or named is schema.mutation_type:
            continue
        for name, field_def in named.fields.items():
            item = connection_node_type(schema, field_def)
            if item is not None:
                found.append(ListField(type_name, name, field_def, item))
    return found


def _implements_node(named: GraphQLNamedType) -> bool:
    return isinstance(named, GraphQLObjectType) and any(i.name == "Node" for i in named.interfaces)


@dataclass(frozen=True)
class Reach:
    """How an operation gets to one object of a type: a root field by slug, or ``node(id:)``."""

    root_field: str
    argument: str
    variable_type: str  # e.g. "String!"
    by_slug: bool
    fragment: str | None  # the inline fragment type for node(id:)


def reach(schema: GraphQLSchema, type_name: str) -> Reach | None:
    query = schema.query_type
    assert query is not None
    for name, field_def in query.fields.items():
        if get_named_type(field_def.type).name != type_name:
            continue
        required = [k for k, a in field_def.args.items() if isinstance(a.type, GraphQLNonNull)]
        if required == ["slug"]:
            return Reach(name, "slug", str(field_def.args["slug"].type), True, None)
    named = schema.type_map.get(type_name)
    node = query.fields.get("node")
    if named is not None and _implements_node(named) and node is not None and "id" in node.args:
        return Reach("node", "id", str(node.args["id"].type), False, type_name)
    return None


# -- filters -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Leaf:
    """A filter input field holding a value (not an input object), by its path from the filter."""

    path: tuple[str, ...]
    type: GraphQLInputType
    holder: GraphQLInputObjectType  # the input object it belongs to

    @property
    def enclosing(self) -> tuple[str, ...]:
        """The field the leaf is an operator of (``announced`` for ``announced.gte``), or the
        leaf itself when it sits directly in the filter (a boolean)."""
        return self.path[:-1] if len(self.path) > 1 else self.path

    @property
    def label(self) -> str:
        return ".".join(self.path)


def filter_leaves(filter_type: GraphQLInputObjectType) -> list[Leaf]:
    """Walks the filter input recursively; ``and``/``or``/``not`` are combined separately."""
    leaves: list[Leaf] = []

    def walk(holder: GraphQLInputObjectType, prefix: tuple[str, ...], seen: set[str]) -> None:
        for name, input_field in holder.fields.items():
            if not prefix and name in LOGICAL:
                continue
            named = get_named_type(input_field.type)
            if isinstance(named, GraphQLInputObjectType):
                if named.name not in seen:
                    walk(named, (*prefix, name), seen | {named.name})
            else:
                leaves.append(Leaf((*prefix, name), input_field.type, holder))

    walk(filter_type, (), {filter_type.name})
    return leaves


def _is_list(type_: GraphQLInputType | GraphQLOutputType) -> bool:
    return isinstance(get_nullable_type(type_), GraphQLList)


def _scalar_name(type_: GraphQLInputType) -> str:
    return get_named_type(type_).name


def is_relation_match(holder: GraphQLInputObjectType) -> bool:
    """An input naming rows by global IDs (and maybe by slugs): a relation match."""
    return any(_is_list(f.type) and _scalar_name(f.type) == "ID" for f in holder.fields.values())


def is_relation_leaf(leaf: Leaf) -> bool:
    """A leaf naming rows: a field of a relation match under the filter, or a bare ID list."""
    nested = len(leaf.path) > 1 and is_relation_match(leaf.holder)
    return nested or (_is_list(leaf.type) and _scalar_name(leaf.type) == "ID")


def relation_key(leaf: Leaf) -> tuple[str, ...]:
    """Relation leaves share their rows by the field they sit under (``investor`` for both
    ``investor.ids`` and ``investor.slugs``); a bare ID list is its own field."""
    return leaf.enclosing if len(leaf.path) > 1 else leaf.path


@dataclass(frozen=True)
class Variant:
    """Values for one or more leaves, and a short description of them."""

    label: str
    assignments: tuple[tuple[tuple[str, ...], Any], ...]

    def filter_value(self) -> dict[str, Any]:
        value: dict[str, Any] = {}
        for path, leaf_value in self.assignments:
            node = value
            for part in path[:-1]:
                node = node.setdefault(part, {})
            node[path[-1]] = leaf_value
        return value


def _short(values: Sequence[Any]) -> str:
    text = json.dumps(list(values), ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def leaf_variants(
    filter_name: str, leaf: Leaf, samples: Samples
) -> tuple[list[Variant], str | None]:
    """The values a leaf is run with, or why it has none.

    - booleans: true and false;
    - enums: the rarest and the commonest value present; an enum list, both together;
    - relation matches (IDs, and slugs beside them): the row with most matches alone, and the
      three first rows (two large, one typical) together;
    - strings: a value of the same-named field of a real item; a list, three of them;
      ``contains``, the first word of such a value;
    - dates: a lower bound at the 75th percentile, an upper one at the 25th;
    - times (``updatedSince``): the latest recorded time of an organization.
    """
    path, type_ = leaf.path, leaf.type
    name = _scalar_name(type_)
    many = _is_list(type_)
    if name == "Boolean" and not many:
        return [Variant(f"{leaf.label}=true", ((path, True),)),
                Variant(f"{leaf.label}=false", ((path, False),))], None  # fmt: skip
    named = get_named_type(type_)
    if isinstance(named, GraphQLEnumType):
        ranked = samples.enums.get((filter_name, leaf.enclosing))
        if not ranked:
            return [], "no enum values counted"
        rare, common = ranked[0], ranked[-1]
        if many:
            values = [rare] if rare == common else [rare, common]
            return [Variant(f"{leaf.label}={_short(values)}", ((path, values),))], None
        out = [Variant(f"{leaf.label}={rare}(rarest)", ((path, rare),))]
        if common != rare:
            out.append(Variant(f"{leaf.label}={common}(commonest)", ((path, common),)))
        return out, None
    if is_relation_leaf(leaf):
        entities = samples.entities.get((filter_name, relation_key(leaf)))
        if not entities:
            return [], "no rows to name"
        if name == "ID":
            one: list[Any] = [entities[0].global_id]
            several: list[Any] = [e.global_id for e in entities[:3]]
        else:
            with_slug = [e for e in entities if e.slug is not None]
            if not with_slug:
                return [], "rows have no slug"
            one, several = [with_slug[0].slug], [e.slug for e in with_slug[:3]]
        out = [Variant(f"{leaf.label}=[{entities[0].short}]", ((path, one),))]
        if len(several) > 1:
            out.append(Variant(f"{leaf.label}=[{len(several)} rows]", ((path, several),)))
        return out, None
    if name == "String":
        strings = samples.strings.get((filter_name, leaf.enclosing))
        if not strings:
            return [], "no string values"
        if many:
            values = strings[:3]
            return [Variant(f"{leaf.label}={_short(values)}", ((path, values),))], None
        value = strings[0]
        if path[-1] == "contains":
            words = [w for w in value.split() if len(w) >= 3]
            value = words[0] if words else value
        return [Variant(f"{leaf.label}={_short([value])}", ((path, value),))], None
    if name == "Date" and not many:
        quantiles = samples.dates.get((filter_name, leaf.enclosing))
        if quantiles is None:
            return [], "no dates"
        p25, _, _, p75 = quantiles
        op = path[-1]
        value = p75 if op in ("gte", "gt") else p25 if op in ("lte", "lt") else quantiles[1]
        return [Variant(f"{leaf.label}={value}", ((path, value),))], None
    if name == "DateTime" and not many:
        # `updatedSince`: the latest recorded time of an organization, since which few records
        # were recorded (those of the last load or writes): the case a list walked in its
        # order reads furthest for.
        return [Variant(f"{leaf.label}={samples.as_of}", ((path, samples.as_of),))], None
    return [], f"no value source for {type_}"


def range_variants(filter_name: str, leaves: Sequence[Leaf], samples: Samples) -> list[Variant]:
    """A date range with both bounds: an input object holding two or more Date fields gets one
    variant that sets them all (lower bounds at the 40th percentile, upper at the 60th)."""
    out: list[Variant] = []
    by_holder: dict[tuple[str, ...], list[Leaf]] = {}
    for leaf in leaves:
        if _scalar_name(leaf.type) == "Date" and not _is_list(leaf.type) and len(leaf.path) > 1:
            by_holder.setdefault(leaf.path[:-1], []).append(leaf)
    for holder_path, group in by_holder.items():
        quantiles = samples.dates.get((filter_name, holder_path))
        if len(group) < 2 or quantiles is None:
            continue
        _, p40, p60, _ = quantiles
        assignments = tuple(
            (leaf.path, p40 if leaf.path[-1] in ("gte", "gt") else p60) for leaf in group
        )
        label = ".".join(holder_path) + f"=[{p40}..{p60}]"
        out.append(Variant(label, assignments))
    return out


# -- orderings ---------------------------------------------------------------------------------


def orderings(order_type: GraphQLInputObjectType | None) -> list[dict[str, str] | None]:
    """None (the default order), then every combination of the order input's enum fields
    (every field in both directions)."""
    if order_type is None:
        return [None]
    enums = [
        (name, get_named_type(f.type))
        for name, f in order_type.fields.items()
        if isinstance(get_named_type(f.type), GraphQLEnumType)
    ]
    names = [n for n, _ in enums]
    value_lists = [list(t.values) for _, t in enums if isinstance(t, GraphQLEnumType)]
    out: list[dict[str, str] | None] = [None]
    for combo in itertools.product(*value_lists):
        out.append(dict(zip(names, combo, strict=True)))
    return out


def order_label(order: Mapping[str, str] | None) -> str:
    return "default order" if order is None else " ".join(order.values())


# -- selections --------------------------------------------------------------------------------


def _value_object(named: GraphQLNamedType) -> bool:
    return isinstance(named, GraphQLObjectType) and not _implements_node(named)


def node_selection(
    schema: GraphQLSchema,
    node_type: GraphQLObjectType,
    known_fields: Mapping[str, Collection[str]] | None,
) -> str:
    """What a client typically reads of an item: its scalars, and the scalars of its value
    objects (money with its USD value, dates), without arguments, relations or lists of
    objects. Restricted to the fields the compiler knows, when given: a field it does not know
    sends the whole operation to the resolvers, and the compiled path would not be audited."""
    known = known_fields.get(node_type.name) if known_fields is not None else None
    parts = []
    for name, field_def in node_type.fields.items():
        if field_def.args or (known is not None and name not in known):
            continue
        named = get_named_type(field_def.type)
        if is_leaf_type(named):
            parts.append(name)
        elif isinstance(named, GraphQLObjectType) and _value_object(named):
            if _is_list(field_def.type):
                continue
            inner = [
                n
                for n, f in named.fields.items()
                if not f.args and is_leaf_type(get_named_type(f.type))
            ]
            if inner:
                parts.append(f"{name} {{ {' '.join(inner)} }}")
    return " ".join(parts) or "__typename"


# -- shapes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CursorSource:
    """Where a paging shape's cursor comes from: the middle item of a real first page."""

    document: str
    variables: dict[str, Any]
    path: tuple[str, ...]  # response keys down to the connection
    variable: str  # "after" or "before"


@dataclass(frozen=True)
class Shape:
    name: str
    category: str
    connection: str  # the connection's coordinate, e.g. "Organization.investments"
    document: str
    variables: dict[str, Any]
    total_count: bool = False
    as_of: str | None = None
    cursor: CursorSource | None = None


@dataclass
class Enumeration:
    """The shapes, and the leaves that got no values (and why)."""

    shapes: list[Shape]
    skipped: list[tuple[str, str, str]]  # (connection, leaf, reason)


@dataclass(frozen=True)
class _Target:
    """Where the connection sits in the operation."""

    label: str
    path: tuple[str, ...]
    parent: Entity | None
    reach: Reach | None
    nested_under: ListField | None = None


def _variable_types(lst: ListField) -> dict[str, str]:
    return {name: str(arg.type) for name, arg in lst.definition.args.items()}


class _Builder:
    def __init__(
        self,
        schema: GraphQLSchema,
        known_fields: Mapping[str, Collection[str]] | None,
    ) -> None:
        self.schema = schema
        self.known_fields = known_fields

    def document(
        self,
        lst: ListField,
        target: _Target,
        arguments: Mapping[str, Any],
        *,
        total_count: bool,
        cursor_page: bool = False,
    ) -> tuple[str, dict[str, Any]]:
        """One operation reading the connection with ``arguments`` (as variables)."""
        types = _variable_types(lst)
        declared = {f"${k}": types[k] for k in arguments}
        args = ", ".join(f"{k}: ${k}" for k in arguments)
        inner = "edges { cursor }" if cursor_page else (
            "pageInfo { hasNextPage hasPreviousPage startCursor endCursor } "
            f"nodes {{ {node_selection(self.schema, lst.node_type, self.known_fields)} }}"
        )  # fmt: skip
        if total_count:
            inner = "totalCount " + inner
        body = f"{lst.name}{f'({args})' if args else ''} {{ {inner} }}"
        variables = dict(arguments)
        if target.nested_under is not None:
            outer = target.nested_under
            body = f"{outer.name}(first: {NESTED_PARENTS}) {{ nodes {{ id {body} }} }}"
        elif target.reach is not None and target.parent is not None:
            r = target.reach
            declared["$parent"] = r.variable_type
            if r.fragment is not None:
                body = f"... on {r.fragment} {{ {body} }}"
            body = f"{r.root_field}({r.argument}: $parent) {{ {body} }}"
            variables["parent"] = target.parent.slug if r.by_slug else target.parent.global_id
        signature = ", ".join(f"{k}: {v}" for k, v in declared.items())
        document = f"query Audit{f'({signature})' if signature else ''} {{ {body} }}"
        return document, variables


def _first_variant(variants: Sequence[Variant]) -> Variant | None:
    return variants[0] if variants else None


def shapes(
    schema: GraphQLSchema,
    samples: Samples,
    *,
    known_fields: Mapping[str, Collection[str]] | None = None,
) -> Iterator[Shape]:
    """Every shape, in a stable order (see the module's docstring for what and how many)."""
    yield from enumerate_shapes(schema, samples, known_fields=known_fields).shapes


def enumerate_shapes(
    schema: GraphQLSchema,
    samples: Samples,
    *,
    known_fields: Mapping[str, Collection[str]] | None = None,
) -> Enumeration:
    builder = _Builder(schema, known_fields)
    out: list[Shape] = []
    skipped: list[tuple[str, str, str]] = []
    roots = root_lists(schema)
    for lst in roots:
        target = _Target(lst.name, (lst.name,), None, None)
        out.extend(_connection_shapes(builder, lst, target, samples, skipped, as_of=None))
        out.extend(_connection_shapes(builder, lst, target, samples, [], as_of=samples.as_of))
    for lst in child_connections(schema):
        r = reach(schema, lst.owner)
        parents = samples.parents.get(lst.coordinate)
        if r is None or parents is None:
            skipped.append((lst.coordinate, "*", "no way to reach a parent"))
            continue
        largest, typical = parents
        prefix = (r.root_field, lst.name)
        big = _Target(f"{r.root_field}[{largest.short}].{lst.name}", prefix, largest, r)
        out.extend(_connection_shapes(builder, lst, big, samples, skipped, as_of=None))
        small = _Target(f"{r.root_field}[{typical.short}].{lst.name}", prefix, typical, r)
        for counted in (False, True):
            doc, variables = builder.document(lst, small, {"first": PAGE}, total_count=counted)
            name = f"{small.label} {'totalCount' if counted else 'default order'}"
            out.append(Shape(name, "typical", lst.coordinate, doc, variables, counted))
        for outer in roots:
            if outer.node_type.name != lst.owner:
                continue
            nested = _Target(f"{outer.name}[].{lst.name}", (outer.name,), None, None, outer)
            for order in orderings(lst.order_type):
                arguments: dict[str, Any] = {"first": NESTED_PAGE}
                if order is not None:
                    arguments[ORDER_ARG] = [order]
                doc, variables = builder.document(lst, nested, arguments, total_count=False)
                name = f"{nested.label} {order_label(order)}"
                out.append(Shape(name, "nested", lst.coordinate, doc, variables))
            doc, variables = builder.document(lst, nested, {"first": NESTED_PAGE}, total_count=True)
            name = f"{nested.label} totalCount"
            out.append(Shape(name, "nested", lst.coordinate, doc, variables, True))
    return Enumeration(out, skipped)


def _connection_shapes(
    builder: _Builder,
    lst: ListField,
    target: _Target,
    samples: Samples,
    skipped: list[tuple[str, str, str]],
    *,
    as_of: str | None,
) -> Iterator[Shape]:
    filter_type = lst.filter_type
    leaves = filter_leaves(filter_type) if filter_type is not None else []
    per_leaf: list[tuple[Leaf, list[Variant]]] = []
    for leaf in leaves:
        assert filter_type is not None
        variants, reason = leaf_variants(filter_type.name, leaf, samples)
        if reason is not None:
            skipped.append((lst.coordinate, leaf.label, reason))
        per_leaf.append((leaf, variants))
    ranges = range_variants(filter_type.name, leaves, samples) if filter_type else []
    all_variants = [v for _, vs in per_leaf for v in vs] + ranges
    orders = orderings(lst.order_type)
    category_prefix = "asof " if as_of is not None else ""
    label = target.label + (" asOf" if as_of is not None else "")

    def shape(
        category: str,
        detail: str,
        arguments: dict[str, Any],
        *,
        total_count: bool = False,
        cursor: CursorSource | None = None,
    ) -> Shape:
        if as_of is not None:
            arguments = {**arguments, AS_OF_ARG: as_of}
        doc, variables = builder.document(lst, target, arguments, total_count=total_count)
        return Shape(
            f"{label} {detail}",
            category_prefix + category,
            lst.coordinate,
            doc,
            variables,
            total_count,
            as_of,
            cursor,
        )

    def with_order(arguments: dict[str, Any], order: Mapping[str, str] | None) -> dict[str, Any]:
        return arguments if order is None else {**arguments, ORDER_ARG: [dict(order)]}

    for order in orders:
        yield shape("order", order_label(order), with_order({"first": PAGE}, order))
    # asOf reads take each leaf in the default order only: the orderings are covered
    # unfiltered, and the history views change what is scanned, not how a filter is applied.
    leaf_orders = orders if as_of is None else [None]
    for variant in all_variants:
        for order in leaf_orders:
            arguments = with_order({"first": PAGE, FILTER_ARG: variant.filter_value()}, order)
            yield shape("leaf", f"{variant.label} {order_label(order)}", arguments)
    yield shape("count", "totalCount", {"first": PAGE}, total_count=True)
    for variant in all_variants:
        arguments = {"first": PAGE, FILTER_ARG: variant.filter_value()}
        yield shape("count", f"{variant.label} totalCount", arguments, total_count=True)
    if as_of is not None:
        return  # asOf covers orderings, leaves and counts; the rest reads like the live views

    # Pairs of different top-level filter fields, each by its first variant.
    firsts: dict[str, Variant] = {}
    for leaf, variants in per_leaf:
        first = _first_variant(variants)
        if first is not None and leaf.path[0] not in firsts:
            firsts[leaf.path[0]] = first
    pairs = list(itertools.combinations(firsts.values(), 2))[:MAX_PAIRS]
    for logical in ("and", "or"):
        if filter_type is None or logical not in filter_type.fields:
            continue
        for a, b in pairs:
            value: dict[str, Any] = {logical: [a.filter_value(), b.filter_value()]}
            detail = f"{logical}({a.label}, {b.label})"
            yield shape(logical, detail, {"first": PAGE, FILTER_ARG: value})
    if filter_type is not None and "not" in filter_type.fields:
        for _leaf, variants in per_leaf:
            first = _first_variant(variants)
            if first is not None:
                negated = {"not": first.filter_value()}
                yield shape("not", f"not({first.label})", {"first": PAGE, FILTER_ARG: negated})

    for order in orders:
        source_doc, source_vars = builder.document(
            lst, target, with_order({"first": PAGE}, order), total_count=False, cursor_page=True
        )
        for direction, arguments in (
            ("after", with_order({"first": PAGE, "after": None}, order)),
            ("before", with_order({"last": PAGE, "before": None}, order)),
        ):
            source = CursorSource(source_doc, source_vars, target.path, direction)
            yield shape(
                direction,
                f"{direction} middle cursor {order_label(order)}",
                arguments,
                cursor=source,
            )
        yield shape("last", f"last {PAGE} {order_label(order)}", with_order({"last": PAGE}, order))

    for name, arg in lst.other_args.items():
        named = get_named_type(arg.type)
        if not isinstance(named, GraphQLEnumType):
            if isinstance(arg.type, GraphQLNonNull) and arg.default_value is None:
                skipped.append((lst.coordinate, name, "required argument without a value"))
            continue
        for value in named.values:
            given: Any = [value] if _is_list(arg.type) else value
            text = _short(given) if isinstance(given, list) else value
            yield shape("arg", f"{name}={text}", {"first": PAGE, name: given})


# Kept importable for a guard that wants only some categories.
CATEGORIES = (
    "order", "leaf", "count", "and", "or", "not", "after", "before", "last", "arg",
    "typical", "nested", "asof order", "asof leaf", "asof count",
)  # fmt: skip

__all__ = [
    "CATEGORIES",
    "CursorSource",
    "Entity",
    "Enumeration",
    "Leaf",
    "ListField",
    "Samples",
    "Shape",
    "child_connections",
    "enumerate_shapes",
    "filter_leaves",
    "is_relation_leaf",
    "root_lists",
    "shapes",
]
