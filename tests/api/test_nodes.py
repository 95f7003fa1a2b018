"""Single-object entry points: node, nodes, organization(slug), fundingRound(id), person(slug)."""

from __future__ import annotations

from tests.api.support import Gql, data_of, error_code, global_id, only_error

ORG_FIELDS = "... on Organization { slug name kinds country }"


async def test_node_fetches_an_organization_by_its_id(gql: Gql) -> None:
    data = data_of(await gql('{ organization(slug: "moonshot-ai") { id } }'))
    moonshot_id = data["organization"]["id"]
    body = await gql(
        f"query($id: ID!) {{ node(id: $id) {{ __typename id {ORG_FIELDS} }} }}", {"id": moonshot_id}
    )
    assert data_of(body)["node"] == {
        "__typename": "Organization",
        "id": moonshot_id,
        "slug": "moonshot-ai",
        "name": "Moonshot AI",
        "kinds": ["STARTUP"],
        "country": "CN",
    }


async def test_every_id_the_api_issues_resolves_back_through_node(gql: Gql) -> None:
    data = data_of(
        await gql(
            """{
              fundingRounds { nodes { id investments { nodes { id
                consideration { id } claims { id } } } } }
              creditTypes { nodes { id } } creditPrograms { nodes { id } }
              people { nodes { id roles { id } } } products { nodes { id } }
              events { nodes { id } } sources { nodes { id } }
              organization(slug: "alibaba-cloud") { relationships { nodes { id } }
                computeAssets { nodes { id } } }
            }"""
        )
    )
    round_ = data["fundingRounds"]["nodes"][0]
    investment = round_["investments"]["nodes"][0]
    ids = {
        "FundingRound": round_["id"],
        "Investment": investment["id"],
        "ConsiderationComponent": investment["consideration"][0]["id"],
        "Claim": investment["claims"][0]["id"],
        "CreditType": data["creditTypes"]["nodes"][0]["id"],
        "CreditProgram": data["creditPrograms"]["nodes"][0]["id"],
        "Person": data["people"]["nodes"][0]["id"],
        "PersonRole": data["people"]["nodes"][0]["roles"][0]["id"],
        "Product": data["products"]["nodes"][0]["id"],
        "Event": data["events"]["nodes"][0]["id"],
        "Source": data["sources"]["nodes"][0]["id"],
        "Relationship": data["organization"]["relationships"]["nodes"][0]["id"],
        "ComputeAsset": data["organization"]["computeAssets"]["nodes"][0]["id"],
    }
    body = await gql(
        "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }", {"ids": list(ids.values())}
    )
    assert data_of(body)["nodes"] == [
        {"__typename": type_name, "id": value} for type_name, value in ids.items()
    ]


async def test_node_of_a_well_formed_unknown_id_is_null(gql: Gql) -> None:
    body = await gql(
        "query($id: ID!) { node(id: $id) { id } }", {"id": global_id("Organization", 999999)}
    )
    assert body["data"] == {"node": None}
    assert "errors" not in body


async def test_node_refuses_a_malformed_id(gql: Gql) -> None:
    for bad in ("not-base64!", global_id("Organization", 0), global_id("Spaceship", 1), ""):
        body = await gql("query($id: ID!) { node(id: $id) { id } }", {"id": bad})
        assert error_code(body) == "BAD_USER_INPUT", bad
        assert body["data"] == {"node": None}


async def test_nodes_keeps_the_order_given_and_nulls_unknown_ids(gql: Gql) -> None:
    ids = [
        global_id("Organization", 3),
        global_id("Organization", 999999),
        global_id("Organization", 1),
        global_id("Product", 1),
        global_id("Organization", 3),
    ]
    body = await gql(
        """query($ids: [ID!]!) { nodes(ids: $ids) {
             __typename ... on Organization { slug } ... on Product { slug } } }""",
        {"ids": ids},
    )
    assert data_of(body)["nodes"] == [
        {"__typename": "Organization", "slug": "moonshot-ai"},
        None,
        {"__typename": "Organization", "slug": "alibaba"},
        {"__typename": "Product", "slug": "kimi"},
        {"__typename": "Organization", "slug": "moonshot-ai"},
    ]


