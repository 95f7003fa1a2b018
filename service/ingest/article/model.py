"""The article dataset as typed records: parsing and validation of the YAML data file.

Everything a data file can get wrong is caught here, before a connection is opened, with an
error that names the record: an unknown key, a value outside a vocabulary, a reference to a
record that does not exist. The database constraints remain the last line of defence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import yaml

from service.domain import (
    Attribution,
    ConsiderationKind,
    CreditUnit,
    DatePrecision,
    DealRole,
    EventKind,
    ListingStatus,
    NameKind,
    OrganizationKind,
    RelationshipKind,
    RoleKind,
    RoundStatus,
    RoundType,
    SourceKind,
    Stance,
    ValuationBasis,
)

E = TypeVar("E", bound=StrEnum)

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|(\d{2})(?:-(\d{2}))?))?$")


class DataError(ValueError):
    """The data file is malformed; the message names the offending record."""


class _DecimalLoader(yaml.SafeLoader):
    """Reads YAML floats as the exact decimals written, so money and shares never pass
    through binary floating point."""


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal:
    assert isinstance(node, yaml.ScalarNode)
    text = str(loader.construct_scalar(node)).replace("_", "")
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise DataError(f"line {node.start_mark.line + 1}: not a decimal number: {text!r}") from exc


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


# --- value types --------------------------------------------------------------------------


@dataclass(frozen=True)
class PartialDate:
    """A date known to a precision; ``on`` is the first day of the period."""

    on: date
    precision: DatePrecision


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str
    estimated: bool = False


@dataclass(frozen=True)
class Share:
    low: Decimal
    high: Decimal


# --- records ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    slug: str
    kind: SourceKind
    publisher: str
    title: str
    language: str
    url: str | None
    published: PartialDate | None
    description: str | None


@dataclass(frozen=True)
class FxRate:
    currency: str
    rate_on: date
    usd_per_unit: Decimal
    source: str


@dataclass(frozen=True)
class CreditType:
    slug: str
    name: str
    consideration_kind: ConsiderationKind
    unit: CreditUnit
    description: str | None


@dataclass(frozen=True)
class OrganizationName:
    value: str
    language: str
    script: str
    kind: NameKind
    is_primary: bool


@dataclass(frozen=True)
class Organization:
    slug: str
    name: str
    kinds: tuple[OrganizationKind, ...]
    country: str | None
    founded: PartialDate | None
    parent: str | None
    website: str | None
    description: str | None
    names: tuple[OrganizationName, ...]


@dataclass(frozen=True)
class Role:
    key: str
    organization: str
    kind: RoleKind
    title: str
    started: PartialDate | None
    ended: PartialDate | None


@dataclass(frozen=True)
class Person:
    slug: str
    name: str
    native_name: str | None
    description: str | None
    roles: tuple[Role, ...]


@dataclass(frozen=True)
class Product:
    slug: str
    name: str
    organization: str
    category: str | None
    launched: PartialDate | None
    description: str | None
    alternative_to: tuple[tuple[str, str | None], ...]
    """(product slug, market) pairs."""


@dataclass(frozen=True)
class Component:
    key: str | None
    kind: ConsiderationKind
    credit_type: str | None
    credit_program: str | None
    value: Money | None
    share: Share | None
    estimated: bool
    provider: str | None
    escrow: bool | None
    recognized_as_revenue_by_provider: bool | None
    spend_restricted_to: str | None
    spend_restriction: str | None
    description: str | None


@dataclass(frozen=True)
class Investment:
    key: str
    investor: str
    is_lead: bool
    committed: Money | None
    stake: Share | None
    stake_estimated: bool
    description: str | None
    consideration: tuple[Component, ...]


@dataclass(frozen=True)
class FundingRound:
    key: str
    organization: str
    round_type: RoundType
    status: RoundStatus
    announced: PartialDate | None
    raised: Money | None
    pre_money: Money | None
    post_money: Money | None
    description: str | None
    investments: tuple[Investment, ...]


@dataclass(frozen=True)
class CreditProgram:
    slug: str
    name: str
    provider: str
    credit_type: str
    in_exchange_for: str
    terms: str | None
    started: PartialDate | None
    ended: PartialDate | None


@dataclass(frozen=True)
class Relationship:
    key: str
    kind: RelationshipKind
    source: str
    target: str
    started: PartialDate | None
    ended: PartialDate | None
    description: str | None


@dataclass(frozen=True)
class ComputeAsset:
    key: str
    owner: str
    chip_vendor: str | None
    chip_model: str
    quantity: int | None
    quantity_estimated: bool
    cluster_size: int | None
    regions: tuple[str, ...]
    acquired: PartialDate | None
    description: str | None


@dataclass(frozen=True)
class Participant:
    organization: str
    role: str


@dataclass(frozen=True)
class EventPerson:
    person: str
    role: str


@dataclass(frozen=True)
class Event:
    slug: str
    kind: EventKind
    title: str
    description: str | None
    occurred: PartialDate | None
    participants: tuple[Participant, ...]
    people: tuple[EventPerson, ...] = ()


@dataclass(frozen=True)
class Listing:
    """A listing on an exchange at its latest known step (F13: a withdrawn IPO plan)."""

    key: str
    organization: str
    status: ListingStatus
    exchange: str | None
    ticker: str | None
    announced: PartialDate | None
    filed: PartialDate | None
    listed: PartialDate | None
    withdrawn: PartialDate | None
    withdrawal_reason: str | None
    shares_offered: int | None
    raised: Money | None
    valuation: Money | None
    description: str | None


@dataclass(frozen=True)
class Valuation:
    """What an organization was worth on a date (F3: Moonshot AI at USD 2.5bn)."""

    key: str
    organization: str
    basis: ValuationBasis
    valued: PartialDate | None
    value: Money
    round: str | None
    listing: str | None
    description: str | None


@dataclass(frozen=True)
class DealPerson:
    """A person's part in an investment for the investor (F8: Eddie Wu oversees)."""

    key: str
    investment: str
    person: str
    role: DealRole
    description: str | None


