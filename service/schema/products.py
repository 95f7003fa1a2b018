"""Products, and which product is a local alternative to which."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import asyncpg
import strawberry

from service.repository.products import PRODUCT_ALTERNATIVE_FIELDS, PRODUCT_FIELDS
from service.schema.common import PartialDate
from service.schema.history import Version, Versioned
from service.schema.mapped import field, history, reads
from service.schema.organizations import Organization
from service.schema.relay import Node

if TYPE_CHECKING:
    from service.schema.sources import Claim

P = PRODUCT_FIELDS
A = PRODUCT_ALTERNATIVE_FIELDS


@strawberry.type(description="A product built as a local alternative to another, in a market.")
@reads(A)
class ProductAlternative:
    row: strawberry.Private[asyncpg.Record]
    product: Product = field(A, "product", "The other product.")
    market: str | None = field(A, "market", "ISO 3166 country of the local market.")


@strawberry.type(description="A product made by an organization.")
@reads(P)
class Product(Node, Versioned):
    slug: str = field(P, "slug", "Stable identifier, e.g. `kimi`.")
    name: str = field(P, "name", "Display name.")
    category: str | None = field(P, "category", "What sort of product it is.")
    launched_on: PartialDate | None = field(P, "launchedOn", "When it launched.")
    description: str | None = field(P, "description", "A short description.")
    history: list[Version[Product]] = history(P)
    organization: Organization = field(P, "organization", "The organization that makes it.")
    alternative_to: list[ProductAlternative] = field(
        P, "alternativeTo", "Products this one is a local alternative to."
    )
    local_alternatives: list[ProductAlternative] = field(
        P, "localAlternatives", "Products built as local alternatives to this one."
    )
    claims: list[Annotated[Claim, strawberry.lazy("service.schema.sources")]] = field(
        P, "claims", "Claims supporting the product's facts, with their sources."
    )
