"""Credit types and credit programs: entities, filter leaves, orderings and read model."""

from __future__ import annotations

from service.db import tables as t
from service.repository import readmodel as m
from service.repository.conditions import Leaf, eq_in, org_match
from service.repository.entities import Entity, plain

CREDIT_TYPE_LEAVES: dict[str, Leaf] = {
    "id": eq_in(t.credit_type.c.id),
    "considerationKind": eq_in(t.credit_type.c.consideration_kind),
}

CREDIT_PROGRAM_LEAVES: dict[str, Leaf] = {
    "id": eq_in(t.credit_program.c.id),
    "provider": org_match(t.credit_program.c.provider_id),
}

CREDIT_TYPE = Entity(
    "credit_type",
    t.credit_type,
    plain(t.credit_type),
    CREDIT_TYPE_LEAVES,
    {"NAME": (t.credit_type.c.name, "text")},
    (("NAME", False),),
)

CREDIT_PROGRAM = Entity(
    "credit_program",
    t.credit_program,
    plain(t.credit_program),
    CREDIT_PROGRAM_LEAVES,
    {"NAME": (t.credit_program.c.name, "text")},
    (("NAME", False),),
)

CREDIT_TYPE_FIELDS = m.TypeMap(
    "CreditType",
    CREDIT_TYPE,
    {
        "slug": m.Value("slug"),
        "name": m.Value("name"),
        "considerationKind": m.Value("consideration_kind"),
        "unit": m.Value("unit"),
        "description": m.Value("description"),
        "programs": m.children("CreditProgram", t.credit_program.c.credit_type_id),
    },
)

CREDIT_PROGRAM_FIELDS = m.TypeMap(
    "CreditProgram",
    CREDIT_PROGRAM,
    {
        "slug": m.Value("slug"),
        "name": m.Value("name"),
        "inExchangeFor": m.Value("in_exchange_for"),
        "terms": m.Value("terms"),
        "startedOn": m.PartialDate("started"),
        "endedOn": m.PartialDate("ended"),
        "provider": m.ToOne("Organization", "provider_id"),
        "creditType": m.ToOne("CreditType", "credit_type_id"),
        "claims": m.Claims("credit_program_id"),
    },
)