class SubjectKind(StrEnum):
    """What a claim can support; the values are the keys used in the data file and map
    one-to-one onto the claim_subject columns."""

    ORGANIZATION = "organization"
    ROLE = "role"
    PRODUCT = "product"
    ROUND = "round"
    INVESTMENT = "investment"
    COMPONENT = "component"
    CREDIT_PROGRAM = "credit_program"
    RELATIONSHIP = "relationship"
    COMPUTE_ASSET = "compute_asset"
    EVENT = "event"
    LISTING = "listing"
    VALUATION = "valuation"
    # Records the article names none of; kept so that every claim-subject column has a kind.
    ACQUISITION = "acquisition"
    FUND = "fund"
    FUND_COMMITMENT = "fund_commitment"
    EXIT = "exit"
    INVESTMENT_PERSON = "investment_person"


@dataclass(frozen=True)
class SubjectRef:
    kind: SubjectKind
    key: str


@dataclass(frozen=True)
class Claim:
    label: str
    fact: str | None
    attribution: Attribution
    attributed_to: str | None
    person: str | None
    organization: str | None
    stance: Stance
    statement: str
    quote: str | None
    confidence: Decimal | None
    subjects: tuple[SubjectRef, ...]


@dataclass(frozen=True)
class Dataset:
    source: Source
    fx_rates: tuple[FxRate, ...]
    credit_types: tuple[CreditType, ...]
    organizations: tuple[Organization, ...]
    people: tuple[Person, ...]
    products: tuple[Product, ...]
    credit_programs: tuple[CreditProgram, ...]
    funding_rounds: tuple[FundingRound, ...]
    relationships: tuple[Relationship, ...]
    compute_assets: tuple[ComputeAsset, ...]
    events: tuple[Event, ...]
    claims: tuple[Claim, ...]
    listings: tuple[Listing, ...] = ()
    valuations: tuple[Valuation, ...] = ()
    deal_people: tuple[DealPerson, ...] = ()

    def investments(self) -> Iterator[tuple[FundingRound, Investment]]:
        for funding_round in self.funding_rounds:
            for investment in funding_round.investments:
                yield funding_round, investment

    def components(self) -> Iterator[tuple[Investment, int, Component]]:
        for _, investment in self.investments():
            for position, component in enumerate(investment.consideration):
                yield investment, position, component


# --- parsing ------------------------------------------------------------------------------


