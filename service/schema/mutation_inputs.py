"""The inputs of the create mutations, one per entity, each field described.

Update inputs carry the same fields, all optional (service/schema/mutation_fields.py derives them,
descriptions included): a field left out keeps its value, an explicit null clears it.
"""

from __future__ import annotations

import datetime as dt

import strawberry

from service.schema.common import (
    Attribution,
    ConsiderationKind,
    CreditUnit,
    DatePrecision,
    EventKind,
    NameKind,
    OrganizationKind,
    RelationshipKind,
    RoleKind,
    RoundStatus,
    RoundType,
    SourceKind,
    Stance,
)

F = strawberry.field


@strawberry.input(description="An exact amount of money.")
class MoneyInput:
    amount: str = F(description='A non-negative decimal string, e.g. "800000000" or "12.5".')
    currency: str = F(description="ISO 4217 currency code, e.g. `USD`, `CNY`.")
    estimated: bool = F(default=False, description="True if the amount is an estimate.")


@strawberry.input(description="A date known to a precision.")
class PartialDateInput:
    date: dt.date = F(
        description="The first day of the period (2024-02-01 for February 2024 at MONTH)."
    )
    precision: DatePrecision = F(description="How precisely the date is known.")


@strawberry.input(description="A fraction known as a range within [0, 1]; a point has min = max.")
class ShareRangeInput:
    min: str = F(description='Lower bound, a decimal string, e.g. "0.4".')
    max: str = F(description='Upper bound, a decimal string, e.g. "0.5".')


@strawberry.input(description="A new organization.")
class OrganizationCreateInput:
    slug: str = F(description="Stable, URL-safe identifier: lowercase words joined by `-`.")
    name: str = F(description="Display name.")
    kinds: list[OrganizationKind] = F(description="What it is; at least one kind.")
    country: str | None = F(default=None, description="ISO 3166-1 alpha-2 country code.")
    founded_on: PartialDateInput | None = F(default=None, description="When it was founded.")
    parent: strawberry.ID | None = F(
        default=None, description="ID of the organization it belongs to."
    )
    website: str | None = F(default=None, description="Its website.")
    description: str | None = F(default=None, description="A short description.")


@strawberry.input(description="A new name of an organization.")
class OrganizationNameCreateInput:
    organization: strawberry.ID = F(description="ID of the organization named.")
    value: str = F(description="The name as written.")
    language: str = F(description="BCP 47 language tag, e.g. `en`, `zh-Hans`, `ar`.")
    script: str = F(description="ISO 15924 script code, e.g. `Latn`, `Hans`, `Arab`.")
    kind: NameKind = F(description="Legal, common, former, transliteration…")
    is_primary: bool = F(default=False, description="True for the display name.")


@strawberry.input(description="A new person.")
class PersonCreateInput:
    slug: str = F(description="Stable, URL-safe identifier.")
    name: str = F(description="Name in Latin script.")
    native_name: str | None = F(default=None, description="Name in its native script.")
    description: str | None = F(default=None, description="A short description.")


@strawberry.input(description="A new role of a person at an organization.")
class PersonRoleCreateInput:
    person: strawberry.ID = F(description="ID of the person.")
    organization: strawberry.ID = F(description="ID of the organization.")
    kind: RoleKind = F(description="The sort of role.")
    title: str = F(description='The title, e.g. "Chief executive".')
    started_on: PartialDateInput | None = F(default=None, description="When the role began.")
    ended_on: PartialDateInput | None = F(default=None, description="When it ended.")


@strawberry.input(description="A product this one is a local alternative to.")
class ProductAlternativeInput:
    product: strawberry.ID = F(description="ID of the product it is an alternative to.")
    market: str | None = F(
        default=None, description="ISO 3166-1 alpha-2 country of the local market."
    )


@strawberry.input(description="A new product.")
class ProductCreateInput:
    slug: str = F(description="Stable, URL-safe identifier.")
    name: str = F(description="Product name.")
    organization: strawberry.ID = F(description="ID of the organization that makes it.")
    category: str | None = F(default=None, description='What it is, e.g. "chatbot".')
    launched_on: PartialDateInput | None = F(default=None, description="When it launched.")
    description: str | None = F(default=None, description="A short description.")
    alternative_to: list[ProductAlternativeInput] | None = F(
        default=None,
        description="Products it is a local alternative to (on update, the whole new list).",
    )


