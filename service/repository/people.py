"""People and their roles: entities, filter leaves, orderings and read model."""

from __future__ import annotations

from sqlalchemy import func

from service.db import tables as t
from service.repository import readmodel as m
from service.repository.conditions import Leaf, eq_in, recorded_since, text_match
from service.repository.entities import EARLIEST, Entity, plain
from service.repository.events import event_has_person

PERSON_LEAVES: dict[str, Leaf] = {
    "id": eq_in(t.person.c.id),
    "slug": eq_in(t.person.c.slug),
    "name": text_match(t.person.c.name),
    "updatedSince": recorded_since(t.person),
}

PERSON = Entity(
    "person",
    t.person,
    plain(t.person),
    PERSON_LEAVES,
    {"NAME": (t.person.c.name, "text")},
    (("NAME", False),),
)

PERSON_ROLE = Entity(
    "person_role",
    t.person_role,
    plain(t.person_role),
    {},
    # Undated roles sort as the oldest, on the same 0001-01-01 as undated rounds and events.
    {"STARTED_ON": (func.coalesce(t.person_role.c.started_on, EARLIEST), "date")},
    (("STARTED_ON", True),),
)

PERSON_FIELDS = m.TypeMap(
    "Person",
    PERSON,
    {
        "slug": m.Value("slug"),
        "name": m.Value("name"),
        "nativeName": m.Value("native_name"),
        "description": m.Value("description"),
        "roles": m.Rows("PersonRole", "person_id", ("id",)),
        "investments": m.children("InvestmentPerson", t.investment_person.c.person_id),
        "angelInvestments": m.children(
            "Investment", t.investment.c.investor_person_id, filtered=True
        ),
        "events": m.Children(
            "Event", lambda parent, arguments: event_has_person(parent), lambda a: "event_person"
        ),
    },
)

PERSON_ROLE_FIELDS = m.TypeMap(
    "PersonRole",
    PERSON_ROLE,
    {
        "kind": m.Value("kind"),
        "title": m.Value("title"),
        "startedOn": m.PartialDate("started"),
        "endedOn": m.PartialDate("ended"),
        "person": m.ToOne("Person", "person_id"),
        "organization": m.ToOne("Organization", "organization_id"),
        "claims": m.Claims("person_role_id"),
    },
)
