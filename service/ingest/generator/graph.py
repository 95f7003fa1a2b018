"""Edges and happenings around the organizations: relationships, GPU holdings, events.

Relationships follow the market's structure: subsidiaries of groups, clouds serving start-ups
(mostly in their own region), competitors within a sector, partnerships with corporates, and
start-ups outside the West built as local alternatives to Western ones. Each (kind, source,
target) appears once and nothing relates to itself, as the table's constraints require.
"""

from __future__ import annotations

import random
from datetime import date

from service.domain import EventKind, RelationshipKind
from service.ingest.generator import vocabulary as vocab
from service.ingest.generator.distributions import (
    END_ORDINAL,
    partial_date,
    significant,
    year_ordinal,
)
from service.ingest.generator.model import Dataset
from service.ingest.generator.orgs import (
    CHIP,
    CLOUD,
    CORPORATE,
    GOVERNMENT,
    GROUP,
    PLATFORM,
    REGION_NAMES,
    STARTUP,
    OrgFacts,
)
from service.ingest.generator.products import WESTERN
from service.ingest.generator.vocabulary import COMPUTE_SECTORS

RK = RelationshipKind
EK = EventKind


class _Edges:
    """Relationship rows with the uniqueness and no-self-edge rules applied on the way in."""

    def __init__(self, rng: random.Random, ds: Dataset, orgs: OrgFacts) -> None:
        self.rng, self.table, self.orgs = rng, ds["relationship"], orgs
        self.seen: set[tuple[str, int, int]] = set()  # membership only, never iterated

    def add(
        self, kind: str, source: int, target: int, start: int, *, may_end: bool = False
    ) -> None:
        key = (kind, source, target)
        if source == target or key in self.seen:
            return
        self.seen.add(key)
        start = min(start, END_ORDINAL)
        ended: tuple[date | None, str | None] = (None, None)
        if may_end and self.rng.random() < 0.08 and start + 400 < END_ORDINAL:
            ended = partial_date(self.rng, self.rng.randint(start + 400, END_ORDINAL))
        orgs = self.orgs
        self.table.rows.append(
            (self.table.next_id(), kind, orgs.ids[source], orgs.ids[target],
             *partial_date(self.rng, start), *ended, None)
        )  # fmt: skip


def generate_relationships(rng: random.Random, ds: Dataset, orgs: OrgFacts) -> None:
    edges = _Edges(rng, ds, orgs)
    for position, parent in enumerate(orgs.parent):
        if parent >= 0:
            edges.add(RK.SUBSIDIARY_OF.value, position, parent, orgs.founded[position])
    clouds = orgs.by_category[CLOUD]
    clouds_by_region = [
        [c for c in clouds if orgs.region[c] == r] for r in range(len(REGION_NAMES))
    ]
    partners = orgs.by_category[CORPORATE] + orgs.by_category[PLATFORM] + orgs.by_category[GROUP]
    by_sector: list[list[int]] = [[] for _ in vocab.SECTORS]
    western_by_sector: list[list[int]] = [[] for _ in vocab.SECTORS]
    for position in orgs.by_category[STARTUP]:
        founded, sector, region = (
            orgs.founded[position],
            orgs.sector[position],
            orgs.region[position],
        )
        later = founded + rng.randint(90, 1500)
        if rng.random() < 0.25:
            local = clouds_by_region[region]
            cloud = rng.choice(local if local and rng.random() < 0.7 else clouds)
            edges.add(RK.CLOUD_PROVIDER_OF.value, cloud, position, later, may_end=True)
        rivals = by_sector[sector]
        if rivals and rng.random() < 0.2:
            edges.add(RK.COMPETES_WITH.value, position, rng.choice(rivals), later)
        if rng.random() < 0.04:
            edges.add(RK.PARTNER_OF.value, position, rng.choice(partners), later, may_end=True)
        western = western_by_sector[sector]
        if region != WESTERN and western and rng.random() < 0.06:
            edges.add(RK.LOCAL_ALTERNATIVE_TO.value, position, rng.choice(western), later)
        rivals.append(position)
        if region == WESTERN:
            western.append(position)


