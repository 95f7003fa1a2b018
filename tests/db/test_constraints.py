"""The database itself refuses facts that break the data model's invariants."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest


@pytest.fixture
async def conn(pool: asyncpg.Pool) -> AsyncIterator[Any]:
    """A connection inside a transaction that is always rolled back."""
    async with pool.acquire() as connection:
        transaction = connection.transaction()
        await transaction.start()
        try:
            yield connection
        finally:
            await transaction.rollback()


async def refused(conn: Any, error: type[Exception], sql: str, *args: Any) -> None:
    """The statement fails with ``error``; a savepoint keeps the test's transaction usable."""
    with pytest.raises(error):
        async with conn.transaction():
            await conn.execute(sql, *args)


async def _org(conn: Any, slug: str) -> int:
    pk: int = await conn.fetchval("SELECT id FROM organization WHERE slug = $1", slug)
    return pk


async def _round(conn: Any, **values: Any) -> None:
    columns = {"organization_id": await _org(conn, "moonshot-ai"), "round_type": "SEED",
               "status": "ANNOUNCED", **values}  # fmt: skip
    names = ", ".join(columns)
    params = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    await conn.execute(f"INSERT INTO funding_round ({names}) VALUES ({params})", *columns.values())


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ({"raised_amount": -1, "raised_currency": "USD"}, asyncpg.CheckViolationError),
        ({"raised_amount": 1, "raised_currency": "XXY"}, asyncpg.ForeignKeyViolationError),
        ({"raised_amount": 1}, asyncpg.CheckViolationError),
        ({"round_type": "SERIES_Z"}, asyncpg.CheckViolationError),
        ({"status": "DONE"}, asyncpg.CheckViolationError),
        ({"announced_on": __import__("datetime").date(2024, 2, 3),
          "announced_precision": "MONTH"}, asyncpg.CheckViolationError),
        ({"announced_on": __import__("datetime").date(2024, 2, 1),
          "announced_precision": "QUARTER"}, asyncpg.CheckViolationError),
        ({"announced_on": __import__("datetime").date(2024, 2, 1),
          "announced_precision": "WEEK"}, asyncpg.CheckViolationError),
        ({"announced_on": __import__("datetime").date(2024, 2, 1)}, asyncpg.CheckViolationError),
    ],
)  # fmt: skip
async def test_round_invariants(conn: Any, values: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        await _round(conn, **values)


async def test_a_valid_round_is_accepted(conn: Any) -> None:
    import datetime as dt

    await _round(conn, raised_amount=5, raised_currency="CNY",
                 announced_on=dt.date(2024, 4, 1), announced_precision="QUARTER")  # fmt: skip


async def _investment(conn: Any) -> int:
    round_id = await conn.fetchval(
        "INSERT INTO funding_round (organization_id, round_type, status)"
        " VALUES ($1, 'SEED', 'ANNOUNCED') RETURNING id",
        await _org(conn, "minimax"),
    )
    pk: int = await conn.fetchval(
        "INSERT INTO investment (round_id, investor_id) VALUES ($1, $2) RETURNING id",
        round_id,
        await _org(conn, "tencent"),
    )
    return pk


async def test_no_duplicate_investor_per_round(conn: Any) -> None:
    investment = await _investment(conn)
    round_id, investor = await conn.fetchrow(
        "SELECT round_id, investor_id FROM investment WHERE id = $1", investment
    )
    await refused(
        conn,
        asyncpg.UniqueViolationError,
        "INSERT INTO investment (round_id, investor_id) VALUES ($1, $2)",
        round_id,
        investor,
    )


@pytest.mark.parametrize(
    ("share_min", "share_max"),
    [(-0.1, 0.5), (0.2, 1.2), (0.6, 0.4), (0.5, None)],
)
async def test_share_ranges(conn: Any, share_min: float, share_max: float | None) -> None:
    investment = await _investment(conn)
    await refused(
        conn,
        asyncpg.CheckViolationError,
        "INSERT INTO consideration_component (investment_id, position, kind, share_min,"
        " share_max) VALUES ($1, 0, 'CASH', $2, $3)",
        investment,
        share_min,
        share_max,
    )


async def test_unknown_consideration_kind(conn: Any) -> None:
    investment = await _investment(conn)
    await refused(
        conn,
        asyncpg.CheckViolationError,
        "INSERT INTO consideration_component (investment_id, position, kind)"
        " VALUES ($1, 0, 'BARTER')",
        investment,
    )


async def test_claim_supports_exactly_one_fact(conn: Any) -> None:
    claim = await conn.fetchval("SELECT id FROM claim LIMIT 1")
    await refused(
        conn, asyncpg.CheckViolationError, "INSERT INTO claim_subject (claim_id) VALUES ($1)", claim
    )
    await refused(
        conn,
        asyncpg.CheckViolationError,
        "INSERT INTO claim_subject (claim_id, organization_id, event_id)"
        " VALUES ($1, $2, (SELECT min(id) FROM event))",
        claim,
        await _org(conn, "alibaba"),
    )


async def test_foreign_keys_hold(conn: Any) -> None:
    await refused(
        conn,
        asyncpg.ForeignKeyViolationError,
        "INSERT INTO investment (round_id, investor_id) VALUES (999999999, 1)",
    )


async def test_slug_and_country_formats(conn: Any) -> None:
    await refused(
        conn,
        asyncpg.CheckViolationError,
        "INSERT INTO organization (slug, name, kinds) VALUES ('Bad Slug', 'x', '{STARTUP}')",
    )
    await refused(
        conn,
        asyncpg.CheckViolationError,
        "INSERT INTO organization (slug, name, kinds, country)"
        " VALUES ('ok-slug', 'x', '{STARTUP}', 'cn')",
    )
    await refused(
        conn,
        asyncpg.CheckViolationError,
        "INSERT INTO organization (slug, name, kinds) VALUES ('ok-slug', 'x', '{ROBOT}')",
    )
