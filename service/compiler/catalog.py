"""What each GraphQL field is in SQL: the compiled twin of the strawberry resolvers.

Every entry mirrors one resolver in ``service.schema``: the same entity SELECT, the same link
between parent and child, the same filter tree and ordering, the same formatting. A field not
listed here is not compiled: an operation selecting it is served by the resolvers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    String,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
)

from service import domain
from service.compiler import sqlexpr
from service.compiler.build import Builder, Fallback, Field, Link, Row, Sym
from service.db import tables as t
from service.repository import entities as e
from service.repository.filters import FilterNode, event_involves
from service.schema.filters import investment_filter_node, to_node
from service.schema.ids import GlobalIdError, decode_id
from service.schema.nodes import NODE_TYPES
from service.schema.organizations import RelationshipDirection
from service.schema.query import MAX_NODES_IDS
from service.schema.relay import order_terms

FieldCompiler = Callable[[Builder, Row, Field], ColumnElement[Any]]
RootCompiler = Callable[[Builder, Field], ColumnElement[Any]]

PAGING = frozenset({"first", "last", "after", "before"})


@dataclass(frozen=True)
class TypeSpec:
    fields: Mapping[str, FieldCompiler]


# -- scalars ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class column:
    """A column shown as it is (text, boolean, integer, enum name, array)."""

    name: str

    def __call__(self, b: Builder, row: Row, f: Field) -> ColumnElement[Any]:
        value: ColumnElement[Any] = row.c[self.name]
        return value


def node_id(type_name: str) -> FieldCompiler:
    return lambda b, row, f: sqlexpr.global_id(type_name, row.c.id)


def decimal(name: str) -> FieldCompiler:
    return lambda b, row, f: sqlexpr.decimal_text(row.c[name])


def partial_date(prefix: str) -> FieldCompiler:
    def compile_field(b: Builder, row: Row, f: Field) -> ColumnElement[Any]:
        on, precision = row.c[f"{prefix}_on"], row.c[f"{prefix}_precision"]
        values = {"date": sqlexpr.date_value(on), "precision": precision}
        obj = b.values("PartialDate", f.details, values)
        return case((on.is_not(None), obj), else_=null())

    return compile_field


def share(prefix: str) -> FieldCompiler:
    def compile_field(b: Builder, row: Row, f: Field) -> ColumnElement[Any]:
        low, high = row.c[f"{prefix}_min"], row.c[f"{prefix}_max"]
        values = {"min": sqlexpr.decimal_text(low), "max": sqlexpr.decimal_text(high)}
        return case((low.is_not(None), b.values("ShareRange", f.details, values)), else_=null())

    return compile_field


def money(prefix: str, dated_by: str) -> FieldCompiler:
    """Money with its USD value at the latest rate on or before ``dated_by`` (any, if undated)."""

    def compile_field(b: Builder, row: Row, f: Field) -> ColumnElement[Any]:
        amount = row.c[f"{prefix}_amount"]
        currency = row.c[f"{prefix}_currency"]

        def rate(make: Callable[[Any], ColumnElement[Any]]) -> ColumnElement[Any]:
            fx = t.fx_rate.alias()
            on = func.coalesce(
                row.c[dated_by], cast(sqlexpr.text_literal("infinity"), t.fx_rate.c.rate_on.type)
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


# -- relations --------------------------------------------------------------------------------


@dataclass(frozen=True)
class to_one:
    """The object a foreign key names (NULL when the key is)."""

    type_name: str
    foreign_key: str

    def __call__(self, b: Builder, row: Row, f: Field) -> ColumnElement[Any]:
        entity = NODE_TYPES[self.type_name].entity
        value: ColumnElement[Any] = b.by_pk(
            self.type_name, entity, row.c[self.foreign_key], row, f.details
        )
        return value


def claims(subject: str) -> FieldCompiler:
    """As Loaders.claims: the claims whose subject link names this row, by claim id."""

    def compile_field(b: Builder, row: Row, f: Field) -> ColumnElement[Any]:
        statement = (
            select(t.claim)
            .join_from(t.claim, t.claim_subject, t.claim_subject.c.claim_id == t.claim.c.id)
            .where(t.claim_subject.c[subject] == row.c.id)
        )
        return b.rows(  # type: ignore[no-any-return]
            statement, row, lambda r: [r.c.id], lambda r: b.entity_object("Claim", r, f.details)
        )

    return compile_field


def by_parent(
    type_name: str, entity: e.Entity, parent_column: str, order: Callable[[Row], list[Any]]
) -> FieldCompiler:
    """A short, closed list: every row of ``entity`` whose ``parent_column`` is this row's id."""

    def compile_field(b: Builder, row: Row, f: Field) -> ColumnElement[Any]:
        statement = entity.base().where(entity.table.c[parent_column] == row.c.id)
        return b.rows(  # type: ignore[no-any-return]
            statement, row, order, lambda r: b.entity_object(type_name, r, f.details)
        )

    return compile_field


