"""Sources and the claims they make: entities, filter leaves, orderings and read model."""

from __future__ import annotations

from service.db import tables as t
from service.repository import readmodel as m
from service.repository.conditions import Leaf, eq_in, recorded_since, text_match
from service.repository.entities import Entity, plain

SOURCE_LEAVES: dict[str, Leaf] = {
    "id": eq_in(t.source.c.id),
    "publisher": text_match(t.source.c.publisher),
    "kind": eq_in(t.source.c.kind),
    "updatedSince": recorded_since(t.source),
}

SOURCE = Entity(
    "source",
    t.source,
    plain(t.source),
    SOURCE_LEAVES,
    {"PUBLISHER": (t.source.c.publisher, "text"), "TITLE": (t.source.c.title, "text")},
    (("PUBLISHER", False),),
)

CLAIM = Entity("claim", t.claim, plain(t.claim))

SOURCE_FIELDS = m.TypeMap(
    "Source",
    SOURCE,
    {
        "slug": m.Value("slug"),
        "kind": m.Value("kind"),
        "publisher": m.Value("publisher"),
        "title": m.Value("title"),
        "language": m.Value("language"),
        "url": m.Value("url"),
        "publishedOn": m.PartialDate("published"),
        "description": m.Value("description"),
        "claims": m.children("Claim", t.claim.c.source_id),
    },
)

CLAIM_FIELDS = m.TypeMap(
    "Claim",
    CLAIM,
    {
        "factRef": m.Value("fact_ref"),
        "attribution": m.Value("attribution"),
        "attributedTo": m.Value("attributed_to"),
        "stance": m.Value("stance"),
        "statement": m.Value("statement"),
        "quote": m.Value("quote"),
        "confidence": m.Decimal("confidence"),
        "source": m.ToOne("Source", "source_id"),
        "person": m.ToOne("Person", "person_id"),
        "organization": m.ToOne("Organization", "organization_id"),
        "subject": m.Subject(),
    },
)
