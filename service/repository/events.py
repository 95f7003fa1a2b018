"""Events and who took part (organizations, and people): entities, filter leaves, orderings
and read model."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, exists, select

from service.db import tables as t
from service.repository import readmodel as m
from service.repository.conditions import Leaf, eq_in, org_match, recorded_since, sorted_date_range
from service.repository.entities import Entity, plain


def _event_participant(op: str, value: Any) -> ColumnElement[bool]:
    part = t.event_participant
    return exists().where(
        part.c.event_id == t.event.c.id, org_match(part.c.organization_id)(op, value)
    )


def event_involves(organization_id: ColumnElement[Any]) -> ColumnElement[bool]:
    """Events the organization takes part in. Correlated explicitly: nested in a count under
    the organization, auto-correlation would add the organization to the subquery's own FROM
    and count every event with any participant."""
    part = t.event_participant
    return (
        select(part.c.event_id)
        .where(part.c.event_id == t.event.c.id, part.c.organization_id == organization_id)
        .correlate_except(part)
        .exists()
    )


def event_has_person(person_id: ColumnElement[Any]) -> ColumnElement[bool]:
    """Events the person takes part in; correlated explicitly, as ``event_involves``."""
    part = t.event_person
    return (
        select(part.c.event_id)
        .where(part.c.event_id == t.event.c.id, part.c.person_id == person_id)
        .correlate_except(part)
        .exists()
    )


EVENT_LEAVES: dict[str, Leaf] = {
    "id": eq_in(t.event.c.id),
    "kind": eq_in(t.event.c.kind),
    "occurred": sorted_date_range(t.event.c.occurred_on, t.event.c.sort_on),
    "organization": _event_participant,
    "updatedSince": recorded_since(t.event),
}

EVENT = Entity(
    "event",
    t.event,
    plain(t.event),
    EVENT_LEAVES,
    {"OCCURRED_ON": (t.event.c.sort_on, "date")},
    (("OCCURRED_ON", True),),
)

EVENT_PARTICIPANT = Entity("event_participant", t.event_participant, plain(t.event_participant))
EVENT_PERSON = Entity("event_person", t.event_person, plain(t.event_person))

EVENT_FIELDS = m.TypeMap(
    "Event",
    EVENT,
    {
        "slug": m.Value("slug"),
        "kind": m.Value("kind"),
        "title": m.Value("title"),
        "description": m.Value("description"),
        "occurredOn": m.PartialDate("occurred"),
        "participants": m.Rows("EventParticipant", "event_id", ("event_id", "organization_id")),
        "people": m.Rows("EventPerson", "event_id", ("event_id", "person_id")),
        "claims": m.Claims("event_id"),
    },
)

EVENT_PARTICIPANT_FIELDS = m.TypeMap(
    "EventParticipant",
    EVENT_PARTICIPANT,
    {"organization": m.ToOne("Organization", "organization_id"), "role": m.Value("role")},
    node=False,
)

EVENT_PERSON_FIELDS = m.TypeMap(
    "EventPerson",
    EVENT_PERSON,
    {"person": m.ToOne("Person", "person_id"), "role": m.Value("role")},
    node=False,
)
