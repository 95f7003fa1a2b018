"""Dated happenings (an IPO plan cancelled, a regulatory campaign) and who took part."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import asyncpg
import strawberry

from service.repository import entities as e
from service.schema.claims_field import claims_of
from service.schema.common import EventKind, PartialDate, partial_date
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
from service.schema.organizations import Organization
from service.schema.relay import Node

if TYPE_CHECKING:
    from service.schema.sources import Claim

Info = strawberry.Info[Context, None]


@strawberry.type(description="An organization's part in an event.")
class EventParticipant:
    organization: Organization = strawberry.field(description="The organization.")
    role: str = strawberry.field(description="Its part, e.g. `subject`, `regulator`.")


@strawberry.type(description="A dated happening involving organizations.")
class Event(Node, Versioned):
    slug: str = strawberry.field(description="Stable identifier.")
    kind: EventKind = strawberry.field(description="The type of event.")
    title: str = strawberry.field(description="A one-line title.")
    description: str | None = strawberry.field(description="What happened.")
    occurred_on: PartialDate | None = strawberry.field(description="When, to the precision known.")
    pk: strawberry.Private[int]

    @staticmethod
    def from_row(row: asyncpg.Record) -> Event:
        return Event(
            id=strawberry.ID(encode_id("Event", row["id"])),
            slug=row["slug"],
            kind=EventKind(row["kind"]),
            title=row["title"],
            description=row["description"],
            occurred_on=partial_date(row, "occurred"),
            version=row["version"],
            recorded_at=row["recorded_at"],
            pk=row["id"],
        )

    @strawberry.field(description=HISTORY_DESCRIPTION)
    async def history(
        self, info: Info, first: HistoryFirst = DEFAULT_VERSIONS
    ) -> list[Version[Event]]:
        return await versions_of(info.context, e.EVENT, self.pk, Event.from_row, first)

    @strawberry.field(description="The organizations involved and their parts.")
    async def participants(self, info: Info) -> list[EventParticipant]:
        loaders = info.context.loaders
        links = await loaders.rows_by(e.EVENT_PARTICIPANT, "event_id").load(self.pk)
        rows = await loaders.row(e.ORGANIZATION).load_many([p["organization_id"] for p in links])
        return [
            EventParticipant(organization=Organization.from_row(row), role=link["role"])
            for link, row in zip(links, rows, strict=True)
            if row is not None
        ]

    @strawberry.field(description="Claims supporting the event, with their sources.")
    async def claims(
        self, info: Info
    ) -> list[Annotated[Claim, strawberry.lazy("service.schema.sources")]]:
        return await claims_of(info, "event_id", self.pk)
