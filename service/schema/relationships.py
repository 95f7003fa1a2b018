"""Relationships: typed, dated edges between organizations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from service.repository.relationships import RELATIONSHIP_FIELDS
from service.schema.common import PartialDate, RelationshipKind
from service.schema.history import Version, Versioned
from service.schema.mapped import field, history, reads
from service.schema.organizations import Organization
from service.schema.relay import Node

if TYPE_CHECKING:
    from service.schema.sources import Claim

R = RELATIONSHIP_FIELDS


@strawberry.type(
    description="A relationship from one organization (source) to another (target): "
    "subsidiary of, competes with, cloud provider of, partner of, local alternative to."
)
@reads(R)
class Relationship(Node, Versioned):
    kind: RelationshipKind = field(R, "kind", "The type of relationship.")
    started_on: PartialDate | None = field(R, "startedOn", "When it began.")
    ended_on: PartialDate | None = field(R, "endedOn", "When it ended, if it did.")
    description: str | None = field(R, "description", "Notes on the relationship.")
    history: list[Version[Relationship]] = history(R)
    source: Organization = field(R, "source", "The organization the relationship goes from.")
    target: Organization = field(R, "target", "The organization the relationship goes to.")
    claims: list[Annotated[Claim, strawberry.lazy("service.schema.sources")]] = field(
        R, "claims", "Claims supporting the relationship, with their sources."
    )
