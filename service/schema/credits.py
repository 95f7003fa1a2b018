"""Credit types and credit programs: compute, GPU hours or promotion offered for equity."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from service.repository.credits import CREDIT_PROGRAM_FIELDS, CREDIT_TYPE_FIELDS
from service.schema.common import ConsiderationKind, CreditUnit, PartialDate
from service.schema.history import Version, Versioned
from service.schema.mapped import connection, field, history, reads
from service.schema.organizations import Organization
from service.schema.relay import Connection, Node

if TYPE_CHECKING:
    from service.schema.sources import Claim

T = CREDIT_TYPE_FIELDS
P = CREDIT_PROGRAM_FIELDS


@strawberry.type(description="A kind of credit: cloud compute, GPU hours, traffic promotion…")
@reads(T)
class CreditType(Node, Versioned):
    slug: str = field(T, "slug", "Stable identifier, e.g. `cloud-compute-credits`.")
    name: str = field(T, "name", "Display name.")
    consideration_kind: ConsiderationKind = field(
        T, "considerationKind", "The consideration kind credits of this type count as."
    )
    unit: CreditUnit = field(T, "unit", "What the credits are counted in.")
    description: str | None = field(T, "description", "What the credits buy.")
    history: list[Version[CreditType]] = history(T)
    programs: Connection[CreditProgram] = connection(
        T, "programs", "Programs offering credits of this type."
    )


@strawberry.type(
    description="A provider's standing offer of credits in exchange for equity "
    "(e.g. Xiaohongshu's traffic promotion for equity)."
)
@reads(P)
class CreditProgram(Node, Versioned):
    slug: str = field(P, "slug", "Stable identifier.")
    name: str = field(P, "name", "Display name.")
    in_exchange_for: str = field(P, "inExchangeFor", "What the provider asks in return.")
    terms: str | None = field(P, "terms", "Known terms of the offer.")
    started_on: PartialDate | None = field(P, "startedOn", "When the offer began.")
    ended_on: PartialDate | None = field(P, "endedOn", "When the offer ended.")
    history: list[Version[CreditProgram]] = history(P)
    provider: Organization = field(P, "provider", "The organization offering the credits.")
    credit_type: CreditType = field(P, "creditType", "The type of credit offered.")
    claims: list[Annotated[Claim, strawberry.lazy("service.schema.sources")]] = field(
        P, "claims", "Claims supporting the program, with their sources."
    )