def by_id(r: Row) -> list[Any]:
    return [r.c.id]


def child_connection(
    type_name: str,
    link: Callable[[Row], ColumnElement[bool]],
    *,
    filtered: Callable[[Any], FilterNode | None] | None = None,
) -> FieldCompiler:
    entity = NODE_TYPES[type_name].entity

    def compile_field(b: Builder, row: Row, f: Field) -> ColumnElement[Any]:
        args = b.arguments(f, PAGING)
        node = _filter(filtered, args)
        order = order_terms(args.get("order_by"))
        return b.connection(f, args, type_name, entity, node, order, row, link)  # type: ignore[no-any-return]

    return compile_field


def _filter(filtered: Callable[[Any], FilterNode | None] | None, args: Mapping[str, Any]) -> Any:
    if filtered is None:
        return None
    try:
        return filtered(args.get("filter"))
    except GraphQLError as exc:  # the resolvers raise it as the request's error
        raise Fallback(exc.message) from exc


def _link_column(column: ColumnElement[Any]) -> Link:
    return lambda parent: column == parent.c.id


def _relationships(b: Builder, row: Row, f: Field) -> ColumnElement[Any]:
    args = b.arguments(f, PAGING)
    direction = args.get("direction", RelationshipDirection.BOTH)
    rel = t.relationship

    def link(parent: Row) -> ColumnElement[bool]:
        if direction is RelationshipDirection.OUTGOING:
            return rel.c.source_id == parent.c.id
        if direction is RelationshipDirection.INCOMING:
            return rel.c.target_id == parent.c.id
        return or_(rel.c.source_id == parent.c.id, rel.c.target_id == parent.c.id)

    kinds = args.get("kinds")
    node = ("and", (("leaf", "kind", "in", tuple(k.value for k in kinds)),)) if kinds else None
    return b.connection(f, args, "Relationship", e.RELATIONSHIP, node, (), row, link)  # type: ignore[no-any-return]


def _events_of(parent: Row) -> ColumnElement[bool]:
    return event_involves(parent.c.id)


def _linked_products(own: str, other: str) -> FieldCompiler:
    """ProductAlternative entries, in the link table's primary-key order."""

    def compile_field(b: Builder, row: Row, f: Field) -> ColumnElement[Any]:
        links = t.product_alternative
        statement = select(links).where(links.c[own] == row.c.id)

        def make(link: Row) -> ColumnElement[Any]:
            def resolve(name: str, sub: Field) -> ColumnElement[Any]:
                if name == "product":
                    return b.by_pk("Product", e.PRODUCT, link.c[other], link, sub.details)  # type: ignore[no-any-return]
                if name == "market":
                    return link.c.market
                raise Fallback(f"ProductAlternative.{name}")

            return b.object("ProductAlternative", f.details, resolve)  # type: ignore[no-any-return]

        return b.rows(  # type: ignore[no-any-return]
            statement, row, lambda r: [r.c.product_id, r.c.alternative_to_id], make
        )

    return compile_field


def _participants(b: Builder, row: Row, f: Field) -> ColumnElement[Any]:
    part = t.event_participant
    statement = select(part).where(part.c.event_id == row.c.id)

    def make(link: Row) -> ColumnElement[Any]:
        def resolve(name: str, sub: Field) -> ColumnElement[Any]:
            if name == "organization":
                return b.by_pk(  # type: ignore[no-any-return]
                    "Organization", e.ORGANIZATION, link.c.organization_id, link, sub.details
                )
            if name == "role":
                return link.c.role
            raise Fallback(f"EventParticipant.{name}")

        return b.object("EventParticipant", f.details, resolve)  # type: ignore[no-any-return]

    return b.rows(statement, row, lambda r: [r.c.event_id, r.c.organization_id], make)  # type: ignore[no-any-return]


