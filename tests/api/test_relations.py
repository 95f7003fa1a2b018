"""Every relation of every type, read both ways where the schema offers both."""

from __future__ import annotations

from typing import Any

from tests.api.support import Gql, data_of


def slugs(items: list[dict[str, Any]], key: str = "slug") -> list[str]:
    return [item[key] for item in items]


async def test_alibaba_and_its_relations(gql: Gql) -> None:
    data = data_of(
        await gql(
            """{ organization(slug: "alibaba") {
                 parent { slug }
                 subsidiaries { totalCount nodes { slug parent { slug } } }
                 fundingRounds { totalCount nodes { id } }
                 investments { totalCount nodes { organization { slug } isLead } }
                 products { totalCount }
                 people { totalCount nodes { title person { slug } organization { slug } } }
                 events { totalCount nodes { slug } }
                 computeAssets { totalCount }
                 creditPrograms { totalCount }
                 claims { factRef attribution }
               } }"""
        )
    )
    alibaba = data["organization"]
    assert alibaba["parent"] is None
    assert alibaba["subsidiaries"] == {
        "totalCount": 1,
        "nodes": [{"slug": "alibaba-cloud", "parent": {"slug": "alibaba"}}],
    }
    assert alibaba["fundingRounds"] == {"totalCount": 0, "nodes": []}
    assert alibaba["investments"]["totalCount"] == 4
    assert [(i["organization"]["slug"], i["isLead"]) for i in alibaba["investments"]["nodes"]] == [
        ("moonshot-ai", True),
        ("01-ai", False),
        ("minimax", False),
        ("zhipu-ai", False),
    ]
    assert alibaba["products"] == {"totalCount": 0}
    assert alibaba["people"] == {
        "totalCount": 1,
        "nodes": [
            {
                "title": "Chief Executive Officer",
                "person": {"slug": "eddie-wu"},
                "organization": {"slug": "alibaba"},
            }
        ],
    }
    assert alibaba["events"]["totalCount"] == 5
    assert set(slugs(alibaba["events"]["nodes"])) == {
        "alibaba-cloud-ipo-plan",
        "alibaba-cloud-ipo-cancelled",
        "eddie-wu-takes-control-of-alibaba-cloud",
        "china-regulatory-campaign-against-alibaba",
        "alibaba-divests-internet-stakes",
    }
    assert alibaba["computeAssets"] == {"totalCount": 0}
    assert alibaba["creditPrograms"] == {"totalCount": 0}
    assert alibaba["claims"] == [
        {"factRef": "F1", "attribution": "PUBLICATION"},
        {"factRef": "F9", "attribution": "ANALYST"},
        {"factRef": "F11", "attribution": "ANONYMOUS"},
        {"factRef": "F16", "attribution": "PUBLICATION"},
    ]


async def test_alibaba_cloud_owns_compute_offers_credits_and_has_a_parent(gql: Gql) -> None:
    data = data_of(
        await gql(
            """{ organization(slug: "alibaba-cloud") {
                 parent { slug } subsidiaries { totalCount }
                 computeAssets { totalCount nodes { chipModel quantity quantityEstimated
                   clusterSize regions acquiredOn { date } owner { slug } chipVendor { slug }
                   claims { factRef } } }
                 creditPrograms { nodes { slug } }
                 people { nodes { title } }
               } }"""
        )
    )
    cloud = data["organization"]
    assert cloud["parent"] == {"slug": "alibaba"}
    assert cloud["subsidiaries"] == {"totalCount": 0}
    assert cloud["computeAssets"] == {
        "totalCount": 2,
        "nodes": [
            {
                "chipModel": model,
                "quantity": None,
                "quantityEstimated": False,
                "clusterSize": None,
                "regions": ["China", "South-East Asia"],
                "acquiredOn": None,
                "owner": {"slug": "alibaba-cloud"},
                "chipVendor": {"slug": "nvidia"},
                "claims": [{"factRef": "F19"}, {"factRef": "F20"}],
            }
            for model in ("A800", "H800")
        ],
    }
    assert cloud["creditPrograms"] == {"nodes": [{"slug": "alibaba-cloud-compute-for-equity"}]}
    assert cloud["people"] == {"nodes": [{"title": "Head of the cloud business (direct control)"}]}


RELATIONSHIPS = """query($slug: String!, $direction: RelationshipDirection!,
                         $kinds: [RelationshipKind!]) {
  organization(slug: $slug) {
    relationships(direction: $direction, kinds: $kinds) {
      totalCount nodes { kind source { slug } target { slug } description }
    }
  }
}"""


async def relationships(
    gql: Gql, slug: str, direction: str, kinds: list[str] | None = None
) -> dict[str, Any]:
    body = await gql(RELATIONSHIPS, {"slug": slug, "direction": direction, "kinds": kinds})
    found: dict[str, Any] = data_of(body)["organization"]["relationships"]
    return found


def edges(connection: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(n["kind"], n["source"]["slug"], n["target"]["slug"]) for n in connection["nodes"]]


