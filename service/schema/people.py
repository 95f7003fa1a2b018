"""People and the roles they hold at organizations over time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import asyncpg
import strawberry

from service.repository import entities as e
from service.schema.claims_field import claims_of
from service.schema.common import PartialDate, RoleKind, partial_date
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


@strawberry.type(description="A person: executive, founder, analyst…")
class Person(Node, Versioned):
    slug: str = strawberry.field(description="Stable identifier, e.g. `eddie-wu`.")
    name: str = strawberry.field(description="Name in Latin script.")
    native_name: str | None = strawberry.field(description="Name in the person's own script.")
    description: str | None = strawberry.field(description="A short description.")
    pk: strawberry.Private[int]

    @staticmethod
    def from_row(row: asyncpg.Record) -> Person:
        return Person(
            id=strawberry.ID(encode_id("Person", row["id"])),
            slug=row["slug"],
            name=row["name"],
            native_name=row["native_name"],
            description=row["description"],
            version=row["version"],
            recorded_at=row["recorded_at"],
            pk=row["id"],
        )

    @strawberry.field(description=HISTORY_DESCRIPTION)
    async def history(
        self, info: Info, first: HistoryFirst = DEFAULT_VERSIONS
    ) -> list[Version[Person]]:
        return await versions_of(info.context, e.PERSON, self.pk, Person.from_row, first)

    @strawberry.field(description="Roles the person holds or held, in order of start.")
    async def roles(self, info: Info) -> list[PersonRole]:
        rows = await info.context.loaders.rows_by(e.PERSON_ROLE, "person_id").load(self.pk)
        return [PersonRole.from_row(r) for r in rows]


@strawberry.type(description="A role a person holds at an organization, over a period.")
class PersonRole(Node, Versioned):
    kind: RoleKind = strawberry.field(description="Executive, founder, analyst…")
    title: str = strawberry.field(description='Title as reported, e.g. "Chief Executive".')
    started_on: PartialDate | None = strawberry.field(description="When the role began.")
    ended_on: PartialDate | None = strawberry.field(description="When it ended; null if current.")
    pk: strawberry.Private[int]
    person_pk: strawberry.Private[int]
    organization_pk: strawberry.Private[int]

    @staticmethod
    def from_row(row: asyncpg.Record) -> PersonRole:
        return PersonRole(
            id=strawberry.ID(encode_id("PersonRole", row["id"])),
            kind=RoleKind(row["kind"]),
            title=row["title"],
            started_on=partial_date(row, "started"),
            ended_on=partial_date(row, "ended"),
            version=row["version"],
            recorded_at=row["recorded_at"],
            pk=row["id"],
            person_pk=row["person_id"],
            organization_pk=row["organization_id"],
        )

    @strawberry.field(description=HISTORY_DESCRIPTION)
    async def history(
        self, info: Info, first: HistoryFirst = DEFAULT_VERSIONS
    ) -> list[Version[PersonRole]]:
        return await versions_of(info.context, e.PERSON_ROLE, self.pk, PersonRole.from_row, first)

    @strawberry.field(description="The person.")
    async def person(self, info: Info) -> Person:
        row = await info.context.loaders.row(e.PERSON).load(self.person_pk)
        if row is None:
            raise LookupError(f"person {self.person_pk} vanished")
        return Person.from_row(row)

    @strawberry.field(description="The organization.")
    async def organization(self, info: Info) -> Organization:
        return await require_organization(info.context, self.organization_pk)

    @strawberry.field(description="Claims supporting the role, with their sources.")
    async def claims(
        self, info: Info
    ) -> list[Annotated[Claim, strawberry.lazy("service.schema.sources")]]:
        return await claims_of(info, "person_role_id", self.pk)
