"""The article dataset, checked in the database it was loaded into."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import yaml

from service.db import migrate, tables
from service.db.urls import asyncpg_dsn
from service.ingest.article import DATA_FILE, load_article, seed_article
from service.ingest.article.loader import SUBJECT_COLUMNS
from service.ingest.article.model import DataError, read_dataset

SOURCE_SLUG = "ft-alibaba-cloud-credits-ai-startups"
REQUIRED_SLUGS = {
    "alibaba",
    "alibaba-cloud",
    "moonshot-ai",
    "zhipu-ai",
    "minimax",
    "01-ai",
    "openai",
    "microsoft",
    "amazon",
    "xiaohongshu",
    "tencent",
    "meituan",
    "bytedance",
    "pdd-holdings",
}
COUNTED_TABLES = sorted(tables.metadata.tables)


async def _org_id(pool: asyncpg.Pool, slug: str) -> int:
    org_id: int | None = await pool.fetchval("SELECT id FROM organization WHERE slug = $1", slug)
    assert org_id is not None, slug
    return org_id


async def _row_counts(url: str) -> dict[str, int]:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return {
            name: await conn.fetchval(f"SELECT count(*) FROM {name}") for name in COUNTED_TABLES
        }
    finally:
        await conn.close()


@pytest.fixture
async def migrated_empty_url(
    empty_database_factory: Callable[[], Awaitable[str]],
) -> str:
    url = await empty_database_factory()
    await asyncio.to_thread(migrate.upgrade, url)
    return url


def _write_variant(tmp_path: Path, edit: Callable[[Any], None]) -> Path:
    """A copy of the packaged data file with one deliberate defect."""
    raw = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    edit(raw)
    path = tmp_path / "article.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# --- F3/F4/F6: the Moonshot round and Alibaba's investment --------------------------------


async def test_moonshot_round(pool: asyncpg.Pool) -> None:
    rows = await pool.fetch(
        "SELECT r.* FROM funding_round r JOIN organization o ON o.id = r.organization_id"
        " WHERE o.slug = 'moonshot-ai'"
    )
    assert len(rows) == 1
    row = rows[0]
    assert row["round_type"] == "UNDISCLOSED"
    assert row["status"] == "ANNOUNCED"
    assert (row["announced_on"], row["announced_precision"]) == (date(2024, 2, 1), "MONTH")
    assert (row["raised_amount"], row["raised_currency"]) == (Decimal(1_000_000_000), "USD")
    assert (row["post_money_amount"], row["post_money_currency"]) == (
        Decimal(2_500_000_000),
        "USD",
    )
    assert row["pre_money_amount"] is None
    assert "inferred" in row["description"]


async def test_alibaba_investment_in_moonshot(pool: asyncpg.Pool) -> None:
    investment = await pool.fetchrow(
        "SELECT i.* FROM investment i"
        " JOIN funding_round r ON r.id = i.round_id"
        " JOIN organization startup ON startup.id = r.organization_id"
        " JOIN organization investor ON investor.id = i.investor_id"
        " WHERE startup.slug = 'moonshot-ai' AND investor.slug = 'alibaba'"
    )
    assert investment is not None
    assert investment["is_lead"] is True
    assert (investment["committed_amount"], investment["committed_currency"]) == (
        Decimal(800_000_000),
        "USD",
    )
    components = await pool.fetch(
        "SELECT c.*, ct.consideration_kind AS credit_kind, provider.slug AS provider_slug"
        " FROM consideration_component c"
        " LEFT JOIN credit_type ct ON ct.id = c.credit_type_id"
        " LEFT JOIN organization provider ON provider.id = c.provider_id"
        " WHERE c.investment_id = $1 ORDER BY c.position",
        investment["id"],
    )
    assert [c["kind"] for c in components] == ["CASH", "CLOUD_CREDITS"]
    cash, credits = components
    assert (cash["share_min"], cash["share_max"]) == (Decimal("0.5"), Decimal("0.6"))
    assert (credits["share_min"], credits["share_max"]) == (Decimal("0.4"), Decimal("0.5"))
    assert cash["estimated"] is True
    assert credits["estimated"] is True
    assert cash["value_amount"] is None
    assert credits["value_amount"] is None
    assert credits["credit_kind"] == "CLOUD_CREDITS"
    assert credits["provider_slug"] == "alibaba-cloud"
    assert credits["escrow"] is True
    assert credits["recognized_as_revenue_by_provider"] is True
    # The ranges must be able to make a whole: sum(min) <= 1 <= sum(max).
    assert sum(c["share_min"] for c in components) <= 1 <= sum(c["share_max"] for c in components)


async def test_moonshot_investment_claims(pool: asyncpg.Pool) -> None:
    rows = await pool.fetch(
        "SELECT DISTINCT c.fact_ref, c.attribution, c.attributed_to, c.stance,"
        " claimant.slug AS claimant, s.publisher"
        " FROM claim c"
        " JOIN source s ON s.id = c.source_id"
        " JOIN claim_subject cs ON cs.claim_id = c.id"
        " LEFT JOIN organization claimant ON claimant.id = c.organization_id"
        " JOIN investment i ON i.id = cs.investment_id"
        " JOIN funding_round r ON r.id = i.round_id"
        " JOIN organization startup ON startup.id = r.organization_id"
        " WHERE startup.slug = 'moonshot-ai'"
    )
    assert {row["publisher"] for row in rows} == {"Financial Times"}
    by_kind = {(row["fact_ref"], row["attribution"], row["stance"]): row for row in rows}
    assert ("F3", "PUBLICATION", "ASSERTS") in by_kind
    anonymous = by_kind[("F4", "ANONYMOUS", "ASSERTS")]
    assert anonymous["attributed_to"] == "two people familiar with the deal"
    declined = by_kind[("F4", "COMPANY", "DECLINED_TO_COMMENT")]
    assert declined["claimant"] == "alibaba"

    escrow_claims = await pool.fetch(
        "SELECT c.fact_ref, c.attribution, c.attributed_to FROM claim c"
        " JOIN claim_subject cs ON cs.claim_id = c.id"
        " JOIN consideration_component cc ON cc.id = cs.consideration_component_id"
        " WHERE cc.kind = 'CLOUD_CREDITS' AND cc.escrow"
    )
    assert ("F6", "ANONYMOUS", "one person") in {tuple(row) for row in escrow_claims}


# --- organizations and their names ----------------------------------------------------------


async def test_required_organizations_present(pool: asyncpg.Pool) -> None:
    slugs = {row["slug"] for row in await pool.fetch("SELECT slug FROM organization")}
    assert slugs >= REQUIRED_SLUGS


async def test_alibaba_cloud_is_a_subsidiary_of_alibaba(pool: asyncpg.Pool) -> None:
    alibaba, cloud = await _org_id(pool, "alibaba"), await _org_id(pool, "alibaba-cloud")
    assert await pool.fetchval("SELECT parent_id FROM organization WHERE id = $1", cloud) == alibaba
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM relationship"
            " WHERE kind = 'SUBSIDIARY_OF' AND source_id = $1 AND target_id = $2",
            cloud,
            alibaba,
        )
        == 1
    )
    kinds = await pool.fetchval("SELECT kinds FROM organization WHERE id = $1", cloud)
    assert "CLOUD_PROVIDER" in kinds


async def test_every_organization_has_english_arabic_and_chinese_names(pool: asyncpg.Pool) -> None:
    rows = await pool.fetch(
        "SELECT o.slug, o.name, n.value, n.language, n.script, n.is_primary"
        " FROM organization o JOIN organization_name n ON n.organization_id = o.id"
    )
    names: dict[str, list[asyncpg.Record]] = {}
    for row in rows:
        names.setdefault(row["slug"], []).append(row)
    all_slugs = {row["slug"] for row in await pool.fetch("SELECT slug FROM organization")}
    assert set(names) == all_slugs
    for slug, org_names in names.items():
        languages = {row["language"] for row in org_names}
        assert "en" in languages, slug
        assert "ar" in languages, slug
        assert any(language.startswith("zh") for language in languages), slug
        assert all(row["script"] == "Arab" for row in org_names if row["language"] == "ar"), slug
        primaries = [row for row in org_names if row["is_primary"]]
        assert len(primaries) == 1, slug
        assert primaries[0]["value"] == primaries[0]["name"], slug


async def test_names_in_the_articles_scripts(pool: asyncpg.Pool) -> None:
    expected = {
        ("alibaba", "علي بابا"),
        ("alibaba", "阿里巴巴"),
        ("moonshot-ai", "月之暗面"),
        ("zhipu-ai", "智谱"),
        ("xiaohongshu", "小红书"),
        ("xiaohongshu", "شياوهونغشو"),
        ("tencent", "腾讯"),
        ("meituan", "美团"),
        ("bytedance", "字节跳动"),
        ("microsoft", "مايكروسوفت"),
    }
    rows = await pool.fetch(
        "SELECT o.slug, n.value FROM organization_name n JOIN organization o"
        " ON o.id = n.organization_id"
    )
    assert expected <= {(row["slug"], row["value"]) for row in rows}


# --- F2: the other stakes and the local alternatives --------------------------------------


async def test_alibaba_stakes_in_the_other_three_startups(pool: asyncpg.Pool) -> None:
    rows = await pool.fetch(
        "SELECT startup.slug, r.round_type, r.announced_on, r.raised_amount,"
        " i.committed_amount, investor.slug AS investor"
        " FROM investment i"
        " JOIN funding_round r ON r.id = i.round_id"
        " JOIN organization startup ON startup.id = r.organization_id"
        " JOIN organization investor ON investor.id = i.investor_id"
        " WHERE startup.slug IN ('zhipu-ai', 'minimax', '01-ai')"
    )
    assert sorted(row["slug"] for row in rows) == ["01-ai", "minimax", "zhipu-ai"]
    for row in rows:
        assert row["investor"] == "alibaba"
        assert row["round_type"] == "UNDISCLOSED"
        assert row["announced_on"] is None
        assert row["raised_amount"] is None
        assert row["committed_amount"] is None


async def test_local_alternatives(pool: asyncpg.Pool) -> None:
    products = await pool.fetch(
        "SELECT p.slug, alt.slug AS alternative_to, pa.market FROM product_alternative pa"
        " JOIN product p ON p.id = pa.product_id JOIN product alt ON alt.id = pa.alternative_to_id"
    )
    assert ("kimi", "chatgpt", "CN") in {tuple(row) for row in products}
    makers = await pool.fetch(
        "SELECT p.slug, o.slug AS maker FROM product p JOIN organization o"
        " ON o.id = p.organization_id"
    )
    assert {("kimi", "moonshot-ai"), ("chatgpt", "openai")} <= {tuple(row) for row in makers}
    links = await pool.fetch(
        "SELECT s.slug FROM relationship r JOIN organization s ON s.id = r.source_id"
        " JOIN organization t ON t.id = r.target_id"
        " WHERE r.kind = 'LOCAL_ALTERNATIVE_TO' AND t.slug = 'openai'"
    )
    assert {row["slug"] for row in links} == {"moonshot-ai", "zhipu-ai", "minimax", "01-ai"}


# --- F5: cash that must be spent on the investor's cloud -----------------------------------


async def test_microsoft_cash_must_be_spent_on_azure(pool: asyncpg.Pool) -> None:
    rows = await pool.fetch(
        "SELECT c.kind, c.spend_restriction, restricted.slug AS restricted_to,"
        " i.committed_amount, startup.slug AS startup"
        " FROM consideration_component c"
        " JOIN investment i ON i.id = c.investment_id"
        " JOIN organization investor ON investor.id = i.investor_id"
        " JOIN funding_round r ON r.id = i.round_id"
        " JOIN organization startup ON startup.id = r.organization_id"
        " LEFT JOIN organization restricted ON restricted.id = c.spend_restricted_to_id"
        " WHERE investor.slug = 'microsoft'"
    )
    assert len(rows) == 1
    row = rows[0]
    assert row["startup"] == "openai"
    assert row["kind"] == "CASH"
    assert row["restricted_to"] == "microsoft"
    assert row["spend_restriction"] == "must be spent on Azure"
    assert row["committed_amount"] is None


async def test_no_amazon_investment_is_invented(pool: asyncpg.Pool) -> None:
    amazon = await _org_id(pool, "amazon")
    assert (
        await pool.fetchval("SELECT count(*) FROM investment WHERE investor_id = $1", amazon) == 0
    )
    terms = await pool.fetchval("SELECT terms FROM credit_program WHERE provider_id = $1", amazon)
    assert "AWS" in terms
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM claim c JOIN claim_subject cs ON cs.claim_id = c.id"
            " JOIN credit_program p ON p.id = cs.credit_program_id"
            " WHERE p.provider_id = $1 AND c.fact_ref = 'F5'",
            amazon,
        )
        == 1
    )


# --- F7: traffic for equity -------------------------------------------------------------


async def test_xiaohongshu_traffic_for_equity(pool: asyncpg.Pool) -> None:
    program = await pool.fetchrow(
        "SELECT p.id, p.in_exchange_for, ct.consideration_kind FROM credit_program p"
        " JOIN credit_type ct ON ct.id = p.credit_type_id"
        " JOIN organization o ON o.id = p.provider_id WHERE o.slug = 'xiaohongshu'"
    )
    assert program is not None
    assert program["consideration_kind"] == "TRAFFIC_PROMOTION"
    assert program["in_exchange_for"] == "EQUITY"
    claims = await pool.fetch(
        "SELECT c.attribution, c.stance, c.attributed_to FROM claim c"
        " JOIN claim_subject cs ON cs.claim_id = c.id WHERE cs.credit_program_id = $1",
        program["id"],
    )
    assert {(row["attribution"], row["stance"]) for row in claims} == {
        ("ANONYMOUS", "ASSERTS"),
        ("COMPANY", "DID_NOT_RESPOND"),
    }
    assert "two people familiar" in next(
        row["attributed_to"] for row in claims if row["attribution"] == "ANONYMOUS"
    )


# --- F8/F9: people ----------------------------------------------------------------------


async def test_eddie_wu_roles_and_oversight(pool: asyncpg.Pool) -> None:
    person = await pool.fetchrow("SELECT * FROM person WHERE slug = 'eddie-wu'")
    assert person is not None
    assert person["native_name"] == "吴泳铭"
    roles = await pool.fetch(
        "SELECT o.slug, r.kind, r.title, r.started_on FROM person_role r"
        " JOIN organization o ON o.id = r.organization_id WHERE r.person_id = $1",
        person["id"],
    )
    by_org = {row["slug"]: row for row in roles}
    assert set(by_org) == {"alibaba", "alibaba-cloud"}
    assert by_org["alibaba"]["kind"] == "EXECUTIVE"
    assert by_org["alibaba"]["title"] == "Chief Executive Officer"
    assert by_org["alibaba"]["started_on"] is None
    overseen = await pool.fetch(
        "SELECT DISTINCT startup.slug FROM claim c"
        " JOIN claim_subject cs ON cs.claim_id = c.id"
        " JOIN investment i ON i.id = cs.investment_id"
        " JOIN funding_round r ON r.id = i.round_id"
        " JOIN organization startup ON startup.id = r.organization_id"
        " WHERE c.fact_ref = 'F8' AND c.attribution = 'ANONYMOUS'"
    )
    assert {row["slug"] for row in overseen} == {"moonshot-ai", "zhipu-ai", "minimax", "01-ai"}


async def test_charlie_dai_analyst_claim(pool: asyncpg.Pool) -> None:
    role = await pool.fetchrow(
        "SELECT r.kind, r.title FROM person_role r JOIN person p ON p.id = r.person_id"
        " JOIN organization o ON o.id = r.organization_id"
        " WHERE p.slug = 'charlie-dai' AND o.slug = 'forrester'"
    )
    assert role is not None
    assert tuple(role) == ("ANALYST", "Vice President and Principal Analyst")
    claim = await pool.fetchrow(
        "SELECT c.attribution, c.quote, o.slug AS organization FROM claim c"
        " JOIN person p ON p.id = c.person_id"
        " LEFT JOIN organization o ON o.id = c.organization_id"
        " WHERE p.slug = 'charlie-dai' AND c.fact_ref = 'F9'"
    )
    assert claim is not None
    assert claim["attribution"] == "ANALYST"
    assert claim["organization"] == "forrester"
    assert claim["quote"]


# --- F12, F13, F15, F19 -------------------------------------------------------------------


async def test_competition_in_e_commerce(pool: asyncpg.Pool) -> None:
    rows = await pool.fetch(
        "SELECT s.slug AS a, t.slug AS b FROM relationship r"
        " JOIN organization s ON s.id = r.source_id JOIN organization t ON t.id = r.target_id"
        " WHERE r.kind = 'COMPETES_WITH'"
    )
    pairs = {frozenset((row["a"], row["b"])) for row in rows}
    assert frozenset(("alibaba", "bytedance")) in pairs
    assert frozenset(("alibaba", "pdd-holdings")) in pairs


async def test_events(pool: asyncpg.Pool) -> None:
    rows = await pool.fetch(
        "SELECT e.slug, e.kind, e.occurred_on, e.occurred_precision, e.description,"
        " array_agg(o.slug ORDER BY o.slug) AS participants"
        " FROM event e JOIN event_participant p ON p.event_id = e.id"
        " JOIN organization o ON o.id = p.organization_id GROUP BY e.id"
    )
    by_kind = {row["kind"]: row for row in rows}
    cancelled = by_kind["IPO_CANCELLED"]
    assert (cancelled["occurred_on"], cancelled["occurred_precision"]) == (
        date(2023, 11, 1),
        "MONTH",
    )
    assert "chip" in cancelled["description"]
    assert cancelled["participants"] == ["alibaba", "alibaba-cloud"]
    assert by_kind["IPO_PLAN"]["participants"] == ["alibaba", "alibaba-cloud"]
    assert "alibaba-cloud" in by_kind["LEADERSHIP_CHANGE"]["participants"]
    regulatory = by_kind["REGULATORY_ACTION"]
    assert (regulatory["occurred_on"], regulatory["occurred_precision"]) == (
        date(2021, 1, 1),
        "YEAR",
    )
    assert regulatory["participants"] == ["alibaba"]
    for row in rows:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", row["slug"])


async def test_compute_assets(pool: asyncpg.Pool) -> None:
    rows = await pool.fetch(
        "SELECT a.id, a.chip_model, a.quantity, a.regions, vendor.slug AS vendor"
        " FROM compute_asset a JOIN organization owner ON owner.id = a.owner_id"
        " LEFT JOIN organization vendor ON vendor.id = a.chip_vendor_id"
        " WHERE owner.slug = 'alibaba-cloud' ORDER BY a.chip_model"
    )
    assert [row["chip_model"] for row in rows] == ["A800", "H800"]
    for row in rows:
        assert row["vendor"] == "nvidia"
        assert row["quantity"] is None
        assert row["regions"] == ["China", "South-East Asia"]
        attributions = await pool.fetch(
            "SELECT c.fact_ref, c.attribution, c.attributed_to FROM claim c"
            " JOIN claim_subject cs ON cs.claim_id = c.id WHERE cs.compute_asset_id = $1",
            row["id"],
        )
        assert {tuple(a) for a in attributions} == {
            ("F19", "ANONYMOUS", "a person familiar with the matter"),
            ("F20", "ANONYMOUS", "a person close to the company"),
        }


# --- provenance --------------------------------------------------------------------------


async def test_source_row(pool: asyncpg.Pool) -> None:
    rows = await pool.fetch("SELECT * FROM source")
    assert len(rows) == 1
    source = rows[0]
    assert source["slug"] == SOURCE_SLUG
    assert source["kind"] == "NEWS_ARTICLE"
    assert source["publisher"] == "Financial Times"
    assert source["language"] == "ar"
    assert source["published_on"] is None


async def test_every_claim_cites_the_source_and_supports_a_subject(pool: asyncpg.Pool) -> None:
    source_id = await pool.fetchval("SELECT id FROM source WHERE slug = $1", SOURCE_SLUG)
    claims = await pool.fetch(
        "SELECT c.id, c.source_id, c.fact_ref, count(cs.id) AS subjects FROM claim c"
        " LEFT JOIN claim_subject cs ON cs.claim_id = c.id GROUP BY c.id"
    )
    assert claims
    assert {row["source_id"] for row in claims} == {source_id}
    assert all(row["subjects"] == 1 for row in claims)
    assert {row["fact_ref"] for row in claims} == {f"F{n}" for n in range(1, 21)}
    arc = ", ".join(tables.CLAIM_SUBJECTS)
    assert (
        await pool.fetchval(f"SELECT count(*) FROM claim_subject WHERE num_nonnulls({arc}) <> 1")
        == 0
    )


async def test_quotes_are_kept_in_the_articles_arabic(pool: asyncpg.Pool) -> None:
    quotes = await pool.fetch("SELECT fact_ref, quote FROM claim WHERE quote IS NOT NULL")
    assert {row["fact_ref"] for row in quotes} == {"F9", "F10", "F11"}
    for row in quotes:
        assert re.search(r"[\u0600-\u06FF]", row["quote"]), row["fact_ref"]


async def test_usd_has_an_identity_rate(pool: asyncpg.Pool) -> None:
    rates = await pool.fetch("SELECT currency, usd_per_unit FROM fx_rate")
    assert {(row["currency"], row["usd_per_unit"]) for row in rates} == {("USD", Decimal(1))}


def test_subject_kinds_cover_the_claim_subject_arc() -> None:
    assert set(SUBJECT_COLUMNS.values()) == set(tables.CLAIM_SUBJECTS)


# --- loading -------------------------------------------------------------------------------


async def test_seeding_again_changes_nothing(migrated_url: str) -> None:
    before = await _row_counts(migrated_url)
    assert await seed_article(migrated_url) is False
    assert await seed_article(migrated_url, only_if_empty=True) is False
    assert await _row_counts(migrated_url) == before


async def test_fresh_database_loads_the_same_rows(
    migrated_empty_url: str, migrated_url: str
) -> None:
    assert await seed_article(migrated_empty_url, only_if_empty=True) is True
    counts = await _row_counts(migrated_empty_url)
    assert counts == await _row_counts(migrated_url)
    assert counts["organization"] >= len(REQUIRED_SLUGS)
    assert counts["claim"] > 0


async def test_concurrent_seeders_load_once(migrated_empty_url: str) -> None:
    results = await asyncio.gather(
        seed_article(migrated_empty_url), seed_article(migrated_empty_url)
    )
    assert sorted(results) == [False, True]
    assert (await _row_counts(migrated_empty_url))["source"] == 1


async def test_only_if_empty_leaves_a_populated_database_alone(migrated_empty_url: str) -> None:
    conn = await asyncpg.connect(asyncpg_dsn(migrated_empty_url))
    try:
        await conn.execute(
            "INSERT INTO organization (slug, name, kinds)"
            " VALUES ('someone', 'Someone', '{STARTUP}')"
        )
    finally:
        await conn.close()
    assert await seed_article(migrated_empty_url, only_if_empty=True) is False
    counts = await _row_counts(migrated_empty_url)
    assert counts["organization"] == 1
    assert counts["source"] == 0
    assert await seed_article(migrated_empty_url) is True


async def test_load_article_runs_in_the_callers_transaction(migrated_empty_url: str) -> None:
    conn = await asyncpg.connect(asyncpg_dsn(migrated_empty_url))
    try:
        transaction = conn.transaction()
        await transaction.start()
        await load_article(conn)
        assert await conn.fetchval("SELECT count(*) FROM source") == 1
        await transaction.rollback()
        assert await conn.fetchval("SELECT count(*) FROM organization") == 0
    finally:
        await conn.close()


# --- malformed data files --------------------------------------------------------------------


def _bad_investor(raw: Any) -> None:
    raw["funding_rounds"][0]["investments"][0]["investor"] = "no-such-org"


async def test_bad_reference_names_the_record_and_writes_nothing(
    tmp_path: Path, migrated_empty_url: str
) -> None:
    path = _write_variant(tmp_path, _bad_investor)
    with pytest.raises(DataError) as error:
        await seed_article(migrated_empty_url, path=path)
    message = str(error.value)
    assert "investments[alibaba-in-moonshot-ai-2024-02]" in message
    assert "no-such-org" in message
    counts = await _row_counts(migrated_empty_url)
    assert counts["organization"] == 0
    assert counts["source"] == 0


def test_unknown_key_names_the_record(tmp_path: Path) -> None:
    def add_typo(raw: Any) -> None:
        raw["organizations"][2]["contry"] = "CN"

    with pytest.raises(DataError, match=r"organizations\[moonshot-ai\]: unknown key\(s\): contry"):
        read_dataset(_write_variant(tmp_path, add_typo))


def test_bad_claim_subject_names_the_claim(tmp_path: Path) -> None:
    def bad_subject(raw: Any) -> None:
        raw["claims"][0]["subjects"].append({"event": "no-such-event"})

    with pytest.raises(
        DataError, match=r"claims\[0\] \(F1\): unknown event subject 'no-such-event'"
    ):
        read_dataset(_write_variant(tmp_path, bad_subject))


def test_shares_that_cannot_make_a_whole_are_refused(tmp_path: Path) -> None:
    def shrink(raw: Any) -> None:
        component = raw["funding_rounds"][0]["investments"][0]["consideration"][0]
        component["share"] = {"min": "0.1", "max": "0.2"}

    with pytest.raises(DataError, match=r"alibaba-in-moonshot-ai-2024-02\]: consideration shares"):
        read_dataset(_write_variant(tmp_path, shrink))


async def test_database_refusal_mid_load_writes_nothing(
    tmp_path: Path, migrated_empty_url: str
) -> None:
    # Passes the file checks but breaks a table constraint late in the load, after the
    # organizations are in: the whole transaction must roll back.
    def negative_quantity(raw: Any) -> None:
        raw["compute_assets"][0]["quantity"] = -1

    path = _write_variant(tmp_path, negative_quantity)
    with pytest.raises(DataError, match=r"compute_assets\[alibaba-cloud-nvidia-a800\]"):
        await seed_article(migrated_empty_url, path=path)
    counts = await _row_counts(migrated_empty_url)
    assert counts["organization"] == 0
    assert counts["source"] == 0
