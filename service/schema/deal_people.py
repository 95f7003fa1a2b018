"""People on deals: who oversees or represents an investor on an investment."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from service.repository.deal_people import INVESTMENT_PERSON_FIELDS
from service.schema.common import DealRole
from service.schema.history import Version, Versioned
from service.schema.mapped import field, history, reads
from service.schema.relay import Node

if TYPE_CHECKING:
    from service.schema.people import Person
    from service.schema.rounds import Investment
    from service.schema.sources import Claim

P = INVESTMENT_PERSON_FIELDS


@strawberry.type(
    description="A person's part in an investment for the investor: overseeing it, "
    "representing the investor, or sitting on the investee's board."
)
@reads(P)
class InvestmentPerson(Node, Versioned):
    role: DealRole = field(P, "role", "The person's part.")
    description: str | None = field(P, "description", "Notes, as reported.")
    history: list[Version[InvestmentPerson]] = history(P)
    person: Annotated[Person, strawberry.lazy("service.schema.people")] = field(
        P, "person", "The person."
    )
    investment: Annotated[Investment, strawberry.lazy("service.schema.rounds")] = field(
        P, "investment", "The investment."
    )
    claims: list[Annotated[Claim, strawberry.lazy("service.schema.sources")]] = field(
        P, "claims", "Claims supporting the link, with their sources."
    )