class _Fields:
    """One mapping of the data file, read key by key; ``done`` refuses keys nobody read."""

    def __init__(self, raw: object, where: str) -> None:
        if not isinstance(raw, Mapping):
            raise DataError(f"{where}: expected a mapping, got {type(raw).__name__}")
        self.where = where
        self._raw: Mapping[Any, Any] = raw
        self._read: set[str] = set()

    def error(self, message: str) -> DataError:
        return DataError(f"{self.where}: {message}")

    def _get(self, key: str) -> object:
        self._read.add(key)
        return self._raw.get(key)

    def text(self, key: str) -> str:
        value = self.opt_text(key)
        if value is None:
            raise self.error(f"'{key}' is required")
        return value

    def opt_text(self, key: str) -> str | None:
        value = self._get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.error(f"'{key}' must be a non-empty string, got {value!r}")
        return value.strip()

    def slug(self, key: str) -> str:
        value = self.text(key)
        if not _SLUG.match(value):
            raise self.error(f"'{key}' must be kebab-case (a-z, 0-9, '-'), got {value!r}")
        return value

    def opt_slug(self, key: str) -> str | None:
        if self._raw.get(key) is None:
            self._read.add(key)
            return None
        return self.slug(key)

    def flag(self, key: str, default: bool) -> bool:
        value = self.opt_flag(key)
        return default if value is None else value

    def opt_flag(self, key: str) -> bool | None:
        value = self._get(key)
        if value is not None and not isinstance(value, bool):
            raise self.error(f"'{key}' must be true or false, got {value!r}")
        return value

    def enum(self, key: str, enum: type[E], default: E | None = None) -> E:
        value = self._get(key)
        if value is None:
            if default is None:
                raise self.error(f"'{key}' is required")
            return default
        try:
            return enum(str(value))
        except ValueError:
            allowed = ", ".join(member.value for member in enum)
            raise self.error(f"'{key}' must be one of {allowed}; got {value!r}") from None

    def decimal(self, key: str) -> Decimal:
        value = self.opt_decimal(key)
        if value is None:
            raise self.error(f"'{key}' is required")
        return value

    def opt_decimal(self, key: str) -> Decimal | None:
        value = self._get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
            raise self.error(f"'{key}' must be a number, got {value!r}")
        try:
            return Decimal(str(value).replace("_", ""))
        except InvalidOperation:
            raise self.error(f"'{key}' must be a number, got {value!r}") from None

    def opt_int(self, key: str) -> int | None:
        value = self._get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise self.error(f"'{key}' must be an integer, got {value!r}")
        return value

    def day(self, key: str) -> date:
        value = self._get(key)
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise self.error(f"'{key}' must be a date YYYY-MM-DD, got {value!r}")

    def partial_date(self, key: str) -> PartialDate | None:
        """``YYYY``, ``YYYY-Qn``, ``YYYY-MM`` or ``YYYY-MM-DD``: the written form is the
        precision, so a file cannot claim more than it knows."""
        value = self._get(key)
        if value is None:
            return None
        if isinstance(value, date):
            return PartialDate(value, DatePrecision.DAY)
        match = _PARTIAL_DATE.match(str(value)) if isinstance(value, int | str) else None
        if match is None:
            raise self.error(f"'{key}' must be YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD; got {value!r}")
        year, quarter, month, day = match.groups()
        try:
            if day is not None:
                return PartialDate(date(int(year), int(month), int(day)), DatePrecision.DAY)
            if month is not None:
                return PartialDate(date(int(year), int(month), 1), DatePrecision.MONTH)
        except ValueError:
            raise self.error(f"'{key}' is not a real date: {value!r}") from None
        if quarter is not None:
            return PartialDate(date(int(year), 3 * int(quarter) - 2, 1), DatePrecision.QUARTER)
        return PartialDate(date(int(year), 1, 1), DatePrecision.YEAR)

    def money(self, key: str) -> Money | None:
        raw = self._get(key)
        if raw is None:
            return None
        fields = _Fields(raw, f"{self.where}.{key}")
        amount = fields.decimal("amount")
        currency = fields.text("currency")
        estimated = fields.flag("estimated", False)
        fields.done()
        if not re.match(r"^[A-Z]{3}$", currency):
            raise fields.error(f"'currency' must be an ISO 4217 code, got {currency!r}")
        if amount < 0:
            raise fields.error("'amount' must not be negative")
        return Money(amount, currency, estimated)

    def share(self, key: str) -> Share | None:
        raw = self._get(key)
        if raw is None:
            return None
        fields = _Fields(raw, f"{self.where}.{key}")
        share = Share(fields.decimal("min"), fields.decimal("max"))
        fields.done()
        if not Decimal(0) <= share.low <= share.high <= Decimal(1):
            raise fields.error("needs 0 <= min <= max <= 1")
        return share

    def items(self, key: str) -> list[object]:
        value = self._get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(f"'{key}' must be a list")
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        values = self.items(key)
        if not all(isinstance(value, str) and value.strip() for value in values):
            raise self.error(f"'{key}' must be a list of non-empty strings")
        return tuple(str(value) for value in values)

    def done(self) -> None:
        unknown = sorted(str(key) for key in self._raw if key not in self._read)
        if unknown:
            raise self.error(f"unknown key(s): {', '.join(unknown)}")


