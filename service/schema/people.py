"""People and the roles they hold at organizations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from service.repository.people import PERSON_FIELDS, PERSON_ROLE_FIELDS
from service.schema.common import PartialDate, RoleKind
from service.schema.filters import InvestmentFilter, InvestmentOrder
from service.schema.history import Version, Versioned
from service.schema.mapped import connection, field, history, reads
from service.schema.organizations import Organization
from service.schema.relay import Connection, Node

if TYPE_CHECKING:
    from service.schema.deal_people import InvestmentPerson
    from service.schema.events import Event
    from service.schema.rounds import Investment
    from service.schema.sources import Claim

P = PERSON_FIELDS
R = PERSON_ROLE_FIELDS


@strawberry.type(description="A person: executive, founder, analyst…")
@reads(P)
class Person(Node, Versioned):
    slug: str = field(P, "slug", "Stable identifier, e.g. `eddie-wu`.")
    name: str = field(P, "name", "Name in Latin script.")
    native_name: str | None = field(P, "nativeName", "Name in the person's own script.")
    description: str | None = field(P, "description", "A short description.")
    history: list[Version[Person]] = history(P)
    roles: list[PersonRole] = field(
        P, "roles", "Roles the person holds or held, in order of start."
    )
    investments: Connection[
        Annotated[InvestmentPerson, strawberry.lazy("service.schema.deal_people")]
    ] = connection(P, "investments", "Investments the person oversees or represents (F8).")
    events: Connection[Annotated[Event, strawberry.lazy("service.schema.events")]] = connection(
        P, "events", "Events the person takes part in, latest first."
    )
    angel_investments: Connection[
        Annotated[Investment, strawberry.lazy("service.schema.rounds")]
    ] = connection(
        P,
        "angelInvestments",
        "Investments the person made with their own money (as an angel), leads first by default.",
        filter_type=InvestmentFilter,
        order_type=InvestmentOrder,
    )


@strawberry.type(description="A role a person holds at an organization, over a period.")
@reads(R)
class PersonRole(Node, Versioned):
    kind: RoleKind = field(R, "kind", "Executive, founder, analyst…")
    title: str = field(R, "title", 'Title as reported, e.g. "Chief Executive".')
    started_on: PartialDate | None = field(R, "startedOn", "When the role began.")
    ended_on: PartialDate | None = field(R, "endedOn", "When it ended; null if current.")
    history: list[Version[PersonRole]] = history(R)
    person: Person = field(R, "person", "The person.")
    organization: Organization = field(R, "organization", "The organization.")
    claims: list[Annotated[Claim, strawberry.lazy("service.schema.sources")]] = field(
        R, "claims", "Claims supporting the role, with their sources."
    )
