"""Money: exact decimal strings, and USD equivalents only where a rate is known."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest

from service.app import create_app
from service.db import migrate
from service.db.urls import asyncpg_dsn
from service.ingest.article import seed_article
from service.values import format_decimal, to_usd
from tests.api.support import Gql, data_of


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("800000000.0000"), "800000000"),
        (Decimal("8E+8"), "800000000"),
        (Decimal("2.5E+9"), "2500000000"),
        (Decimal("0.500000"), "0.5"),
        (Decimal("1E-7"), "0.0000001"),
        (Decimal("0.0000"), "0"),
        (Decimal("-0.00"), "0"),
        (Decimal("-12.3400"), "-12.34"),
        (Decimal("10"), "10"),
    ],
)
def test_decimals_are_written_plain(value: Decimal, text: str) -> None:
    assert format_decimal(value) == text


def test_usd_is_rounded_to_the_cent_half_away_from_zero() -> None:
    assert to_usd(Decimal("0.125"), Decimal("1")) == Decimal("0.13")
    assert to_usd(Decimal("-0.125"), Decimal("1")) == Decimal("-0.13")
    assert to_usd(Decimal("1234.5"), Decimal("1.1")) == Decimal("1357.95")


async def test_usd_amounts_carry_their_rate(gql: Gql) -> None:
    body = await gql(
        """{ organization(slug: "moonshot-ai") { fundingRounds { nodes { amount {
             amount currency estimated amountUsd usdRate { rate rateOn source } } } } } }"""
    )
    [round_] = data_of(body)["organization"]["fundingRounds"]["nodes"]
    assert round_["amount"] == {
        "amount": "1000000000",
        "currency": "USD",
        "estimated": False,
        "amountUsd": "1000000000",
        "usdRate": {"rate": "1", "rateOn": "0001-01-01", "source": "identity"},
    }


@pytest.fixture(scope="module")
async def fx_client(
    empty_database_factory: Callable[[], Awaitable[str]],
) -> AsyncIterator[httpx.AsyncClient]:
    """The article dataset plus rounds in currencies the dataset has no (or dated) rates for."""
    url = await empty_database_factory()
    await asyncio.to_thread(migrate.upgrade, url)
    await seed_article(url)
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await conn.execute(
            """
            INSERT INTO currency (code, name, minor_units)
            VALUES ('CNY', 'Chinese yuan', 2), ('EUR', 'Euro', 2)
            ON CONFLICT (code) DO NOTHING;
            INSERT INTO fx_rate (currency, rate_on, usd_per_unit, source) VALUES
              ('EUR', '2023-01-01', 1.05, 'test'),
              ('EUR', '2024-01-01', 1.1, 'test'),
              ('EUR', '2024-06-01', 1.2, 'test');
            INSERT INTO funding_round (organization_id, round_type, status, announced_on,
                                       announced_precision, raised_amount, raised_currency,
                                       pre_money_amount, pre_money_currency, description)
            SELECT id, 'SERIES_A', 'CLOSED', '2024-03-15', 'DAY', 7000000000.5, 'CNY',
                   1234.5, 'EUR', 'dated, in CNY and EUR'
            FROM organization WHERE slug = 'zhipu-ai';
            INSERT INTO funding_round (organization_id, round_type, status, raised_amount,
                                       raised_currency, description)
            SELECT id, 'SEED', 'CLOSED', 1234.5, 'EUR', 'undated, in EUR'
            FROM organization WHERE slug = 'zhipu-ai';
            """
        )
    finally:
        await conn.close()
    app = create_app(database_url=url)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
    ):
        yield http


async def test_amount_usd_is_null_without_a_rate_and_uses_the_rate_of_the_date(
    fx_client: httpx.AsyncClient,
) -> None:
    query = """{ organization(slug: "zhipu-ai") { fundingRounds(orderBy: [{field: CREATED_AT}]) {
                   nodes { description
                     amount { amount currency amountUsd usdRate { rate rateOn source } }
                     preMoneyValuation { amount currency amountUsd usdRate { rate rateOn } } }
                 } } }"""
    response = await fx_client.post("/graphql", json={"query": query})
    body: dict[str, Any] = response.json()
    rounds = data_of(body)["organization"]["fundingRounds"]["nodes"]
    assert [r["description"] for r in rounds] == [
        "A round, otherwise unknown, through which Alibaba took a stake in Zhipu AI.",
        "dated, in CNY and EUR",
        "undated, in EUR",
    ]
    _, dated, undated = rounds
    # No CNY rate at all: the amount stands, its USD value is unknown.
    assert dated["amount"] == {
        "amount": "7000000000.5",
        "currency": "CNY",
        "amountUsd": None,
        "usdRate": None,
    }
    # The latest EUR rate on or before 2024-03-15 is that of 2024-01-01.
    assert dated["preMoneyValuation"] == {
        "amount": "1234.5",
        "currency": "EUR",
        "amountUsd": "1357.95",
        "usdRate": {"rate": "1.1", "rateOn": "2024-01-01"},
    }
    # An undated fact takes the latest rate known.
    assert undated["amount"] == {
        "amount": "1234.5",
        "currency": "EUR",
        "amountUsd": "1481.4",
        "usdRate": {"rate": "1.2", "rateOn": "2024-06-01", "source": "test"},
    }
