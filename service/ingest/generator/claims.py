"""Sources and claims: who said what about which fact, with mixed attributions and stances.

A reported round has a source (a news article in English, Chinese or Arabic, a press release,
a filing or an analyst note) carrying claims: the publication's own statement or anonymous
people familiar with the deal, the company confirming or declining to comment, a named founder,
an analyst's estimate. Rounds with payment in kind are always reported, with claims on the
consideration components themselves. Events, GPU holdings, credit programs and a share of the
other facts get claims from further sources, so that every kind of claim subject occurs.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from service.domain import Attribution, SourceKind, Stance
from service.ingest.generator import vocabulary as vocab
from service.ingest.generator.deals import DealFacts
from service.ingest.generator.distributions import END_ORDINAL, scaled
from service.ingest.generator.model import Dataset
from service.ingest.generator.orgs import ANALYST, ARABIC, CHINESE, PUBLISHER, OrgFacts
from service.ingest.generator.people import PeopleFacts
from service.ingest.generator.rounds import RoundFacts

A, S, SK = Attribution, Stance, SourceKind
SUBJECT_SLOTS = {
    "organization": 0,
    "person_role": 1,
    "product": 2,
    "funding_round": 3,
    "investment": 4,
    "consideration_component": 5,
    "credit_program": 6,
    "relationship": 7,
    "compute_asset": 8,
    "event": 9,
    "acquisition": 10,
    "listing": 11,
    "valuation": 12,
    "fund": 13,
    "fund_commitment": 14,
    "exit": 15,
    "investment_person": 16,
}
_NONES: tuple[None, ...] = (None,) * len(SUBJECT_SLOTS)
STAGE_NAMES = {
    "PRE_SEED": ("pre-seed", "天使前轮"),
    "ANGEL": ("angel", "天使轮"),
    "SEED": ("seed", "种子轮"),
    "SERIES_A": ("Series A", "A轮"),
    "SERIES_B": ("Series B", "B轮"),
    "SERIES_C": ("Series C", "C轮"),
    "SERIES_D": ("Series D", "D轮"),
    "SERIES_E": ("Series E", "E轮"),
    "SERIES_F_PLUS": ("late-stage", "F轮及以后"),
    "GROWTH": ("growth", "成长期"),
    "BRIDGE": ("bridge", "过桥"),
    "DEBT": ("debt", "债权"),
    "STRATEGIC": ("strategic", "战略"),
    "CORPORATE": ("corporate", "企业"),
    "UNDISCLOSED": ("undisclosed", "未披露"),
}
COMPANY_STANCES = (
    (0.5, S.CONFIRMS.value, "{org} confirmed the investment."),
    (0.8, S.DECLINED_TO_COMMENT.value, "{org} declined to comment."),
    (0.9, S.DID_NOT_RESPOND.value, "{org} did not respond to a request for comment."),
    (1.0, S.DENIES.value, "{org} denied the reported terms."),
)
MISC_CLAIMS_PER_SOURCE = 25
ZH_COMMA = "\uff0c"  # the full-width comma of Chinese headlines


def _confidence(low: int, high: int, rng: random.Random) -> Decimal:
    return scaled(rng.randint(low, high), 3)


def _money(amount: tuple[int, str] | None) -> str:
    return f"{amount[1]} {amount[0]:,}" if amount else "an undisclosed amount"


class ClaimWriter:
    def __init__(
        self, rng: random.Random, ds: Dataset, orgs: OrgFacts, people: PeopleFacts
    ) -> None:
        self.rng, self.ds, self.orgs, self.people = rng, ds, orgs, people
        self.sources, self.claims, self.subjects = ds["source"], ds["claim"], ds["claim_subject"]
        self.publishers = {
            vocab.PUBLISHERS[i][0]: position
            for i, position in enumerate(orgs.by_category[PUBLISHER])
        }
        self.analysts = orgs.by_category[ANALYST]
        self.misc_source: int | None = None
        self.misc_count = 0

    # Rows ---------------------------------------------------------------------------------
    def source(
        self, kind: str, publisher: str, title: str, language: str, domain: str | None, day: int
    ) -> int:
        source_id = self.sources.next_id()
        slug = f"source-g{self.ds.seed}-{len(self.sources.rows) + 1}"
        on = date.fromordinal(min(day, END_ORDINAL))
        url = f"https://{domain}/{on.year}/{on.month:02d}/{slug}" if domain else None
        self.sources.rows.append(
            (source_id, slug, kind, publisher, title, language, url, on, "DAY", None)
        )
        return source_id

    def claim(
        self,
        source_id: int,
        attribution: str,
        statement: str,
        subjects: list[tuple[str, int]],
        *,
        stance: str = S.ASSERTS.value,
        attributed_to: str | None = None,
        person_id: int | None = None,
        organization_id: int | None = None,
        quote: str | None = None,
        confidence: Decimal | None = None,
    ) -> None:
        claim_id = self.claims.next_id()
        self.claims.rows.append(
            (
                claim_id,
                source_id,
                None,
                attribution,
                attributed_to,
                person_id,
                organization_id,
                stance,
                statement,
                quote,
                confidence,
            )
        )
        rows, table = self.subjects.rows, self.subjects
        for subject, subject_id in subjects:
            slot = SUBJECT_SLOTS[subject]
            rows.append(
                (table.next_id(), claim_id, *_NONES[:slot], subject_id, *_NONES[slot + 1 :])
            )

    # Rounds -------------------------------------------------------------------------------
    def rounds(self, facts: RoundFacts) -> None:
        rng = self.rng
        in_kind = facts.in_kind
        k = 0
        for r, round_id in enumerate(facts.ids):
            corporate: list[tuple[int, int, int, int, int]] = []
            while k < len(in_kind) and in_kind[k][0] == r:
                corporate.append(in_kind[k])
                k += 1
            if not corporate and rng.random() >= 0.35:
                continue
            self._round(r, round_id, facts, corporate)

    def _round(
        self,
        r: int,
        round_id: int,
        facts: RoundFacts,
        corporate: list[tuple[int, int, int, int, int]],
    ) -> None:
        rng, orgs = self.rng, self.orgs
        startup, lead = facts.startup[r], facts.lead[r]
        name, lead_name = orgs.names[startup], orgs.names[lead]
        stage_en, stage_zh = STAGE_NAMES[facts.round_type[r]]
        money = _money(facts.raised[r])
        day = facts.day[r] + rng.randint(0, 3)
        kind_draw = rng.random()
        publisher_org: int | None = None
        if kind_draw < 0.75:
            publisher, language, domain = self._publisher(startup)
            publisher_org = orgs.ids[self.publishers[publisher]]
            if language == "zh":
                title = f"{name}完成{stage_zh}融资{ZH_COMMA}{lead_name}领投"
            elif language == "ar":
                title = f"{name} تجمع {money} في جولة تمويل بقيادة {lead_name}"
            else:
                title = f"{name} raises {money} in {stage_en} round led by {lead_name}"
            source_id = self.source(SK.NEWS_ARTICLE.value, publisher, title, language, domain, day)
        elif kind_draw < 0.9:
            title = f"{name} announces {stage_en} financing"
            source_id = self.source(SK.PRESS_RELEASE.value, name, title, "en", None, day)
        elif kind_draw < 0.95:
            title = f"Registration of capital increase: {name}"
            source_id = self.source(SK.FILING.value, "Companies registry", title, "en", None, day)
        else:
            analyst = rng.choice(self.analysts)
            title = f"Funding note: {name}"
            source_id = self.source(
                SK.ANALYST_REPORT.value, orgs.names[analyst], title, "en", None, day
            )
        statement = f"{name} raised {money} in a {stage_en} round led by {lead_name}."
        round_subject = [("funding_round", round_id)]
        if rng.random() < 0.6:
            self.claim(
                source_id,
                A.PUBLICATION.value,
                statement,
                round_subject,
                organization_id=publisher_org,
                confidence=_confidence(800, 950, rng),
            )
        else:
            self.claim(
                source_id,
                A.ANONYMOUS.value,
                statement,
                round_subject,
                attributed_to=rng.choice(vocab.ANONYMOUS_ATTRIBUTIONS),
                confidence=_confidence(500, 750, rng),
            )
        if rng.random() < 0.4:
            self._company(source_id, startup, round_subject)
        founders = self.people.at_org[startup]
        if founders and rng.random() < 0.2:
            person = founders[0]
            person_name = self.people.name(person)
            self.claim(
                source_id,
                A.NAMED_PERSON.value,
                f"{person_name} said the money will go to hiring and compute.",
                [*round_subject, ("investment", facts.first_investment[r])],
                attributed_to=person_name,
                person_id=person,
                organization_id=orgs.ids[startup],
                quote=f"With {lead_name} on board we can move faster.",
                confidence=_confidence(850, 950, rng),
            )
        if self.analysts and rng.random() < 0.08:
            analyst = rng.choice(self.analysts)
            staff = self.people.at_org[analyst]
            analyst_person = rng.choice(staff) if staff and rng.random() < 0.5 else None
            self.claim(
                source_id,
                A.ANALYST.value,
                f"{orgs.names[analyst]} estimates the round values {name} well above its last.",
                round_subject,
                attributed_to=orgs.names[analyst],
                person_id=analyst_person,
                organization_id=orgs.ids[analyst],
                confidence=_confidence(400, 700, rng),
            )
        for _, investment_id, investor, first, count in corporate:
            investor_name = orgs.names[investor]
            components = [("consideration_component", first + i) for i in range(count)]
            self.claim(
                source_id,
                A.ANONYMOUS.value,
                f"Part of {investor_name}'s investment in {name} was paid in kind, not cash.",
                [("investment", investment_id), *components],
                attributed_to=rng.choice(vocab.ANONYMOUS_ATTRIBUTIONS),
                confidence=_confidence(450, 700, rng),
            )
            self._company(source_id, investor, [("investment", investment_id)])

    def _company(self, source_id: int, org: int, subjects: list[tuple[str, int]]) -> None:
        r = self.rng.random()
        name = self.orgs.names[org]
        for threshold, stance, template in COMPANY_STANCES:
            if r < threshold:
                confirmed = stance == S.CONFIRMS.value
                self.claim(
                    source_id,
                    A.COMPANY.value,
                    template.format(org=name),
                    subjects,
                    stance=stance,
                    attributed_to=name,
                    organization_id=self.orgs.ids[org],
                    quote="We are pleased to support the team." if confirmed else None,
                    confidence=scaled(950, 3) if confirmed else None,
                )
                return

    def _publisher(self, startup: int) -> tuple[str, str, str]:
        flavour, rng = self.orgs.flavour[startup], self.rng
        if flavour == CHINESE and rng.random() < 0.6:
            return rng.choice(vocab.PUBLISHERS[4:6])
        if flavour == ARABIC and rng.random() < 0.6:
            return rng.choice(vocab.PUBLISHERS[6:8])
        return rng.choice(vocab.PUBLISHERS[:4])

    # Everything else ----------------------------------------------------------------------
    def _misc_source(self) -> int:
        """Registry extracts: one source for every few claims about other facts."""
        if self.misc_source is None or self.misc_count >= MISC_CLAIMS_PER_SOURCE:
            day = self.rng.randint(END_ORDINAL - 700, END_ORDINAL)
            self.misc_source = self.source(
                SK.DATASET.value,
                "Stakegraph registry extract",
                "Company facts extract",
                "en",
                None,
                day,
            )
            self.misc_count = 0
        self.misc_count += 1
        return self.misc_source

    def deals(self, facts: DealFacts) -> None:
        """Claims about the records of an investment's life, drawn after every other claim so
        that those stay as they were."""
        rng, names = self.rng, self.orgs.names
        for acquisition_id, buyer, target in facts.acquisitions:
            self.claim(
                self._misc_source(),
                A.PUBLICATION.value,
                f"{names[buyer]} agreed to acquire {names[target]}.",
                [("acquisition", acquisition_id)],
                confidence=_confidence(700, 950, rng),
            )
        for listing_id, org, status in facts.listings:
            self.claim(
                self._misc_source(),
                A.FILING.value if status in ("FILED", "LISTED") else A.PUBLICATION.value,
                f"{names[org]}'s listing is {status.lower()}.",
                [("listing", listing_id)],
                confidence=_confidence(800, 990, rng),
            )
        for valuation_id, org, basis in facts.valuations:
            if basis != "POST_MONEY" or rng.random() < 0.05:
                self.claim(
                    self._misc_source(),
                    A.ANONYMOUS.value if basis == "REPORTED_ESTIMATE" else A.PUBLICATION.value,
                    f"{names[org]} was valued ({basis.lower().replace('_', ' ')}).",
                    [("valuation", valuation_id)],
                    attributed_to="people familiar with the matter"
                    if basis == "REPORTED_ESTIMATE"
                    else None,
                    confidence=_confidence(400, 800, rng),
                )
        for fund_id, manager, name in facts.funds:
            self.claim(
                self._misc_source(),
                A.COMPANY.value,
                f"{names[manager]} closed {name}.",
                [("fund", fund_id)],
                stance=S.CONFIRMS.value,
                organization_id=self.orgs.ids[manager],
                confidence=scaled(990, 3),
            )
        for commitment_id, _, partner in facts.commitments:
            if rng.random() < 0.2:
                self.claim(
                    self._misc_source(),
                    A.FILING.value,
                    f"{names[partner]} is a limited partner in the fund.",
                    [("fund_commitment", commitment_id)],
                    confidence=_confidence(850, 990, rng),
                )
        for exit_id, investor, kind in facts.exits:
            if rng.random() < 0.3:
                self.claim(
                    self._misc_source(),
                    A.PUBLICATION.value,
                    f"{names[investor]} exited a holding ({kind.lower().replace('_', ' ')}).",
                    [("exit", exit_id)],
                    confidence=_confidence(600, 900, rng),
                )

    def deal_people(self, facts: DealFacts) -> None:
        names = self.orgs.names
        for link_id, investor in facts.people:
            if self.rng.random() < 0.4:
                self.claim(
                    self._misc_source(),
                    A.ANONYMOUS.value,
                    f"An executive of {names[investor]} oversees the investment.",
                    [("investment_person", link_id)],
                    attributed_to="people familiar with the matter",
                    confidence=_confidence(500, 800, self.rng),
                )

    def others(self) -> None:
        rng, ds, orgs = self.rng, self.ds, self.orgs
        base = orgs.ids[0]
        for event_id, _, _, title, *_ in ds["event"].rows:
            self.claim(
                self._misc_source(),
                A.PUBLICATION.value,
                title,
                [("event", event_id)],
                confidence=_confidence(700, 900, rng),
            )
        for asset_id, owner_id, _, chip, quantity, *_ in ds["compute_asset"].rows:
            if rng.random() < 0.5 and self.analysts:
                analyst = rng.choice(self.analysts)
                self.claim(
                    self._misc_source(),
                    A.ANALYST.value,
                    f"{orgs.names[owner_id - base]} operates about {quantity:,} {chip} chips.",
                    [("compute_asset", asset_id)],
                    attributed_to=orgs.names[analyst],
                    organization_id=orgs.ids[analyst],
                    confidence=_confidence(300, 600, rng),
                )
        for program_id, _, title, provider_id, *_ in ds["credit_program"].rows:
            self.claim(
                self._misc_source(),
                A.COMPANY.value,
                f"{title} is open to start-ups.",
                [("credit_program", program_id)],
                stance=S.CONFIRMS.value,
                organization_id=provider_id,
                confidence=scaled(990, 3),
            )
        for relationship_id, kind, source_id, target_id, *_ in ds["relationship"].rows:
            if rng.random() < 0.1:
                statement = (
                    f"{orgs.names[source_id - base]} {kind.lower().replace('_', ' ')} "
                    f"{orgs.names[target_id - base]}."
                )
                self.claim(
                    self._misc_source(),
                    A.PUBLICATION.value,
                    statement,
                    [("relationship", relationship_id)],
                    confidence=_confidence(600, 900, rng),
                )
        for product_id, _, product_name, maker_id, *_ in ds["product"].rows:
            if rng.random() < 0.1:
                self.claim(
                    self._misc_source(),
                    A.COMPANY.value,
                    f"{orgs.names[maker_id - base]} makes {product_name}.",
                    [("product", product_id)],
                    organization_id=maker_id,
                    confidence=scaled(990, 3),
                )
        for role_id, person_id, org_id, _, title, *_ in ds["person_role"].rows:
            if rng.random() < 0.05:
                person_name = self.people.name(person_id)
                self.claim(
                    self._misc_source(),
                    A.NAMED_PERSON.value,
                    f"{person_name} is {title} at {orgs.names[org_id - base]}.",
                    [("person_role", role_id)],
                    attributed_to=person_name,
                    person_id=person_id,
                    confidence=_confidence(900, 990, rng),
                )
        for org_id, _, name, *_ in ds["organization"].rows:
            if rng.random() < 0.05:
                self.claim(
                    self._misc_source(),
                    A.FILING.value,
                    f"{name} is a registered company.",
                    [("organization", org_id)],
                    confidence=_confidence(950, 1000, rng),
                )


def generate_claims(
    rng: random.Random,
    ds: Dataset,
    orgs: OrgFacts,
    people: PeopleFacts,
    rounds: RoundFacts,
    deals: DealFacts,
) -> None:
    writer = ClaimWriter(rng, ds, orgs, people)
    writer.rounds(rounds)
    writer.others()
    writer.deals(deals)
    writer.deal_people(deals)
