"""CSV import of rounds and investments: the same checks and upserts as JSON Lines."""

from __future__ import annotations

from decimal import Decimal

from tests.bulk.conftest import fetch, run_import, state

ROUNDS = (
    "key,organization,round_type,status,announced_on,announced_precision,raised_amount,"
    "raised_currency,raised_estimated,description\n"
    "moonshot-ai/round-b,moonshot-ai,SERIES_B,CLOSED,2024-07-01,QUARTER,300000000.50,USD,"
    'true,"Reported as ""the largest"" round,\nspread over two lines"\n'
    "zhipu-ai/round-c,zhipu-ai,SERIES_C,RUMOURED,,,,,,\n"
)
INVESTMENTS = (
    "key,round,investor,is_lead,committed_amount,committed_currency,stake_min,stake_max\n"
    "moonshot-ai/round-b/tencent,moonshot-ai/round-b,tencent,true,100000000,USD,0.02,0.03\n"
    "zhipu-ai/round-c/alibaba,zhipu-ai/round-c,alibaba,false,,,,\n"
)


async def test_rounds_then_investments(article_url: str) -> None:
    rounds = await run_import(article_url, ROUNDS, csv=True)
    assert rounds.ok, rounds.describe()
    assert rounds.tables["funding_round"].inserted == 2
    investments = await run_import(article_url, INVESTMENTS, csv=True)
    assert investments.ok, investments.describe()
    rows = await fetch(
        article_url,
        "SELECT r.key, r.raised_amount, r.raised_estimated, r.description, r.announced_precision,"
        " i.is_lead, i.stake_max, o.slug AS investor FROM funding_round r"
        " JOIN investment i ON i.round_id = r.id JOIN organization o ON o.id = i.investor_id"
        " WHERE r.key IN ('moonshot-ai/round-b', 'zhipu-ai/round-c') ORDER BY r.key",
    )
    assert [(r["key"], r["investor"], r["is_lead"]) for r in rows] == [
        ("moonshot-ai/round-b", "tencent", True),
        ("zhipu-ai/round-c", "alibaba", False),
    ]
    moonshot = rows[0]
    assert moonshot["raised_amount"] == Decimal("300000000.50")
    assert moonshot["raised_estimated"] is True
    assert moonshot["announced_precision"] == "QUARTER"
    assert moonshot["stake_max"] == Decimal("0.03")
    assert moonshot["description"] == 'Reported as "the largest" round,\nspread over two lines'
    # Again: nothing changes.
    before = await state(article_url)
    again = await run_import(article_url, INVESTMENTS, csv=True)
    assert again.ok
    assert again.tables["investment"].unchanged == 2
    assert await state(article_url) == before


async def test_bad_csv_rows_are_named_by_line(article_url: str) -> None:
    data = (
        "key,organization,round_type,status,raised_amount,raised_currency\n"
        "a/round-1,moonshot-ai,SEED,CLOSED,100,USD\n"
        "a/round-2,moonshot-ai,SEED,CLOSED,-100,USD\n"
        "a/round-3,nobody,SEED,CLOSED,100,USD\n"
        "a/round-4,moonshot-ai,SEED,CLOSED,100,ZZZ\n"
    )
    before = await state(article_url)
    report = await run_import(article_url, data, csv=True)
    assert [e.line for e in report.errors] == [3, 4, 5]
    messages = [e.message for e in report.errors]
    assert "raised_amount must not be negative" in messages[0]
    assert 'organization "nobody" is no organization' in messages[1]
    assert "unknown currency 'ZZZ'" in messages[2]
    short = "key,organization,round_type,status\na/round-5,moonshot-ai,SEED\n"
    report = await run_import(article_url, short, csv=True)
    assert [(e.line, e.message) for e in report.errors] == [(2, "3 cells, the header has 4")]
    assert await state(article_url) == before


async def test_a_csv_header_must_name_known_columns(article_url: str) -> None:
    report = await run_import(article_url, "key,round,investor,amount\n", csv=True)
    assert [(e.line, e.message) for e in report.errors] == [
        (1, "unknown investment column(s): amount")
    ]
    report = await run_import(article_url, "key,name\n", csv=True)
    assert report.errors[0].message == "a CSV header must hold round_type (rounds) or investor"


async def test_an_angel_investment_in_csv(article_url: str) -> None:
    rounds = await run_import(article_url, ROUNDS, csv=True)
    assert rounds.ok, rounds.describe()
    angels = (
        "key,round,investor,investor_person,committed_amount,committed_currency\n"
        "zhipu-ai/round-c/eddie-wu,zhipu-ai/round-c,,eddie-wu,250000,USD\n"
        "zhipu-ai/round-c/both,zhipu-ai/round-c,alibaba,eddie-wu,,\n"
    )
    report = await run_import(article_url, angels, csv=True, partial=True)
    assert report.tables["investment"].inserted == 1
    assert [e.line for e in report.errors] == [3]
    assert "exactly one investor" in report.errors[0].message
    rows = await fetch(
        article_url,
        "SELECT i.investor_id, p.slug FROM investment i JOIN person p"
        " ON p.id = i.investor_person_id WHERE i.key = 'zhipu-ai/round-c/eddie-wu'",
    )
    assert [(r["investor_id"], r["slug"]) for r in rows] == [(None, "eddie-wu")]
