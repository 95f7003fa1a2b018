"""Funding rounds and investments: the bulk of the data.

Shapes taken from published venture data: a start-up raises one to eight rounds, a year or two
apart, climbing the ladder from seed to series F+ with bridges, debt and the odd strategic round
in between; sizes and valuations are log-normal around a median that grows by stage (and by
year). Investor activity follows a power law: each investor has a fixed weight drawn from a
Pareto distribution and is picked in proportion to it, so a few firms sit in thousands of
rounds and most in one or two. Rounds have one or two leads; corporate investors (clouds,
platforms, chipmakers) take part in a few per cent of rounds and lead the strategic ones.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from service.domain import RoundStatus, RoundType
from service.ingest.generator.consideration import ConsiderationMaker
from service.ingest.generator.distributions import (
    END_ORDINAL,
    WeightedPicker,
    choose_index,
    cumulative,
    lognormal,
    pareto_weight,
    partial_date,
    significant,
)
from service.ingest.generator.fx import FxTable
from service.ingest.generator.model import Dataset
from service.ingest.generator.orgs import (
    CHIP,
    CLOUD,
    CORPORATE,
    CORPORATE_CATEGORIES,
    GOVERNMENT,
    GROUP,
    PLATFORM,
    REGION_NAMES,
    STARTUP,
    VC,
    OrgFacts,
)
from service.ingest.generator.people import PeopleFacts, add_board_seat
from service.ingest.generator.vocabulary import COMPUTE_SECTORS

R = RoundType
LADDER = (
    R.SEED.value,
    R.SERIES_A.value,
    R.SERIES_B.value,
    R.SERIES_C.value,
    R.SERIES_D.value,
    R.SERIES_E.value,
    R.SERIES_F_PLUS.value,
)
# Round type → (median size in 2015 USD, spread, fewest and most investors, chance the
# post-money valuation is reported). UNDISCLOSED rounds have no size at all.
ROUND_SHAPES: dict[str, tuple[float, float, int, int, float]] = {
    R.PRE_SEED.value: (400_000, 0.6, 1, 2, 0.05),
    R.ANGEL.value: (700_000, 0.6, 1, 3, 0.05),
    R.SEED.value: (2_500_000, 0.7, 1, 4, 0.15),
    R.SERIES_A.value: (12_000_000, 0.6, 2, 5, 0.3),
    R.SERIES_B.value: (35_000_000, 0.6, 2, 6, 0.4),
    R.SERIES_C.value: (70_000_000, 0.6, 3, 7, 0.5),
    R.SERIES_D.value: (120_000_000, 0.6, 3, 7, 0.55),
    R.SERIES_E.value: (180_000_000, 0.6, 3, 8, 0.6),
    R.SERIES_F_PLUS.value: (300_000_000, 0.7, 3, 8, 0.6),
    R.GROWTH.value: (250_000_000, 0.7, 2, 6, 0.5),
    R.BRIDGE.value: (5_000_000, 0.8, 1, 3, 0.1),
    R.DEBT.value: (25_000_000, 0.8, 1, 2, 0.0),
    R.STRATEGIC.value: (60_000_000, 0.8, 1, 3, 0.4),
    R.CORPORATE.value: (30_000_000, 0.8, 1, 2, 0.3),
    R.UNDISCLOSED.value: (0, 0.0, 1, 3, 0.0),
}
ROUNDS_PER_STARTUP = (1, 2, 3, 4, 5, 6, 7, 8)
ROUNDS_CUMULATIVE = cumulative((0.10, 0.13, 0.15, 0.15, 0.14, 0.12, 0.10, 0.11))
SECTOR_SIZE = {0: 3.0, 1: 1.6}  # foundation models and AI infrastructure raise more
# Local currency, and how often a round in that country is priced in it (else in USD).
CURRENCY_BY_COUNTRY: dict[str, tuple[str, float]] = {
    "US": ("USD", 1.0), "CA": ("USD", 1.0), "IL": ("USD", 1.0), "GB": ("GBP", 0.6),
    "DE": ("EUR", 0.75), "FR": ("EUR", 0.75), "CN": ("CNY", 0.65), "HK": ("HKD", 0.4),
    "SG": ("SGD", 0.4), "JP": ("JPY", 0.8), "KR": ("KRW", 0.8), "IN": ("INR", 0.5),
    "AE": ("AED", 0.5), "SA": ("SAR", 0.6),
}  # fmt: skip
RUMOURED, ANNOUNCED, CLOSED = (
    RoundStatus.RUMOURED.value,
    RoundStatus.ANNOUNCED.value,
    RoundStatus.CLOSED.value,
)
# Investor weights are Pareto(0.6), a heavy tail: at 100k organizations the top 1% of investors
# hold about 65% of investments while the median active investor is in about four rounds (with
# some 50 investments per investor on average, "most in one or two" cannot also hold). The
# heaviest are capped at half a per cent of all weight, so that at any size no firm is in more
# than one or two per cent of all rounds (at 100k organizations: a few thousand rounds).
INVESTOR_ALPHA = 0.6
INVESTOR_CAP_SHARE = 0.005
LOCAL_INVESTOR_SHARE = 0.6
WHOLE = 1_000_000


@dataclass(slots=True)
class RoundFacts:
    """What the claims need about each round, by round position."""

    ids: list[int] = field(default_factory=list)
    startup: list[int] = field(default_factory=list)
    round_type: list[str] = field(default_factory=list)
    day: list[int] = field(default_factory=list)
    raised: list[tuple[int, str] | None] = field(default_factory=list)
    lead: list[int] = field(default_factory=list)  # org position of the (first) lead
    first_investment: list[int] = field(default_factory=list)
    # Corporate investments: (round position, investment id, investor position,
    # first component id, component count).
    in_kind: list[tuple[int, int, int, int, int]] = field(default_factory=list)


def round_down(units: int, digits: int) -> int:
    """``units`` truncated to ``digits`` significant digits (an investor's slice of a round)."""
    magnitude = int(10 ** max(0, len(str(units)) - digits))
    return max(1, units - units % magnitude)


def cap_weights(weights: list[float], share: float) -> list[float]:
    """Caps weights at ``share`` of the capped total: the fixed point c = share * sum(min(w, c)),
    reached from above by iteration."""
    cap = share * sum(weights)
    for _ in range(100):
        next_cap = share * sum(min(w, cap) for w in weights)
        if cap - next_cap <= 1e-9 * cap:
            break
        cap = next_cap
    return [min(w, cap) for w in weights]


class InvestorMarket:
    """Who invests: weighted pickers by region, over everyone, and over corporates."""

    def __init__(self, rng: random.Random, orgs: OrgFacts) -> None:
        positions: list[int] = []
        weights: list[float] = []
        corporate_positions: list[int] = []
        corporate_weights: list[float] = []
        for position, invests in enumerate(orgs.invests):
            if not invests:
                continue
            category = orgs.category[position]
            if category in CORPORATE_CATEGORIES:
                corporate_positions.append(position)
                corporate_weights.append(
                    {CLOUD: 6.0, PLATFORM: 4.0, CHIP: 3.0, GROUP: 3.0, CORPORATE: 1.0}[category]
                )
            elif category in (VC, GOVERNMENT):
                positions.append(position)
                weights.append(pareto_weight(rng, INVESTOR_ALPHA))
            else:  # a start-up that also invests: a handful of deals
                positions.append(position)
                weights.append(0.5)
        weights = cap_weights(weights, INVESTOR_CAP_SHARE)
        self.everyone = WeightedPicker(positions, weights)
        self.corporates = WeightedPicker(corporate_positions, corporate_weights)
        self.by_region: list[WeightedPicker] = []
        for region in range(len(REGION_NAMES)):
            local = [
                (p, w) for p, w in zip(positions, weights, strict=True) if orgs.region[p] == region
            ]
            self.by_region.append(
                WeightedPicker([p for p, _ in local], [w for _, w in local])
                if local
                else self.everyone
            )


class RoundMaker:
    def __init__(
        self,
        rng: random.Random,
        ds: Dataset,
        orgs: OrgFacts,
        people: PeopleFacts,
        fx: FxTable,
        consideration: ConsiderationMaker,
    ) -> None:
        self.rng, self.ds, self.orgs, self.people, self.fx = rng, ds, orgs, people, fx
        self.consideration = consideration
        self.market = InvestorMarket(rng, orgs)
        self.rounds = ds["funding_round"]
        self.investments = ds["investment"]
        self.facts = RoundFacts()

    def generate(self) -> RoundFacts:
        rng = self.rng
        for position in self.orgs.by_category[STARTUP]:
            target = ROUNDS_PER_STARTUP[choose_index(rng, ROUNDS_CUMULATIVE)]
            day = self.orgs.founded[position] + rng.randint(60, 900)
            if day > END_ORDINAL:
                day = END_ORDINAL - rng.randint(0, 60)
            compute = self.orgs.sector[position] in COMPUTE_SECTORS
            strategic_chance = 0.2 if compute else 0.05
            stage = 0
            for n in range(target):
                if n and day > END_ORDINAL:
                    break
                round_type, stage = self._next_type(rng, n, stage, strategic_chance)
                self._round(rng, position, round_type, stage, day, compute)
                if round_type == R.STRATEGIC.value:
                    strategic_chance = 0.0
                day += rng.randint(240, 820)
        return self.facts

    @staticmethod
    def _next_type(
        rng: random.Random, n: int, stage: int, strategic_chance: float
    ) -> tuple[str, int]:
        """The next rung: mostly one up the ladder, sometimes a bridge, debt or side round."""
        if n == 0:
            r = rng.random()
            if r < 0.15:
                return R.PRE_SEED.value, -1
            if r < 0.25:
                return R.ANGEL.value, -1
            return R.SEED.value, 0
        r = rng.random()
        if stage >= 1 and r < strategic_chance:
            return R.STRATEGIC.value, stage
        r = rng.random()
        if stage >= 0 and r < 0.08:
            return R.BRIDGE.value, stage
        if stage >= 1 and r < 0.11:
            return R.DEBT.value, stage
        if r < 0.13:
            return R.UNDISCLOSED.value, stage
        if stage >= 1 and r < 0.15:
            return R.CORPORATE.value, stage
        if stage >= 4 and r < 0.25:
            return R.GROWTH.value, stage
        stage = min(stage + 1, len(LADDER) - 1)
        return LADDER[stage], stage

    def _currency(self, rng: random.Random, country: str) -> str:
        local, share = CURRENCY_BY_COUNTRY[country]
        return local if rng.random() < share else "USD"

    def _round(
        self, rng: random.Random, startup: int, round_type: str, stage: int, day: int, compute: bool
    ) -> None:
        orgs, fx = self.orgs, self.fx
        median, sigma, fewest, most, valuation_chance = ROUND_SHAPES[round_type]
        on = date.fromordinal(day)
        currency = self._currency(rng, orgs.country[startup])
        raised_units: int | None = None
        post_units: int | None = None
        pre_units: int | None = None
        if median and rng.random() < 0.92:
            if round_type == R.BRIDGE.value:
                median = ROUND_SHAPES[LADDER[max(stage, 0)]][0] * 0.3
            growth = 1.06 ** max(-10, min(10, on.year - 2015))
            usd = lognormal(
                rng, median * growth * SECTOR_SIZE.get(orgs.sector[startup], 1.0), sigma
            )
            raised_units = significant(usd / fx.rate(currency, on), 3)
            if rng.random() < valuation_chance:
                dilution = 0.08 + 0.2 * rng.random()
                post_units = significant(raised_units / dilution, 3)
                if rng.random() < 0.6:
                    pre_units = post_units - raised_units
        recent = day > END_ORDINAL - 150
        r = rng.random()
        if recent:
            status = RUMOURED if r < 0.3 else (ANNOUNCED if r < 0.9 else CLOSED)
        else:
            status = RUMOURED if r < 0.03 else (ANNOUNCED if r < 0.15 else CLOSED)
        estimated = status == RUMOURED or rng.random() < 0.12
        announced: tuple[date | None, str | None] = (None, None)
        if rng.random() < 0.98:
            announced = partial_date(rng, day)
        round_id = self.rounds.next_id()
        raised = Decimal(raised_units) if raised_units is not None else None
        pre = Decimal(pre_units) if pre_units is not None else None
        post = Decimal(post_units) if post_units is not None else None
        money_currency = currency if raised is not None else None
        self.rounds.rows.append(
            (round_id, orgs.ids[startup], round_type, status, *announced,
             raised, money_currency, estimated and raised is not None,
             pre, currency if pre is not None else None, estimated and pre is not None,
             post, currency if post is not None else None, estimated and post is not None, None)
        )  # fmt: skip
        investors, leads = self._investors(rng, startup, round_type, stage, fewest, most, compute)
        facts = self.facts
        round_position = len(facts.ids)
        facts.ids.append(round_id)
        facts.startup.append(startup)
        facts.round_type.append(round_type)
        facts.day.append(day)
        facts.raised.append((raised_units, currency) if raised_units is not None else None)
        facts.lead.append(investors[0])
        facts.first_investment.append(self.investments.next_id())
        self._investments(rng, round_position, round_id, startup, investors, leads, round_type,
                          raised_units, post_units, currency, estimated, day)  # fmt: skip

    def _investors(
        self,
        rng: random.Random,
        startup: int,
        round_type: str,
        stage: int,
        fewest: int,
        most: int,
        compute: bool,
    ) -> tuple[list[int], int]:
        """The round's investors (org positions), leads first, and how many lead."""
        market = self.market
        count = rng.randint(fewest, most)
        chosen: list[int] = []
        if round_type in (R.STRATEGIC.value, R.CORPORATE.value):
            chosen.append(market.corporates.pick(rng))
        local = market.by_region[self.orgs.region[startup]]
        attempts = 0
        while len(chosen) < count and attempts < 8 * count:
            attempts += 1
            pool = local if rng.random() < LOCAL_INVESTOR_SHARE else market.everyone
            pick = pool.pick(rng)
            if pick != startup and pick not in chosen:
                chosen.append(pick)
        if not chosen:  # only possible in a tiny market where the start-up is its only investor
            chosen.append(market.corporates.pick(rng))
        leads = 2 if len(chosen) >= 2 and rng.random() < 0.22 else 1
        # Corporates join later-stage rounds, more often where the start-up buys compute.
        side_round = round_type in (R.STRATEGIC.value, R.CORPORATE.value)
        if stage >= 1 and not side_round and rng.random() < (0.2 if compute else 0.06):
            corporate = market.corporates.pick(rng)
            if corporate not in chosen:
                chosen.append(corporate)
        return chosen, leads

    def _investments(
        self,
        rng: random.Random,
        round_position: int,
        round_id: int,
        startup: int,
        investors: list[int],
        leads: int,
        round_type: str,
        raised_units: int | None,
        post_units: int | None,
        currency: str,
        estimated: bool,
        day: int,
    ) -> None:
        orgs, table = self.orgs, self.investments
        rows = table.rows
        weights = [3.0 if i < leads else 0.5 + rng.random() for i in range(len(investors))]
        total_weight = sum(weights)
        board_round = round_type in (R.SEED.value, R.SERIES_A.value, R.SERIES_B.value)
        for i, investor in enumerate(investors):
            investment_id = table.next_id()
            is_lead = i < leads
            units: int | None = None
            if raised_units is not None and rng.random() < 0.55:
                units = round_down(int(raised_units * weights[i] / total_weight), 2)
            # An estimate flag only on amounts that are there.
            committed_estimated = (estimated or rng.random() < 0.1) and units is not None
            stake_min = stake_max = None
            stake_estimated = False
            if rng.random() < 0.12:
                if units is not None and post_units:
                    stake = min(WHOLE, units * WHOLE // post_units)
                else:
                    stake = rng.randint(50_000, 200_000) if is_lead else rng.randint(5_000, 50_000)
                if rng.random() < 0.5:
                    low, high, stake_estimated = stake, stake, False
                else:
                    low, high, stake_estimated = stake * 4 // 5, min(WHOLE, stake * 6 // 5), True
                stake_min, stake_max = Decimal(low).scaleb(-6), Decimal(high).scaleb(-6)
            amount = Decimal(units) if units is not None else None
            rows.append(
                (investment_id, round_id, orgs.ids[investor], is_lead, amount,
                 currency if amount is not None else None, committed_estimated, stake_min,
                 stake_max, stake_estimated, None, None)
            )  # fmt: skip
            first, count = self.consideration.add(
                rng, investment_id, investor, units, currency, committed_estimated
            )
            category = orgs.category[investor]
            if category in CORPORATE_CATEGORIES and count > 1:
                self.facts.in_kind.append((round_position, investment_id, investor, first, count))
            if is_lead and board_round and category == VC and rng.random() < 0.1:
                partners = self.people.at_org[investor]
                if partners:
                    add_board_seat(rng, self.ds, rng.choice(partners), orgs.ids[startup], day)


def generate_rounds(
    rng: random.Random,
    ds: Dataset,
    orgs: OrgFacts,
    people: PeopleFacts,
    fx: FxTable,
    consideration: ConsiderationMaker,
) -> RoundFacts:
    return RoundMaker(rng, ds, orgs, people, fx, consideration).generate()