async def test_relationships_by_direction(gql: Gql) -> None:
    outgoing = await relationships(gql, "alibaba", "OUTGOING")
    assert edges(outgoing) == [
        ("COMPETES_WITH", "alibaba", "bytedance"),
        ("COMPETES_WITH", "alibaba", "pdd-holdings"),
    ]
    assert outgoing["totalCount"] == 2
    assert outgoing["nodes"][0]["description"] == "In e-commerce, Alibaba's core market."
    incoming = await relationships(gql, "alibaba", "INCOMING")
    assert edges(incoming) == [("SUBSIDIARY_OF", "alibaba-cloud", "alibaba")]
    assert incoming["totalCount"] == 1
    both = await relationships(gql, "alibaba", "BOTH")
    assert edges(both) == edges(outgoing) + edges(incoming)
    assert both["totalCount"] == 3


async def test_relationships_by_kind(gql: Gql) -> None:
    to_openai = await relationships(gql, "openai", "INCOMING")
    assert to_openai["totalCount"] == 5
    assert edges(to_openai) == [
        ("CLOUD_PROVIDER_OF", "microsoft", "openai"),
        ("LOCAL_ALTERNATIVE_TO", "moonshot-ai", "openai"),
        ("LOCAL_ALTERNATIVE_TO", "zhipu-ai", "openai"),
        ("LOCAL_ALTERNATIVE_TO", "minimax", "openai"),
        ("LOCAL_ALTERNATIVE_TO", "01-ai", "openai"),
    ]
    providers = await relationships(gql, "openai", "BOTH", ["CLOUD_PROVIDER_OF"])
    assert edges(providers) == [("CLOUD_PROVIDER_OF", "microsoft", "openai")]
    assert providers["totalCount"] == 1
    none_outgoing = await relationships(gql, "openai", "OUTGOING")
    assert none_outgoing == {"totalCount": 0, "nodes": []}


async def test_relationship_claims(gql: Gql) -> None:
    body = await gql(
        """{ organization(slug: "alibaba-cloud") { relationships(direction: OUTGOING) {
             nodes { kind startedOn { date } endedOn { date } claims { factRef } } } } }"""
    )
    nodes = data_of(body)["organization"]["relationships"]["nodes"]
    assert nodes == [
        {"kind": "CLOUD_PROVIDER_OF", "startedOn": None, "endedOn": None,
         "claims": [{"factRef": "F18"}]},
        {"kind": "COMPETES_WITH", "startedOn": None, "endedOn": None,
         "claims": [{"factRef": "F14"}]},
        {"kind": "SUBSIDIARY_OF", "startedOn": None, "endedOn": None,
         "claims": [{"factRef": "F13"}]},
    ]  # fmt: skip


async def test_moonshot_raised_a_round_and_makes_kimi(gql: Gql) -> None:
    body = await gql(
        """{ organization(slug: "moonshot-ai") {
             fundingRounds { totalCount nodes { organization { slug }
               investments { totalCount nodes { investor { slug } round { announcedOn { date } }
                 organization { slug } } }
               claims { factRef } } }
             investments { totalCount }
             products { totalCount nodes { slug organization { slug } } }
           } }"""
    )
    moonshot = data_of(body)["organization"]
    assert moonshot["fundingRounds"] == {
        "totalCount": 1,
        "nodes": [
            {
                "organization": {"slug": "moonshot-ai"},
                "investments": {
                    "totalCount": 1,
                    "nodes": [
                        {
                            "investor": {"slug": "alibaba"},
                            "round": {"announcedOn": {"date": "2024-02-01"}},
                            "organization": {"slug": "moonshot-ai"},
                        }
                    ],
                },
                "claims": [{"factRef": "F3"}],
            }
        ],
    }
    assert moonshot["investments"] == {"totalCount": 0}
    assert moonshot["products"] == {
        "totalCount": 1,
        "nodes": [{"slug": "kimi", "organization": {"slug": "moonshot-ai"}}],
    }


async def test_consideration_components_and_their_organizations(gql: Gql) -> None:
    body = await gql(
        """{ investments(filter: {investor: {slugs: ["microsoft"]}}) { nodes {
             consideration { kind amount { amount } share { min } estimated escrow
               recognizedAsRevenueByProvider spendRestriction description
               provider { slug } spendRestrictedTo { slug } creditType { slug }
               creditProgram { slug provider { slug } } claims { factRef } } } } }"""
    )
    [microsoft_in_openai] = data_of(body)["investments"]["nodes"]
    assert microsoft_in_openai["consideration"] == [
        {
            "kind": "CASH",
            "amount": None,
            "share": None,
            "estimated": False,
            "escrow": None,
            "recognizedAsRevenueByProvider": None,
            "spendRestriction": "must be spent on Azure",
            "description": "Cash transferred under an agreement to train and run models on Azure.",
            "provider": None,
            "spendRestrictedTo": {"slug": "microsoft"},
            "creditType": {"slug": "cloud-committed-cash"},
            "creditProgram": {
                "slug": "microsoft-azure-committed-investment",
                "provider": {"slug": "microsoft"},
            },
            "claims": [{"factRef": "F5"}],
        }
    ]


