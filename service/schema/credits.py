"""Credit types and credit programs: compute, GPU hours or promotion offered for equity."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import asyncpg
import strawberry

from service.db import tables as t
from service.repository import entities as e
from service.schema.claims_field import claims_of
from service.schema.common import ConsiderationKind, CreditUnit, PartialDate, partial_date
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
from service.schema.relay import (
    After,
    Before,
    Connection,
    First,
    Last,
    Node,
    column_children,
    page_args,
)

if TYPE_CHECKING:
    from service.schema.sources import Claim

Info = strawberry.Info[Context, None]


@strawberry.type(description="A kind of credit: cloud compute, GPU hours, traffic promotion…")
class CreditType(Node, Versioned):
    slug: str = strawberry.field(description="Stable identifier, e.g. `cloud-compute-credits`.")
    name: str = strawberry.field(description="Display name.")
    consideration_kind: ConsiderationKind = strawberry.field(
        description="The consideration kind credits of this type count as."
    )
    unit: CreditUnit = strawberry.field(description="What the credits are counted in.")
    description: str | None = strawberry.field(description="What the credits buy.")
    pk: strawberry.Private[int]

    @staticmethod
    def from_row(row: asyncpg.Record) -> CreditType:
        return CreditType(
            id=strawberry.ID(encode_id("CreditType", row["id"])),
            slug=row["slug"],
            name=row["name"],
            consideration_kind=ConsiderationKind(row["consideration_kind"]),
            unit=CreditUnit(row["unit"]),
            description=row["description"],
            version=row["version"],
            recorded_at=row["recorded_at"],
            pk=row["id"],
        )

    @strawberry.field(description=HISTORY_DESCRIPTION)
    async def history(
        self, info: Info, first: HistoryFirst = DEFAULT_VERSIONS
    ) -> list[Version[CreditType]]:
        return await versions_of(info.context, e.CREDIT_TYPE, self.pk, CreditType.from_row, first)

    @strawberry.field(description="Programs offering credits of this type.")
    async def programs(
        self,
        info: Info,
        first: First = None,
        last: Last = None,
        after: After = None,
        before: Before = None,
    ) -> Connection[Annotated[CreditProgram, strawberry.lazy("service.schema.credits")]]:
        return await column_children(
            info.context,
            e.CREDIT_PROGRAM,
            "credit_type",
            t.credit_program.c.credit_type_id,
            self.pk,
            CreditProgram.from_row,
            page_args(info.context, first, last, after, before),
        )


@strawberry.type(
    description="A provider's standing offer of credits in exchange for equity "
    "(e.g. Xiaohongshu's traffic promotion for equity)."
)
class CreditProgram(Node, Versioned):
    slug: str = strawberry.field(description="Stable identifier.")
    name: str = strawberry.field(description="Display name.")
    in_exchange_for: str = strawberry.field(description="What the provider asks in return.")
    terms: str | None = strawberry.field(description="Known terms of the offer.")
    started_on: PartialDate | None = strawberry.field(description="When the offer began.")
    ended_on: PartialDate | None = strawberry.field(description="When the offer ended.")
    pk: strawberry.Private[int]
    provider_pk: strawberry.Private[int]
    credit_type_pk: strawberry.Private[int]

    @staticmethod
    def from_row(row: asyncpg.Record) -> CreditProgram:
        return CreditProgram(
            id=strawberry.ID(encode_id("CreditProgram", row["id"])),
            slug=row["slug"],
            name=row["name"],
            in_exchange_for=row["in_exchange_for"],
            terms=row["terms"],
            started_on=partial_date(row, "started"),
            ended_on=partial_date(row, "ended"),
            version=row["version"],
            recorded_at=row["recorded_at"],
            pk=row["id"],
            provider_pk=row["provider_id"],
            credit_type_pk=row["credit_type_id"],
        )

    @strawberry.field(description=HISTORY_DESCRIPTION)
    async def history(
        self, info: Info, first: HistoryFirst = DEFAULT_VERSIONS
    ) -> list[Version[CreditProgram]]:
        return await versions_of(
            info.context, e.CREDIT_PROGRAM, self.pk, CreditProgram.from_row, first
        )

    @strawberry.field(description="The organization offering the credits.")
    async def provider(self, info: Info) -> Organization:
        return await require_organization(info.context, self.provider_pk)

    @strawberry.field(description="The type of credit offered.")
    async def credit_type(self, info: Info) -> CreditType:
        row = await info.context.loaders.row(e.CREDIT_TYPE).load(self.credit_type_pk)
        if row is None:
            raise LookupError(f"credit type {self.credit_type_pk} vanished")
        return CreditType.from_row(row)

    @strawberry.field(description="Claims supporting the program, with their sources.")
    async def claims(
        self, info: Info
    ) -> list[Annotated[Claim, strawberry.lazy("service.schema.sources")]]:
        return await claims_of(info, "credit_program_id", self.pk)
