"""What each entity's mutations write: how input fields map onto its table's columns.

The GraphQL inputs (service/schema/mutation_inputs.py) name fields as the API reads them
(``amount``, ``announcedOn``, ``investor``); this module says which columns each one fills, so
that one generic create/update/retire (service/mutations/writes.py) serves every entity.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import Table

from service.db import tables as t

# column: one column, as given; enum/enums: an enum's value (or a list of them); money: a
# MoneyInput into <prefix>_amount/_currency/_estimated; date: a PartialDateInput into
# <prefix>_on/_precision; share: a ShareRangeInput into <prefix>_min/_max; decimal: a decimal
# string in [0, 1]; count: a whole, non-negative decimal string (share counts, which outgrow
# GraphQL's Int); ref: a global ID of ``ref_type`` into an id column.
Kind = Literal["column", "enum", "enums", "money", "date", "share", "decimal", "count", "ref"]


@dataclass(frozen=True)
class Field:
    kind: Kind
    target: str
    ref_type: str | None = None

    def columns(self) -> tuple[str, ...]:
        match self.kind:
            case "money":
                return tuple(f"{self.target}_{s}" for s in ("amount", "currency", "estimated"))
            case "date":
                return (f"{self.target}_on", f"{self.target}_precision")
            case "share":
                return (f"{self.target}_min", f"{self.target}_max")
            case _:
                return (self.target,)


def col(name: str) -> Field:
    return Field("column", name)


def enum(name: str) -> Field:
    return Field("enum", name)


def ref(column: str, type_name: str) -> Field:
    return Field("ref", column, type_name)


@dataclass(frozen=True)
class EntitySpec:
    """One entity's mutations: its table, the GraphQL type, and its input fields' columns."""

    type_name: str
    noun: str  # the mutations' prefix: organizationCreate…
    table: Table
    fields: dict[str, Field]
    # Child rows retired with their parent: (table, column naming the parent).
    owned: tuple[tuple[Table, str], ...] = ()
    # Fields only a create may set (what a record is about does not move).
    fixed: frozenset[str] = field(default_factory=frozenset)
    # The GraphQL type (and global-ID prefix) of its records, where it differs from type_name.
    node_type: str | None = None

    @property
    def id_type(self) -> str:
        return self.node_type or self.type_name

    @property
    def has_updated_at(self) -> bool:
        return "updated_at" in self.table.c


def _date(prefix: str) -> Field:
    return Field("date", prefix)


def _money(prefix: str) -> Field:
    return Field("money", prefix)


ORG = "Organization"

SPECS: dict[str, EntitySpec] = {
    s.type_name: s
    for s in (
        EntitySpec(
            ORG,
            "organization",
            t.organization,
            {
                "slug": col("slug"),
                "name": col("name"),
                "kinds": Field("enums", "kinds"),
                "country": col("country"),
                "founded_on": _date("founded"),
                "parent": ref("parent_id", ORG),
                "website": col("website"),
                "description": col("description"),
            },
            owned=((t.organization_name, "organization_id"),),
        ),
        EntitySpec(
            "OrganizationName",
            "organizationName",
            t.organization_name,
            {
                "organization": ref("organization_id", ORG),
                "value": col("value"),
                "language": col("language"),
                "script": col("script"),
                "kind": enum("kind"),
                "is_primary": col("is_primary"),
            },
            fixed=frozenset({"organization"}),
            node_type="Name",
        ),
        EntitySpec(
            "Person",
            "person",
            t.person,
            {
                "slug": col("slug"),
                "name": col("name"),
                "native_name": col("native_name"),
                "description": col("description"),
            },
        ),
        EntitySpec(
            "PersonRole",
            "personRole",
            t.person_role,
            {
                "person": ref("person_id", "Person"),
                "organization": ref("organization_id", ORG),
                "kind": enum("kind"),
                "title": col("title"),
                "started_on": _date("started"),
                "ended_on": _date("ended"),
            },
        ),
        EntitySpec(
            "Product",
            "product",
            t.product,
            {
                "slug": col("slug"),
                "name": col("name"),
                "organization": ref("organization_id", ORG),
                "category": col("category"),
                "launched_on": _date("launched"),
                "description": col("description"),
            },
            owned=(
                (t.product_alternative, "product_id"),
                (t.product_alternative, "alternative_to_id"),
            ),
        ),
        EntitySpec(
            "FundingRound",
            "fundingRound",
            t.funding_round,
            {
                "organization": ref("organization_id", ORG),
                "round_type": enum("round_type"),
                "status": enum("status"),
                "announced_on": _date("announced"),
                "amount": _money("raised"),
                "pre_money_valuation": _money("pre_money"),
                "post_money_valuation": _money("post_money"),
                "description": col("description"),
            },
        ),
        EntitySpec(
            "Investment",
            "investment",
            t.investment,
            {
                "round": ref("round_id", "FundingRound"),
                "investor": ref("investor_id", ORG),
                "investor_person": ref("investor_person_id", "Person"),
                "is_lead": col("is_lead"),
                "amount": _money("committed"),
                "stake": Field("share", "stake"),
                "stake_estimated": col("stake_estimated"),
                "description": col("description"),
            },
            owned=((t.consideration_component, "investment_id"),),
            fixed=frozenset({"round"}),
        ),
        EntitySpec(
            "ConsiderationComponent",
            "considerationComponent",
            t.consideration_component,
            {
                "investment": ref("investment_id", "Investment"),
                "kind": enum("kind"),
                "credit_type": ref("credit_type_id", "CreditType"),
                "credit_program": ref("credit_program_id", "CreditProgram"),
                "amount": _money("value"),
                "share": Field("share", "share"),
                "estimated": col("estimated"),
                "provider": ref("provider_id", ORG),
                "escrow": col("escrow"),
                "recognized_as_revenue_by_provider": col("recognized_as_revenue_by_provider"),
                "spend_restricted_to": ref("spend_restricted_to_id", ORG),
                "spend_restriction": col("spend_restriction"),
                "description": col("description"),
            },
            fixed=frozenset({"investment"}),
        ),
        EntitySpec(
            "CreditType",
            "creditType",
            t.credit_type,
            {
                "slug": col("slug"),
                "name": col("name"),
                "consideration_kind": enum("consideration_kind"),
                "unit": enum("unit"),
                "description": col("description"),
            },
        ),
        EntitySpec(
            "CreditProgram",
            "creditProgram",
            t.credit_program,
            {
                "slug": col("slug"),
                "name": col("name"),
                "provider": ref("provider_id", ORG),
                "credit_type": ref("credit_type_id", "CreditType"),
                "in_exchange_for": col("in_exchange_for"),
                "terms": col("terms"),
                "started_on": _date("started"),
                "ended_on": _date("ended"),
            },
        ),
        EntitySpec(
            "Relationship",
            "relationship",
            t.relationship,
            {
                "kind": enum("kind"),
                "source": ref("source_id", ORG),
                "target": ref("target_id", ORG),
                "started_on": _date("started"),
                "ended_on": _date("ended"),
                "description": col("description"),
            },
        ),
        EntitySpec(
            "ComputeAsset",
            "computeAsset",
            t.compute_asset,
            {
                "owner": ref("owner_id", ORG),
                "chip_vendor": ref("chip_vendor_id", ORG),
                "chip_model": col("chip_model"),
                "quantity": col("quantity"),
                "quantity_estimated": col("quantity_estimated"),
                "cluster_size": col("cluster_size"),
                "regions": col("regions"),
                "acquired_on": _date("acquired"),
                "description": col("description"),
            },
        ),
        EntitySpec(
            "Event",
            "event",
            t.event,
            {
                "slug": col("slug"),
                "kind": enum("kind"),
                "title": col("title"),
                "description": col("description"),
                "occurred_on": _date("occurred"),
            },
            owned=((t.event_participant, "event_id"), (t.event_person, "event_id")),
        ),
        EntitySpec(
            "Source",
            "source",
            t.source,
            {
                "slug": col("slug"),
                "kind": enum("kind"),
                "publisher": col("publisher"),
                "title": col("title"),
                "language": col("language"),
                "url": col("url"),
                "published_on": _date("published"),
                "description": col("description"),
            },
        ),
        EntitySpec(
            "Claim",
            "claim",
            t.claim,
            {
                "source": ref("source_id", "Source"),
                "fact_ref": col("fact_ref"),
                "attribution": enum("attribution"),
                "attributed_to": col("attributed_to"),
                "person": ref("person_id", "Person"),
                "organization": ref("organization_id", ORG),
                "stance": enum("stance"),
                "statement": col("statement"),
                "quote": col("quote"),
                "confidence": Field("decimal", "confidence"),
            },
            owned=((t.claim_subject, "claim_id"),),
        ),
        # -- the life of an investment --
        EntitySpec(
            "Acquisition",
            "acquisition",
            t.acquisition,
            {
                "acquirer": ref("acquirer_id", ORG),
                "acquired": ref("acquired_id", ORG),
                "status": enum("status"),
                "announced_on": _date("announced"),
                "completed_on": _date("completed"),
                "price": _money("price"),
                "stake": Field("share", "stake"),
                "description": col("description"),
            },
            owned=((t.acquisition_component, "acquisition_id"),),
        ),
        EntitySpec(
            "AcquisitionComponent",
            "acquisitionComponent",
            t.acquisition_component,
            {
                "acquisition": ref("acquisition_id", "Acquisition"),
                "position": col("position"),
                "kind": enum("kind"),
                "amount": _money("value"),
                "share": Field("share", "share"),
                "estimated": col("estimated"),
                "description": col("description"),
            },
            fixed=frozenset({"acquisition"}),
        ),
        EntitySpec(
            "Listing",
            "listing",
            t.listing,
            {
                "organization": ref("organization_id", ORG),
                "status": enum("status"),
                "exchange": col("exchange"),
                "ticker": col("ticker"),
                "announced_on": _date("announced"),
                "filed_on": _date("filed"),
                "listed_on": _date("listed"),
                "withdrawn_on": _date("withdrawn"),
                "withdrawal_reason": col("withdrawal_reason"),
                "shares_offered": Field("count", "shares_offered"),
                "raised": _money("raised"),
                "valuation": _money("valuation"),
                "description": col("description"),
            },
            fixed=frozenset({"organization"}),
        ),
        EntitySpec(
            "Valuation",
            "valuation",
            t.valuation,
            {
                "organization": ref("organization_id", ORG),
                "basis": enum("basis"),
                "valued_on": _date("valued"),
                "value": _money("value"),
                "round": ref("round_id", "FundingRound"),
                "listing": ref("listing_id", "Listing"),
                "description": col("description"),
            },
            fixed=frozenset({"organization"}),
        ),
        EntitySpec(
            "Fund",
            "fund",
            t.fund,
            {
                "slug": col("slug"),
                "name": col("name"),
                "manager": ref("manager_id", ORG),
                "vintage_year": col("vintage_year"),
                "target_size": _money("target_size"),
                "final_size": _money("final_size"),
                "strategy": col("strategy"),
                "description": col("description"),
            },
            owned=((t.fund_commitment, "fund_id"), (t.fund_investment, "fund_id")),
        ),
        EntitySpec(
            "FundCommitment",
            "fundCommitment",
            t.fund_commitment,
            {
                "fund": ref("fund_id", "Fund"),
                "limited_partner": ref("limited_partner_id", ORG),
                "amount": _money("amount"),
                "share": Field("share", "share"),
                "committed_on": _date("committed"),
                "ended_on": _date("ended"),
                "description": col("description"),
            },
            fixed=frozenset({"fund"}),
        ),
        EntitySpec(
            "FundInvestment",
            "fundInvestment",
            t.fund_investment,
            {"investment": ref("investment_id", "Investment"), "fund": ref("fund_id", "Fund")},
            fixed=frozenset({"investment"}),
        ),
        EntitySpec(
            "Exit",
            "exit",
            t.exit_,
            {
                "investment": ref("investment_id", "Investment"),
                "kind": enum("kind"),
                "exited_on": _date("exited"),
                "proceeds": _money("proceeds"),
                "share": Field("share", "share"),
                "counterparty": ref("counterparty_id", ORG),
                "acquisition": ref("acquisition_id", "Acquisition"),
                "listing": ref("listing_id", "Listing"),
                "description": col("description"),
            },
            fixed=frozenset({"investment"}),
        ),
        EntitySpec(
            "InvestmentPerson",
            "investmentPerson",
            t.investment_person,
            {
                "investment": ref("investment_id", "Investment"),
                "person": ref("person_id", "Person"),
                "role": enum("role"),
                "description": col("description"),
            },
            fixed=frozenset({"investment"}),
        ),
    )
}

BY_TABLE: dict[str, EntitySpec] = {s.table.name: s for s in SPECS.values()}

# The tables a claim can be about, by the GraphQL type of the subject's ID.
CLAIM_SUBJECT_COLUMNS: dict[str, str] = {
    BY_TABLE[table].type_name: column for column, table in t.CLAIM_SUBJECTS.items()
}
