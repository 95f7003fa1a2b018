"""The root fields (service/repository/registry.py ``ROOT_FIELDS``) as SQL, for the compiler."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLError
from sqlalchemy import BigInteger, ColumnElement, String, func, literal

from service.compiler.build import Builder, Fallback, Field, Sym
from service.compiler.fields import PAGING
from service.ids import GlobalIdError, decode_id
from service.repository import registry as r
from service.repository.conditions import FilterNode, with_updated_since
from service.repository.organizations import with_kind
from service.repository.readmodel import UPDATED_SINCE_ARGUMENT
from service.schema.filters import to_node
from service.schema.relay import order_terms

RootCompiler = Callable[[Builder, Field], ColumnElement[Any]]


def id_type(value: Any) -> str | None:
    """The type a global ID names, or None for one the resolvers refuse."""
    try:
        type_name, _ = decode_id(str(value))
    except GlobalIdError:
        return None
    return type_name if type_name in r.NODE_TYPES else None


def _node_by_id(b: Builder, f: Field, value: Any, expected: str | None) -> ColumnElement[Any]:
    """The object an ID names (its type decided by the plan's shape), or NULL."""
    if isinstance(value, Sym):
        variable = value.variable
        type_name = id_type(b.variables.coerced[variable])
        pk = b.param(lambda v: decode_id(v[variable])[1], BigInteger())
    else:
        type_name = id_type(value)
        if type_name is None:
            raise Fallback("an ID the resolvers refuse")
        pk = literal(decode_id(str(value))[1], BigInteger())
    if type_name is None or type_name not in r.NODE_TYPES:
        raise Fallback("an ID the resolvers refuse")
    if expected is not None and type_name != expected:
        raise Fallback(f"not the ID of a {expected}")
    return b.by_pk(type_name, r.entity_of(type_name), pk, None, f.details)  # type: ignore[no-any-return]


def _by_id(declared: r.NodeById) -> RootCompiler:
    def compile_root(b: Builder, f: Field) -> ColumnElement[Any]:
        value = b.arguments(f, frozenset({"id"}))["id"]
        return _node_by_id(b, f, value, declared.type_name)

    return compile_root


def _by_ids(declared: r.NodesByIds) -> RootCompiler:
    def compile_root(b: Builder, f: Field) -> ColumnElement[Any]:
        ids = b.arguments(f)["ids"]
        # The resolvers refuse more than MAX_NODES_IDS (100), which is also as many arguments
        # as json_build_array takes.
        if len(ids) > r.MAX_NODES_IDS:
            raise Fallback("too many ids")
        return func.json_build_array(*(_node_by_id(b, f, i, None) for i in ids))

    return compile_root


def _by_slug(declared: r.BySlug) -> RootCompiler:
    entity = r.entity_of(declared.type_name)

    def compile_root(b: Builder, f: Field) -> ColumnElement[Any]:
        slug = b.arguments(f, frozenset({"slug"}))["slug"]
        if isinstance(slug, Sym):
            variable = slug.variable
            value: Any = b.param(lambda v: v[variable], String())
        else:
            value = literal(slug, String())
        statement = entity.base().where(entity.table.c.slug == value).limit(1)
        return b.single(declared.type_name, statement, None, f.details)  # type: ignore[no-any-return]

    return compile_root


def _root_list(declared: r.RootList) -> RootCompiler:
    entity = r.entity_of(declared.type_name)

    def compile_root(b: Builder, f: Field) -> ColumnElement[Any]:
        args = b.arguments(f, PAGING)
        node: FilterNode | None = None
        if declared.filtered:
            try:
                node = to_node(args.get("filter"))
            except GraphQLError as exc:  # the resolvers raise it as the request's error
                raise Fallback(exc.message) from exc
        node = with_updated_since(node, args.get(UPDATED_SINCE_ARGUMENT))
        if declared.kind is not None:
            node = with_kind(node, declared.kind)
        order = order_terms(args.get("order_by"))
        return b.connection(  # type: ignore[no-any-return]
            f, args, declared.type_name, entity, node, order, None, None
        )

    return compile_root


def _compiled(declared: r.RootField) -> RootCompiler:
    if isinstance(declared, r.NodeById):
        return _by_id(declared)
    if isinstance(declared, r.NodesByIds):
        return _by_ids(declared)
    if isinstance(declared, r.BySlug):
        return _by_slug(declared)
    return _root_list(declared)


ROOT: dict[str, RootCompiler] = {name: _compiled(d) for name, d in r.ROOT_FIELDS.items()}