def _label(raw: object, index: int, *keys: str) -> str:
    """``[slug]`` when the record has one, so errors name records as people know them."""
    if isinstance(raw, Mapping):
        for key in keys:
            if isinstance(raw.get(key), str):
                return f"[{raw[key]}]"
    return f"[{index}]"


def _each(fields: _Fields, key: str, *label_keys: str) -> Iterator[_Fields]:
    for index, raw in enumerate(fields.items(key)):
        yield _Fields(
            raw,
            f"{fields.where}{'.' if fields.where else ''}{key}{_label(raw, index, *label_keys)}",
        )


def _source(f: _Fields) -> Source:
    record = Source(
        slug=f.slug("slug"),
        kind=f.enum("kind", SourceKind),
        publisher=f.text("publisher"),
        title=f.text("title"),
        language=f.text("language"),
        url=f.opt_text("url"),
        published=f.partial_date("published"),
        description=f.opt_text("description"),
    )
    f.done()
    return record


def _fx_rate(f: _Fields) -> FxRate:
    record = FxRate(
        f.text("currency"), f.day("rate_on"), f.decimal("usd_per_unit"), f.text("source")
    )
    f.done()
    if record.usd_per_unit <= 0:
        raise f.error("'usd_per_unit' must be positive")
    return record


def _credit_type(f: _Fields) -> CreditType:
    record = CreditType(
        slug=f.slug("slug"),
        name=f.text("name"),
        consideration_kind=f.enum("consideration_kind", ConsiderationKind),
        unit=f.enum("unit", CreditUnit),
        description=f.opt_text("description"),
    )
    f.done()
    return record


def _name(f: _Fields, primary: bool = False) -> OrganizationName:
    record = OrganizationName(
        value=f.text("value"),
        language=f.text("language"),
        script=f.text("script"),
        kind=f.enum("kind", NameKind),
        is_primary=primary,
    )
    f.done()
    if not re.match(r"^[A-Z][a-z]{3}$", record.script):
        raise f.error(f"'script' must be an ISO 15924 code such as Latn, got {record.script!r}")
    return record


def _organization(f: _Fields) -> Organization:
    name = f.text("name")
    # The primary name is the organization's own name, so the one-primary-per-organization
    # invariant holds by construction rather than by care in the data file.
    primary = OrganizationName(name, "en", "Latn", NameKind.COMMON, is_primary=True)
    kinds = tuple(_kind(f, value) for value in f.items("kinds"))
    record = Organization(
        slug=f.slug("slug"),
        name=name,
        kinds=kinds,
        country=f.opt_text("country"),
        founded=f.partial_date("founded"),
        parent=f.opt_slug("parent"),
        website=f.opt_text("website"),
        description=f.opt_text("description"),
        names=(primary, *(_name(name_fields) for name_fields in _each(f, "names", "value"))),
    )
    f.done()
    if not kinds:
        raise f.error("'kinds' must list at least one kind")
    if record.country is not None and not re.match(r"^[A-Z]{2}$", record.country):
        raise f.error(f"'country' must be an ISO 3166 alpha-2 code, got {record.country!r}")
    return record


def _kind(f: _Fields, value: object) -> OrganizationKind:
    try:
        return OrganizationKind(str(value))
    except ValueError:
        allowed = ", ".join(member.value for member in OrganizationKind)
        raise f.error(f"'kinds' entries must be among {allowed}; got {value!r}") from None


def _role(f: _Fields) -> Role:
    record = Role(
        key=f.slug("key"),
        organization=f.slug("organization"),
        kind=f.enum("kind", RoleKind),
        title=f.text("title"),
        started=f.partial_date("started"),
        ended=f.partial_date("ended"),
    )
    f.done()
    return record


