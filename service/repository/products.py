"""Products and which is a local alternative to which: entities, filter leaves, orderings and
read model."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from service.db import tables as t
from service.repository import readmodel as m
from service.repository.conditions import Leaf, eq_in, org_match, recorded_since, text_match
from service.repository.entities import Entity, plain

PRODUCT_LEAVES: dict[str, Leaf] = {
    "id": eq_in(t.product.c.id),
    "slug": eq_in(t.product.c.slug),
    "name": text_match(t.product.c.name),
    "organization": org_match(t.product.c.organization_id),
    "updatedSince": recorded_since(t.product),
}

PRODUCT = Entity(
    "product",
    t.product,
    plain(t.product),
    PRODUCT_LEAVES,
    {"NAME": (t.product.c.name, "text")},
    (("NAME", False),),
)

PRODUCT_ALTERNATIVE = Entity(
    "product_alternative", t.product_alternative, plain(t.product_alternative)
)


def _links(other: str) -> Any:
    """The link rows with the product at their other end as ``other_id``."""

    def statement() -> Select[Any]:
        links = t.product_alternative
        return select(links, links.c[other].label("other_id"))

    return statement


PRODUCT_FIELDS = m.TypeMap(
    "Product",
    PRODUCT,
    {
        "slug": m.Value("slug"),
        "name": m.Value("name"),
        "category": m.Value("category"),
        "launchedOn": m.PartialDate("launched"),
        "description": m.Value("description"),
        "organization": m.ToOne("Organization", "organization_id"),
        "alternativeTo": m.Rows(
            "ProductAlternative",
            "product_id",
            ("product_id", "alternative_to_id"),
            _links("alternative_to_id"),
        ),
        "localAlternatives": m.Rows(
            "ProductAlternative",
            "alternative_to_id",
            ("product_id", "alternative_to_id"),
            _links("product_id"),
        ),
        "claims": m.Claims("product_id"),
    },
)

PRODUCT_ALTERNATIVE_FIELDS = m.TypeMap(
    "ProductAlternative",
    PRODUCT_ALTERNATIVE,
    {"product": m.ToOne("Product", "other_id"), "market": m.Value("market")},
    node=False,
)
