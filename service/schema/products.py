"""Products (Kimi, ChatGPT…) and which are local alternatives to which."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import asyncpg
import strawberry

from service.repository import entities as e
from service.schema.claims_field import claims_of
from service.schema.common import PartialDate, partial_date
from service.schema.context import Context
from service.schema.history import (
    DEFAULT_VERSIONS,
    HISTORY_DESCRIPTION,
    HistoryFirst,
    Version,
    Versioned,
    versions_of,
)
from service.schema.ids import encode_id
from service.schema.organizations import Organization, require_organization
from service.schema.relay import Node

if TYPE_CHECKING:
    from service.schema.sources import Claim

Info = strawberry.Info[Context, None]


@strawberry.type(description="A product built as a local alternative to another, in a market.")
class ProductAlternative:
    product: Product = strawberry.field(description="The other product.")
    market: str | None = strawberry.field(description="ISO 3166 country of the local market.")


@strawberry.type(description="A product made by an organization.")
class Product(Node, Versioned):
    slug: str = strawberry.field(description="Stable identifier, e.g. `kimi`.")
    name: str = strawberry.field(description="Display name.")
    category: str | None = strawberry.field(description="What sort of product it is.")
    launched_on: PartialDate | None = strawberry.field(description="When it launched.")
    description: str | None = strawberry.field(description="A short description.")
    pk: strawberry.Private[int]
    organization_pk: strawberry.Private[int]

    @staticmethod
    def from_row(row: asyncpg.Record) -> Product:
        return Product(
            id=strawberry.ID(encode_id("Product", row["id"])),
            slug=row["slug"],
            name=row["name"],
            category=row["category"],
            launched_on=partial_date(row, "launched"),
            description=row["description"],
            version=row["version"],
            recorded_at=row["recorded_at"],
            pk=row["id"],
            organization_pk=row["organization_id"],
        )

    @strawberry.field(description=HISTORY_DESCRIPTION)
    async def history(
        self, info: Info, first: HistoryFirst = DEFAULT_VERSIONS
    ) -> list[Version[Product]]:
        return await versions_of(info.context, e.PRODUCT, self.pk, Product.from_row, first)

    @strawberry.field(description="The organization that makes it.")
    async def organization(self, info: Info) -> Organization:
        return await require_organization(info.context, self.organization_pk)

    @strawberry.field(description="Products this one is a local alternative to.")
    async def alternative_to(self, info: Info) -> list[ProductAlternative]:
        return await _linked(info, "product_id", "alternative_to_id", self.pk)

    @strawberry.field(description="Products built as local alternatives to this one.")
    async def local_alternatives(self, info: Info) -> list[ProductAlternative]:
        return await _linked(info, "alternative_to_id", "product_id", self.pk)

    @strawberry.field(description="Claims supporting the product's facts, with their sources.")
    async def claims(
        self, info: Info
    ) -> list[Annotated[Claim, strawberry.lazy("service.schema.sources")]]:
        return await claims_of(info, "product_id", self.pk)


async def _linked(info: Info, own: str, other: str, pk: int) -> list[ProductAlternative]:
    links = await info.context.loaders.rows_by(e.PRODUCT_ALTERNATIVE, own).load(pk)
    rows = await info.context.loaders.row(e.PRODUCT).load_many([link[other] for link in links])
    return [
        ProductAlternative(product=Product.from_row(row), market=link["market"])
        for link, row in zip(links, rows, strict=True)
        if row is not None
    ]