def _person(f: _Fields) -> Person:
    record = Person(
        slug=f.slug("slug"),
        name=f.text("name"),
        native_name=f.opt_text("native_name"),
        description=f.opt_text("description"),
        roles=tuple(_role(role) for role in _each(f, "roles", "key")),
    )
    f.done()
    return record


def _product(f: _Fields) -> Product:
    alternatives: list[tuple[str, str | None]] = []
    for alt in _each(f, "alternative_to", "product"):
        alternatives.append((alt.slug("product"), alt.opt_text("market")))
        alt.done()
    record = Product(
        slug=f.slug("slug"),
        name=f.text("name"),
        organization=f.slug("organization"),
        category=f.opt_text("category"),
        launched=f.partial_date("launched"),
        description=f.opt_text("description"),
        alternative_to=tuple(alternatives),
    )
    f.done()
    return record


def _component(f: _Fields) -> Component:
    record = Component(
        key=f.opt_slug("key"),
        kind=f.enum("kind", ConsiderationKind),
        credit_type=f.opt_slug("credit_type"),
        credit_program=f.opt_slug("credit_program"),
        value=f.money("value"),
        share=f.share("share"),
        estimated=f.flag("estimated", False),
        provider=f.opt_slug("provider"),
        escrow=f.opt_flag("escrow"),
        recognized_as_revenue_by_provider=f.opt_flag("recognized_as_revenue_by_provider"),
        spend_restricted_to=f.opt_slug("spend_restricted_to"),
        spend_restriction=f.opt_text("spend_restriction"),
        description=f.opt_text("description"),
    )
    f.done()
    return record


def _investment(f: _Fields) -> Investment:
    record = Investment(
        key=f.slug("key"),
        investor=f.slug("investor"),
        is_lead=f.flag("is_lead", False),
        committed=f.money("committed"),
        stake=f.share("stake"),
        stake_estimated=f.flag("stake_estimated", False),
        description=f.opt_text("description"),
        consideration=tuple(_component(c) for c in _each(f, "consideration", "key", "kind")),
    )
    f.done()
    shares = [component.share for component in record.consideration]
    # The ranges of one investment's components must be able to add up to the whole of it.
    if shares and all(share is not None for share in shares):
        low = sum((share.low for share in shares if share), Decimal(0))
        high = sum((share.high for share in shares if share), Decimal(0))
        if not low <= 1 <= high:
            raise f.error(
                f"consideration shares cannot make a whole: sum of min {low}, sum of max {high}"
            )
    return record


def _funding_round(f: _Fields) -> FundingRound:
    record = FundingRound(
        key=f.slug("key"),
        organization=f.slug("organization"),
        round_type=f.enum("round_type", RoundType),
        status=f.enum("status", RoundStatus),
        announced=f.partial_date("announced"),
        raised=f.money("raised"),
        pre_money=f.money("pre_money"),
        post_money=f.money("post_money"),
        description=f.opt_text("description"),
        investments=tuple(_investment(i) for i in _each(f, "investments", "key")),
    )
    f.done()
    return record


def _credit_program(f: _Fields) -> CreditProgram:
    record = CreditProgram(
        slug=f.slug("slug"),
        name=f.text("name"),
        provider=f.slug("provider"),
        credit_type=f.slug("credit_type"),
        in_exchange_for=f.opt_text("in_exchange_for") or "EQUITY",
        terms=f.opt_text("terms"),
        started=f.partial_date("started"),
        ended=f.partial_date("ended"),
    )
    f.done()
    return record


def _relationship(f: _Fields) -> Relationship:
    record = Relationship(
        key=f.slug("key"),
        kind=f.enum("kind", RelationshipKind),
        source=f.slug("source"),
        target=f.slug("target"),
        started=f.partial_date("started"),
        ended=f.partial_date("ended"),
        description=f.opt_text("description"),
    )
    f.done()
    if record.source == record.target:
        raise f.error("'source' and 'target' must differ")
    return record


def _compute_asset(f: _Fields) -> ComputeAsset:
    record = ComputeAsset(
        key=f.slug("key"),
        owner=f.slug("owner"),
        chip_vendor=f.opt_slug("chip_vendor"),
        chip_model=f.text("chip_model"),
        quantity=f.opt_int("quantity"),
        quantity_estimated=f.flag("quantity_estimated", False),
        cluster_size=f.opt_int("cluster_size"),
        regions=f.texts("regions"),
        acquired=f.partial_date("acquired"),
        description=f.opt_text("description"),
    )
    f.done()
    return record


