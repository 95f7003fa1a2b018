"""Compute assets: GPU holdings by chip model, quantity and region."""

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
from service.schema.organizations import Organization, load_organization, require_organization
from service.schema.relay import Node

if TYPE_CHECKING:
    from service.schema.sources import Claim

Info = strawberry.Info[Context, None]


@strawberry.type(description="GPUs or other compute an organization holds.")
class ComputeAsset(Node, Versioned):
    chip_model: str = strawberry.field(description="Chip model, e.g. `H800`.")
    quantity: int | None = strawberry.field(description="Number of chips; null if unknown.")
    quantity_estimated: bool = strawberry.field(description="True if the quantity is estimated.")
    cluster_size: int | None = strawberry.field(description="Largest cluster, in chips.")
    regions: list[str] = strawberry.field(description="Where the chips are.")
    acquired_on: PartialDate | None = strawberry.field(description="When they were acquired.")
    description: str | None = strawberry.field(description="Notes on the holding.")
    pk: strawberry.Private[int]
    owner_pk: strawberry.Private[int]
    vendor_pk: strawberry.Private[int | None]

    @staticmethod
    def from_row(row: asyncpg.Record) -> ComputeAsset:
        return ComputeAsset(
            id=strawberry.ID(encode_id("ComputeAsset", row["id"])),
            chip_model=row["chip_model"],
            quantity=row["quantity"],
            quantity_estimated=row["quantity_estimated"],
            cluster_size=row["cluster_size"],
            regions=list(row["regions"]),
            acquired_on=partial_date(row, "acquired"),
            description=row["description"],
            version=row["version"],
            recorded_at=row["recorded_at"],
            pk=row["id"],
            owner_pk=row["owner_id"],
            vendor_pk=row["chip_vendor_id"],
        )

    @strawberry.field(description=HISTORY_DESCRIPTION)
    async def history(
        self, info: Info, first: HistoryFirst = DEFAULT_VERSIONS
    ) -> list[Version[ComputeAsset]]:
        return await versions_of(
            info.context, e.COMPUTE_ASSET, self.pk, ComputeAsset.from_row, first
        )

    @strawberry.field(description="Who holds the compute.")
    async def owner(self, info: Info) -> Organization:
        return await require_organization(info.context, self.owner_pk)

    @strawberry.field(description="Who made the chips.")
    async def chip_vendor(self, info: Info) -> Organization | None:
        return await load_organization(info.context, self.vendor_pk)

    @strawberry.field(description="Claims supporting the holding, with their sources.")
    async def claims(
        self, info: Info
    ) -> list[Annotated[Claim, strawberry.lazy("service.schema.sources")]]:
        return await claims_of(info, "compute_asset_id", self.pk)
