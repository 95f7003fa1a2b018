"""Events: dated happenings and the organizations and people involved."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import asyncpg
import strawberry

from service.repository.events import EVENT_FIELDS, EVENT_PARTICIPANT_FIELDS, EVENT_PERSON_FIELDS
from service.schema.common import EventKind, PartialDate
from service.schema.history import Version, Versioned
from service.schema.mapped import field, history, reads
from service.schema.organizations import Organization
from service.schema.relay import Node

if TYPE_CHECKING:
    from service.schema.people import Person
    from service.schema.sources import Claim

E = EVENT_FIELDS
P = EVENT_PARTICIPANT_FIELDS
EP = EVENT_PERSON_FIELDS


@strawberry.type(description="An organization's part in an event.")
@reads(P)
class EventParticipant:
    row: strawberry.Private[asyncpg.Record]
    organization: Organization = field(P, "organization", "The organization.")
    role: str = field(P, "role", "Its part, e.g. `subject`, `regulator`.")


@strawberry.type(description="A person's part in an event.")
@reads(EP)
class EventPerson:
    row: strawberry.Private[asyncpg.Record]
    person: Annotated[Person, strawberry.lazy("service.schema.people")] = field(
        EP, "person", "The person."
    )
    role: str = field(EP, "role", "Their part, e.g. `appointed`, `questioned`.")


@strawberry.type(description="A dated happening involving organizations and people.")
@reads(E)
class Event(Node, Versioned):
    slug: str = field(E, "slug", "Stable identifier.")
    kind: EventKind = field(E, "kind", "The type of event.")
    title: str = field(E, "title", "A one-line title.")
    description: str | None = field(E, "description", "What happened.")
    occurred_on: PartialDate | None = field(E, "occurredOn", "When, to the precision known.")
    history: list[Version[Event]] = history(E)
    participants: list[EventParticipant] = field(
        E, "participants", "The organizations involved and their parts."
    )
    people: list[EventPerson] = field(E, "people", "The people involved and their parts.")
    claims: list[Annotated[Claim, strawberry.lazy("service.schema.sources")]] = field(
        E, "claims", "Claims supporting the event, with their sources."
    )