def _event(f: _Fields) -> Event:
    participants: list[Participant] = []
    for p in _each(f, "participants", "organization"):
        participants.append(Participant(p.slug("organization"), p.text("role")))
        p.done()
    people: list[EventPerson] = []
    for p in _each(f, "people", "person"):
        people.append(EventPerson(p.slug("person"), p.text("role")))
        p.done()
    record = Event(
        slug=f.slug("slug"),
        kind=f.enum("kind", EventKind),
        title=f.text("title"),
        description=f.opt_text("description"),
        occurred=f.partial_date("occurred"),
        participants=tuple(participants),
        people=tuple(people),
    )
    f.done()
    return record


def _listing(f: _Fields) -> Listing:
    record = Listing(
        key=f.slug("key"),
        organization=f.slug("organization"),
        status=f.enum("status", ListingStatus),
        exchange=f.opt_text("exchange"),
        ticker=f.opt_text("ticker"),
        announced=f.partial_date("announced"),
        filed=f.partial_date("filed"),
        listed=f.partial_date("listed"),
        withdrawn=f.partial_date("withdrawn"),
        withdrawal_reason=f.opt_text("withdrawal_reason"),
        shares_offered=f.opt_int("shares_offered"),
        raised=f.money("raised"),
        valuation=f.money("valuation"),
        description=f.opt_text("description"),
    )
    f.done()
    # The same rules as the table's, said in the data file's terms.
    if record.withdrawn is not None and record.status is not ListingStatus.WITHDRAWN:
        raise f.error("'withdrawn' needs status WITHDRAWN")
    if record.withdrawal_reason is not None and record.status is not ListingStatus.WITHDRAWN:
        raise f.error("'withdrawal_reason' needs status WITHDRAWN")
    if record.listed is not None and record.status is not ListingStatus.LISTED:
        raise f.error("'listed' needs status LISTED")
    return record


def _valuation(f: _Fields) -> Valuation:
    value = f.money("value")
    if value is None:
        raise f.error("'value' is required")
    record = Valuation(
        key=f.slug("key"),
        organization=f.slug("organization"),
        basis=f.enum("basis", ValuationBasis),
        valued=f.partial_date("valued"),
        value=value,
        round=f.opt_slug("round"),
        listing=f.opt_slug("listing"),
        description=f.opt_text("description"),
    )
    f.done()
    if record.round is not None and record.basis is not ValuationBasis.POST_MONEY:
        raise f.error("'round' needs basis POST_MONEY")
    return record


def _deal_person(f: _Fields) -> DealPerson:
    record = DealPerson(
        key=f.slug("key"),
        investment=f.slug("investment"),
        person=f.slug("person"),
        role=f.enum("role", DealRole),
        description=f.opt_text("description"),
    )
    f.done()
    return record


def _subject(f: _Fields, raw: object) -> SubjectRef:
    if not isinstance(raw, Mapping) or len(raw) != 1:
        raise f.error(f"each subject must be one 'kind: key' pair, got {raw!r}")
    [(kind, key)] = raw.items()
    try:
        subject_kind = SubjectKind(kind)
    except ValueError:
        allowed = ", ".join(member.value for member in SubjectKind)
        raise f.error(f"subject kind must be one of {allowed}; got {kind!r}") from None
    if not isinstance(key, str):
        raise f.error(f"subject {kind} must name a key or slug, got {key!r}")
    return SubjectRef(subject_kind, key)


def _claim(f: _Fields) -> Claim:
    fact = f.opt_text("fact")
    # Several claims share a fact, so the position names the record and the fact helps find it.
    f.where = f"{f.where} ({fact or 'no fact'})"
    record = Claim(
        label=f.where,
        fact=fact,
        attribution=f.enum("attribution", Attribution),
        attributed_to=f.opt_text("attributed_to"),
        person=f.opt_slug("person"),
        organization=f.opt_slug("organization"),
        stance=f.enum("stance", Stance, Stance.ASSERTS),
        statement=f.text("statement"),
        quote=f.opt_text("quote"),
        confidence=f.opt_decimal("confidence"),
        subjects=tuple(_subject(f, raw) for raw in f.items("subjects")),
    )
    f.done()
    if not record.subjects:
        raise f.error("a claim must support at least one subject")
    if record.attribution is Attribution.NAMED_PERSON and record.person is None:
        raise f.error("a NAMED_PERSON claim must name its 'person'")
    if record.confidence is not None and not 0 <= record.confidence <= 1:
        raise f.error("'confidence' must lie in [0, 1]")
    return record


