"""People and their roles: founders of start-ups, partners of VC firms, corporate executives,
analysts at research firms, reporters at publishers.

A person's script follows the organization's (a Chinese founder has a pinyin name and a
native name in Hanzi), with some mixing, as teams are. Later steps use the founders as named
sources of claims and the partners as board members of the start-ups their firms lead.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from service.domain import RoleKind
from service.ingest.generator import vocabulary as vocab
from service.ingest.generator.distributions import END_ORDINAL, cumulative, partial_date
from service.ingest.generator.model import Dataset
from service.ingest.generator.orgs import (
    ANALYST,
    ARABIC,
    CHINESE,
    GOVERNMENT,
    PUBLISHER,
    STARTUP,
    VC,
    OrgFacts,
    slugify,
)

FOUNDER, EXECUTIVE, ANALYST_ROLE, BOARD, OTHER = (
    RoleKind.FOUNDER.value,
    RoleKind.EXECUTIVE.value,
    RoleKind.ANALYST.value,
    RoleKind.BOARD.value,
    RoleKind.OTHER.value,
)
FOUNDER_TITLES = ("Co-founder & CEO", "Co-founder & CTO", "Co-founder & Chief Scientist")
HIRED_TITLES = ("Chief Financial Officer", "Chief Operating Officer", "President")
PARTNER_TITLES = ("Managing Partner", "General Partner", "Partner")
CORPORATE_TITLES = (
    "Chief Executive Officer",
    "Head of Corporate Development",
    "Chief Technology Officer",
    "Head of Strategic Investments",
)
ANALYST_TITLES = ("Senior Analyst", "Principal Analyst", "Research Director")
REPORTER_TITLES = ("Technology Correspondent", "Deals Editor")
# Role start dates are usually known to the month or the year.
ROLE_CUMULATIVE = cumulative((0.1, 0.5, 0.1, 0.3))
ENDED_CUMULATIVE = cumulative((0.3, 0.7))  # departures are reported to the day or month


@dataclass(slots=True)
class PeopleFacts:
    """Names by person position, and the people working at each organization."""

    id_base: int
    names: list[str] = field(default_factory=list)
    at_org: list[list[int]] = field(default_factory=list)  # person ids by org position

    def name(self, person_id: int) -> str:
        return self.names[person_id - self.id_base - 1]


def _person_name(rng: random.Random, flavour: int) -> tuple[str, str | None]:
    """(Latin name, native name or None)."""
    if flavour == CHINESE and rng.random() < 0.85:
        surname, surname_py = rng.choice(vocab.CHINESE_SURNAMES)
        given = [rng.choice(vocab.HANZI) for _ in range(rng.choice((1, 2, 2)))]
        given_py = "".join(p for _, p in given).capitalize()
        return f"{surname_py} {given_py}", surname + "".join(c for c, _ in given)
    if flavour == ARABIC and rng.random() < 0.8:
        first, first_latin = rng.choice(vocab.ARABIC_FIRST_NAMES)
        family, family_latin = rng.choice(vocab.ARABIC_FAMILY_NAMES)
        return f"{first_latin} {family_latin}", f"{first} {family}"
    return f"{rng.choice(vocab.LATIN_FIRST_NAMES)} {rng.choice(vocab.LATIN_LAST_NAMES)}", None


def _staff(rng: random.Random, category: int) -> list[tuple[str, str]]:
    """(role kind, title) of the people an organization of this category gets."""
    if category == STARTUP:
        founders = rng.choice((1, 2, 2, 2, 3))
        titles = ["Founder & CEO"] if founders == 1 else list(FOUNDER_TITLES[:founders])
        staff = [(FOUNDER, title) for title in titles]
        if rng.random() < 0.2:
            staff.append((EXECUTIVE, rng.choice(HIRED_TITLES)))
        return staff
    if category == VC:
        return [(EXECUTIVE, rng.choice(PARTNER_TITLES)) for _ in range(rng.choice((1, 2)))]
    if category == ANALYST:
        return [(ANALYST_ROLE, rng.choice(ANALYST_TITLES)) for _ in range(rng.randint(2, 4))]
    if category == PUBLISHER:
        return [(OTHER, rng.choice(REPORTER_TITLES)) for _ in range(rng.choice((1, 2)))]
    if category == GOVERNMENT:
        return [(EXECUTIVE, "Chief Investment Officer")]
    return [(EXECUTIVE, rng.choice(CORPORATE_TITLES)) for _ in range(rng.choice((1, 2)))]


def generate_people(rng: random.Random, ds: Dataset, orgs: OrgFacts) -> PeopleFacts:
    people_table, roles_table = ds["person"], ds["person_role"]
    people_rows, role_rows = people_table.rows, roles_table.rows
    facts = PeopleFacts(people_table.id_base)
    seed = ds.seed
    org_rows = ds["organization"].rows
    for position, org_id in enumerate(orgs.ids):
        category, founded = orgs.category[position], orgs.founded[position]
        _, _, _, _, _, founded_on, founded_precision, *_ = org_rows[position]
        staff_ids: list[int] = []
        for kind, title in _staff(rng, category):
            person_id = people_table.next_id()
            name, native = _person_name(rng, orgs.flavour[position])
            slug = f"{slugify(name)}-g{seed}-{len(people_rows) + 1}"
            people_rows.append((person_id, slug, name, native, None))
            facts.names.append(name)
            staff_ids.append(person_id)
            if kind == FOUNDER:
                start_ordinal, started = founded, (founded_on, founded_precision)
            else:
                start_ordinal = rng.randint(min(founded + 365, END_ORDINAL), END_ORDINAL)
                started = partial_date(rng, start_ordinal, ROLE_CUMULATIVE)
            ended: tuple[date | None, str | None] = (None, None)
            # Some leave; the gap keeps the end after the start whatever the precisions.
            leave_from = start_ordinal + 400
            if rng.random() < 0.06 and leave_from < END_ORDINAL:
                ended = partial_date(rng, rng.randint(leave_from, END_ORDINAL), ENDED_CUMULATIVE)
            role_rows.append(
                (roles_table.next_id(), person_id, org_id, kind, title, *started, *ended)
            )
        facts.at_org.append(staff_ids)
    return facts


def add_board_seat(rng: random.Random, ds: Dataset, person_id: int, org_id: int, on: int) -> None:
    """A VC partner joining the board of a start-up whose round the firm led."""
    roles = ds["person_role"]
    started = partial_date(rng, on, ROLE_CUMULATIVE)
    roles.rows.append(
        (roles.next_id(), person_id, org_id, BOARD, "Board Member", *started, None, None)
    )
