"""The life of generated investments: acquisitions and listings of start-ups (likelier the
older and better funded they are), valuations over time, funds of the active VC firms with
their limited partners, and exits that follow from it all.

Drawn from a ``random.Random`` of its own, seeded from the dataset's seed, so that adding these
records leaves every other generated row as it was. Numbers aim at plausible shapes rather than
any one market: about one start-up in ten acquired (rising with age), a few in a hundred
listed, exit multiples around 1.6x the last post-money, one to six funds per active VC firm
and three to twelve limited partners per fund; holdings of start-ups that stopped raising are
written off, a few are sold in secondaries or divested.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from service.ingest.generator.distributions import (
    END_ORDINAL,
    lognormal,
    partial_date,
    scaled,
    significant,
)
from service.ingest.generator.model import Dataset, Row
from service.ingest.generator.orgs import (
    CLOUD,
    CORPORATE,
    GOVERNMENT,
    GROUP,
    PLATFORM,
    STARTUP,
    VC,
    OrgFacts,
)
from service.ingest.generator.rounds import RoundFacts

# Which column of a generated row holds what (service/ingest/generator/model.py TABLES).
_ROUND_ORG, _ROUND_POST, _ROUND_POST_CURRENCY = 1, 12, 13
_INV_ROUND, _INV_INVESTOR, _INV_STAKE_MIN, _INV_STAKE_MAX = 1, 2, 7, 8

EXCHANGES = {"CN": ("HKEX", "SSE STAR"), "US": ("NASDAQ", "NYSE"), "HK": ("HKEX",)}
OTHER_EXCHANGES = ("NASDAQ", "LSE", "SGX")
STRATEGIES = (
    "early-stage AI",
    "growth equity",
    "deep tech",
    "enterprise software",
    "climate and compute",
    "consumer internet",
)
ROMAN = ("I", "II", "III", "IV", "V", "VI")


@dataclass(slots=True)
class DealFacts:
    """What the claims about these records need: ids with the organizations they concern."""

    acquisitions: list[tuple[int, int, int]] = field(default_factory=list)  # id, buyer, target
    listings: list[tuple[int, int, str]] = field(default_factory=list)  # id, org, status
    valuations: list[tuple[int, int, str]] = field(default_factory=list)  # id, org, basis
    funds: list[tuple[int, int, str]] = field(default_factory=list)  # id, manager, name
    commitments: list[tuple[int, int, int]] = field(default_factory=list)  # id, fund, partner
    exits: list[tuple[int, int, str]] = field(default_factory=list)  # id, investor, kind
    people: list[tuple[int, int]] = field(default_factory=list)  # id, investor


class _Deals:
    def __init__(self, ds: Dataset, orgs: OrgFacts, rounds: RoundFacts) -> None:
        self.ds, self.orgs, self.rounds = ds, orgs, rounds
        self.rng = random.Random(ds.seed * 7919 + 14)
        self.base = orgs.ids[0]
        self.facts = DealFacts()
        # A start-up's rounds (ids, days) in order, and the investments in each round.
        self.rounds_of: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for round_id, startup, day in zip(rounds.ids, rounds.startup, rounds.day, strict=True):
            self.rounds_of[startup].append((round_id, day))
        self.round_rows = {row[0]: row for row in ds["funding_round"].rows}
        self.investments_in: dict[int, list[Row]] = defaultdict(list)
        for row in ds["investment"].rows:
            self.investments_in[row[_INV_ROUND]].append(row)
        self.exited: set[int] = set()
        self.day_of = dict(zip(rounds.ids, rounds.day, strict=True))

    def position(self, org_id: int) -> int:
        return org_id - self.base

    def slug(self, position: int) -> str:
        return self.orgs.slugs[position]

    # -- start-ups: acquisitions, listings, valuations -----------------------------------------

    def startups(self) -> None:
        rng, orgs = self.rng, self.orgs
        buyers = [
            p for c in (CORPORATE, CLOUD, PLATFORM, GROUP) for p in orgs.by_category.get(c, [])
        ]
        funded = [p for p in orgs.by_category.get(STARTUP, []) if self.rounds_of.get(p)]
        acquired = listed = 0
        for position in funded:
            history = self.rounds_of[position]
            last_day = max(day for _, day in history)
            age = (END_ORDINAL - orgs.founded[position]) // 365
            for round_id, day in history:
                self._post_money(position, round_id, day)
            if buyers and rng.random() < 0.03 + 0.008 * min(age, 15):
                self._acquisition(position, rng.choice(buyers), history, last_day)
                acquired += 1
            elif len(history) >= 3 and age >= 5 and rng.random() < 0.08:
                self._listing(position, history, last_day)
                listed += 1
            elif rng.random() < 0.1:
                self._estimate(position, history, last_day)
            elif last_day < END_ORDINAL - 5 * 365 and rng.random() < 0.4:
                self._write_off(history, last_day)
        # Small markets still get one of each, so that every record type is exercised.
        if funded and buyers and not acquired:
            position = funded[0]
            history = self.rounds_of[position]
            self._acquisition(position, buyers[0], history, max(d for _, d in history))
        if len(funded) > 1 and not listed:
            position = max(funded[1:], key=lambda p: len(self.rounds_of[p]))
            history = self.rounds_of[position]
            self._listing(position, history, max(d for _, d in history))

    def _last_post(self, history: list[tuple[int, int]]) -> tuple[Decimal, str] | None:
        for round_id, _ in reversed(history):
            row = self.round_rows[round_id]
            if row[_ROUND_POST] is not None:
                return row[_ROUND_POST], row[_ROUND_POST_CURRENCY]
        return None

    def _later(self, day: int, low: int, high: int) -> int:
        return min(END_ORDINAL, day + self.rng.randint(low, high))

    def _valuation(
        self,
        position: int,
        basis: str,
        day: int | None,
        value: tuple[Decimal, str],
        round_id: int | None = None,
        listing_id: int | None = None,
    ) -> None:
        table = self.ds["valuation"]
        valuation_id = table.next_id()
        on, precision = partial_date(self.rng, day) if day is not None else (None, None)
        n = len(self.facts.valuations) + 1
        table.rows.append(
            (valuation_id, self.orgs.ids[position], basis, on, precision, value[0], value[1],
             basis == "REPORTED_ESTIMATE", round_id, listing_id, None,
             f"{self.slug(position)}/valuation-{n}")
        )  # fmt: skip
        self.facts.valuations.append((valuation_id, position, basis))

    def _post_money(self, position: int, round_id: int, day: int) -> None:
        row = self.round_rows[round_id]
        if row[_ROUND_POST] is not None:
            value = (row[_ROUND_POST], row[_ROUND_POST_CURRENCY])
            self._valuation(position, "POST_MONEY", day, value, round_id=round_id)

    def _estimate(self, position: int, history: list[tuple[int, int]], last_day: int) -> None:
        last = self._last_post(history)
        if last is not None:
            worth = Decimal(significant(float(last[0]) * lognormal(self.rng, 1.3, 0.4)))
            day = self._later(last_day, 90, 900)
            self._valuation(position, "REPORTED_ESTIMATE", day, (worth, last[1]))

    def _acquisition(
        self, position: int, buyer: int, history: list[tuple[int, int]], last_day: int
    ) -> None:
        rng, ds = self.rng, self.ds
        table = ds["acquisition"]
        acquisition_id = table.next_id()
        announced_day = self._later(last_day, 150, 1500)
        r = rng.random()
        status = "COMPLETED" if r < 0.85 else ("ANNOUNCED" if r < 0.95 else "CANCELLED")
        completed_day = self._later(announced_day, 30, 240) if status == "COMPLETED" else None
        announced = partial_date(rng, announced_day)
        completed = (
            (date.fromordinal(completed_day), "DAY") if completed_day is not None else (None, None)
        )
        if completed[0] is not None and announced[0] is not None and completed[0] < announced[0]:
            completed = (announced[0], "DAY")
        last = self._last_post(history)
        price: tuple[Decimal, str] | None = None
        if last is not None and rng.random() < 0.75:
            price = (Decimal(significant(float(last[0]) * lognormal(rng, 1.6, 0.6))), last[1])
        whole = rng.random() < 0.9
        stake = (Decimal(1), Decimal(1)) if whole else (scaled(510_000, 6), scaled(600_000, 6))
        key = f"{self.slug(position)}/acquisition"
        table.rows.append(
            (acquisition_id, self.orgs.ids[buyer], self.orgs.ids[position], status, *announced,
             *completed, price[0] if price else None, price[1] if price else None,
             price is not None and rng.random() < 0.3, *stake, None, key)
        )  # fmt: skip
        self._payment(acquisition_id, key, buyer)
        self.facts.acquisitions.append((acquisition_id, buyer, position))
        if status == "COMPLETED":
            self._sold(history, "ACQUISITION", completed_day or announced_day, price, buyer,
                       acquisition_id=acquisition_id)  # fmt: skip

    def _payment(self, acquisition_id: int, key: str, buyer: int) -> None:
        table, r = self.ds["acquisition_component"], self.rng.random()
        if r < 0.6:
            parts = [("CASH", 1_000_000, 1_000_000)]
        elif r < 0.85:
            cash = self.rng.randint(4, 7) * 100_000
            parts = [
                ("CASH", cash, cash + 100_000),
                ("STOCK", 1_000_000 - cash - 100_000, 1_000_000 - cash),
            ]
        elif r < 0.95 or self.orgs.category[buyer] != CLOUD:
            parts = [("STOCK", 1_000_000, 1_000_000)]
        else:
            parts = [("CASH", 600_000, 700_000), ("CLOUD_CREDITS", 300_000, 400_000)]
        for position, (kind, low, high) in enumerate(parts):
            table.rows.append(
                (table.next_id(), acquisition_id, position, kind, None, None, False,
                 scaled(low, 6), scaled(high, 6), low != high, None, f"{key}/{position}")
            )  # fmt: skip

    def _listing(self, position: int, history: list[tuple[int, int]], last_day: int) -> None:
        rng, orgs = self.rng, self.orgs
        table = self.ds["listing"]
        listing_id = table.next_id()
        r = rng.random()
        status = (
            "LISTED" if r < 0.7 else "FILED" if r < 0.8 else "PRICED" if r < 0.85
            else "WITHDRAWN" if r < 0.95 else "PLANNED"
        )  # fmt: skip
        exchange = rng.choice(EXCHANGES.get(orgs.country[position], OTHER_EXCHANGES))
        announced_day = self._later(last_day, 60, 700)
        filed_day = self._later(announced_day, 60, 300)
        final_day = self._later(filed_day, 60, 240)
        announced = partial_date(rng, announced_day)
        filed = (date.fromordinal(filed_day), "DAY") if status != "PLANNED" else (None, None)
        listed = (date.fromordinal(final_day), "DAY") if status == "LISTED" else (None, None)
        withdrawn = (
            (date.fromordinal(final_day).replace(day=1), "MONTH")
            if status == "WITHDRAWN"
            else (None, None)
        )
        reason = rng.choice(("market conditions", "regulatory review")) if withdrawn[0] else None
        last = self._last_post(history)
        valuation = raised = shares = None
        if last is not None and status in ("LISTED", "PRICED"):
            valuation = Decimal(significant(float(last[0]) * lognormal(rng, 1.8, 0.5)))
            raised = Decimal(significant(float(valuation) * (0.08 + 0.12 * rng.random())))
            shares = Decimal(significant(float(raised) / (5 + 45 * rng.random())))
        currency = last[1] if last is not None and valuation is not None else None
        ticker = "".join(c for c in orgs.slugs[position].upper() if c.isalpha())[:4] or None
        table.rows.append(
            (listing_id, orgs.ids[position], status, exchange,
             ticker if status in ("LISTED", "PRICED") else None, *announced, *filed, *listed,
             *withdrawn, reason, shares, raised, currency if raised is not None else None, False,
             valuation, currency, False, None, f"{self.slug(position)}/listing")
        )  # fmt: skip
        self.facts.listings.append((listing_id, position, status))
        if status == "LISTED" and valuation is not None and currency is not None:
            self._valuation(position, "MARKET_CAPITALISATION", final_day, (valuation, currency),
                            listing_id=listing_id)  # fmt: skip
        if status == "LISTED":
            exit_day = self._later(final_day, 180, 700)
            for round_id, _ in history:
                for row in self.investments_in[round_id]:
                    if rng.random() < 0.4:
                        share = scaled(rng.randint(3, 10) * 100_000, 6)
                        self._exit(row, "LISTING", exit_day, None, None, (share, share),
                                   listing_id=listing_id)  # fmt: skip

    # -- exits ---------------------------------------------------------------------------------

    def _exit(
        self,
        investment: Row,
        kind: str,
        day: int,
        proceeds: tuple[Decimal, str] | None,
        counterparty: int | None,
        share: tuple[Decimal, Decimal] | None,
        *,
        acquisition_id: int | None = None,
        listing_id: int | None = None,
    ) -> None:
        investment_id = int(investment[0])
        if investment_id in self.exited:
            return
        self.exited.add(investment_id)
        table = self.ds["exit"]
        exit_id = table.next_id()
        investor = self.position(int(investment[_INV_INVESTOR]))
        on, precision = partial_date(self.rng, day)
        n = len(self.facts.exits) + 1
        table.rows.append(
            (exit_id, investment_id, kind, on, precision, proceeds[0] if proceeds else None,
             proceeds[1] if proceeds else None, False, share[0] if share else None,
             share[1] if share else None,
             self.orgs.ids[counterparty] if counterparty is not None else None,
             acquisition_id, listing_id, None, f"{self.slug(investor)}/exit-{n}")
        )  # fmt: skip
        self.facts.exits.append((exit_id, investor, kind))

    def _sold(
        self,
        history: list[tuple[int, int]],
        kind: str,
        day: int,
        price: tuple[Decimal, str] | None,
        buyer: int,
        *,
        acquisition_id: int,
    ) -> None:
        for round_id, _ in history:
            for row in self.investments_in[round_id]:
                proceeds = None
                stake_min, stake_max = row[_INV_STAKE_MIN], row[_INV_STAKE_MAX]
                if price is not None and stake_min is not None and stake_max is not None:
                    middle = (stake_min + stake_max) / 2
                    proceeds = (Decimal(significant(float(price[0] * middle))), price[1])
                self._exit(row, kind, day, proceeds, buyer, None, acquisition_id=acquisition_id)

    def _write_off(self, history: list[tuple[int, int]], last_day: int) -> None:
        day = self._later(last_day, 700, 1500)
        for round_id, _ in history:
            for row in self.investments_in[round_id]:
                self._exit(row, "WRITE_OFF", day, None, None, None)

    def secondaries(self) -> None:
        """A few holdings sold in part to another investor, a few corporate ones divested."""
        rng, orgs = self.rng, self.orgs
        vcs = orgs.by_category.get(VC, [])
        corporates = {CORPORATE, GROUP, PLATFORM, CLOUD}
        for row in self.ds["investment"].rows:
            investor = self.position(row[_INV_INVESTOR])
            r = rng.random()
            day = self.day_of[row[_INV_ROUND]]
            if r < 0.02 and vcs:
                share = scaled(rng.randint(2, 5) * 100_000, 6)
                self._exit(row, "SECONDARY", self._later(day, 365, 1800), None,
                           rng.choice(vcs), (share, share))  # fmt: skip
            elif r < 0.025 and orgs.category[investor] in corporates:
                self._exit(row, "DIVESTMENT", self._later(day, 365, 2500), None, None, None)

    # -- funds ---------------------------------------------------------------------------------

    def funds(self) -> None:
        rng, orgs, ds = self.rng, self.orgs, self.ds
        made_by: dict[int, list[tuple[int, int]]] = defaultdict(list)  # VC → (investment, year)
        years = self.day_of
        vc_ids = {orgs.ids[p] for p in orgs.by_category.get(VC, [])}
        for row in ds["investment"].rows:
            if row[_INV_INVESTOR] in vc_ids:
                year = date.fromordinal(years[row[_INV_ROUND]]).year
                made_by[self.position(row[_INV_INVESTOR])].append((row[0], year))
        partners = [
            p for c in (CORPORATE, GROUP, GOVERNMENT, VC) for p in orgs.by_category.get(c, [])
        ]
        funds, commitments, links = ds["fund"], ds["fund_commitment"], ds["fund_investment"]
        for manager in sorted(made_by):
            made = sorted(made_by[manager], key=lambda pair: (pair[1], pair[0]))
            count = min(len(ROMAN), 1 + len(made) // 40)
            step = max(1, len(made) // count)
            vintages = sorted({made[min(i * step, len(made) - 1)][1] for i in range(count)})
            fund_ids: list[tuple[int, int]] = []
            for k, vintage in enumerate(vintages):
                fund_id = funds.next_id()
                target = Decimal(significant(lognormal(rng, 200e6, 0.9)))
                final = Decimal(significant(float(target) * (0.75 + 0.55 * rng.random())))
                name = f"{orgs.names[manager]} Fund {ROMAN[k]}"
                slug = f"{orgs.slugs[manager]}-fund-{k + 1}"
                funds.rows.append(
                    (fund_id, slug, name, orgs.ids[manager], vintage, target, "USD", False,
                     final, "USD", rng.random() < 0.2, rng.choice(STRATEGIES), None)
                )  # fmt: skip
                fund_ids.append((fund_id, vintage))
                self.facts.funds.append((fund_id, manager, name))
                chosen = rng.sample(partners, min(len(partners), rng.randint(3, 12)))
                for partner in chosen:
                    if partner == manager:
                        continue
                    commitment_id = commitments.next_id()
                    low = rng.randint(10_000, 150_000)
                    share = (scaled(low, 6), scaled(low + rng.randint(0, 20_000), 6))
                    amount = Decimal(significant(float(final) * float(share[0])))
                    given = rng.random()
                    committed = partial_date(
                        rng, date(vintage, 1, 1).toordinal() - rng.randint(0, 300)
                    )
                    commitments.rows.append(
                        (commitment_id, fund_id, orgs.ids[partner],
                         amount if given < 0.7 else None, "USD" if given < 0.7 else None, False,
                         share[0] if given >= 0.5 else None, share[1] if given >= 0.5 else None,
                         *committed, None, None, None, f"{slug}/{orgs.slugs[partner]}")
                    )  # fmt: skip
                    self.facts.commitments.append((commitment_id, fund_id, partner))
            for investment_id, year in made:
                fund_id = fund_ids[0][0]
                for candidate, vintage in fund_ids:
                    if vintage <= year:
                        fund_id = candidate
                links.rows.append((links.next_id(), investment_id, fund_id))


def _deal_people(deals: _Deals) -> None:
    """Executives and founders of investing organizations oversee a few of its investments
    (as F8's chief executive oversees Alibaba's)."""
    ds, rng = deals.ds, deals.rng
    slugs = {row[0]: row[1] for row in ds["person"].rows}
    staff: dict[int, list[int]] = defaultdict(list)
    for row in ds["person_role"].rows:
        if row[3] in ("EXECUTIVE", "FOUNDER", "BOARD"):
            staff[row[2]].append(row[1])
    links = ds["investment_person"]
    rows = ds["investment"].rows
    # Small markets still get one link, so that every record type is exercised.
    first = next((i for i, row in enumerate(rows) if staff.get(row[_INV_INVESTOR])), -1)
    for i, row in enumerate(rows):
        people = staff.get(row[_INV_INVESTOR])
        if not people or (rng.random() >= 0.05 and not (i == first and not deals.facts.people)):
            continue
        person = rng.choice(people)
        role = "OVERSEES" if rng.random() < 0.7 else "BOARD_MEMBER"
        link_id = links.next_id()
        key = f"{slugs[person]}/investment-{len(deals.facts.people) + 1}"
        links.rows.append((link_id, row[0], person, role, None, key))
        deals.facts.people.append((link_id, deals.position(row[_INV_INVESTOR])))


def generate_deals(ds: Dataset, orgs: OrgFacts, rounds: RoundFacts) -> DealFacts:
    """Adds acquisitions, listings, valuations, funds and exits to the dataset's rows."""
    deals = _Deals(ds, orgs, rounds)
    deals.startups()
    deals.secondaries()
    deals.funds()
    _deal_people(deals)
    return deals.facts
