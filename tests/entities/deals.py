"""The deals the entity tests load on top of the article dataset, as bulk-format records: small,
hand-made, and covering every field (dated and undated, priced and not, each status)."""

from __future__ import annotations

from typing import Any

from service.ingest.bulk.format import canonical, end_record, header_record

Record = dict[str, Any]

ORGANIZATIONS: list[Record] = [
    {"type": "organization", "slug": slug, "name": name, "kinds": kinds, "country": country}
    for slug, name, kinds, country in (
        ("acme-ai", "Acme AI", ["STARTUP"], "US"),
        ("bolt-labs", "Bolt Labs", ["STARTUP"], "CN"),
        ("cobalt-capital", "Cobalt Capital", ["INVESTOR", "VC_FIRM"], "US"),
    )
]

ACQUISITIONS: list[Record] = [
    {
        "type": "acquisition",
        "key": "tencent-acquires-acme-ai",
        "acquirer": "tencent",
        "acquired": "acme-ai",
        "status": "COMPLETED",
        "announced_on": "2024-03-01",
        "announced_precision": "MONTH",
        "completed_on": "2024-06-15",
        "completed_precision": "DAY",
        "price_amount": "1200000000",
        "price_currency": "USD",
        "stake_min": "1",
        "stake_max": "1",
        "description": "The whole company, paid in cash and cloud credits.",
        "consideration": [
            {
                "key": "tencent-acquires-acme-ai/0",
                "position": 0,
                "kind": "CASH",
                "value_amount": "800000000",
                "value_currency": "USD",
            },
            {
                "key": "tencent-acquires-acme-ai/1",
                "position": 1,
                "kind": "CLOUD_CREDITS",
                "share_min": "0.3",
                "share_max": "0.4",
                "estimated": True,
            },
        ],
    },
    {
        "type": "acquisition",
        "key": "alibaba-bids-for-bolt-labs",
        "acquirer": "alibaba",
        "acquired": "bolt-labs",
        "status": "CANCELLED",
        "announced_on": "2023-01-01",
        "announced_precision": "QUARTER",
        "price_amount": "5000000000",
        "price_currency": "CNY",
        "price_estimated": True,
        "stake_min": "0.5",
        "stake_max": "0.6",
        "consideration": [
            {"key": "alibaba-bids-for-bolt-labs/0", "position": 0, "kind": "STOCK"},
        ],
    },
    {
        "type": "acquisition",
        "key": "cobalt-buys-into-bolt-labs",
        "acquirer": "cobalt-capital",
        "acquired": "bolt-labs",
        "status": "ANNOUNCED",
    },
]

LISTINGS: list[Record] = [
    {
        "type": "listing",
        "key": "acme-ai-nasdaq",
        "organization": "acme-ai",
        "status": "LISTED",
        "exchange": "NASDAQ",
        "ticker": "ACME",
        "announced_on": "2023-01-01",
        "announced_precision": "YEAR",
        "filed_on": "2023-09-12",
        "filed_precision": "DAY",
        "listed_on": "2023-11-02",
        "listed_precision": "DAY",
        "shares_offered": "42000000",
        "raised_amount": "840000000",
        "raised_currency": "USD",
        "valuation_amount": "9000000000",
        "valuation_currency": "USD",
        "valuation_estimated": True,
    },
    {
        "type": "listing",
        "key": "bolt-labs-hkex",
        "organization": "bolt-labs",
        "status": "FILED",
        "exchange": "HKEX",
        "filed_on": "2024-04-01",
        "filed_precision": "QUARTER",
    },
]

VALUATIONS: list[Record] = [
    {
        "type": "valuation",
        "key": "acme-ai/seed-post-money",
        "organization": "acme-ai",
        "basis": "POST_MONEY",
        "value_amount": "40000000",
        "value_currency": "USD",
        "description": "Undated: sorts as the earliest.",
    },
    {
        "type": "valuation",
        "key": "acme-ai/at-listing",
        "organization": "acme-ai",
        "basis": "MARKET_CAPITALISATION",
        "valued_on": "2023-11-02",
        "valued_precision": "DAY",
        "value_amount": "9000000000",
        "value_currency": "USD",
        "listing": "acme-ai-nasdaq",
    },
    {
        "type": "valuation",
        "key": "acme-ai/2024-q1-estimate",
        "organization": "acme-ai",
        "basis": "REPORTED_ESTIMATE",
        "valued_on": "2024-01-01",
        "valued_precision": "QUARTER",
        "value_amount": "7500000000",
        "value_currency": "USD",
        "value_estimated": True,
    },
    {
        "type": "valuation",
        "key": "bolt-labs/secondary-2024-05",
        "organization": "bolt-labs",
        "basis": "SECONDARY",
        "valued_on": "2024-05-01",
        "valued_precision": "MONTH",
        "value_amount": "30000000000",
        "value_currency": "CNY",
    },
]

