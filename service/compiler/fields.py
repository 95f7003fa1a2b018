"""Each kind of read-model field (service/repository/readmodel.py) as SQL, for the compiler.

The compiler knows kinds, not fields: a type's fields are whatever its ``TypeMap`` declares,
and each is compiled by the function for its kind below. The resolvers derive theirs from the
same declarations (service/schema/mapped.py), so the two agree by construction; the
differential tests keep checking that they do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError
from sqlalchemy import ColumnElement, case, cast, func, null, select

from service.compiler import sqlexpr
from service.compiler.build import Builder, Fallback, Field, Row
from service.db import tables as t
from service.repository import readmodel as m
from service.repository.conditions import FilterNode
from service.repository.registry import TYPE_MAPS, TYPE_OF_TABLE, entity_of
from service.schema.filters import to_node
from service.schema.relay import order_terms

FieldCompiler = Callable[[Builder, Row, Field], ColumnElement[Any]]

PAGING = frozenset({"first", "last", "after", "before"})


@dataclass(frozen=True)
class TypeSpec:
    fields: Mapping[str, FieldCompiler]


def _value(declared: m.Value) -> FieldCompiler:
    return lambda b, row, f: row.c[declared.column]


def _decimal(declared: m.Decimal) -> FieldCompiler:
    return lambda b, row, f: sqlexpr.decimal_text(row.c[declared.column])


def _timestamp(declared: m.Timestamp) -> FieldCompiler:
    return lambda b, row, f: sqlexpr.timestamp_text(row.c[declared.column])


def _partial_date(declared: m.PartialDate) -> FieldCompiler:
    def compile_field(b: Builder, row: Row, f: Field) -> ColumnElement[Any]:
        on, precision = row.c[f"{declared.prefix}_on"], row.c[f"{declared.prefix}_precision"]
        values = {"date": sqlexpr.date_value(on), "precision": precision}
        obj = b.values("PartialDate", f.details, values)
        return case((on.is_not(None), obj), else_=null())

    return compile_field


def _share(declared: m.Share) -> FieldCompiler:
    def compile_field(b: Builder, row: Row, f: Field) -> ColumnElement[Any]:
        low, high = row.c[f"{declared.prefix}_min"], row.c[f"{declared.prefix}_max"]
        values = {"min": sqlexpr.decimal_text(low), "max": sqlexpr.decimal_text(high)}
        return case((low.is_not(None), b.values("ShareRange", f.details, values)), else_=null())

    return compile_field


def _usd_range(declared: m.UsdRange) -> FieldCompiler:
    def compile_field(b: Builder, row: Row, f: Field) -> ColumnElement[Any]:
        low = row.c[f"{declared.prefix}_min"]
        values = {
            "min": sqlexpr.decimal_text(low),
            "max": sqlexpr.decimal_text(row.c[f"{declared.prefix}_max"]),
            "estimated": row.c[f"{declared.prefix}_estimated"],
        }
        obj = b.values("UsdAmountRange", f.details, values)
        return case((low.is_not(None), obj), else_=null())

    return compile_field


def _money(declared: m.Money) -> FieldCompiler:
    """Money with its USD value at the latest rate on or before ``dated_by`` (any, if undated)."""
    prefix = declared.prefix

    def compile_field(b: Builder, row: Row, f: Field) -> ColumnElement[Any]:
        amount = row.c[f"{prefix}_amount"]
        currency = row.c[f"{prefix}_currency"]

        def rate(make: Callable[[Any], ColumnElement[Any]]) -> ColumnElement[Any]:
            fx = t.fx_rate.alias()
            on = func.coalesce(
                row.c[declared.dated_by],
                cast(sqlexpr.text_literal("infinity"), t.fx_rate.c.rate_on.type),
            )
            return (
                select(make(fx))
                .where(fx.c.currency == currency, fx.c.rate_on <= on)
                .order_by(fx.c.rate_on.desc())
                .limit(1)
                .correlate(row)
                .scalar_subquery()
            )

        def resolve(name: str, sub: Field) -> ColumnElement[Any]:
            if name == "amount":
                return sqlexpr.decimal_text(amount)
            if name == "currency":
                return currency
            if name == "estimated":
                return row.c[f"{prefix}_estimated"]
            if name == "amountUsd":
                return rate(lambda fx: sqlexpr.usd_text(amount, fx.c.usd_per_unit))
            if name == "usdRate":
                return rate(
                    lambda fx: b.values(
                        "UsdRate",
                        sub.details,
                        {
                            "rate": sqlexpr.decimal_text(fx.c.usd_per_unit),
                            "rateOn": sqlexpr.date_value(fx.c.rate_on),
                            "source": fx.c.source,
                        },
                    )
                )
            raise Fallback(f"Money.{name}")

        return case((amount.is_not(None), b.object("Money", f.details, resolve)), else_=null())

    return compile_field


def _to_one(declared: m.ToOne) -> FieldCompiler:
    entity = entity_of(declared.type_name)

    def compile_field(b: Builder, row: Row, f: Field) -> ColumnElement[Any]:
        value: ColumnElement[Any] = b.by_pk(
            declared.type_name, entity, row.c[declared.column], row, f.details
        )
        return value

    return compile_field


def _rows(declared: m.Rows) -> FieldCompiler:
    entity = entity_of(declared.type_name)

    def compile_field(b: Builder, row: Row, f: Field) -> ColumnElement[Any]:
        base = declared.select() if declared.select is not None else entity.base()
        statement = base.where(entity.table.c[declared.parent_column] == row.c.id)
        return b.rows(  # type: ignore[no-any-return]
            statement,
            row,
            lambda r: [r.c[name] for name in declared.order],
            lambda r: b.entity_object(declared.type_name, r, f.details),
        )

    return compile_field


def _children(declared: m.Children) -> FieldCompiler:
    entity = entity_of(declared.type_name)

    def compile_field(b: Builder, row: Row, f: Field) -> ColumnElement[Any]:
        args = b.arguments(f, PAGING)
        given: FilterNode | None = None
        if declared.filtered:
            try:
                given = to_node(args.get("filter"))
            except GraphQLError as exc:  # the resolvers raise it as the request's error
                raise Fallback(exc.message) from exc
        node = declared.node(given, args)
        order = order_terms(args.get("order_by"))

        def link(parent: Row) -> ColumnElement[bool]:
            return declared.link(parent.c.id, args)

        return b.connection(  # type: ignore[no-any-return]
            f, args, declared.type_name, entity, node, order, row, link
        )

    return compile_field


def _claims(declared: m.Claims) -> FieldCompiler:
    """The claims whose subject link names this row, by claim id."""

    def compile_field(b: Builder, row: Row, f: Field) -> ColumnElement[Any]:
        statement = (
            select(t.claim)
            .join_from(t.claim, t.claim_subject, t.claim_subject.c.claim_id == t.claim.c.id)
            .where(t.claim_subject.c[declared.subject_column] == row.c.id)
        )
        return b.rows(  # type: ignore[no-any-return]
            statement, row, lambda r: [r.c.id], lambda r: b.entity_object("Claim", r, f.details)
        )

    return compile_field


def _subject(declared: m.Subject) -> FieldCompiler:
    """The claim's first subject link (by id), its first non-null column."""

    def compile_field(b: Builder, row: Row, f: Field) -> ColumnElement[Any]:
        links = (
            select(t.claim_subject)
            .where(t.claim_subject.c.claim_id == row.c.id)
            .order_by(t.claim_subject.c.id)
            .limit(1)
            .correlate(row)
            .subquery()
        )
        whens = []
        for column_name, table in t.CLAIM_SUBJECTS.items():
            type_name = TYPE_OF_TABLE[table]
            target = links.c[column_name]
            whens.append(
                (target.is_not(None), b.by_pk(type_name, entity_of(type_name), target, links,
                                              f.details))
            )  # fmt: skip
        return select(case(*whens, else_=null())).select_from(links).scalar_subquery()

    return compile_field


_KINDS: dict[type[Any], Callable[[Any], FieldCompiler]] = {
    m.Value: _value,
    m.Decimal: _decimal,
    m.Timestamp: _timestamp,
    m.PartialDate: _partial_date,
    m.Share: _share,
    m.UsdRange: _usd_range,
    m.Money: _money,
    m.ToOne: _to_one,
    m.Rows: _rows,
    m.Children: _children,
    m.Claims: _claims,
    m.Subject: _subject,
}


def compiled(declared: m.Field) -> FieldCompiler:
    return _KINDS[type(declared)](declared)


def _type_spec(type_map: m.TypeMap) -> TypeSpec:
    fields: dict[str, FieldCompiler] = {}
    if type_map.node:
        type_name = type_map.type_name
        fields["id"] = lambda b, row, f: sqlexpr.global_id(type_name, row.c.id)
    for name, declared in type_map.all_fields.items():
        fields[name] = compiled(declared)
    return TypeSpec(fields)


TYPES: dict[str, TypeSpec] = {name: _type_spec(m) for name, m in TYPE_MAPS.items()}
