"""What investors pay with: credit programs, and the consideration components of investments.

Financial investors pay cash, sometimes in two tranches with the second held in escrow.
Corporate investors pay in kind: a cloud provider part in compute credits (its own, often
booked as its revenue, sometimes escrowed) and part in cash that must be spent on its cloud; a
platform in traffic promotion. Some considerations are known only as share ranges from
reporting ("slightly under half in credits"), estimated.

Shares are integers in millionths here: the components of an investment are drawn so that
their shares make a whole (Σmin ≤ 1 ≤ Σmax, exact splits summing to exactly 1), and component
values are split from the investment's amount, so no component exceeds it.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from service.domain import ConsiderationKind
from service.ingest.generator.distributions import partial_date, scaled, year_ordinal
from service.ingest.generator.model import Dataset, Row
from service.ingest.generator.orgs import CHIP, CLOUD, CORPORATE, GROUP, PLATFORM, OrgFacts

CASH = ConsiderationKind.CASH.value
CLOUD_CREDITS = ConsiderationKind.CLOUD_CREDITS.value
TRAFFIC = ConsiderationKind.TRAFFIC_PROMOTION.value
SERVICES = ConsiderationKind.SERVICES.value
OTHER = ConsiderationKind.OTHER.value

WHOLE = 1_000_000  # a share of 1, in millionths
ESCROW_TRANCHE = "Second tranche, held in escrow until agreed milestones are met"
# Corporate shares in kind, in millionths: credits or promotion make up 20% to 60%.
IN_KIND_SHARES = tuple(range(200_000, 600_001, 50_000))
TRANCHE_SHARES = (400_000, 500_000, 600_000, 700_000)
SERVICE_SHARES = (50_000, 100_000, 150_000)


def generate_credit_programs(rng: random.Random, ds: Dataset, orgs: OrgFacts) -> dict[int, int]:
    """One standing offer per cloud provider and platform; returns program id by org position."""
    table = ds["credit_program"]
    programs: dict[int, int] = {}
    compute = ds.credit_type_ids["cloud-compute-credits"]
    traffic = ds.credit_type_ids["traffic-promotion"]
    for position in orgs.by_category[CLOUD] + orgs.by_category[PLATFORM]:
        slug, name = orgs.slugs[position], orgs.names[position]
        if orgs.category[position] == CLOUD:
            row_slug, title, credit_type = (
                f"{slug}-startup-credits",
                f"{name} AI Start-up Program",
                compute,
            )
            terms = "Compute credits for AI start-ups in exchange for a minority stake"
        else:
            row_slug, title, credit_type = (
                f"{slug}-traffic-for-equity",
                f"{name} Traffic for Equity",
                traffic,
            )
            terms = "Promotion on the platform in exchange for equity"
        start = year_ordinal(rng, max(2012, date.fromordinal(orgs.founded[position]).year), 2023)
        program_id = table.next_id()
        table.rows.append(
            (program_id, row_slug, title, orgs.ids[position], credit_type, "EQUITY", terms,
             *partial_date(rng, start), None, None)
        )  # fmt: skip
        programs[position] = program_id
    return programs


# A part of a consideration: (kind, credit type id, credit program id); with its share range
# and whether the share is exact (a split) or a reported range.
Part = tuple[str, int | None, int | None]
SharedPart = tuple[str, int | None, int | None, int, int, bool]
CASH_PART: Part = (CASH, None, None)
OTHER_PART: Part = (OTHER, None, None)


def _split(first: Part, second: Part, share: int) -> list[SharedPart]:
    """Two exact parts: the first gets ``share``, the second the rest."""
    return [(*first, share, share, True), (*second, WHOLE - share, WHOLE - share, True)]


def _ranges(rng: random.Random, first: Part, second: Part, share: int) -> list[SharedPart]:
    """Two parts known only as ranges around ``share`` and the rest: they can make a whole."""
    d0, d1 = rng.choice((50_000, 100_000)), rng.choice((50_000, 100_000))
    rest = WHOLE - share
    return [
        (*first, max(0, share - d0), min(WHOLE, share + d0), False),
        (*second, max(0, rest - d1), min(WHOLE, rest + d1), False),
    ]


class ConsiderationMaker:
    """Appends the components of one investment at a time to the component table."""

    def __init__(self, ds: Dataset, orgs: OrgFacts, programs: dict[int, int]) -> None:
        self.table = ds["consideration_component"]
        self.rows: list[Row] = self.table.rows
        self.orgs = orgs
        self.programs = programs
        ids = ds.credit_type_ids
        self.compute, self.gpu = ids["cloud-compute-credits"], ids["gpu-hours"]
        self.traffic = ids["traffic-promotion"]
        self.services: Part = (SERVICES, ids["technical-services"], None)
        self.whole = scaled(WHOLE, 6)
        self.restrictions: dict[int, str] = {}

    def add(
        self,
        rng: random.Random,
        investment_id: int,
        investor: int,
        amount: int | None,
        currency: str,
        estimated: bool,
    ) -> tuple[int, int]:
        """Components for one investment; returns (first component id, count)."""
        first = self.table.next_id()
        category = self.orgs.category[investor]
        r = rng.random()
        if category in (CLOUD, PLATFORM):
            parts = self._in_kind(rng, investor, category)
        elif category == CHIP:
            parts = _split(CASH_PART, OTHER_PART, WHOLE - 2 * rng.choice(SERVICE_SHARES))
        elif r < 0.78 or (category in (CORPORATE, GROUP) and r < 0.85):
            value = Decimal(amount) if amount is not None else None
            self.rows.append(
                (first, investment_id, 0, CASH, None, None, value,
                 None if value is None else currency, estimated and value is not None,
                 self.whole, self.whole, False,
                 None, None, None, None, None, None)
            )  # fmt: skip
            return first, 1
        elif r < 0.96:
            parts = _split(CASH_PART, CASH_PART, rng.choice(TRANCHE_SHARES))
        elif r < 0.99:
            parts = _split(CASH_PART, self.services, WHOLE - rng.choice(SERVICE_SHARES))
        else:
            parts = _ranges(rng, CASH_PART, OTHER_PART, 800_000)
        self._emit(rng, first, investment_id, investor, parts, amount, currency, estimated)
        return first, len(parts)

    def _in_kind(self, rng: random.Random, investor: int, category: int) -> list[SharedPart]:
        program = self.programs.get(investor) if rng.random() < 0.5 else None
        kind_part: Part
        if category == CLOUD:
            credit_type = self.compute if rng.random() < 0.75 else self.gpu
            kind_part = (CLOUD_CREDITS, credit_type, program)
        else:
            kind_part = (TRAFFIC, self.traffic, program)
        share = rng.choice(IN_KIND_SHARES)
        if rng.random() < 0.35:
            return _ranges(rng, kind_part, CASH_PART, share)
        return _split(kind_part, CASH_PART, share)

    def _emit(
        self,
        rng: random.Random,
        first: int,
        investment_id: int,
        investor: int,
        parts: list[SharedPart],
        amount: int | None,
        currency: str,
        estimated: bool,
    ) -> None:
        rows, orgs = self.rows, self.orgs
        investor_id = orgs.ids[investor]
        category = orgs.category[investor]
        allotted = 0
        last = len(parts) - 1
        for position, (kind, credit_type, program, low, high, exact) in enumerate(parts):
            value: Decimal | None = None
            if exact and amount is not None:
                # The last part takes the remainder, so the parts add up to the amount exactly.
                units = amount - allotted if position == last else amount * low // WHOLE
                allotted += units
                value = Decimal(units)
            provider: int | None = None
            escrow: bool | None = None
            revenue: bool | None = None
            restricted_to: int | None = None
            restriction: str | None = None
            description: str | None = None
            if kind in (CLOUD_CREDITS, TRAFFIC):
                provider = investor_id
                escrow = rng.random() < 0.4 if kind == CLOUD_CREDITS else False
                r = rng.random()
                revenue = True if r < 0.5 else (False if r < 0.8 else None)
            elif kind == CASH and category == CLOUD:
                if rng.random() < 0.5:
                    restricted_to, restriction = investor_id, self._restriction(investor)
            elif kind == CASH and position == 1 and parts[0][0] == CASH:
                escrow, description = True, ESCROW_TRANCHE
            elif kind == OTHER and category == CHIP:
                description = "Priority allocation of accelerators"
            rows.append(
                (first + position, investment_id, position, kind, credit_type, program, value,
                 None if value is None else currency, estimated and value is not None,
                 scaled(low, 6), scaled(high, 6), not exact, provider, escrow, revenue,
                 restricted_to, restriction, description)
            )  # fmt: skip

    def _restriction(self, investor: int) -> str:
        text = self.restrictions.get(investor)
        if text is None:
            text = f"Must be spent on compute bought from {self.orgs.names[investor]}"
            self.restrictions[investor] = text
        return text