@strawberry.input(description="One part of what an investor gives for its stake.")
class ConsiderationComponentInput:
    kind: ConsiderationKind = F(description="Cash, cloud credits, traffic promotion…")
    amount: MoneyInput | None = F(default=None, description="Its amount, where known.")
    share: ShareRangeInput | None = F(
        default=None, description="Its share of the investment as a range, where known."
    )
    estimated: bool = F(default=False, description="True if amount or share is an estimate.")
    credit_type: strawberry.ID | None = F(default=None, description="ID of the credit type.")
    credit_program: strawberry.ID | None = F(
        default=None, description="ID of the credit program it was given under."
    )
    provider: strawberry.ID | None = F(
        default=None, description="ID of the organization providing the credits or services."
    )
    escrow: bool | None = F(default=None, description="True if held in escrow.")
    recognized_as_revenue_by_provider: bool | None = F(
        default=None, description="True if the provider books it as its own revenue."
    )
    spend_restricted_to: strawberry.ID | None = F(
        default=None, description="ID of the organization whose platform it must be spent on."
    )
    spend_restriction: str | None = F(default=None, description="Conditions on spending it.")
    description: str | None = F(default=None, description="Notes on the component.")


@strawberry.input(description="A new component of an existing investment's consideration.")
class ConsiderationComponentCreateInput(ConsiderationComponentInput):
    investment: strawberry.ID = F(description="ID of the investment it is part of.")


@strawberry.input(
    description="One investor's participation, given with its round: give exactly one of "
    "`investor` (an organization) and `investorPerson` (a person investing as an angel)."
)
class RoundInvestmentInput:
    investor: strawberry.ID | None = F(
        default=None, description="ID of the investing organization (or give `investorPerson`)."
    )
    investor_person: strawberry.ID | None = F(
        default=None,
        description="ID of the person investing their own money, as an angel (or give `investor`).",
    )
    amount: MoneyInput | None = F(default=None, description="Amount committed, if disclosed.")
    stake: ShareRangeInput | None = F(default=None, description="Equity stake acquired.")
    stake_estimated: bool = F(default=False, description="True if the stake is an estimate.")
    description: str | None = F(default=None, description="Notes on the investment.")
    consideration: list[ConsiderationComponentInput] | None = F(
        default=None,
        description="What the investor gives; the share ranges must be able to make a whole "
        "and known amounts cannot exceed the investment's amount.",
    )


@strawberry.input(description="A new investment in an existing round.")
class InvestmentCreateInput(RoundInvestmentInput):
    round: strawberry.ID = F(description="ID of the funding round.")
    is_lead: bool = F(default=False, description="True if the investor led the round.")


@strawberry.input(description="A new funding round, optionally with its investments.")
class FundingRoundCreateInput:
    organization: strawberry.ID = F(description="ID of the organization raising the round.")
    round_type: RoundType = F(description="Seed, series A…, strategic…")
    status: RoundStatus = F(description="Rumoured, announced or closed.")
    announced_on: PartialDateInput | None = F(default=None, description="When it was announced.")
    amount: MoneyInput | None = F(default=None, description="Amount raised, if disclosed.")
    pre_money_valuation: MoneyInput | None = F(default=None, description="Pre-money valuation.")
    post_money_valuation: MoneyInput | None = F(default=None, description="Post-money valuation.")
    description: str | None = F(default=None, description="Notes on the round.")
    investments: list[RoundInvestmentInput] | None = F(
        default=None, description="Who invested, each with its consideration."
    )
    lead_investors: list[strawberry.ID] | None = F(
        default=None,
        description="IDs of the organizations or people (angels) that led; each must be one "
        "of its investors.",
    )


@strawberry.input(description="A new credit type.")
class CreditTypeCreateInput:
    slug: str = F(description="Stable, URL-safe identifier.")
    name: str = F(description='Name, e.g. "Traffic promotion".')
    consideration_kind: ConsiderationKind = F(description="The consideration kind it is.")
    unit: CreditUnit = F(description="What it is counted in.")
    description: str | None = F(default=None, description="A short description.")


