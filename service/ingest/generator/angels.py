"""Angel investors: people putting their own money into a start-up's seed round.

About 5% of seed rounds get one or two angels, drawn from the people of other organizations (a
founder backing the next start-up, an executive investing on the side). They are drawn after
every other record, from a random stream of their own derived from the seed, so that every
other generated row is what it was before angels existed; the acquisitions, exits, funds and
claims drawn earlier never see them. An angel never leads, and pays cash: one component, the
whole of the investment, with the amount where it is disclosed (a small slice of the round).
"""

from __future__ import annotations

import random
from decimal import Decimal

from service.domain import ConsiderationKind
from service.ingest.generator.distributions import scaled
from service.ingest.generator.model import Dataset
from service.ingest.generator.people import PeopleFacts
from service.ingest.generator.rounds import RoundFacts, round_down

ANGEL_ROUND_SHARE = 0.05
SEED = "SEED"
# Separates the angels' random stream from the main one of the same seed.
STREAM = 0x616E67656C
WHOLE = 1_000_000


def _angels(rng: random.Random, people: PeopleFacts, startup: int) -> list[int]:
    """One or two distinct people, none working at the start-up itself."""
    wanted = 1 if rng.random() < 0.7 else 2
    chosen: list[int] = []
    for _ in range(8 * wanted):
        if len(chosen) == wanted:
            break
        position = rng.randrange(len(people.at_org))
        staff = people.at_org[position]
        if position == startup or not staff:
            continue
        person = rng.choice(staff)
        if person not in chosen:
            chosen.append(person)
    return chosen


def generate_angels(ds: Dataset, people: PeopleFacts, rounds: RoundFacts) -> None:
    """Appends the angel investments of the seed rounds, with their cash components."""
    rng = random.Random(STREAM * 1_000_003 + ds.seed)
    investments, components = ds["investment"], ds["consideration_component"]
    whole = scaled(WHOLE, 6)
    cash = ConsiderationKind.CASH.value
    for position, round_id in enumerate(rounds.ids):
        if rounds.round_type[position] != SEED or rng.random() >= ANGEL_ROUND_SHARE:
            continue
        raised = rounds.raised[position]
        for person in _angels(rng, people, rounds.startup[position]):
            amount: Decimal | None = None
            currency: str | None = None
            slice_ = rng.randint(5, 30) / 1000
            if raised is not None and rng.random() < 0.5:
                units = round_down(int(raised[0] * slice_), 2)
                if units > 0:
                    amount, currency = Decimal(units), raised[1]
            investment_id = investments.next_id()
            investments.rows.append(
                (investment_id, round_id, None, False, amount, currency, False, None, None,
                 False, None, person)
            )  # fmt: skip
            components.rows.append(
                (components.next_id(), investment_id, 0, cash, None, None, amount, currency,
                 False, whole, whole, False, None, None, None, None, None, None)
            )  # fmt: skip
