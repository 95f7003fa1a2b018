"""Sources and the claims they make: where every fact comes from."""

from __future__ import annotations

import strawberry

from service.repository.sources import CLAIM_FIELDS, SOURCE_FIELDS
from service.schema.common import Attribution, PartialDate, SourceKind, Stance
from service.schema.history import Version, Versioned
from service.schema.mapped import connection, field, history, reads
from service.schema.organizations import Organization
from service.schema.people import Person
from service.schema.relay import Connection, Node

S = SOURCE_FIELDS
C = CLAIM_FIELDS


@strawberry.type(description="Where facts come from: an article, a filing, a report.")
@reads(S)
class Source(Node, Versioned):
    slug: str = field(S, "slug", "Stable identifier.")
    kind: SourceKind = field(S, "kind", "The type of source.")
    publisher: str = field(S, "publisher", "Who published it, e.g. `Financial Times`.")
    title: str = field(S, "title", "Its title.")
    language: str = field(S, "language", "BCP 47 tag of the copy held.")
    url: str | None = field(S, "url", "Where it can be read, if known.")
    published_on: PartialDate | None = field(
        S, "publishedOn", "When it was published; null if the source gives no date."
    )
    description: str | None = field(S, "description", "Notes on the source.")
    history: list[Version[Source]] = history(S)
    claims: Connection[Claim] = connection(S, "claims", "The claims this source makes.")


@strawberry.type(
    description="A statement in a source, attributed to someone, supporting one fact. "
    '"Declined to comment" is a claim too (see `stance`).'
)
@reads(C)
class Claim(Node, Versioned):
    fact_ref: str | None = field(
        C, "factRef", "The source's own numbering of the fact, where kept (e.g. `F4`)."
    )
    attribution: Attribution = field(
        C, "attribution", "Publication, anonymous people familiar, named person, analyst, company…"
    )
    attributed_to: str | None = field(
        C,
        "attributedTo",
        'Who, as the source puts it (e.g. "two people familiar with the deal").',
    )
    stance: Stance = field(C, "stance", "Asserts, declined to comment, did not respond…")
    statement: str = field(C, "statement", "What is claimed, in English.")
    quote: str | None = field(C, "quote", "The words quoted, where the source quotes.")
    confidence: str | None = field(C, "confidence", "Confidence in [0, 1], a decimal string.")
    history: list[Version[Claim]] = history(C)
    source: Source = field(C, "source", "The source making the claim.")
    person: Person | None = field(
        C, "person", "The named person the claim is attributed to, if any."
    )
    organization: Organization | None = field(
        C, "organization", "The organization the claim is attributed to, if any."
    )
    subject: Node | None = field(C, "subject", "The fact the claim supports.")
