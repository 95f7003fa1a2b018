"""Every type's read model and every root field, gathered: what both executors derive from."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from service import domain
from service.db import tables as t
from service.repository.acquisitions import ACQUISITION_COMPONENT_FIELDS, ACQUISITION_FIELDS
from service.repository.compute import COMPUTE_ASSET_FIELDS
from service.repository.credits import CREDIT_PROGRAM_FIELDS, CREDIT_TYPE_FIELDS
from service.repository.deal_people import INVESTMENT_PERSON_FIELDS
from service.repository.entities import Entity
from service.repository.events import EVENT_FIELDS, EVENT_PARTICIPANT_FIELDS, EVENT_PERSON_FIELDS
from service.repository.exits import EXIT_FIELDS
from service.repository.funds import (
    FUND_COMMITMENT_FIELDS,
    FUND_FIELDS,
    FUND_INVESTMENT_FIELDS,
)
from service.repository.listings import LISTING_FIELDS
from service.repository.organizations import NAME_FIELDS, ORGANIZATION_FIELDS
from service.repository.people import PERSON_FIELDS, PERSON_ROLE_FIELDS
from service.repository.products import PRODUCT_ALTERNATIVE_FIELDS, PRODUCT_FIELDS
from service.repository.readmodel import TypeMap
from service.repository.relationships import RELATIONSHIP_FIELDS
from service.repository.rounds import (
    CONSIDERATION_COMPONENT_FIELDS,
    FUNDING_ROUND_FIELDS,
    INVESTMENT_FIELDS,
)
from service.repository.sources import CLAIM_FIELDS, SOURCE_FIELDS
from service.repository.valuations import VALUATION_FIELDS

TYPE_MAPS: dict[str, TypeMap] = {
    m.type_name: m
    for m in (
        ORGANIZATION_FIELDS,
        NAME_FIELDS,
        PERSON_FIELDS,
        PERSON_ROLE_FIELDS,
        PRODUCT_FIELDS,
        PRODUCT_ALTERNATIVE_FIELDS,
        FUNDING_ROUND_FIELDS,
        INVESTMENT_FIELDS,
        CONSIDERATION_COMPONENT_FIELDS,
        CREDIT_TYPE_FIELDS,
        CREDIT_PROGRAM_FIELDS,
        RELATIONSHIP_FIELDS,
        COMPUTE_ASSET_FIELDS,
        EVENT_FIELDS,
        EVENT_PARTICIPANT_FIELDS,
        EVENT_PERSON_FIELDS,
        SOURCE_FIELDS,
        CLAIM_FIELDS,
        ACQUISITION_FIELDS,
        ACQUISITION_COMPONENT_FIELDS,
        LISTING_FIELDS,
        VALUATION_FIELDS,
        FUND_FIELDS,
        FUND_COMMITMENT_FIELDS,
        FUND_INVESTMENT_FIELDS,
        EXIT_FIELDS,
        INVESTMENT_PERSON_FIELDS,
    )
}

# Types whose records a global ID can name.
NODE_TYPES: dict[str, TypeMap] = {name: m for name, m in TYPE_MAPS.items() if m.node}

# The node type of each table, for links that name a table (a claim's subject).
TYPE_OF_TABLE: dict[str, str] = {m.entity.name: name for name, m in NODE_TYPES.items()}


def subject_of(link: asyncpg.Record) -> tuple[str, int] | None:
    """The type and key of the record a claim-subject link names (its first non-null column)."""
    for column, table in t.CLAIM_SUBJECTS.items():
        if link[column] is not None:
            return TYPE_OF_TABLE[table], int(link[column])
    return None


def entity_of(type_name: str) -> Entity:
    return TYPE_MAPS[type_name].entity


# -- root fields ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NodeById:
    """``node(id:)``, or a root field for one type by its global ID (``type_name``)."""

    type_name: str | None = None


@dataclass(frozen=True)
class NodesByIds:
    """``nodes(ids:)``: up to ``MAX_NODES_IDS`` objects, in the order asked, null for none."""


@dataclass(frozen=True)
class BySlug:
    type_name: str


@dataclass(frozen=True)
class RootList:
    """A root connection of ``type_name``; ``filtered``: it takes ``filter``, ``ordered``:
    ``orderBy``; ``kind``: only organizations of that kind."""

    type_name: str
    filtered: bool = False
    ordered: bool = False
    kind: domain.OrganizationKind | None = None


RootField = NodeById | NodesByIds | BySlug | RootList

MAX_NODES_IDS = 100

ROOT_FIELDS: dict[str, RootField] = {
    "node": NodeById(),
    "nodes": NodesByIds(),
    "organization": BySlug("Organization"),
    "organizations": RootList("Organization", filtered=True, ordered=True),
    "investors": RootList(
        "Organization", filtered=True, ordered=True, kind=domain.OrganizationKind.INVESTOR
    ),
    "startups": RootList(
        "Organization", filtered=True, ordered=True, kind=domain.OrganizationKind.STARTUP
    ),
    "fundingRound": NodeById("FundingRound"),
    "fundingRounds": RootList("FundingRound", filtered=True, ordered=True),
    "investments": RootList("Investment", filtered=True, ordered=True),
    "creditTypes": RootList("CreditType"),
    "creditPrograms": RootList("CreditProgram"),
    "person": BySlug("Person"),
    "people": RootList("Person", filtered=True),
    "products": RootList("Product", filtered=True),
    "events": RootList("Event", filtered=True),
    "sources": RootList("Source", filtered=True),
    "acquisitions": RootList("Acquisition", filtered=True, ordered=True),
    "listings": RootList("Listing", filtered=True, ordered=True),
    "valuations": RootList("Valuation", filtered=True, ordered=True),
    "fund": BySlug("Fund"),
    "funds": RootList("Fund", filtered=True, ordered=True),
    "exits": RootList("Exit", filtered=True, ordered=True),
}
