"""Sources and claims: every fact links to the claims that support it."""

from __future__ import annotations

from decimal import Decimal

import asyncpg
import strawberry

from service.db import tables as t
from service.repository import entities as e
from service.schema.common import (
    Attribution,
    PartialDate,
    SourceKind,
    Stance,
    partial_date,
)
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
from service.schema.organizations import Organization, load_organization
from service.schema.people import Person
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
from service.values import format_decimal

Info = strawberry.Info[Context, None]


@strawberry.type(description="Where facts come from: an article, a filing, a report.")
class Source(Node, Versioned):
    slug: str = strawberry.field(description="Stable identifier.")
    kind: SourceKind = strawberry.field(description="The type of source.")
    publisher: str = strawberry.field(description="Who published it, e.g. `Financial Times`.")
    title: str = strawberry.field(description="Its title.")
    language: str = strawberry.field(description="BCP 47 tag of the copy held.")
    url: str | None = strawberry.field(description="Where it can be read, if known.")
    published_on: PartialDate | None = strawberry.field(
        description="When it was published; null if the source gives no date."
    )
    description: str | None = strawberry.field(description="Notes on the source.")
    pk: strawberry.Private[int]

    @staticmethod
    def from_row(row: asyncpg.Record) -> Source:
        return Source(
            id=strawberry.ID(encode_id("Source", row["id"])),
            slug=row["slug"],
            kind=SourceKind(row["kind"]),
            publisher=row["publisher"],
            title=row["title"],
            language=row["language"],
            url=row["url"],
            published_on=partial_date(row, "published"),
            description=row["description"],
            version=row["version"],
            recorded_at=row["recorded_at"],
            pk=row["id"],
        )

    @strawberry.field(description=HISTORY_DESCRIPTION)
    async def history(
        self, info: Info, first: HistoryFirst = DEFAULT_VERSIONS
    ) -> list[Version[Source]]:
        return await versions_of(info.context, e.SOURCE, self.pk, Source.from_row, first)

    @strawberry.field(description="The claims this source makes.")
    async def claims(
        self,
        info: Info,
        first: First = None,
        last: Last = None,
        after: After = None,
        before: Before = None,
    ) -> Connection[Claim]:
        return await column_children(
            info.context,
            e.CLAIM,
            "source",
            t.claim.c.source_id,
            self.pk,
            Claim.from_row,
            page_args(info.context, first, last, after, before),
        )


@strawberry.type(
    description="A statement in a source, attributed to someone, supporting one fact. "
    '"Declined to comment" is a claim too (see `stance`).'
)
class Claim(Node, Versioned):
    fact_ref: str | None = strawberry.field(
        description="The source's own numbering of the fact, where kept (e.g. `F4`)."
    )
    attribution: Attribution = strawberry.field(
        description="Publication, anonymous people familiar, named person, analyst, company…"
    )
    attributed_to: str | None = strawberry.field(
        description='Who, as the source puts it (e.g. "two people familiar with the deal").'
    )
    stance: Stance = strawberry.field(description="Asserts, declined to comment, did not respond…")
    statement: str = strawberry.field(description="What is claimed, in English.")
    quote: str | None = strawberry.field(description="The words quoted, where the source quotes.")
    confidence: str | None = strawberry.field(description="Confidence in [0, 1], a decimal string.")
    pk: strawberry.Private[int]
    source_pk: strawberry.Private[int]
    person_pk: strawberry.Private[int | None]
    organization_pk: strawberry.Private[int | None]

    @staticmethod
    def from_row(row: asyncpg.Record) -> Claim:
        confidence: Decimal | None = row["confidence"]
        return Claim(
            id=strawberry.ID(encode_id("Claim", row["id"])),
            fact_ref=row["fact_ref"],
            attribution=Attribution(row["attribution"]),
            attributed_to=row["attributed_to"],
            stance=Stance(row["stance"]),
            statement=row["statement"],
            quote=row["quote"],
            confidence=format_decimal(confidence) if confidence is not None else None,
            version=row["version"],
            recorded_at=row["recorded_at"],
            pk=row["id"],
            source_pk=row["source_id"],
            person_pk=row["person_id"],
            organization_pk=row["organization_id"],
        )

    @strawberry.field(description=HISTORY_DESCRIPTION)
    async def history(
        self, info: Info, first: HistoryFirst = DEFAULT_VERSIONS
    ) -> list[Version[Claim]]:
        return await versions_of(info.context, e.CLAIM, self.pk, Claim.from_row, first)

    @strawberry.field(description="The source making the claim.")
    async def source(self, info: Info) -> Source:
        row = await info.context.loaders.row(e.SOURCE).load(self.source_pk)
        if row is None:
            raise LookupError(f"source {self.source_pk} vanished")
        return Source.from_row(row)

    @strawberry.field(description="The named person the claim is attributed to, if any.")
    async def person(self, info: Info) -> Person | None:
        if self.person_pk is None:
            return None
        row = await info.context.loaders.row(e.PERSON).load(self.person_pk)
        return Person.from_row(row) if row is not None else None

    @strawberry.field(description="The organization the claim is attributed to, if any.")
    async def organization(self, info: Info) -> Organization | None:
        return await load_organization(info.context, self.organization_pk)

    @strawberry.field(description="The fact the claim supports.")
    async def subject(self, info: Info) -> Node | None:
        from service.schema.nodes import load_node_by_pk

        link = await info.context.loaders.claim_subjects().load(self.pk)
        if link is None:
            return None
        for column, table in t.CLAIM_SUBJECTS.items():
            if link[column] is not None:
                return await load_node_by_pk(info.context, table, link[column])
        return None
