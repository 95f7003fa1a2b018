"""The root connections and what they hold for the article dataset."""

from __future__ import annotations

from tests.api.support import (
    INVESTORS,
    ORGANIZATIONS_BY_NAME,
    STARTUPS,
    Gql,
    data_of,
)


def slugs(connection: dict[str, list[dict[str, str]]]) -> list[str]:
    return [node["slug"] for node in connection["nodes"]]


async def test_organizations_by_name(gql: Gql) -> None:
    data = data_of(await gql("{ organizations(first: 100) { totalCount nodes { slug } } }"))
    assert data["organizations"]["totalCount"] == 23
    assert slugs(data["organizations"]) == ORGANIZATIONS_BY_NAME


async def test_default_page_is_twenty(gql: Gql) -> None:
    data = data_of(await gql("{ organizations { pageInfo { hasNextPage } nodes { slug } } }"))
    assert slugs(data["organizations"]) == ORGANIZATIONS_BY_NAME[:20]
    assert data["organizations"]["pageInfo"]["hasNextPage"] is True


async def test_investors_and_startups_are_organizations_of_those_kinds(gql: Gql) -> None:
    data = data_of(
        await gql(
            """{ investors(first: 100) { totalCount nodes { slug kinds } }
                 startups(first: 100) { totalCount nodes { slug kinds } } }"""
        )
    )
    assert data["investors"]["totalCount"] == len(INVESTORS)
    assert slugs(data["investors"]) == [s for s in ORGANIZATIONS_BY_NAME if s in INVESTORS]
    assert all("INVESTOR" in node["kinds"] for node in data["investors"]["nodes"])
    assert data["startups"]["totalCount"] == len(STARTUPS)
    assert slugs(data["startups"]) == [s for s in ORGANIZATIONS_BY_NAME if s in STARTUPS]


async def test_investors_combine_their_kind_with_a_filter(gql: Gql) -> None:
    data = data_of(
        await gql(
            """{ investors(filter: {country: {eq: "US"}}) { totalCount nodes { slug } }
                 startups(filter: {country: {eq: "US"}}) { totalCount nodes { slug } } }"""
        )
    )
    assert slugs(data["investors"]) == ["amazon", "microsoft", "tiger-global"]
    assert data["investors"]["totalCount"] == 3
    assert slugs(data["startups"]) == ["character-ai", "openai"]


async def test_funding_rounds_latest_first(gql: Gql) -> None:
    data = data_of(
        await gql(
            """{ fundingRounds { totalCount nodes {
                 organization { slug } roundType status announcedOn { date precision }
                 amount { amount currency } preMoneyValuation { amount }
                 postMoneyValuation { amount currency } } } }"""
        )
    )
    rounds = data["fundingRounds"]
    assert rounds["totalCount"] == 5
    # The one dated round first; the undated ones after it, newest row first.
    assert [r["organization"]["slug"] for r in rounds["nodes"]] == [
        "moonshot-ai",
        "openai",
        "01-ai",
        "minimax",
        "zhipu-ai",
    ]
    assert rounds["nodes"][0] == {
        "organization": {"slug": "moonshot-ai"},
        "roundType": "UNDISCLOSED",
        "status": "ANNOUNCED",
        "announcedOn": {"date": "2024-02-01", "precision": "MONTH"},
        "amount": {"amount": "1000000000", "currency": "USD"},
        "preMoneyValuation": None,
        "postMoneyValuation": {"amount": "2500000000", "currency": "USD"},
    }
    assert all(r["amount"] is None for r in rounds["nodes"][1:])


async def test_investments_leads_first(gql: Gql) -> None:
    data = data_of(
        await gql(
            """{ investments { totalCount nodes { isLead investor { slug }
                 organization { slug } round { organization { slug } } amount { amount }
                 stake { min } stakeEstimated } } }"""
        )
    )
    nodes = data["investments"]["nodes"]
    assert data["investments"]["totalCount"] == 5
    assert [(n["investor"]["slug"], n["organization"]["slug"], n["isLead"]) for n in nodes] == [
        ("alibaba", "moonshot-ai", True),
        # Ties are broken by the newest row first (the id follows the last key's direction).
        ("microsoft", "openai", False),
        ("alibaba", "01-ai", False),
        ("alibaba", "minimax", False),
        ("alibaba", "zhipu-ai", False),
    ]
    assert all(n["round"]["organization"] == n["organization"] for n in nodes)
    assert [n["amount"] for n in nodes] == [{"amount": "800000000"}, None, None, None, None]
    assert {(n["stake"] is None, n["stakeEstimated"]) for n in nodes} == {(True, False)}


async def test_credit_types(gql: Gql) -> None:
    data = data_of(
        await gql(
            """{ creditTypes { totalCount nodes { slug name considerationKind unit
                 programs { nodes { slug } } } } }"""
        )
    )
    assert data["creditTypes"] == {
        "totalCount": 3,
        "nodes": [
            {
                "slug": "cloud-committed-cash",
                "name": "Cash committed to the investor's cloud",
                "considerationKind": "CASH",
                "unit": "CURRENCY",
                "programs": {
                    "nodes": [
                        {"slug": "amazon-aws-committed-investment"},
                        {"slug": "microsoft-azure-committed-investment"},
                    ]
                },
            },
            {
                "slug": "cloud-compute-credits",
                "name": "Cloud-compute credits",
                "considerationKind": "CLOUD_CREDITS",
                "unit": "CURRENCY",
                "programs": {"nodes": [{"slug": "alibaba-cloud-compute-for-equity"}]},
            },
            {
                "slug": "traffic-promotion",
                "name": "Traffic promotion",
                "considerationKind": "TRAFFIC_PROMOTION",
                "unit": "IMPRESSIONS",
                "programs": {"nodes": [{"slug": "xiaohongshu-traffic-for-equity"}]},
            },
        ],
    }


