"""Compute assets (GPU holdings): entity, ordering and read model."""

from __future__ import annotations

from service.db import tables as t
from service.repository import readmodel as m
from service.repository.entities import Entity, plain

COMPUTE_ASSET = Entity(
    "compute_asset",
    t.compute_asset,
    plain(t.compute_asset),
    {},
    {"CHIP_MODEL": (t.compute_asset.c.chip_model, "text")},
    (("CHIP_MODEL", False),),
)

COMPUTE_ASSET_FIELDS = m.TypeMap(
    "ComputeAsset",
    COMPUTE_ASSET,
    {
        "chipModel": m.Value("chip_model"),
        "quantity": m.Value("quantity"),
        "quantityEstimated": m.Value("quantity_estimated"),
        "clusterSize": m.Value("cluster_size"),
        "regions": m.Value("regions"),
        "acquiredOn": m.PartialDate("acquired"),
        "description": m.Value("description"),
        "owner": m.ToOne("Organization", "owner_id"),
        "chipVendor": m.ToOne("Organization", "chip_vendor_id"),
        "claims": m.Claims("compute_asset_id"),
    },
)
