"""Global-ID resolution: which type an ID names and how to load it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import asyncpg

from service.repository import entities as e
from service.schema.common import Name
from service.schema.compute import ComputeAsset
from service.schema.context import Context
from service.schema.credits import CreditProgram, CreditType
from service.schema.events import Event
from service.schema.ids import GlobalIdError, decode_id
from service.schema.organizations import Organization
from service.schema.people import Person, PersonRole
from service.schema.products import Product
from service.schema.relationships import Relationship
from service.schema.relay import Node
from service.schema.rounds import ConsiderationComponent, FundingRound, Investment
from service.schema.sources import Claim, Source


@dataclass(frozen=True)
class NodeType:
    entity: e.Entity
    make: Callable[[asyncpg.Record], Any]


NODE_TYPES: dict[str, NodeType] = {
    "Organization": NodeType(e.ORGANIZATION, Organization.from_row),
    "Name": NodeType(e.ORGANIZATION_NAME, Name.from_row),
    "Person": NodeType(e.PERSON, Person.from_row),
    "PersonRole": NodeType(e.PERSON_ROLE, PersonRole.from_row),
    "Product": NodeType(e.PRODUCT, Product.from_row),
    "FundingRound": NodeType(e.FUNDING_ROUND, FundingRound.from_row),
    "Investment": NodeType(e.INVESTMENT, Investment.from_row),
    "ConsiderationComponent": NodeType(e.CONSIDERATION_COMPONENT, ConsiderationComponent.from_row),
    "CreditType": NodeType(e.CREDIT_TYPE, CreditType.from_row),
    "CreditProgram": NodeType(e.CREDIT_PROGRAM, CreditProgram.from_row),
    "Relationship": NodeType(e.RELATIONSHIP, Relationship.from_row),
    "ComputeAsset": NodeType(e.COMPUTE_ASSET, ComputeAsset.from_row),
    "Event": NodeType(e.EVENT, Event.from_row),
    "Source": NodeType(e.SOURCE, Source.from_row),
    "Claim": NodeType(e.CLAIM, Claim.from_row),
}

_BY_TABLE = {node_type.entity.name: node_type for node_type in NODE_TYPES.values()}


async def load_node(context: Context, global_id: str) -> Node | None:
    """The object an ID names; None for a well-formed ID of nothing that exists."""
    type_name, pk = decode_id(global_id)
    node_type = NODE_TYPES.get(type_name)
    if node_type is None:
        raise GlobalIdError(f"{global_id!r} is not a valid ID")
    row = await context.loaders.row(node_type.entity).load(pk)
    return node_type.make(row) if row is not None else None


async def load_node_by_pk(context: Context, table: str, pk: int) -> Node | None:
    node_type = _BY_TABLE[table]
    row = await context.loaders.row(node_type.entity).load(pk)
    return node_type.make(row) if row is not None else None