ROUNDS: list[Record] = [
    {
        "type": "funding_round",
        "key": "acme-ai/round-1",
        "organization": "acme-ai",
        "round_type": "SERIES_A",
        "status": "CLOSED",
        "announced_on": "2022-05-01",
        "announced_precision": "MONTH",
        "raised_amount": "60000000",
        "raised_currency": "USD",
    },
    {
        "type": "investment",
        "key": "acme-ai/round-1/cobalt-capital",
        "round": "acme-ai/round-1",
        "investor": "cobalt-capital",
        "is_lead": True,
        "committed_amount": "45000000",
        "committed_currency": "USD",
        "consideration": [],
    },
    {
        "type": "investment",
        "key": "acme-ai/round-1/tencent",
        "round": "acme-ai/round-1",
        "investor": "tencent",
        "committed_amount": "15000000",
        "committed_currency": "USD",
        "consideration": [],
    },
]

FUNDS: list[Record] = [
    {
        "type": "fund",
        "slug": "cobalt-fund-i",
        "name": "Cobalt Fund I",
        "manager": "cobalt-capital",
        "vintage_year": 2021,
        "target_size_amount": "500000000",
        "target_size_currency": "USD",
        "final_size_amount": "650000000",
        "final_size_currency": "USD",
        "strategy": "early-stage AI",
    },
    {
        "type": "fund_commitment",
        "key": "cobalt-fund-i/tencent",
        "fund": "cobalt-fund-i",
        "limited_partner": "tencent",
        "amount_amount": "100000000",
        "amount_currency": "USD",
        "committed_on": "2021-03-01",
        "committed_precision": "MONTH",
    },
    {
        "type": "fund_commitment",
        "key": "cobalt-fund-i/alibaba",
        "fund": "cobalt-fund-i",
        "limited_partner": "alibaba",
        "share_min": "0.1",
        "share_max": "0.15",
    },
    {
        "type": "fund_investment",
        "investment": "acme-ai/round-1/cobalt-capital",
        "fund": "cobalt-fund-i",
    },
]

EXITS: list[Record] = [
    {
        "type": "exit",
        "key": "acme-ai/round-1/cobalt-capital/exit",
        "investment": "acme-ai/round-1/cobalt-capital",
        "kind": "ACQUISITION",
        "exited_on": "2024-06-15",
        "exited_precision": "DAY",
        "proceeds_amount": "90000000",
        "proceeds_currency": "USD",
        "counterparty": "tencent",
        "acquisition": "tencent-acquires-acme-ai",
    },
    {
        "type": "exit",
        "key": "alibaba-in-01-ai/half-sold",
        "investment": "alibaba-in-01-ai",
        "kind": "SECONDARY",
        "exited_on": "2025-01-01",
        "exited_precision": "MONTH",
        "share_min": "0.5",
        "share_max": "0.5",
        "counterparty": "cobalt-capital",
    },
]

CLAIMS: list[Record] = [
    {
        "type": "claim",
        "key": "deals/acme-ai-sale",
        "source": "ft-alibaba-cloud-credits-ai-startups",
        "attribution": "COMPANY",
        "attributed_to": "Tencent",
        "statement": "Tencent completed its purchase of Acme AI in June 2024.",
        "subjects": [{"type": "acquisition", "key": "tencent-acquires-acme-ai"}],
    },
]


def deals_file() -> str:
    """The deals as one bulk file, records in the format's load order."""
    records = [
        *ORGANIZATIONS,
        *ROUNDS,
        *ACQUISITIONS,
        *LISTINGS,
        *VALUATIONS,
        *FUNDS,
        *EXITS,
        *CLAIMS,
    ]
    lines = [canonical(header_record()), *(canonical(r) for r in records)]
    lines.append(canonical(end_record(len(records))))
    return "".join(f"{line}\n" for line in lines)