@strawberry.input(description="A new credit program: a provider's standing offer of credits.")
class CreditProgramCreateInput:
    slug: str = F(description="Stable, URL-safe identifier.")
    name: str = F(description="Program name.")
    provider: strawberry.ID = F(description="ID of the organization offering the credits.")
    credit_type: strawberry.ID = F(description="ID of the credit type offered.")
    in_exchange_for: str = F(default="EQUITY", description="What the provider asks in return.")
    terms: str | None = F(default=None, description="The terms, as published.")
    started_on: PartialDateInput | None = F(default=None, description="When it started.")
    ended_on: PartialDateInput | None = F(default=None, description="When it ended.")


@strawberry.input(description="A new relationship between two organizations.")
class RelationshipCreateInput:
    kind: RelationshipKind = F(description="Subsidiary of, competes with, cloud provider of…")
    source: strawberry.ID = F(description="ID of the organization it goes from.")
    target: strawberry.ID = F(description="ID of the organization it goes to.")
    started_on: PartialDateInput | None = F(default=None, description="When it began.")
    ended_on: PartialDateInput | None = F(default=None, description="When it ended.")
    description: str | None = F(default=None, description="Notes on the relationship.")


@strawberry.input(description="New GPU holdings of an organization.")
class ComputeAssetCreateInput:
    owner: strawberry.ID = F(description="ID of the organization holding the compute.")
    chip_model: str = F(description='Chip model, e.g. "H800".')
    chip_vendor: strawberry.ID | None = F(default=None, description="ID of the chip's maker.")
    quantity: int | None = F(default=None, description="How many chips, if known.")
    quantity_estimated: bool = F(default=False, description="True if the quantity is estimated.")
    cluster_size: int | None = F(default=None, description="Cluster size, if known.")
    regions: list[str] = F(default_factory=list, description="Where the compute is.")
    acquired_on: PartialDateInput | None = F(default=None, description="When it was acquired.")
    description: str | None = F(default=None, description="Notes.")


@strawberry.input(description="An organization taking part in an event.")
class EventParticipantInput:
    organization: strawberry.ID = F(description="ID of the organization.")
    role: str = F(description='Its part in the event, e.g. "business to be listed".')


@strawberry.input(description="A person's part in an event.")
class EventPersonInput:
    person: strawberry.ID = F(description="ID of the person.")
    role: str = F(description='Their part in the event, e.g. "appointed chief executive".')


@strawberry.input(description="A new event.")
class EventCreateInput:
    slug: str = F(description="Stable, URL-safe identifier.")
    kind: EventKind = F(description="The type of event.")
    title: str = F(description="A short title.")
    description: str | None = F(default=None, description="What happened.")
    occurred_on: PartialDateInput | None = F(default=None, description="When it happened.")
    participants: list[EventParticipantInput] | None = F(
        default=None, description="The organizations involved."
    )
    people: list[EventPersonInput] | None = F(default=None, description="The people involved.")


@strawberry.input(description="A new source.")
class SourceCreateInput:
    slug: str = F(description="Stable, URL-safe identifier.")
    kind: SourceKind = F(description="The type of source.")
    publisher: str = F(description='Who published it, e.g. "Financial Times".')
    title: str = F(description="Its title.")
    language: str = F(description="BCP 47 language tag.")
    url: str | None = F(default=None, description="Where it can be read.")
    published_on: PartialDateInput | None = F(default=None, description="When it was published.")
    description: str | None = F(default=None, description="Notes.")


@strawberry.input(description="A new claim: what a source says about one fact.")
class ClaimCreateInput:
    subject: strawberry.ID = F(
        description="ID of the fact the claim is about: an organization, person role, product, "
        "funding round, investment, consideration component, credit program, relationship, "
        "compute asset or event."
    )
    source: strawberry.ID = F(description="ID of the source.")
    attribution: Attribution = F(description="Who the source attributes it to.")
    statement: str = F(description="What is claimed, in a sentence.")
    stance: Stance = F(default=Stance.ASSERTS, description="Asserts, declined to comment…")
    attributed_to: str | None = F(default=None, description="The attributed party, as named.")
    person: strawberry.ID | None = F(default=None, description="ID of the person quoted.")
    organization: strawberry.ID | None = F(
        default=None, description="ID of the organization quoted."
    )
    quote: str | None = F(default=None, description="The words quoted.")
    confidence: str | None = F(default=None, description='Confidence in [0, 1], e.g. "0.8".')
    fact_ref: str | None = F(default=None, description="A reference to the fact in the source.")