def generate_compute_assets(rng: random.Random, ds: Dataset, orgs: OrgFacts) -> None:
    table = ds["compute_asset"]
    vendors = orgs.by_category[CHIP]
    owners: list[tuple[int, int]] = [(c, rng.randint(2, 4)) for c in orgs.by_category[CLOUD]]
    for position in orgs.by_category[STARTUP]:
        if orgs.sector[position] in COMPUTE_SECTORS and rng.random() < 0.25:
            owners.append((position, rng.randint(1, 2)))
    for position, count in owners:
        cloud = orgs.category[position] == CLOUD
        regions = vocab.CLOUD_REGIONS[REGION_NAMES[orgs.region[position]]]
        for _ in range(count):
            quantity = significant(
                rng.uniform(2_000, 100_000) if cloud else rng.uniform(64, 20_000), 2
            )
            cluster = (
                significant(quantity / rng.choice((1, 2, 4, 8)), 2) if rng.random() < 0.4 else None
            )
            vendor = orgs.ids[rng.choice(vendors)] if vendors and rng.random() < 0.7 else None
            acquired = max(orgs.founded[position], year_ordinal(rng, 2018, 2025))
            table.rows.append(
                (table.next_id(), orgs.ids[position], vendor, rng.choice(vocab.CHIP_MODELS),
                 quantity, rng.random() < 0.4, cluster,
                 rng.sample(regions, rng.randint(1, min(3, len(regions)))),
                 *partial_date(rng, acquired), None)
            )  # fmt: skip


# Event kind → (title template, role of the main participant).
EVENT_SHAPES: tuple[tuple[str, str, str], ...] = (
    (EK.IPO_PLAN.value, "{name} prepares an initial public offering", "issuer"),
    (EK.IPO_CANCELLED.value, "{name} shelves its listing plan", "issuer"),
    (EK.RESTRUCTURING.value, "{name} reorganises its business units", "subject"),
    (EK.REGULATORY_ACTION.value, "Regulators open a review of {name}", "subject"),
    (EK.EXPORT_CONTROL.value, "Export controls restrict sales of {name} accelerators", "subject"),
    (EK.LEADERSHIP_CHANGE.value, "{name} appoints a new chief executive", "subject"),
    (EK.DIVESTMENT.value, "{name} sells a stake in a portfolio company", "seller"),
    (EK.OTHER.value, "{name} announces a strategic review", "subject"),
)


def generate_events(rng: random.Random, ds: Dataset, orgs: OrgFacts) -> None:
    events, participants = ds["event"], ds["event_participant"]
    startups = orgs.by_category[STARTUP]
    corporates = orgs.by_category[CORPORATE] + orgs.by_category[GROUP] + orgs.by_category[PLATFORM]
    chipmakers = orgs.by_category[CHIP]
    governments = orgs.by_category[GOVERNMENT]
    for n in range(max(5, ds.orgs // 40)):
        kind, template, role = rng.choice(EVENT_SHAPES)
        if kind == EK.EXPORT_CONTROL.value:
            subject = rng.choice(chipmakers)
        elif kind in (EK.RESTRUCTURING.value, EK.DIVESTMENT.value):
            subject = rng.choice(corporates)
        else:
            subject = rng.choice(startups)
        others: list[tuple[int, str]] = []
        if kind == EK.REGULATORY_ACTION.value and governments:
            others.append((rng.choice(governments), "regulator"))
        elif kind == EK.EXPORT_CONTROL.value:
            others.extend((rng.choice(startups), "affected") for _ in range(rng.randint(1, 3)))
        elif kind == EK.DIVESTMENT.value:
            others.append((rng.choice(startups), "divested"))
        event_id = events.next_id()
        slug = f"{kind.lower().replace('_', '-')}-g{ds.seed}-{n + 1}"
        day = max(orgs.founded[subject] + 30, year_ordinal(rng, 2012, 2025))
        events.rows.append(
            (event_id, slug, kind, template.format(name=orgs.names[subject]), None,
             *partial_date(rng, day))
        )  # fmt: skip
        seen = {subject}
        participants.rows.append((event_id, orgs.ids[subject], role))
        for other, other_role in others:
            if other not in seen:
                seen.add(other)
                participants.rows.append((event_id, orgs.ids[other], other_role))
