"""People on deals: who oversees or represents an investor on an investment; entity, filter
leaves and read model."""

from __future__ import annotations

from service.db import tables as t
from service.repository import readmodel as m
from service.repository.conditions import Leaf, eq_in
from service.repository.entities import Entity, plain

P = t.investment_person

INVESTMENT_PERSON_LEAVES: dict[str, Leaf] = {
    "id": eq_in(P.c.id),
    "role": eq_in(P.c.role),
}

INVESTMENT_PERSON = Entity("investment_person", P, plain(P), INVESTMENT_PERSON_LEAVES)

INVESTMENT_PERSON_FIELDS = m.TypeMap(
    "InvestmentPerson",
    INVESTMENT_PERSON,
    {
        "role": m.Value("role"),
        "description": m.Value("description"),
        "person": m.ToOne("Person", "person_id"),
        "investment": m.ToOne("Investment", "investment_id"),
        "claims": m.Claims("investment_person_id"),
    },
)