async def test_nodes_refuses_a_malformed_id(gql: Gql) -> None:
    body = await gql(
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
        {"ids": [global_id("Organization", 1), "garbage"]},
    )
    assert error_code(body) == "BAD_USER_INPUT"
    assert body["data"] is None


async def test_nodes_takes_at_most_100_ids(statement_log: list[str], gql: Gql) -> None:
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    hundred = [global_id("Organization", 1 + i % 23) for i in range(100)]
    assert len(data_of(await gql(query, {"ids": hundred}))["nodes"]) == 100
    statement_log.clear()
    body = await gql(query, {"ids": [*hundred, global_id("Organization", 1)]})
    error = only_error(body)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == "`ids` takes at most 100 IDs; got 101."
    assert statement_log == []


async def test_organization_by_slug(gql: Gql) -> None:
    body = await gql(
        """{ organization(slug: "alibaba-cloud") { slug name kinds country website description
             foundedOn { date } names { value language script kind isPrimary } } }"""
    )
    assert data_of(body)["organization"] == {
        "slug": "alibaba-cloud",
        "name": "Alibaba Cloud",
        "kinds": ["CLOUD_PROVIDER"],
        "country": "CN",
        "website": None,
        "description": "Alibaba's cloud-computing business, the provider of the compute credits.",
        "foundedOn": None,
        "names": [
            {
                "value": "Alibaba Cloud",
                "language": "en",
                "script": "Latn",
                "kind": "COMMON",
                "isPrimary": True,
            },
            {
                "value": "علي بابا كلاود",
                "language": "ar",
                "script": "Arab",
                "kind": "TRANSLITERATION",
                "isPrimary": False,
            },
            {
                "value": "阿里云",
                "language": "zh-Hans",
                "script": "Hans",
                "kind": "COMMON",
                "isPrimary": False,
            },
        ],
    }


async def test_organization_of_an_unknown_slug_is_null(gql: Gql) -> None:
    body = await gql('{ organization(slug: "no-such-company") { id } }')
    assert body["data"] == {"organization": None}
    assert "errors" not in body


async def test_funding_round_by_id(gql: Gql) -> None:
    body = await gql(
        """query($id: ID!) { fundingRound(id: $id) { id roundType status description
             organization { slug } } }""",
        {"id": global_id("FundingRound", 2)},
    )
    assert data_of(body)["fundingRound"] == {
        "id": global_id("FundingRound", 2),
        "roundType": "UNDISCLOSED",
        "status": "CLOSED",
        "description": "A round, otherwise unknown, through which Alibaba took a stake in "
        "Zhipu AI.",
        "organization": {"slug": "zhipu-ai"},
    }


async def test_funding_round_of_an_unknown_id_is_null_and_of_another_type_refused(
    gql: Gql,
) -> None:
    query = "query($id: ID!) { fundingRound(id: $id) { id } }"
    unknown = await gql(query, {"id": global_id("FundingRound", 999999)})
    assert unknown["data"] == {"fundingRound": None}
    assert "errors" not in unknown
    wrong_type = await gql(query, {"id": global_id("Organization", 1)})
    assert error_code(wrong_type) == "BAD_USER_INPUT"


async def test_person_by_slug_with_roles(gql: Gql) -> None:
    body = await gql(
        """{ person(slug: "eddie-wu") { slug name nativeName
             roles { kind title startedOn { date } endedOn { date } organization { slug }
                     person { slug } } }
             nobody: person(slug: "nobody") { id } }"""
    )
    assert data_of(body) == {
        "person": {
            "slug": "eddie-wu",
            "name": "Eddie Yongming Wu",
            "nativeName": "吴泳铭",
            "roles": [
                {
                    "kind": "EXECUTIVE",
                    "title": "Chief Executive Officer",
                    "startedOn": None,
                    "endedOn": None,
                    "organization": {"slug": "alibaba"},
                    "person": {"slug": "eddie-wu"},
                },
                {
                    "kind": "EXECUTIVE",
                    "title": "Head of the cloud business (direct control)",
                    "startedOn": None,
                    "endedOn": None,
                    "organization": {"slug": "alibaba-cloud"},
                    "person": {"slug": "eddie-wu"},
                },
            ],
        },
        "nobody": None,
    }
