"""The synthetic data generator: determinism, the invariants, the shape, and coexistence with
the article dataset."""

from __future__ import annotations

import asyncio
import io
import json
import os
import statistics
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from service.app import create_app
from service.cli import main as cli_main
from service.db import migrate, tables
from service.db.urls import asyncpg_dsn
from service.ingest.generator import (
    GenerateError,
    build_dataset,
    generate_into_database,
    generate_jsonl,
)
from service.ingest.generator.copy import TIME_COLUMNS
from service.ingest.generator.jsonl import canonical
from service.ingest.generator.model import TABLES
from service.ingest.progress import Progress

ROOT = Path(__file__).resolve().parents[2]
SEED = 7
ORGS = 500
ALL_TABLES = [table.name for table in tables.metadata.sorted_tables]
CLOCK_COLUMNS = frozenset({"recorded_at", "valid_from", "valid_to", "written_in"})

Factory = Callable[[], Awaitable[str]]


async def _migrated(factory: Factory) -> str:
    url = await factory()
    await asyncio.to_thread(migrate.upgrade, url)
    return url


async def _fetch(url: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()


async def _value(url: str, sql: str, *args: Any) -> Any:
    rows = await _fetch(url, sql, *args)
    return rows[0][0]


async def _dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, ordered by primary key."""
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        dump: dict[str, list[tuple[Any, ...]]] = {}
        for table in tables.metadata.sorted_tables:
            # When a row was recorded is the load's clock, not generated data (so are the
            # summary history's ranges and writing transactions); so is the audit log, whose
            # order follows the load's concurrent writers.
            if table.name == "audit_log":
                continue
            # Tables without a primary key (the analytics rollups) by every column.
            order = ", ".join(column.name for column in table.primary_key.columns) or ", ".join(
                str(position) for position in range(1, len(table.columns) + 1)
            )
            rows = await conn.fetch(f"SELECT * FROM {table.name} ORDER BY {order}")
            dump[table.name] = [
                tuple(value for name, value in row.items() if name not in CLOCK_COLUMNS)
                for row in rows
            ]
        return dump
    finally:
        await conn.close()


async def _counts(url: str) -> dict[str, int]:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return {name: await conn.fetchval(f"SELECT count(*) FROM {name}") for name in ALL_TABLES}
    finally:
        await conn.close()


@pytest.fixture(scope="module")
async def generated_url(empty_database_factory: Factory) -> str:
    """A database holding only generated data (2000 organizations), read by several tests."""
    url = await _migrated(empty_database_factory)
    await generate_into_database(url, orgs=2000, seed=11, progress=Progress(enabled=False))
    return url


# Determinism -------------------------------------------------------------------------------


async def test_same_orgs_and_seed_give_identical_databases(empty_database_factory: Factory) -> None:
    first, second = await _migrated(empty_database_factory), await _migrated(empty_database_factory)
    quiet = Progress(enabled=False)
    report = await generate_into_database(first, orgs=ORGS, seed=SEED, progress=quiet)
    await generate_into_database(second, orgs=ORGS, seed=SEED, progress=quiet)
    dump_first, dump_second = await _dump(first), await _dump(second)
    assert dump_first == dump_second
    for table, count in report.row_counts.items():
        assert count > 0, table
        assert len(dump_first[table]) == count, table
    # Ids start at 1 in an empty database.
    assert dump_first["organization"][0][0] == 1


def test_jsonl_is_byte_identical_for_the_same_seed_and_differs_for_another(
    tmp_path: Path,
) -> None:
    paths = [tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"]
    quiet = Progress(enabled=False)
    generate_jsonl(paths[0], orgs=300, seed=SEED, progress=quiet)
    generate_jsonl(paths[1], orgs=300, seed=SEED, progress=quiet)
    generate_jsonl(paths[2], orgs=300, seed=SEED + 1, progress=quiet)
    first = paths[0].read_bytes()
    assert first == paths[1].read_bytes()
    assert first != paths[2].read_bytes()
    assert first.endswith(b"\n")


def test_output_does_not_depend_on_string_hashing(tmp_path: Path) -> None:
    """Separate interpreters with different hash seeds write the same bytes: no set or hash
    order reaches the output."""
    script = (
        "import sys; from pathlib import Path; from service.ingest.generator import generate_jsonl;"
        " generate_jsonl(Path(sys.argv[1]), orgs=200, seed=5)"
    )
    outputs = []
    for hash_seed in ("1", "2"):
        path = tmp_path / f"hash{hash_seed}.jsonl"
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run([sys.executable, "-c", script, str(path)], check=True, env=env, cwd=ROOT)
        outputs.append(path.read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0]


def test_jsonl_lines_are_canonical_and_refer_only_to_earlier_records(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    report = generate_jsonl(path, orgs=300, seed=SEED, progress=Progress(enabled=False))
    known: set[tuple[str, str]] = set()
    types: Counter[str] = Counter()
    lines = path.read_text(encoding="utf-8").splitlines()
    for line in lines:
        record = json.loads(line)
        assert canonical(record) == line
        kind = record["type"]
        types[kind] += 1
        for field, target in _REFERENCE_FIELDS.get(kind, {}).items():
            if field in record:
                assert (target, record[field]) in known, (kind, field, record[field])
        for component in record.get("consideration", []):
            for field in ("provider", "spend_restricted_to"):
                if field in component:
                    assert ("organization", component[field]) in known
            known.add(("consideration_component", component["key"]))
        for subject in record.get("subjects", []):
            assert (subject["type"], subject["key"]) in known, subject
        if "slug" in record:
            known.add((kind, record["slug"]))
        if "key" in record:
            known.add((kind, record["key"]))
    embedded = {
        "organization_name",
        "consideration_component",
        "event_participant",
        "event_person",
        "acquisition_component",
    }
    for table, count in report.row_counts.items():
        if table not in embedded and table != "claim_subject":
            assert types[table] == count, table
    assert types["fx_rate"] > 0
    assert types["credit_type"] == 4
    organization = json.loads(next(line for line in lines if '"type":"organization"' in line))
    assert sum(1 for name in organization["names"] if name["is_primary"]) == 1


_REFERENCE_FIELDS: dict[str, dict[str, str]] = {
    "organization": {"parent": "organization"},
    "person_role": {"person": "person", "organization": "organization"},
    "product": {"organization": "organization"},
    "product_alternative": {"product": "product", "alternative_to": "product"},
    "credit_program": {"provider": "organization", "credit_type": "credit_type"},
    "funding_round": {"organization": "organization"},
    "investment": {"round": "funding_round", "investor": "organization"},
    "relationship": {"source": "organization", "target": "organization"},
    "compute_asset": {"owner": "organization", "chip_vendor": "organization"},
    "claim": {"source": "source", "person": "person", "organization": "organization"},
}


# Invariants --------------------------------------------------------------------------------


def test_row_layout_fits_the_tables() -> None:
    """The generator's tuples name real, writable columns; a column they leave out is a time
    column the writer fills, or one PostgreSQL fills itself (nullable or with a default)."""
    for name, columns, _ in TABLES:
        table = tables.metadata.tables[name]
        writable = {column.name for column in table.columns if column.computed is None}
        assert set(columns) <= writable, name
        assert len(set(columns)) == len(columns), name
        for column in table.columns:
            left_out = column.name not in columns and column.name not in TIME_COLUMNS
            if column.computed is None and left_out:
                assert column.nullable or column.server_default is not None, column


async def test_shares_of_a_consideration_can_make_a_whole(generated_url: str) -> None:
    bad = await _value(
        generated_url,
        "SELECT count(*) FROM (SELECT investment_id FROM consideration_component"
        " GROUP BY investment_id HAVING sum(share_min) > 1 OR sum(share_max) < 1) AS x",
    )
    assert bad == 0


async def test_component_values_stay_within_the_investment(generated_url: str) -> None:
    rows = await _fetch(
        generated_url,
        "SELECT i.id, i.committed_amount, i.committed_currency,"
        " sum(c.value_amount) AS total, max(c.value_amount) AS largest,"
        " bool_and(c.value_currency IS NULL OR c.value_currency = i.committed_currency) AS same"
        " FROM investment i JOIN consideration_component c ON c.investment_id = i.id"
        " GROUP BY i.id",
    )
    assert rows
    valued = [row for row in rows if row["total"] is not None]
    assert valued
    for row in valued:
        assert row["committed_amount"] is not None
        assert row["largest"] <= row["committed_amount"]
        assert row["total"] <= row["committed_amount"]
        assert row["same"]
    # Every investment says what it was paid with.
    missing = await _value(
        generated_url,
        "SELECT count(*) FROM investment i WHERE NOT EXISTS"
        " (SELECT FROM consideration_component c WHERE c.investment_id = i.id)",
    )
    assert missing == 0


async def test_every_round_has_one_or_two_leads_who_are_investors(generated_url: str) -> None:
    rows = await _fetch(
        generated_url,
        "SELECT r.id, count(i.id) AS investors, count(i.id) FILTER (WHERE i.is_lead) AS leads,"
        " bool_and('INVESTOR' = ANY(o.kinds)) AS all_investors,"
        " bool_or(i.investor_id = r.organization_id) AS self_investment"
        " FROM funding_round r JOIN investment i ON i.round_id = r.id"
        " JOIN organization o ON o.id = i.investor_id GROUP BY r.id",
    )
    rounds = await _value(generated_url, "SELECT count(*) FROM funding_round")
    assert len(rows) == rounds
    for row in rows:
        assert 1 <= row["leads"] <= 2
        assert row["all_investors"]
        assert not row["self_investment"]
    assert any(row["leads"] == 2 for row in rows)


async def test_each_organization_has_one_primary_name_equal_to_its_name(
    generated_url: str,
) -> None:
    bad = await _value(
        generated_url,
        "SELECT count(*) FROM organization o WHERE (SELECT count(*) FROM organization_name n"
        " WHERE n.organization_id = o.id AND n.is_primary AND n.value = o.name) <> 1"
        " OR (SELECT count(*) FROM organization_name n"
        " WHERE n.organization_id = o.id AND n.is_primary) <> 1",
    )
    assert bad == 0
    scripts = {
        row[0] for row in await _fetch(generated_url, "SELECT script FROM organization_name")
    }
    assert {"Latn", "Hans", "Arab"} <= scripts
    kinds = {row[0] for row in await _fetch(generated_url, "SELECT kind FROM organization_name")}
    assert {"COMMON", "LEGAL", "TRANSLITERATION", "FORMER"} <= kinds


async def test_the_vocabularies_are_all_used(generated_url: str) -> None:
    async def values(sql: str) -> set[str]:
        return {row[0] for row in await _fetch(generated_url, sql)}

    assert await values("SELECT DISTINCT kind FROM consideration_component") == {
        "CASH",
        "CLOUD_CREDITS",
        "TRAFFIC_PROMOTION",
        "SERVICES",
        "OTHER",
    }
    assert await values("SELECT DISTINCT attribution FROM claim") == {
        "PUBLICATION",
        "ANONYMOUS",
        "NAMED_PERSON",
        "ANALYST",
        "COMPANY",
        "FILING",
    }
    assert {"ASSERTS", "CONFIRMS", "DECLINED_TO_COMMENT"} <= await values(
        "SELECT DISTINCT stance FROM claim"
    )
    assert await values("SELECT DISTINCT announced_precision FROM funding_round") >= {
        "DAY",
        "MONTH",
        "QUARTER",
        "YEAR",
    }
    currencies = await values("SELECT DISTINCT raised_currency FROM funding_round")
    assert {"USD", "CNY", "EUR", "GBP", "JPY", "HKD", "SGD", "INR", "AED"} <= currencies
    assert {"SEED", "SERIES_A", "SERIES_F_PLUS", "STRATEGIC"} <= await values(
        "SELECT DISTINCT round_type FROM funding_round"
    )
    assert len(await values("SELECT DISTINCT publisher FROM source")) >= 5
    assert {"en", "zh", "ar"} <= await values("SELECT DISTINCT language FROM source")
    for column in tables.CLAIM_SUBJECTS:
        count = await _value(
            generated_url, f"SELECT count(*) FROM claim_subject WHERE {column} IS NOT NULL"
        )
        assert count > 0, column


async def test_people_in_events_work_at_a_participant(generated_url: str) -> None:
    """Every generated person in an event holds an executive or founder role at one of its
    organizations, and every change of leadership at an organization with one names them."""
    strays = await _value(
        generated_url,
        "SELECT count(*) FROM event_person p WHERE NOT EXISTS ("
        " SELECT FROM event_participant e JOIN person_role r"
        " ON r.organization_id = e.organization_id AND r.person_id = p.person_id"
        " WHERE e.event_id = p.event_id AND r.kind IN ('EXECUTIVE', 'FOUNDER'))",
    )
    assert strays == 0
    assert await _value(generated_url, "SELECT count(*) FROM event_person") > 0
    unnamed = await _value(
        generated_url,
        "SELECT count(*) FROM event e WHERE e.kind = 'LEADERSHIP_CHANGE' AND e.slug LIKE '%-g%'"
        " AND NOT EXISTS (SELECT FROM event_person p WHERE p.event_id = e.id) AND EXISTS ("
        " SELECT FROM event_participant x JOIN person_role r ON r.organization_id ="
        " x.organization_id WHERE x.event_id = e.id AND r.kind IN ('EXECUTIVE', 'FOUNDER'))",
    )
    assert unnamed == 0


async def test_corporate_consideration_has_its_strings_attached(generated_url: str) -> None:
    row = (
        await _fetch(
            generated_url,
            "SELECT count(*) FILTER (WHERE escrow) AS escrowed,"
            " count(*) FILTER (WHERE recognized_as_revenue_by_provider) AS revenue,"
            " count(*) FILTER (WHERE spend_restricted_to_id IS NOT NULL) AS restricted,"
            " count(*) FILTER (WHERE share_min < share_max) AS ranges,"
            " count(*) FILTER (WHERE estimated) AS estimated"
            " FROM consideration_component",
        )
    )[0]
    assert all(row[key] > 0 for key in ("escrowed", "revenue", "restricted", "ranges", "estimated"))
    # Credits are the provider's own, and cash restricted to a cloud is the investor's cloud.
    wrong = await _value(
        generated_url,
        "SELECT count(*) FROM consideration_component c JOIN investment i"
        " ON i.id = c.investment_id WHERE (c.kind = 'CLOUD_CREDITS' AND c.provider_id <>"
        " i.investor_id) OR c.spend_restricted_to_id <> i.investor_id",
    )
    assert wrong == 0


async def test_every_amount_has_an_exchange_rate_on_or_before_its_date(
    generated_url: str,
) -> None:
    missing = await _value(
        generated_url,
        "SELECT count(*) FROM funding_round r WHERE r.raised_amount IS NOT NULL"
        " AND r.announced_on IS NOT NULL AND NOT EXISTS (SELECT FROM fx_rate f"
        " WHERE f.currency = r.raised_currency AND f.rate_on <= r.announced_on)",
    )
    assert missing == 0


# Shape -------------------------------------------------------------------------------------


def test_investor_activity_follows_a_power_law() -> None:
    # The tail needs thousands of investors to show: 20 000 organizations, ~4 000 investors.
    ds = build_dataset(orgs=20_000, seed=3)
    investors = [row[0] for row in ds["organization"].rows if "INVESTOR" in row[3]]
    assert 0.15 <= len(investors) / 20_000 <= 0.25
    per_investor = Counter(row[2] for row in ds["investment"].rows)
    counts = sorted((per_investor.get(i, 0) for i in investors), reverse=True)
    total = sum(counts)
    top_1 = sum(counts[: len(counts) // 100]) / total
    top_5 = sum(counts[: len(counts) // 20]) / total
    assert top_1 >= 0.15  # fifteen times their share of the population
    assert top_5 >= 0.5
    active = [count for count in counts if count]
    assert statistics.median(active) <= 10
    assert sum(1 for count in active if count <= 2) >= 0.1 * len(active)
    # No firm is in more than a few per cent of all rounds.
    assert counts[0] <= 0.03 * len(ds["funding_round"].rows)
    assert counts[0] >= 50 * statistics.median(active)


async def test_rounds_grow_by_stage_and_startups_raise_one_to_eight(generated_url: str) -> None:
    rows = await _fetch(
        generated_url,
        "SELECT r.round_type, percentile_cont(0.5) WITHIN GROUP (ORDER BY r.raised_amount"
        " * (SELECT f.usd_per_unit FROM fx_rate f WHERE f.currency = r.raised_currency AND"
        " f.rate_on <= r.sort_on ORDER BY f.rate_on DESC LIMIT 1)) AS median_usd"
        " FROM funding_round r WHERE r.raised_amount IS NOT NULL AND r.announced_on IS NOT NULL"
        " GROUP BY r.round_type",
    )
    median = {row["round_type"]: row["median_usd"] for row in rows}
    ladder = ["SEED", "SERIES_A", "SERIES_B", "SERIES_C", "SERIES_D"]
    assert [median[stage] for stage in ladder] == sorted(median[stage] for stage in ladder)
    assert median["SERIES_D"] > 10 * median["SEED"]
    per_startup = await _fetch(
        generated_url,
        "SELECT o.id, count(r.id) AS rounds FROM organization o LEFT JOIN funding_round r"
        " ON r.organization_id = o.id WHERE 'STARTUP' = ANY(o.kinds) GROUP BY o.id",
    )
    counts = Counter(row["rounds"] for row in per_startup)
    assert min(counts) >= 1
    assert max(counts) <= 8
    assert len(counts) >= 6
    rounds_per_org = await _value(generated_url, "SELECT count(*) FROM funding_round") / 2000
    investments_per_round = await _value(
        generated_url,
        "SELECT count(*)::float / (SELECT count(*) FROM funding_round) FROM investment",
    )
    assert 2.5 <= rounds_per_org <= 3.5
    assert 2.8 <= investments_per_round <= 4.0


async def test_corporate_investors_are_a_few_percent(generated_url: str) -> None:
    share = await _value(
        generated_url,
        "SELECT avg(('CORPORATE' = ANY(o.kinds))::int) FROM investment i"
        " JOIN organization o ON o.id = i.investor_id",
    )
    assert 0.01 <= share <= 0.15


# Living with the article dataset -----------------------------------------------------------


async def test_generated_data_and_the_article_dataset_coexist(
    empty_database_factory: Factory,
) -> None:
    from service.ingest.article import seed_article

    url = await _migrated(empty_database_factory)
    await seed_article(url)
    before = await _dump(url)
    quiet = Progress(enabled=False)
    report = await generate_into_database(url, orgs=300, seed=SEED, progress=quiet)
    after = await _dump(url)
    counts = await _counts(url)
    for table in report.row_counts:
        assert counts[table] == len(before[table]) + report.row_counts[table], table
    # The article's rows are untouched.
    for table, rows in before.items():
        # Kept USD values are derived: the generator's exchange rates may revalue the article's.
        if table.startswith("usd_"):
            continue
        current = {repr(row) for row in after[table]}  # rows hold lists: compare spellings
        assert all(repr(row) in current for row in rows), table
    slugs = {row[0] for row in await _fetch(url, "SELECT slug FROM organization")}
    assert {"alibaba", "moonshot-ai", "openai"} <= slugs
    # Reference data is shared, not duplicated.
    credit_types = await _fetch(url, "SELECT slug FROM credit_type")
    assert len(credit_types) == len({row[0] for row in credit_types})

    # The same seed again is refused without writing anything; another seed is welcome.
    with pytest.raises(GenerateError, match="already"):
        await generate_into_database(url, orgs=300, seed=SEED, progress=quiet)
    assert await _counts(url) == counts
    await generate_into_database(url, orgs=300, seed=SEED + 1, progress=quiet)
    assert await _value(url, "SELECT count(*) FROM organization") == counts["organization"] + 300


async def test_later_inserts_get_ids_after_the_generated_ones(
    empty_database_factory: Factory,
) -> None:
    """The identity sequences were moved past the explicit ids the generator wrote."""
    url = await _migrated(empty_database_factory)
    await generate_into_database(url, orgs=200, seed=SEED, progress=Progress(enabled=False))
    largest = await _value(url, "SELECT max(id) FROM organization")
    new_id = await _value(
        url,
        "INSERT INTO organization (slug, name, kinds) VALUES ('added-later', 'Added Later',"
        " ARRAY['STARTUP']) RETURNING id",
    )
    assert new_id == largest + 1
    source_id = await _value(url, "SELECT max(id) FROM source")
    claim_id = await _value(
        url,
        "INSERT INTO claim (source_id, attribution, statement) VALUES ($1, 'PUBLICATION',"
        " 'A later claim.') RETURNING id",
        source_id,
    )
    assert claim_id == await _value(url, "SELECT max(id) FROM claim")


# Serving it --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def client(generated_url: str) -> AsyncIterator[httpx.AsyncClient]:
    application = create_app(database_url=generated_url)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield http


async def test_the_api_serves_generated_rounds_with_their_consideration(
    generated_url: str, client: httpx.AsyncClient
) -> None:
    # A start-up with a corporate investor paying in kind.
    slug = await _value(
        generated_url,
        "SELECT o.slug FROM consideration_component c JOIN investment i ON i.id = c.investment_id"
        " JOIN funding_round r ON r.id = i.round_id JOIN organization o ON o.id ="
        " r.organization_id WHERE c.kind = 'CLOUD_CREDITS' ORDER BY c.id LIMIT 1",
    )
    query = (ROOT / "graphql" / "operations" / "MoonshotRound.graphql").read_text()
    response = await client.post("/graphql", json={"query": query, "variables": {"slug": slug}})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    organization = body["data"]["organization"]
    rounds = organization["fundingRounds"]
    expected_rounds = await _value(
        generated_url,
        "SELECT count(*) FROM funding_round r JOIN organization o ON o.id = r.organization_id"
        " WHERE o.slug = $1",
        slug,
    )
    assert rounds["totalCount"] == expected_rounds
    kinds = {
        component["kind"]
        for round_ in rounds["nodes"]
        for investment in round_["investments"]["nodes"]
        for component in investment["consideration"]
    }
    assert "CLOUD_CREDITS" in kinds
    investments = [i for round_ in rounds["nodes"] for i in round_["investments"]["nodes"]]
    assert investments
    assert all(investment["consideration"] for investment in investments)


# The command -------------------------------------------------------------------------------


def test_cli_writes_jsonl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "out.jsonl"
    assert cli_main(["generate", "--orgs", "60", "--seed", "3", "--jsonl", str(path)]) == 0
    output = capsys.readouterr().out
    assert "funding_round" in output
    assert "rows written to" in output
    assert path.read_text(encoding="utf-8").count("\n") > 60
    assert cli_main(["generate", "--orgs", "10", "--jsonl", str(path)]) == 1
    assert "--orgs must be at least" in capsys.readouterr().err
    assert cli_main(["generate", "--orgs", "60", "--seed", "-1", "--jsonl", str(path)]) == 1
    assert "--seed must be" in capsys.readouterr().err


def test_progress_draws_only_when_enabled() -> None:
    shown, hidden = io.StringIO(), io.StringIO()
    for stream, enabled in ((shown, True), (hidden, False)):
        progress = Progress(enabled=enabled, stream=stream)
        progress.phase("writing rows", 10)
        progress.advance(10)
        progress.close()
    assert "writing rows" in shown.getvalue()
    assert "10/10" in shown.getvalue()
    assert hidden.getvalue() == ""
    # A stream that is not a terminal gets no bar by default.
    assert not Progress(stream=io.StringIO()).enabled
