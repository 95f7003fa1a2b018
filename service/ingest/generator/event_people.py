"""People in generated events: an executive or founder of an event's main organization takes
part in it, always when the event is a change of leadership and now and then otherwise.

Drawn from a ``random.Random`` of its own, seeded from the dataset's seed, so that adding these
rows leaves every other generated row as it was.
"""

from __future__ import annotations

import random
from collections import defaultdict

from service.domain import EventKind as EK
from service.ingest.generator.model import Dataset

# Event kind → (the person's part, how often an event of that kind names one).
ROLES: dict[str, tuple[str, float]] = {
    EK.LEADERSHIP_CHANGE.value: ("appointed chief executive", 1.0),
    EK.RESTRUCTURING.value: ("executive leading the reorganisation", 0.5),
    EK.IPO_PLAN.value: ("executive leading the listing", 0.3),
    EK.IPO_CANCELLED.value: ("executive who called off the listing", 0.2),
    EK.REGULATORY_ACTION.value: ("executive questioned by regulators", 0.3),
    EK.DIVESTMENT.value: ("executive who negotiated the sale", 0.2),
    EK.OTHER.value: ("executive announcing the review", 0.2),
}

# Which column of a generated row holds what (service/ingest/generator/model.py TABLES).
_ROLE_PERSON, _ROLE_ORG, _ROLE_KIND = 1, 2, 3
_EVENT_ID, _EVENT_KIND = 0, 2


def generate_event_people(ds: Dataset) -> None:
    rng = random.Random(ds.seed * 7919 + 23)
    staff: dict[int, list[int]] = defaultdict(list)
    for row in ds["person_role"].rows:
        if row[_ROLE_KIND] in ("EXECUTIVE", "FOUNDER"):
            staff[row[_ROLE_ORG]].append(row[_ROLE_PERSON])
    # An event's first participant is its subject (service/ingest/generator/graph.py).
    subject: dict[int, int] = {}
    for event_id, organization_id, _ in ds["event_participant"].rows:
        subject.setdefault(event_id, organization_id)
    rows = ds["event_person"].rows
    for row in ds["event"].rows:
        event_id = row[_EVENT_ID]
        role, chance = ROLES.get(row[_EVENT_KIND], ("executive involved", 0.2))
        people = staff.get(subject.get(event_id, -1))
        # Small markets still get one, so that the record type is always exercised.
        if not people or (rng.random() >= chance and rows):
            continue
        rows.append((event_id, rng.choice(people), role))