async def test_credit_programs(gql: Gql) -> None:
    data = data_of(
        await gql(
            """{ creditPrograms { totalCount nodes { slug inExchangeFor provider { slug }
                 creditType { slug } startedOn { date } claims { factRef stance } } } }"""
        )
    )
    assert data["creditPrograms"] == {
        "totalCount": 4,
        "nodes": [
            {
                "slug": "alibaba-cloud-compute-for-equity",
                "inExchangeFor": "EQUITY",
                "provider": {"slug": "alibaba-cloud"},
                "creditType": {"slug": "cloud-compute-credits"},
                "startedOn": None,
                "claims": [
                    {"factRef": "F1", "stance": "ASSERTS"},
                    {"factRef": "F6", "stance": "ASSERTS"},
                    {"factRef": "F10", "stance": "ASSERTS"},
                ],
            },
            {
                "slug": "amazon-aws-committed-investment",
                "inExchangeFor": "EQUITY",
                "provider": {"slug": "amazon"},
                "creditType": {"slug": "cloud-committed-cash"},
                "startedOn": None,
                "claims": [{"factRef": "F5", "stance": "ASSERTS"}],
            },
            {
                "slug": "microsoft-azure-committed-investment",
                "inExchangeFor": "EQUITY",
                "provider": {"slug": "microsoft"},
                "creditType": {"slug": "cloud-committed-cash"},
                "startedOn": None,
                "claims": [{"factRef": "F5", "stance": "ASSERTS"}],
            },
            {
                "slug": "xiaohongshu-traffic-for-equity",
                "inExchangeFor": "EQUITY",
                "provider": {"slug": "xiaohongshu"},
                "creditType": {"slug": "traffic-promotion"},
                "startedOn": None,
                "claims": [
                    {"factRef": "F7", "stance": "ASSERTS"},
                    {"factRef": "F7", "stance": "DID_NOT_RESPOND"},
                ],
            },
        ],
    }


async def test_people_and_products(gql: Gql) -> None:
    data = data_of(
        await gql(
            """{ people { totalCount nodes { slug name } }
                 products { totalCount nodes { slug name category organization { slug } } } }"""
        )
    )
    assert data["people"] == {
        "totalCount": 2,
        "nodes": [
            {"slug": "charlie-dai", "name": "Charlie Dai"},
            {"slug": "eddie-wu", "name": "Eddie Yongming Wu"},
        ],
    }
    assert data["products"] == {
        "totalCount": 3,
        "nodes": [
            {
                "slug": "character-ai-chatbot",
                "name": "Character.AI",
                "category": "AI character chatbot",
                "organization": {"slug": "character-ai"},
            },
            {
                "slug": "chatgpt",
                "name": "ChatGPT",
                "category": "AI chatbot",
                "organization": {"slug": "openai"},
            },
            {
                "slug": "kimi",
                "name": "Kimi",
                "category": "AI chatbot",
                "organization": {"slug": "moonshot-ai"},
            },
        ],
    }


async def test_events_latest_first(gql: Gql) -> None:
    data = data_of(
        await gql("{ events { totalCount nodes { slug kind occurredOn { date precision } } } }")
    )
    nodes = data["events"]["nodes"]
    assert data["events"]["totalCount"] == 6
    assert nodes[:2] == [
        {
            "slug": "alibaba-cloud-ipo-cancelled",
            "kind": "IPO_CANCELLED",
            "occurredOn": {"date": "2023-11-01", "precision": "MONTH"},
        },
        {
            "slug": "china-regulatory-campaign-against-alibaba",
            "kind": "REGULATORY_ACTION",
            "occurredOn": {"date": "2021-01-01", "precision": "YEAR"},
        },
    ]
    assert {n["slug"] for n in nodes[2:]} == {
        "alibaba-cloud-ipo-plan",
        "eddie-wu-takes-control-of-alibaba-cloud",
        "us-advanced-chip-export-controls",
        "alibaba-divests-internet-stakes",
    }
    assert all(n["occurredOn"] is None for n in nodes[2:])


async def test_sources(gql: Gql) -> None:
    data = data_of(
        await gql(
            """{ sources { totalCount nodes { slug kind publisher title language url
                 publishedOn { date } } } }"""
        )
    )
    assert data["sources"] == {
        "totalCount": 1,
        "nodes": [
            {
                "slug": "ft-alibaba-cloud-credits-ai-startups",
                "kind": "NEWS_ARTICLE",
                "publisher": "Financial Times",
                "title": "Alibaba uses cloud-computing credits to become a leading investor in "
                "Chinese AI start-ups",
                "language": "ar",
                "url": None,
                "publishedOn": None,
            }
        ],
    }


async def test_many_root_fields_in_one_request(gql: Gql) -> None:
    """Sibling resolvers reach the database together: the request's one transaction must be
    opened once and its statements queued, not run over each other."""
    body = await gql(
        """{ organizations { totalCount } investors { totalCount } startups { totalCount }
             fundingRounds { totalCount } investments { totalCount } creditTypes { totalCount }
             creditPrograms { totalCount } people { totalCount } products { totalCount }
             events { nodes { participants { role } } } sources { totalCount }
             organization(slug: "alibaba") { slug } person(slug: "eddie-wu") { slug } }"""
    )
    data = data_of(body)
    assert [data[k]["totalCount"] for k in ("organizations", "investors", "startups")] == [
        23,
        8,
        6,
    ]
    assert len(data["events"]["nodes"]) == 6
    assert data["organization"] == {"slug": "alibaba"}