_TABLE_TYPES = {node_type.entity.name: name for name, node_type in NODE_TYPES.items()}


def _subject(b: Builder, row: Row, f: Field) -> ColumnElement[Any]:
    """As Claim.subject: the claim's first subject link (by id), its first non-null column."""
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
        type_name = _TABLE_TYPES[table]
        entity = NODE_TYPES[type_name].entity
        target = links.c[column_name]
        whens.append((target.is_not(None), b.by_pk(type_name, entity, target, links, f.details)))
    return select(case(*whens, else_=null())).select_from(links).scalar_subquery()


def _consideration_order(r: Row) -> list[Any]:
    return [r.c.position, r.c.id]


# -- types ------------------------------------------------------------------------------------

TYPES: dict[str, TypeSpec] = {
    "Organization": TypeSpec(
        {
            "id": node_id("Organization"),
            "slug": column("slug"),
            "name": column("name"),
            "kinds": column("kinds"),
            "country": column("country"),
            "foundedOn": partial_date("founded"),
            "website": column("website"),
            "description": column("description"),
            "names": lambda b, row, f: b.rows(
                select(t.organization_name).where(
                    t.organization_name.c.organization_id == row.c.id
                ),
                row,
                by_id,
                lambda r: b.values(
                    "Name",
                    f.details,
                    {
                        "value": r.c.value,
                        "language": r.c.language,
                        "script": r.c.script,
                        "kind": r.c.kind,
                        "isPrimary": r.c.is_primary,
                    },
                ),
            ),
            "parent": to_one("Organization", "parent_id"),
            "subsidiaries": child_connection(
                "Organization", _link_column(t.organization.c.parent_id)
            ),
            "fundingRounds": child_connection(
                "FundingRound", _link_column(t.funding_round.c.organization_id), filtered=to_node
            ),
            "investments": child_connection(
                "Investment",
                _link_column(t.investment.c.investor_id),
                filtered=investment_filter_node,
            ),
            "products": child_connection("Product", _link_column(t.product.c.organization_id)),
            "people": child_connection("PersonRole", _link_column(t.person_role.c.organization_id)),
            "relationships": _relationships,
            "computeAssets": child_connection(
                "ComputeAsset", _link_column(t.compute_asset.c.owner_id)
            ),
            "events": child_connection("Event", _events_of),
            "creditPrograms": child_connection(
                "CreditProgram", _link_column(t.credit_program.c.provider_id)
            ),
            "claims": claims("organization_id"),
        }
    ),
    "FundingRound": TypeSpec(
        {
            "id": node_id("FundingRound"),
            "roundType": column("round_type"),
            "status": column("status"),
            "announcedOn": partial_date("announced"),
            "amount": money("raised", "announced_on"),
            "preMoneyValuation": money("pre_money", "announced_on"),
            "postMoneyValuation": money("post_money", "announced_on"),
            "description": column("description"),
            "organization": to_one("Organization", "organization_id"),
            "investments": child_connection(
                "Investment", _link_column(t.investment.c.round_id), filtered=investment_filter_node
            ),
            "claims": claims("funding_round_id"),
        }
    ),
    "Investment": TypeSpec(
        {
            "id": node_id("Investment"),
            "isLead": column("is_lead"),
            "amount": money("committed", "round_announced_on"),
            "stake": share("stake"),
            "stakeEstimated": column("stake_estimated"),
            "description": column("description"),
            "investor": to_one("Organization", "investor_id"),
            "organization": to_one("Organization", "round_organization_id"),
            "round": to_one("FundingRound", "round_id"),
            "consideration": by_parent(
                "ConsiderationComponent",
                e.CONSIDERATION_COMPONENT,
                "investment_id",
                _consideration_order,
            ),
            "claims": claims("investment_id"),
        }
    ),
    "ConsiderationComponent": TypeSpec(
        {
            "id": node_id("ConsiderationComponent"),
            "kind": column("kind"),
            "amount": money("value", "round_announced_on"),
            "share": share("share"),
            "estimated": column("estimated"),
            "escrow": column("escrow"),
            "recognizedAsRevenueByProvider": column("recognized_as_revenue_by_provider"),
            "spendRestriction": column("spend_restriction"),
            "description": column("description"),
            "provider": to_one("Organization", "provider_id"),
            "spendRestrictedTo": to_one("Organization", "spend_restricted_to_id"),
            "creditType": to_one("CreditType", "credit_type_id"),
            "creditProgram": to_one("CreditProgram", "credit_program_id"),
            "claims": claims("consideration_component_id"),
        }
    ),
    "CreditType": TypeSpec(
        {
            "id": node_id("CreditType"),
            "slug": column("slug"),
            "name": column("name"),
            "considerationKind": column("consideration_kind"),
            "unit": column("unit"),
            "description": column("description"),
            "programs": child_connection(
                "CreditProgram", _link_column(t.credit_program.c.credit_type_id)
            ),
        }
    ),
    "CreditProgram": TypeSpec(
        {
            "id": node_id("CreditProgram"),
            "slug": column("slug"),
            "name": column("name"),
            "inExchangeFor": column("in_exchange_for"),
            "terms": column("terms"),
            "startedOn": partial_date("started"),
            "endedOn": partial_date("ended"),
            "provider": to_one("Organization", "provider_id"),
            "creditType": to_one("CreditType", "credit_type_id"),
            "claims": claims("credit_program_id"),
        }
    ),
    "Person": TypeSpec(
        {
            "id": node_id("Person"),
            "slug": column("slug"),
            "name": column("name"),
            "nativeName": column("native_name"),
            "description": column("description"),
            "roles": by_parent("PersonRole", e.PERSON_ROLE, "person_id", by_id),
        }
    ),
    "PersonRole": TypeSpec(
        {
            "id": node_id("PersonRole"),
            "kind": column("kind"),
            "title": column("title"),
            "startedOn": partial_date("started"),
            "endedOn": partial_date("ended"),
            "person": to_one("Person", "person_id"),
            "organization": to_one("Organization", "organization_id"),
            "claims": claims("person_role_id"),
        }
    ),
    "Product": TypeSpec(
        {
            "id": node_id("Product"),
            "slug": column("slug"),
            "name": column("name"),
            "category": column("category"),
            "launchedOn": partial_date("launched"),
            "description": column("description"),
            "organization": to_one("Organization", "organization_id"),
            "alternativeTo": _linked_products("product_id", "alternative_to_id"),
            "localAlternatives": _linked_products("alternative_to_id", "product_id"),
            "claims": claims("product_id"),
        }
    ),
    "Relationship": TypeSpec(
        {
            "id": node_id("Relationship"),
            "kind": column("kind"),
            "startedOn": partial_date("started"),
            "endedOn": partial_date("ended"),
            "description": column("description"),
            "source": to_one("Organization", "source_id"),
            "target": to_one("Organization", "target_id"),
            "claims": claims("relationship_id"),
        }
    ),
    "ComputeAsset": TypeSpec(
        {
            "id": node_id("ComputeAsset"),
            "chipModel": column("chip_model"),
            "quantity": column("quantity"),
            "quantityEstimated": column("quantity_estimated"),
            "clusterSize": column("cluster_size"),
            "regions": column("regions"),
            "acquiredOn": partial_date("acquired"),
            "description": column("description"),
            "owner": to_one("Organization", "owner_id"),
            "chipVendor": to_one("Organization", "chip_vendor_id"),
            "claims": claims("compute_asset_id"),
        }
    ),
    "Event": TypeSpec(
        {
            "id": node_id("Event"),
            "slug": column("slug"),
            "kind": column("kind"),
            "title": column("title"),
            "description": column("description"),
            "occurredOn": partial_date("occurred"),
            "participants": _participants,
            "claims": claims("event_id"),
        }
    ),
    "Source": TypeSpec(
        {
            "id": node_id("Source"),
            "slug": column("slug"),
            "kind": column("kind"),
            "publisher": column("publisher"),
            "title": column("title"),
            "language": column("language"),
            "url": column("url"),
            "publishedOn": partial_date("published"),
            "description": column("description"),
            "claims": child_connection("Claim", _link_column(t.claim.c.source_id)),
        }
    ),
    "Claim": TypeSpec(
        {
            "id": node_id("Claim"),
            "factRef": column("fact_ref"),
            "attribution": column("attribution"),
            "attributedTo": column("attributed_to"),
            "stance": column("stance"),
            "statement": column("statement"),
            "quote": column("quote"),
            "confidence": decimal("confidence"),
            "source": to_one("Source", "source_id"),
            "person": to_one("Person", "person_id"),
            "organization": to_one("Organization", "organization_id"),
            "subject": _subject,
        }
    ),
}


