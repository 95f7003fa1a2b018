"""The generated dataset: rows as plain tuples per table, in the order the tables are loaded.

Rows are tuples in a fixed column order (one per table, ``TABLES`` below) rather than objects:
at a million investments the per-row cost of a dataclass or a dict is most of the run time.
Ids are allocated here, after the largest id already in the target database, so that generated
rows never collide with existing ones (the article dataset) and an empty database always gets
the same ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from service.ingest.generator.namesakes import NamesakeBase

Row = tuple[Any, ...]

# Every row gets this creation time instead of now(): two runs must give identical rows.
GENERATED_AT = datetime(2026, 1, 1, tzinfo=UTC)

# (table, columns in row order, has created_at/updated_at). Computed columns (normalized names,
# sort keys) are left to PostgreSQL; the timestamps are appended by the database writer. The
# natural ``key`` comes last: it is derived from the finished rows (``assign_keys``).
TABLES: tuple[tuple[str, tuple[str, ...], bool], ...] = tuple(
    (name, tuple(columns.split()), stamped)
    for name, columns, stamped in (
        (
            "organization",
            "id slug name kinds country founded_on founded_precision parent_id website description",
            True,
        ),
        ("organization_name", "id organization_id value language script kind is_primary", False),
        ("person", "id slug name native_name description", True),
        (
            "person_role",
            "id person_id organization_id kind title started_on started_precision ended_on "
            "ended_precision key",
            True,
        ),
        (
            "product",
            "id slug name organization_id category launched_on launched_precision description",
            True,
        ),
        ("product_alternative", "product_id alternative_to_id market", False),
        (
            "credit_program",
            "id slug name provider_id credit_type_id in_exchange_for terms started_on "
            "started_precision ended_on ended_precision",
            True,
        ),
        (
            "funding_round",
            "id organization_id round_type status announced_on announced_precision raised_amount "
            "raised_currency raised_estimated pre_money_amount pre_money_currency "
            "pre_money_estimated post_money_amount post_money_currency post_money_estimated "
            "description key",
            True,
        ),
        (
            "investment",
            "id round_id investor_id is_lead committed_amount committed_currency "
            "committed_estimated stake_min stake_max stake_estimated description "
            "investor_person_id key",
            True,
        ),
        (
            "consideration_component",
            "id investment_id position kind credit_type_id credit_program_id value_amount "
            "value_currency value_estimated share_min share_max estimated provider_id escrow "
            "recognized_as_revenue_by_provider spend_restricted_to_id spend_restriction "
            "description key",
            False,
        ),
        (
            "relationship",
            "id kind source_id target_id started_on started_precision ended_on ended_precision "
            "description key",
            True,
        ),
        (
            "compute_asset",
            "id owner_id chip_vendor_id chip_model quantity quantity_estimated cluster_size "
            "regions acquired_on acquired_precision description key",
            True,
        ),
        ("event", "id slug kind title description occurred_on occurred_precision", True),
        ("event_participant", "event_id organization_id role", False),
        ("event_person", "event_id person_id role", False),
        # The records of an investment's life: drawn by deals.py, copied
        # after the rows they refer to and before the claims about them.
        (
            "acquisition",
            "id acquirer_id acquired_id status announced_on announced_precision completed_on "
            "completed_precision price_amount price_currency price_estimated stake_min stake_max "
            "description key",
            True,
        ),
        (
            "acquisition_component",
            "id acquisition_id position kind value_amount value_currency value_estimated "
            "share_min share_max estimated description key",
            False,
        ),
        (
            "listing",
            "id organization_id status exchange ticker announced_on announced_precision filed_on "
            "filed_precision listed_on listed_precision withdrawn_on withdrawn_precision "
            "withdrawal_reason shares_offered raised_amount raised_currency raised_estimated "
            "valuation_amount valuation_currency valuation_estimated description key",
            True,
        ),
        (
            "valuation",
            "id organization_id basis valued_on valued_precision value_amount value_currency "
            "value_estimated round_id listing_id description key",
            True,
        ),
        (
            "fund",
            "id slug name manager_id vintage_year target_size_amount target_size_currency "
            "target_size_estimated final_size_amount final_size_currency final_size_estimated "
            "strategy description",
            True,
        ),
        (
            "fund_commitment",
            "id fund_id limited_partner_id amount_amount amount_currency amount_estimated "
            "share_min share_max committed_on committed_precision ended_on ended_precision "
            "description key",
            True,
        ),
        ("fund_investment", "id investment_id fund_id", True),
        (
            "exit",
            "id investment_id kind exited_on exited_precision proceeds_amount proceeds_currency "
            "proceeds_estimated share_min share_max counterparty_id acquisition_id listing_id "
            "description key",
            True,
        ),
        ("investment_person", "id investment_id person_id role description key", True),
        (
            "source",
            "id slug kind publisher title language url published_on published_precision "
            "description",
            True,
        ),
        (
            "claim",
            "id source_id fact_ref attribution attributed_to person_id organization_id stance "
            "statement quote confidence key",
            True,
        ),
        (
            "claim_subject",
            "id claim_id organization_id person_role_id product_id funding_round_id "
            "investment_id consideration_component_id credit_program_id relationship_id "
            "compute_asset_id event_id acquisition_id listing_id valuation_id fund_id "
            "fund_commitment_id exit_id investment_person_id",
            False,
        ),
    )
)
TABLE_NAMES: tuple[str, ...] = tuple(name for name, _, _ in TABLES)
# Tables without an id column of their own (association tables keyed by their references).
KEYLESS: frozenset[str] = frozenset({"product_alternative", "event_participant", "event_person"})
ID_TABLES: tuple[str, ...] = tuple(name for name in TABLE_NAMES if name not in KEYLESS)

# Reference data the generator needs; upserted by slug, so the article's rows are reused.
# (slug, name, consideration kind, unit, description)
CREDIT_TYPES: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "cloud-compute-credits",
        "Cloud compute credits",
        "CLOUD_CREDITS",
        "CURRENCY",
        "Credits redeemable for compute on the provider's cloud.",
    ),
    (
        "gpu-hours",
        "GPU hours",
        "CLOUD_CREDITS",
        "GPU_HOURS",
        "Reserved accelerator time on the provider's clusters.",
    ),
    (
        "traffic-promotion",
        "Traffic promotion",
        "TRAFFIC_PROMOTION",
        "CURRENCY",
        "Promotion of the investee's products on the investor's platform.",
    ),
    (
        "technical-services",
        "Technical services",
        "SERVICES",
        "CURRENCY",
        "Engineering, legal or go-to-market services in kind.",
    ),
)


class TableRows:
    """One table's generated rows and where its ids start."""

    __slots__ = ("columns", "id_base", "name", "rows", "stamped")

    def __init__(self, name: str, columns: tuple[str, ...], stamped: bool, id_base: int) -> None:
        self.name = name
        self.columns = columns
        self.stamped = stamped
        self.id_base = id_base
        self.rows: list[Row] = []

    def next_id(self) -> int:
        return self.id_base + len(self.rows) + 1


class Dataset:
    """All generated rows, table by table, in load order."""

    def __init__(
        self,
        *,
        seed: int,
        orgs: int,
        id_bases: Mapping[str, int],
        credit_type_ids: Mapping[str, int],
    ) -> None:
        self.seed = seed
        self.orgs = orgs
        # Names to give namesakes to, and how many each (``namesakes``); none by default.
        self.namesake_bases: tuple[NamesakeBase, ...] = ()
        self.namesakes_each = 0
        self.credit_type_ids = dict(credit_type_ids)
        # (currency, rate_on, usd_per_unit, source): upserted, not copied, as the article may
        # already have rates for some of these days.
        self.fx_rates: list[Row] = []
        self.tables: dict[str, TableRows] = {
            name: TableRows(name, columns, stamped, id_bases.get(name, 0))
            for name, columns, stamped in TABLES
        }

    def __getitem__(self, name: str) -> TableRows:
        return self.tables[name]

    def row_counts(self) -> dict[str, int]:
        return {name: len(table.rows) for name, table in self.tables.items()}
