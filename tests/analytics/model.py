"""An independent model of the market in plain Python, for checking the analytics.

It reads the tables row by row with trivial SELECTs and recomputes every analytic with loops
and dictionaries, following the rules the API documents (USD at the latest rate on or before
the round's date, each bound rounded to the cent; shares times the committed amount; unknowns
counted, never valued), so that the SQL and this code can only agree by both being right.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, deque
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import asyncpg

CENT = Decimal("0.01")
SHARE = Decimal("0.000001")
KINDS = ("CASH", "CLOUD_CREDITS", "TRAFFIC_PROMOTION", "SERVICES", "OTHER")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def round6(value: Decimal) -> Decimal:
    return value.quantize(SHARE, rounding=ROUND_HALF_UP)


def text(value: Decimal) -> str:
    """How the API writes decimals: plain, no trailing zeros."""
    out = format(value, "f")
    if "." in out:
        out = out.rstrip("0").rstrip(".")
    return "0" if out in ("", "-0") else out


@dataclass
class Bounds:
    low: Decimal = Decimal(0)
    high: Decimal = Decimal(0)
    estimated: bool = False

    def add(self, low: Decimal, high: Decimal, estimated: bool) -> None:
        self.low += low
        self.high += high
        self.estimated = self.estimated or estimated

    def api(self) -> dict[str, Any]:
        return {"min": text(self.low), "max": text(self.high), "estimated": self.estimated}


@dataclass
class Market:
    orgs: dict[int, asyncpg.Record] = field(default_factory=dict)
    slug_ids: dict[str, int] = field(default_factory=dict)
    rounds: dict[int, asyncpg.Record] = field(default_factory=dict)
    investments: dict[int, asyncpg.Record] = field(default_factory=dict)
    components: dict[int, list[asyncpg.Record]] = field(default_factory=dict)
    rates: dict[str, list[tuple[dt.date, Decimal]]] = field(default_factory=dict)
    products: dict[int, list[str]] = field(default_factory=dict)
    relationships: list[asyncpg.Record] = field(default_factory=list)
    claims: dict[tuple[str, int], set[int]] = field(default_factory=dict)
    valuations: list[asyncpg.Record] = field(default_factory=list)
    exits: dict[int, list[asyncpg.Record]] = field(default_factory=dict)

    @staticmethod
    async def load(conn: asyncpg.Connection) -> Market:
        m = Market()
        for row in await conn.fetch("SELECT * FROM organization"):
            m.orgs[row["id"]] = row
            m.slug_ids[row["slug"]] = row["id"]
        m.rounds = {r["id"]: r for r in await conn.fetch("SELECT * FROM funding_round")}
        m.investments = {r["id"]: r for r in await conn.fetch("SELECT * FROM investment")}
        m.components = defaultdict(list)
        for row in await conn.fetch("SELECT * FROM consideration_component ORDER BY id"):
            m.components[row["investment_id"]].append(row)
        rates: dict[str, list[tuple[dt.date, Decimal]]] = defaultdict(list)
        for row in await conn.fetch("SELECT * FROM fx_rate ORDER BY rate_on"):
            rates[row["currency"]].append((row["rate_on"], row["usd_per_unit"]))
        m.rates = rates
        m.products = defaultdict(list)
        for row in await conn.fetch("SELECT organization_id, category FROM product"):
            if row["category"] is not None:
                m.products[row["organization_id"]].append(row["category"])
        m.relationships = list(await conn.fetch("SELECT * FROM relationship"))
        m.claims = defaultdict(set)
        for row in await conn.fetch("SELECT * FROM claim_subject"):
            for column in ("consideration_component_id", "investment_id", "funding_round_id"):
                if row[column] is not None:
                    m.claims[(column, row[column])].add(row["claim_id"])
        m.valuations = list(await conn.fetch("SELECT * FROM valuation"))
        m.exits = defaultdict(list)
        for row in await conn.fetch("SELECT * FROM exit"):
            m.exits[row["investment_id"]].append(row)
        return m

    # --- money -------------------------------------------------------------------------

    def rate(self, currency: str | None, on: dt.date | None) -> Decimal | None:
        found = None
        for rate_on, value in self.rates.get(currency or "", []):
            if on is None or rate_on <= on:
                found = value
        return found

    def usd(self, amount: Decimal | None, currency: str | None, on: dt.date | None) -> Any:
        if amount is None:
            return None
        rate = self.rate(currency, on)
        return None if rate is None else cents(amount * rate)

    def committed_usd(self, inv: asyncpg.Record) -> Decimal | None:
        r = self.rounds[inv["round_id"]]
        result: Decimal | None = self.usd(
            inv["committed_amount"], inv["committed_currency"], r["announced_on"]
        )
        return result

    def component_bounds(
        self, inv: asyncpg.Record, c: asyncpg.Record
    ) -> tuple[Decimal, Decimal, bool] | None:
        on = self.rounds[inv["round_id"]]["announced_on"]
        estimated = c["estimated"] or c["value_estimated"]
        if c["value_amount"] is not None:
            value = self.usd(c["value_amount"], c["value_currency"], on)
            return None if value is None else (value, value, estimated)
        total = self.committed_usd(inv)
        if c["share_min"] is None or total is None:
            return None
        return (
            cents(c["share_min"] * total),
            cents(c["share_max"] * total),
            estimated or inv["committed_estimated"],
        )

    def in_period(self, round_id: int, start: dt.date | None, end: dt.date | None) -> bool:
        if start is None and end is None:
            return True
        on = self.rounds[round_id]["announced_on"]
        return on is not None and (start is None or on >= start) and (end is None or on <= end)

    # --- consideration -----------------------------------------------------------------

    def family(self, org_id: int) -> set[int]:
        root = org_id
        while self.orgs[root]["parent_id"] is not None:
            root = self.orgs[root]["parent_id"]
        members, queue = {root}, [root]
        while queue:
            parent = queue.pop()
            for oid, org in self.orgs.items():
                if org["parent_id"] == parent and oid not in members:
                    members.add(oid)
                    queue.append(oid)
        return members

    def mix(
        self,
        investor: str | None = None,
        organization: str | None = None,
        provider: str | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> dict[str, Any]:
        providers: set[int] = set()
        if provider is not None:
            pid = self.slug_ids[provider]
            providers = {pid} | {o for o, r in self.orgs.items() if r["parent_id"] == pid}
        chosen = []
        for inv in self.investments.values():
            if investor is not None and inv["investor_id"] != self.slug_ids[investor]:
                continue
            raiser = self.rounds[inv["round_id"]]["organization_id"]
            if organization is not None and raiser != self.slug_ids[organization]:
                continue
            comps = self.components.get(inv["id"], [])
            if provider is not None and not any(c["provider_id"] in providers for c in comps):
                continue
            if not self.in_period(inv["round_id"], start, end):
                continue
            chosen.append(inv)
        bounds_of = {k: Bounds() for k in KINDS}
        invested: dict[str, set[int]] = {k: set() for k in KINDS}
        counts = {k: {"components": 0, "unvalued": 0} for k in KINDS}
        unknown_split = unvalued = committed_unknown = 0
        committed = Decimal(0)
        for inv in chosen:
            comps = self.components.get(inv["id"], [])
            total = self.committed_usd(inv)
            if total is None:
                committed_unknown += 1
            else:
                committed += total
            if not comps:
                unknown_split += 1
            any_unvalued = False
            for c in comps:
                kind = c["kind"]
                invested[kind].add(inv["id"])
                counts[kind]["components"] += 1
                bounds = self.component_bounds(inv, c)
                if bounds is None:
                    counts[kind]["unvalued"] += 1
                    any_unvalued = True
                else:
                    bounds_of[kind].add(*bounds)
            unvalued += any_unvalued
        return {
            "investmentCount": len(chosen),
            "unknownSplitCount": unknown_split,
            "unvaluedCount": unvalued,
            "committedUsd": text(committed),
            "committedUnknownCount": committed_unknown,
            "byKind": [
                {
                    "kind": k,
                    "investmentCount": len(invested[k]),
                    "componentCount": counts[k]["components"],
                    "unvaluedCount": counts[k]["unvalued"],
                    "usd": bounds_of[k].api(),
                }
                for k in KINDS
            ],
        }

    def round_trip(self, provider: str) -> dict[str, Any]:
        family = self.family(self.slug_ids[provider])
        totals, escrow, revenue = Bounds(), Bounds(), Bounds()
        counts = {"lines": 0, "unvalued": 0, "escrow": 0, "revenue": 0}
        lines = []
        for inv in self.investments.values():
            if inv["investor_id"] not in family:
                continue
            for c in self.components.get(inv["id"], []):
                if c["provider_id"] not in family:
                    continue
                counts["lines"] += 1
                bounds = self.component_bounds(inv, c)
                if bounds is None:
                    counts["unvalued"] += 1
                else:
                    totals.add(*bounds)
                if c["escrow"]:
                    counts["escrow"] += 1
                    if bounds is not None:
                        escrow.add(*bounds)
                if c["recognized_as_revenue_by_provider"]:
                    counts["revenue"] += 1
                    if bounds is not None:
                        revenue.add(*bounds)
                r = self.rounds[inv["round_id"]]
                claims = (
                    self.claims[("consideration_component_id", c["id"])]
                    | self.claims[("investment_id", inv["id"])]
                    | self.claims[("funding_round_id", r["id"])]
                )
                lines.append((bounds, c, inv, r, sorted(claims)))
        return {
            "family": sorted(self.orgs[o]["slug"] for o in family),
            "counts": counts,
            "usd": totals.api(),
            "escrowed": escrow.api(),
            "bookedAsRevenue": revenue.api(),
            "lines": lines,
        }

    # --- network -----------------------------------------------------------------------

    def co_investors(self, slug: str) -> dict[int, tuple[int, dt.date | None, dt.date | None]]:
        me = self.slug_ids[slug]
        by_round: dict[int, set[int]] = defaultdict(set)
        for inv in self.investments.values():
            # Angels (a person, no organization) are nobody's co-investor.
            if inv["investor_id"] is not None:
                by_round[inv["round_id"]].add(inv["investor_id"])
        shared: dict[int, list[dt.date | None]] = defaultdict(list)
        for round_id, investors in by_round.items():
            if me in investors:
                for other in investors - {me}:
                    shared[other].append(self.rounds[round_id]["announced_on"])
        out = {}
        for other, dates in shared.items():
            known = [d for d in dates if d is not None]
            out[other] = (len(dates), min(known, default=None), max(known, default=None))
        return out

    def neighbours(self) -> dict[int, set[int]]:
        graph: dict[int, set[int]] = defaultdict(set)
        for inv in self.investments.values():
            if inv["investor_id"] is None:  # an angel: the network links organizations
                continue
            raiser = self.rounds[inv["round_id"]]["organization_id"]
            graph[inv["investor_id"]].add(raiser)
            graph[raiser].add(inv["investor_id"])
        return graph

    @staticmethod
    def distance(graph: dict[int, set[int]], start: int, goal: int, limit: int) -> int | None:
        """Plain breadth-first search from one end, no caps: the brute-force answer."""
        seen, queue = {start: 0}, deque([start])
        while queue:
            node = queue.popleft()
            if node == goal:
                return seen[node]
            if seen[node] == limit:
                continue
            for nxt in graph[node]:
                if nxt not in seen:
                    seen[nxt] = seen[node] + 1
                    queue.append(nxt)
        return None

    # --- portfolio ---------------------------------------------------------------------

    def sector(self, org_id: int) -> str | None:
        categories = self.products.get(org_id, [])
        if not categories:
            return None
        return min(set(categories), key=lambda c: (-categories.count(c), c))

    def latest_valuation(self, org_id: int) -> dict[str, Any] | None:
        """The latest valuation record, or post-money of a round no record stands for; a
        record wins a tie of dates, then the later row."""
        recorded = {v["round_id"] for v in self.valuations if v["round_id"] is not None}
        candidates = [
            (v["sort_on"], 1, v["id"], {
                "basis": v["basis"], "valuation_id": v["id"], "round_id": v["round_id"],
                "on": v["valued_on"], "precision": v["valued_precision"],
                "usd": self.usd(v["value_amount"], v["value_currency"], v["valued_on"])})
            for v in self.valuations if v["organization_id"] == org_id
        ] + [
            (r["sort_on"], 0, r["id"], {
                "basis": "POST_MONEY", "valuation_id": None, "round_id": r["id"],
                "on": r["announced_on"], "precision": r["announced_precision"],
                "usd": self.usd(r["post_money_amount"], r["post_money_currency"],
                                r["announced_on"])})
            for r in self.rounds.values()
            if r["organization_id"] == org_id and r["post_money_amount"] is not None
            and r["id"] not in recorded
        ]  # fmt: skip
        if not candidates:
            return None
        return max(candidates, key=lambda c: c[:3])[3]

    def status(self, inv: asyncpg.Record) -> str:
        exits = self.exits.get(inv["id"], [])
        if not exits:
            return "ACTIVE"
        if any(x["share_min"] is None or x["share_min"] == 1 for x in exits):
            return "EXITED"
        return "PARTIALLY_EXITED"

    def kept(self, inv: asyncpg.Record) -> tuple[Decimal, Decimal]:
        """The fraction of an investment still held, as a range."""
        if self.status(inv) == "EXITED":
            return Decimal(0), Decimal(0)
        exits = self.exits.get(inv["id"], [])
        sold_min = sum((x["share_min"] for x in exits), Decimal(0))
        sold_max = sum((x["share_max"] for x in exits), Decimal(0))
        return 1 - min(Decimal(1), sold_max), 1 - min(Decimal(1), sold_min)

    def stake(self, inv: asyncpg.Record) -> tuple[Decimal, Decimal] | None:
        if inv["stake_min"] is not None:
            return inv["stake_min"], inv["stake_max"]
        r = self.rounds[inv["round_id"]]
        if inv["committed_amount"] is None or not r["post_money_amount"]:
            return None
        committed = self.rate(inv["committed_currency"], r["announced_on"])
        post = self.rate(r["post_money_currency"], r["announced_on"])
        if committed is None or post is None:
            return None
        share = (inv["committed_amount"] * committed) / (r["post_money_amount"] * post)
        point = min(Decimal(1), share.quantize(SHARE, rounding=ROUND_HALF_UP))
        return point, point

    def portfolio(self, slug: str) -> dict[int, dict[str, Any]]:
        me = self.slug_ids[slug]
        holdings: dict[int, list[asyncpg.Record]] = defaultdict(list)
        for inv in self.investments.values():
            if inv["investor_id"] == me:
                holdings[self.rounds[inv["round_id"]]["organization_id"]].append(inv)
        out = {}
        for startup, invs in holdings.items():
            committed = [self.committed_usd(i) for i in invs]
            stakes = [self.stake(i) for i in invs]
            statuses = [self.status(i) for i in invs]
            if all(s == "EXITED" for s in statuses):
                status = "EXITED"
            elif any(s != "ACTIVE" for s in statuses):
                status = "PARTIALLY_EXITED"
            else:
                status = "ACTIVE"
            stake = held = None
            if all(s is not None for s in stakes):
                low = min(Decimal(1), sum((s[0] for s in stakes if s), Decimal(0)))
                high = min(Decimal(1), sum((s[1] for s in stakes if s), Decimal(0)))
                stake = (low, high)
                pairs = [(s, self.kept(i)) for s, i in zip(stakes, invs, strict=True) if s]
                held = (
                    min(Decimal(1), sum((round6(s[0] * k[0]) for s, k in pairs), Decimal(0))),
                    min(Decimal(1), sum((round6(s[1] * k[1]) for s, k in pairs), Decimal(0))),
                )
            latest = self.latest_valuation(startup)
            valuation = latest["usd"] if latest else None
            implied = None
            if held is not None and valuation is not None and status != "EXITED":
                implied = (cents(held[0] * valuation), cents(held[1] * valuation))
            out[startup] = {
                "rounds": len(invs),
                "leads": sum(1 for i in invs if i["is_lead"]),
                "committed": sum((c for c in committed if c is not None), Decimal(0)),
                "undisclosed": sum(1 for c in committed if c is None),
                "stake": stake,
                "held": held,
                "status": status,
                "latest": latest,
                "valuation": valuation,
                "implied": implied,
                "sector": self.sector(startup),
                "country": self.orgs[startup]["country"],
                "investments": {i["id"] for i in invs},
            }
        return out