# -- the root ---------------------------------------------------------------------------------


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
    if type_name is None or type_name not in NODE_TYPES:
        raise Fallback("an ID the resolvers refuse")
    if expected is not None and type_name != expected:
        raise Fallback(f"not the ID of a {expected}")
    return b.by_pk(type_name, NODE_TYPES[type_name].entity, pk, None, f.details)  # type: ignore[no-any-return]


def id_type(value: Any) -> str | None:
    """The type a global ID names, or None for one the resolvers refuse."""
    try:
        type_name, _ = decode_id(str(value))
    except GlobalIdError:
        return None
    return type_name if type_name in NODE_TYPES else None


def _node(b: Builder, f: Field) -> ColumnElement[Any]:
    return _node_by_id(b, f, b.arguments(f, frozenset({"id"}))["id"], None)


def _nodes(b: Builder, f: Field) -> ColumnElement[Any]:
    ids = b.arguments(f)["ids"]
    # The resolvers refuse more than MAX_NODES_IDS (100), which is also as many arguments as
    # json_build_array takes.
    if len(ids) > MAX_NODES_IDS:
        raise Fallback("too many ids")
    return func.json_build_array(*(_node_by_id(b, f, i, None) for i in ids))


def _funding_round(b: Builder, f: Field) -> ColumnElement[Any]:
    return _node_by_id(b, f, b.arguments(f, frozenset({"id"}))["id"], "FundingRound")


