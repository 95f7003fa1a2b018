"""Compute assets: the GPUs an organization holds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from service.repository.compute import COMPUTE_ASSET_FIELDS
from service.schema.common import PartialDate
from service.schema.history import Version, Versioned
from service.schema.mapped import field, history, reads
from service.schema.organizations import Organization
from service.schema.relay import Node

if TYPE_CHECKING:
    from service.schema.sources import Claim

A = COMPUTE_ASSET_FIELDS


@strawberry.type(description="GPUs or other compute an organization holds.")
@reads(A)
class ComputeAsset(Node, Versioned):
    chip_model: str = field(A, "chipModel", "Chip model, e.g. `H800`.")
    quantity: int | None = field(A, "quantity", "Number of chips; null if unknown.")
    quantity_estimated: bool = field(A, "quantityEstimated", "True if the quantity is estimated.")
    cluster_size: int | None = field(A, "clusterSize", "Largest cluster, in chips.")
    regions: list[str] = field(A, "regions", "Where the chips are.")
    acquired_on: PartialDate | None = field(A, "acquiredOn", "When they were acquired.")
    description: str | None = field(A, "description", "Notes on the holding.")
    history: list[Version[ComputeAsset]] = history(A)
    owner: Organization = field(A, "owner", "Who holds the compute.")
    chip_vendor: Organization | None = field(A, "chipVendor", "Who made the chips.")
    claims: list[Annotated[Claim, strawberry.lazy("service.schema.sources")]] = field(
        A, "claims", "Claims supporting the holding, with their sources."
    )