def parse_dataset(raw: object) -> Dataset:
    top = _Fields(raw, "")
    source = top._get("source")
    dataset = Dataset(
        source=_source(_Fields(source, "source")),
        fx_rates=tuple(_fx_rate(f) for f in _each(top, "fx_rates", "currency")),
        credit_types=tuple(_credit_type(f) for f in _each(top, "credit_types", "slug")),
        organizations=tuple(_organization(f) for f in _each(top, "organizations", "slug")),
        people=tuple(_person(f) for f in _each(top, "people", "slug")),
        products=tuple(_product(f) for f in _each(top, "products", "slug")),
        credit_programs=tuple(_credit_program(f) for f in _each(top, "credit_programs", "slug")),
        funding_rounds=tuple(_funding_round(f) for f in _each(top, "funding_rounds", "key")),
        relationships=tuple(_relationship(f) for f in _each(top, "relationships", "key")),
        compute_assets=tuple(_compute_asset(f) for f in _each(top, "compute_assets", "key")),
        events=tuple(_event(f) for f in _each(top, "events", "slug")),
        claims=tuple(_claim(f) for f in _each(top, "claims")),
        listings=tuple(_listing(f) for f in _each(top, "listings", "key")),
        valuations=tuple(_valuation(f) for f in _each(top, "valuations", "key")),
        deal_people=tuple(_deal_person(f) for f in _each(top, "deal_people", "key")),
    )
    top.done()
    check_references(dataset)
    return dataset


def read_dataset(path: Path) -> Dataset:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_DecimalLoader)
    except yaml.YAMLError as exc:
        raise DataError(f"{path}: not valid YAML: {exc}") from exc
    try:
        return parse_dataset(raw)
    except DataError as exc:
        raise DataError(f"{path}: {exc}") from exc


# --- cross-record checks ------------------------------------------------------------------