async def test_an_investment_without_known_consideration_has_an_empty_list(gql: Gql) -> None:
    body = await gql(
        """{ organization(slug: "zhipu-ai") { fundingRounds { nodes { investments { nodes {
             consideration { kind } claims { factRef } } } } } } }"""
    )
    [round_] = data_of(body)["organization"]["fundingRounds"]["nodes"]
    assert round_["investments"]["nodes"] == [
        {"consideration": [], "claims": [{"factRef": "F2"}, {"factRef": "F8"}]}
    ]


async def test_claims_lead_to_their_source_subject_person_and_organization(gql: Gql) -> None:
    body = await gql(
        """{ organization(slug: "alibaba") { claims {
             factRef attribution attributedTo stance quote confidence
             source { slug publisher }
             person { slug name }
             organization { slug }
             subject { __typename ... on Organization { slug } } } } }"""
    )
    claims = data_of(body)["organization"]["claims"]
    assert [c["factRef"] for c in claims] == ["F1", "F9", "F11", "F16"]
    assert {c["source"]["publisher"] for c in claims} == {"Financial Times"}
    assert {c["source"]["slug"] for c in claims} == {"ft-alibaba-cloud-credits-ai-startups"}
    assert all(c["subject"] == {"__typename": "Organization", "slug": "alibaba"} for c in claims)
    analyst = claims[1]
    assert analyst["attribution"] == "ANALYST"
    assert analyst["attributedTo"] == "Charlie Dai, Forrester"
    assert analyst["person"] == {"slug": "charlie-dai", "name": "Charlie Dai"}
    assert analyst["organization"] == {"slug": "forrester"}
    assert analyst["quote"].startswith("تسهل الشركات الناشئة")
    assert analyst["confidence"] is None
    assert [c["person"] for c in (claims[0], claims[2], claims[3])] == [None, None, None]


async def test_claim_subjects_of_every_kind(gql: Gql) -> None:
    body = await gql(
        """{ sources { nodes { claims(first: 100) { totalCount nodes {
             factRef subject { __typename } } } } } }"""
    )
    claims = data_of(body)["sources"]["nodes"][0]["claims"]
    # One claim row per subject: the data file's 20 facts name 76 subjects between them.
    assert claims["totalCount"] == 76
    by_type: dict[str, int] = {}
    for claim in claims["nodes"]:
        type_name = claim["subject"]["__typename"]
        by_type[type_name] = by_type.get(type_name, 0) + 1
    assert by_type == {
        "Organization": 16,
        "CreditProgram": 7,
        "Investment": 12,
        "Relationship": 11,
        "Product": 4,
        "FundingRound": 1,
        "ConsiderationComponent": 4,
        "PersonRole": 4,
        "Event": 7,
        "ComputeAsset": 4,
        "Listing": 1,
        "Valuation": 1,
        "InvestmentPerson": 4,
    }


async def test_products_alternatives_both_ways(gql: Gql) -> None:
    body = await gql(
        """{ products { nodes { slug claims { factRef }
             alternativeTo { market product { slug } }
             localAlternatives { market product { slug } } } } }"""
    )
    by_slug = {p["slug"]: p for p in data_of(body)["products"]["nodes"]}
    assert by_slug["kimi"]["alternativeTo"] == [{"market": "CN", "product": {"slug": "chatgpt"}}]
    assert by_slug["kimi"]["localAlternatives"] == []
    assert by_slug["chatgpt"]["alternativeTo"] == []
    assert by_slug["chatgpt"]["localAlternatives"] == [
        {"market": "CN", "product": {"slug": "kimi"}}
    ]
    assert by_slug["character-ai-chatbot"]["alternativeTo"] == []
    assert by_slug["kimi"]["claims"] == [{"factRef": "F2"}, {"factRef": "F4"}]


async def test_event_participants_and_claims(gql: Gql) -> None:
    body = await gql(
        """{ events(filter: {kind: {eq: EXPORT_CONTROL}}) { nodes { slug title
             participants { role organization { slug } } claims { factRef } } } }"""
    )
    assert data_of(body)["events"]["nodes"] == [
        {
            "slug": "us-advanced-chip-export-controls",
            "title": "US restricts sales of advanced chips to Chinese companies",
            "participants": [
                {"role": "buyer barred from new chips", "organization": {"slug": "alibaba-cloud"}},
                {
                    "role": "chip vendor whose sales are restricted",
                    "organization": {"slug": "nvidia"},
                },
            ],
            "claims": [{"factRef": "F19"}, {"factRef": "F20"}],
        }
    ]


async def test_organization_events_are_those_it_took_part_in(gql: Gql) -> None:
    body = await gql(
        """{ organization(slug: "nvidia") { events { totalCount nodes { slug } } } }"""
    )
    assert data_of(body)["organization"]["events"] == {
        "totalCount": 1,
        "nodes": [{"slug": "us-advanced-chip-export-controls"}],
    }