def _by_slug(type_name: str) -> RootCompiler:
    entity = NODE_TYPES[type_name].entity

    def compile_root(b: Builder, f: Field) -> ColumnElement[Any]:
        slug = b.arguments(f, frozenset({"slug"}))["slug"]
        if isinstance(slug, Sym):
            variable = slug.variable
            value: Any = b.param(lambda v: v[variable], String())
        else:
            value = literal(slug, String())
        statement = entity.base().where(entity.table.c.slug == value).limit(1)
        return b.single(type_name, statement, None, f.details)  # type: ignore[no-any-return]

    return compile_root


def _with_kind(node: FilterNode | None, kind: domain.OrganizationKind) -> FilterNode:
    """As the `investors` and `startups` resolvers: the kind leaf, then the given filter."""
    leaf: FilterNode = ("leaf", "kind", "in", (kind.value,))
    return ("and", (leaf,) if node is None else (leaf, node))


def _root_list(
    type_name: str,
    filtered: Callable[[Any], FilterNode | None] | None = None,
    kind: domain.OrganizationKind | None = None,
) -> RootCompiler:
    entity = NODE_TYPES[type_name].entity

    def compile_root(b: Builder, f: Field) -> ColumnElement[Any]:
        args = b.arguments(f, PAGING)
        node = _filter(filtered, args)
        if kind is not None:
            node = _with_kind(node, kind)
        order = order_terms(args.get("order_by"))
        return b.connection(f, args, type_name, entity, node, order, None, None)  # type: ignore[no-any-return]

    return compile_root


ROOT: dict[str, RootCompiler] = {
    "node": _node,
    "nodes": _nodes,
    "organization": _by_slug("Organization"),
    "organizations": _root_list("Organization", to_node),
    "investors": _root_list("Organization", to_node, domain.OrganizationKind.INVESTOR),
    "startups": _root_list("Organization", to_node, domain.OrganizationKind.STARTUP),
    "fundingRound": _funding_round,
    "fundingRounds": _root_list("FundingRound", to_node),
    "investments": _root_list("Investment", investment_filter_node),
    "creditTypes": _root_list("CreditType"),
    "creditPrograms": _root_list("CreditProgram"),
    "person": _by_slug("Person"),
    "people": _root_list("Person", to_node),
    "products": _root_list("Product", to_node),
    "events": _root_list("Event", to_node),
    "sources": _root_list("Source", to_node),
}
