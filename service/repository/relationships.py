"""Typed, dated edges between organizations: entity, filter leaves, ordering and read model."""

from __future__ import annotations

from service.db import tables as t
from service.repository import readmodel as m
from service.repository.conditions import eq_in
from service.repository.entities import Entity, plain

RELATIONSHIP = Entity(
    "relationship",
    t.relationship,
    plain(t.relationship),
    {"kind": eq_in(t.relationship.c.kind)},
    {"KIND": (t.relationship.c.kind, "text")},
    (("KIND", False),),
)

RELATIONSHIP_FIELDS = m.TypeMap(
    "Relationship",
    RELATIONSHIP,
    {
        "kind": m.Value("kind"),
        "startedOn": m.PartialDate("started"),
        "endedOn": m.PartialDate("ended"),
        "description": m.Value("description"),
        "source": m.ToOne("Organization", "source_id"),
        "target": m.ToOne("Organization", "target_id"),
        "claims": m.Claims("relationship_id"),
    },
)
