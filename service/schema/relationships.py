"""Typed, dated edges between organizations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import asyncpg
import strawberry

from service.repository import entities as e
from service.schema.claims_field import claims_of
from service.schema.common import PartialDate, RelationshipKind, partial_date
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


@strawberry.type(
    description="A relationship from one organization (source) to another (target): "
    "subsidiary of, competes with, cloud provider of, partner of, local alternative to."
)
class Relationship(Node, Versioned):
    kind: RelationshipKind = strawberry.field(description="The type of relationship.")
    started_on: PartialDate | None = strawberry.field(description="When it began.")
    ended_on: PartialDate | None = strawberry.field(description="When it ended, if it did.")
    description: str | None = strawberry.field(description="Notes on the relationship.")
    pk: strawberry.Private[int]
    source_pk: strawberry.Private[int]
    target_pk: strawberry.Private[int]

    @staticmethod
    def from_row(row: asyncpg.Record) -> Relationship:
        return Relationship(
            id=strawberry.ID(encode_id("Relationship", row["id"])),
            kind=RelationshipKind(row["kind"]),
            started_on=partial_date(row, "started"),
            ended_on=partial_date(row, "ended"),
            description=row["description"],
            version=row["version"],
            recorded_at=row["recorded_at"],
            pk=row["id"],
            source_pk=row["source_id"],
            target_pk=row["target_id"],
        )

    @strawberry.field(description=HISTORY_DESCRIPTION)
    async def history(
        self, info: Info, first: HistoryFirst = DEFAULT_VERSIONS
    ) -> list[Version[Relationship]]:
        return await versions_of(
            info.context, e.RELATIONSHIP, self.pk, Relationship.from_row, first
        )

    @strawberry.field(description="The organization the relationship goes from.")
    async def source(self, info: Info) -> Organization:
        return await require_organization(info.context, self.source_pk)

    @strawberry.field(description="The organization the relationship goes to.")
    async def target(self, info: Info) -> Organization:
        return await require_organization(info.context, self.target_pk)

    @strawberry.field(description="Claims supporting the relationship, with their sources.")
    async def claims(
        self, info: Info
    ) -> list[Annotated[Claim, strawberry.lazy("service.schema.sources")]]:
        return await claims_of(info, "relationship_id", self.pk)