def _unique(errors: list[str], what: str, keys: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            errors.append(f"{what}[{key}]: duplicate {what} key {key!r}")
        seen.add(key)
    return seen


def check_references(data: Dataset) -> None:
    """Every reference names a record of the right kind; all problems are reported at once."""
    errors: list[str] = []
    orgs = _unique(errors, "organizations", (o.slug for o in data.organizations))
    people = _unique(errors, "people", (p.slug for p in data.people))
    products = _unique(errors, "products", (p.slug for p in data.products))
    credit_types = {c.slug: c for c in data.credit_types}
    _unique(errors, "credit_types", credit_types)
    programs = {p.slug: p for p in data.credit_programs}
    _unique(errors, "credit_programs", programs)
    currencies = {rate.currency for rate in data.fx_rates}

    def ref(where: str, what: str, key: str | None, known: Iterable[str]) -> None:
        if key is not None and key not in known:
            errors.append(f"{where}: unknown {what} {key!r}")

    def money(where: str, value: Money | None) -> None:
        if value is not None and value.currency not in currencies:
            errors.append(f"{where}: currency {value.currency} has no fx_rates entry")

    for org in data.organizations:
        where = f"organizations[{org.slug}]"
        ref(where, "parent organization", org.parent, orgs)
        seen_names: set[tuple[str, str]] = set()
        for name in org.names:
            if (name.value, name.language) in seen_names:
                errors.append(f"{where}: name {name.value!r} ({name.language}) is listed twice")
            seen_names.add((name.value, name.language))
    for person in data.people:
        for role in person.roles:
            ref(f"people[{person.slug}].roles[{role.key}]", "organization", role.organization, orgs)
    for product in data.products:
        where = f"products[{product.slug}]"
        ref(where, "organization", product.organization, orgs)
        for alternative, _ in product.alternative_to:
            ref(where, "product in alternative_to", alternative, products)
    for program in data.credit_programs:
        where = f"credit_programs[{program.slug}]"
        ref(where, "provider organization", program.provider, orgs)
        ref(where, "credit type", program.credit_type, credit_types)
    for funding_round in data.funding_rounds:
        where = f"funding_rounds[{funding_round.key}]"
        ref(where, "organization", funding_round.organization, orgs)
        for label, value in (
            ("raised", funding_round.raised),
            ("pre_money", funding_round.pre_money),
            ("post_money", funding_round.post_money),
        ):
            money(f"{where}.{label}", value)
        for investment in funding_round.investments:
            inv_where = f"{where}.investments[{investment.key}]"
            ref(inv_where, "investor organization", investment.investor, orgs)
            money(f"{inv_where}.committed", investment.committed)
            for position, component in enumerate(investment.consideration):
                c_where = f"{inv_where}.consideration[{component.key or position}]"
                ref(c_where, "provider organization", component.provider, orgs)
                ref(
                    c_where, "spend_restricted_to organization", component.spend_restricted_to, orgs
                )
                ref(c_where, "credit type", component.credit_type, credit_types)
                ref(c_where, "credit program", component.credit_program, programs)
                money(f"{c_where}.value", component.value)
                credit_type = credit_types.get(component.credit_type or "")
                if credit_type and credit_type.consideration_kind is not component.kind:
                    errors.append(
                        f"{c_where}: credit type {credit_type.slug!r} is "
                        f"{credit_type.consideration_kind}, component is {component.kind}"
                    )
    for relationship in data.relationships:
        where = f"relationships[{relationship.key}]"
        ref(where, "source organization", relationship.source, orgs)
        ref(where, "target organization", relationship.target, orgs)
    for asset in data.compute_assets:
        where = f"compute_assets[{asset.key}]"
        ref(where, "owner organization", asset.owner, orgs)
        ref(where, "chip vendor organization", asset.chip_vendor, orgs)
    for listing in data.listings:
        where = f"listings[{listing.key}]"
        ref(where, "organization", listing.organization, orgs)
        money(f"{where}.raised", listing.raised)
        money(f"{where}.valuation", listing.valuation)
    round_keys = {r.key for r in data.funding_rounds}
    listing_keys = {x.key for x in data.listings}
    for valuation in data.valuations:
        where = f"valuations[{valuation.key}]"
        ref(where, "organization", valuation.organization, orgs)
        ref(where, "funding round", valuation.round, round_keys)
        ref(where, "listing", valuation.listing, listing_keys)
        money(f"{where}.value", valuation.value)
    investment_keys = {i.key for _, i in data.investments()}
    for link in data.deal_people:
        where = f"deal_people[{link.key}]"
        ref(where, "investment", link.investment, investment_keys)
        ref(where, "person", link.person, people)
    for event in data.events:
        for participant in event.participants:
            ref(f"events[{event.slug}]", "participant organization", participant.organization, orgs)
        for taking_part in event.people:
            ref(f"events[{event.slug}]", "person", taking_part.person, people)

    subjects: dict[SubjectKind, set[str]] = {
        SubjectKind.ORGANIZATION: orgs,
        SubjectKind.ROLE: _unique(errors, "roles", (r.key for p in data.people for r in p.roles)),
        SubjectKind.PRODUCT: products,
        SubjectKind.ROUND: _unique(errors, "funding_rounds", (r.key for r in data.funding_rounds)),
        SubjectKind.INVESTMENT: _unique(
            errors, "investments", (i.key for _, i in data.investments())
        ),
        SubjectKind.COMPONENT: _unique(
            errors, "consideration", (c.key for _, _, c in data.components() if c.key)
        ),
        SubjectKind.CREDIT_PROGRAM: set(programs),
        SubjectKind.RELATIONSHIP: _unique(
            errors, "relationships", (r.key for r in data.relationships)
        ),
        SubjectKind.COMPUTE_ASSET: _unique(
            errors, "compute_assets", (a.key for a in data.compute_assets)
        ),
        SubjectKind.EVENT: _unique(errors, "events", (e.slug for e in data.events)),
        SubjectKind.LISTING: _unique(errors, "listings", (x.key for x in data.listings)),
        SubjectKind.VALUATION: _unique(errors, "valuations", (v.key for v in data.valuations)),
        SubjectKind.ACQUISITION: set(),
        SubjectKind.FUND: set(),
        SubjectKind.FUND_COMMITMENT: set(),
        SubjectKind.EXIT: set(),
        SubjectKind.INVESTMENT_PERSON: _unique(
            errors, "deal_people", (x.key for x in data.deal_people)
        ),
    }
    for claim in data.claims:
        ref(claim.label, "person", claim.person, people)
        ref(claim.label, "organization", claim.organization, orgs)
        for subject in claim.subjects:
            ref(claim.label, f"{subject.kind.value} subject", subject.key, subjects[subject.kind])
    if errors:
        raise DataError("; ".join(errors))
