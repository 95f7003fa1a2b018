"""The derived ``consideration_kinds`` columns (migration 0007) after a random mix of writes
equal a computation from scratch, and keeping them writes no versions, history or audit rows."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable

import asyncpg

from service.db import migrate
from service.db.urls import asyncpg_dsn
from service.domain import ConsiderationKind

KINDS = [k.value for k in ConsiderationKind]

# The definition, written independently of the triggers: distinct kinds of live components of
# live rows, sorted; empty when there are none.
FRESH_INVESTMENTS = """
SELECT i.id, i.consideration_kinds AS kept,
       coalesce((SELECT array_agg(DISTINCT c.kind ORDER BY c.kind)
                 FROM consideration_component c
                 WHERE c.investment_id = i.id AND c.retired_at IS NULL), '{}') AS fresh
FROM investment i
"""
FRESH_ROUNDS = """
SELECT r.id, r.consideration_kinds AS kept,
       coalesce((SELECT array_agg(DISTINCT c.kind ORDER BY c.kind)
                 FROM investment i JOIN consideration_component c ON c.investment_id = i.id
                 WHERE i.round_id = r.id AND i.retired_at IS NULL AND c.retired_at IS NULL),
                '{}') AS fresh
FROM funding_round r
"""


async def _differences(conn: asyncpg.Connection) -> list[str]:
    found = []
    for name, sql in (("investment", FRESH_INVESTMENTS), ("funding_round", FRESH_ROUNDS)):
        for row in await conn.fetch(f"SELECT * FROM ({sql}) s WHERE kept <> fresh"):
            found.append(f"{name} {row['id']}: kept {row['kept']}, fresh {row['fresh']}")
    return found


class Writes:
    """Random writes through plain SQL, as any writer (mutation, import, COPY) makes them."""

    def __init__(self, conn: asyncpg.Connection, rng: random.Random) -> None:
        self.conn = conn
        self.rng = rng

    async def _ids(self, table: str, where: str = "TRUE", n: int = 3) -> list[int]:
        rows = await self.conn.fetch(
            f"SELECT id FROM {table} WHERE {where} ORDER BY random() LIMIT {n}"
        )
        return [row["id"] for row in rows]

    async def add_components(self) -> None:
        for investment in await self._ids("investment", "retired_at IS NULL"):
            await self.conn.execute(
                "INSERT INTO consideration_component (investment_id, position, kind)"
                " SELECT $1, coalesce(max(position) + 1, 0), $2"
                " FROM consideration_component WHERE investment_id = $1",
                investment,
                self.rng.choice(KINDS),
            )

    async def change_kinds(self) -> None:
        ids = await self._ids("consideration_component", n=self.rng.randint(1, 20))
        await self.conn.execute(
            "UPDATE consideration_component SET kind = $2 WHERE id = ANY($1)",
            ids,
            self.rng.choice(KINDS),
        )

    async def retire_components(self) -> None:
        ids = await self._ids("consideration_component", "retired_at IS NULL")
        await self.conn.execute(
            "UPDATE consideration_component SET retired_at = now() WHERE id = ANY($1)", ids
        )

    async def delete_components(self) -> None:
        ids = await self._ids("consideration_component")
        await self.conn.execute("DELETE FROM consideration_component WHERE id = ANY($1)", ids)

    async def move_component(self) -> None:
        (component,) = await self._ids("consideration_component", n=1)
        (investment,) = await self._ids("investment", n=1)
        await self.conn.execute(
            "UPDATE consideration_component SET investment_id = $2,"
            " position = (SELECT coalesce(max(position) + 1, 0) FROM consideration_component"
            " WHERE investment_id = $2) WHERE id = $1",
            component,
            investment,
        )

    async def retire_investments(self) -> None:
        ids = await self._ids("investment", "retired_at IS NULL", n=2)
        await self.conn.execute("UPDATE investment SET retired_at = now() WHERE id = ANY($1)", ids)

    async def revive_investments(self) -> None:
        ids = await self._ids("investment", "retired_at IS NOT NULL", n=2)
        await self.conn.execute("UPDATE investment SET retired_at = NULL WHERE id = ANY($1)", ids)

    async def delete_investment(self) -> None:
        # Its components go with it (ON DELETE CASCADE), claims first; one that no fund, exit
        # or person record names, as those keep it.
        unreferenced = " AND ".join(
            f"NOT EXISTS (SELECT FROM {t} r WHERE r.investment_id = investment.id)"
            for t in ("fund_investment", "exit", "investment_person")
        )
        (investment,) = await self._ids("investment", unreferenced, n=1)
        await self.conn.execute(
            "DELETE FROM claim_subject WHERE investment_id = $1 OR consideration_component_id IN"
            " (SELECT id FROM consideration_component WHERE investment_id = $1)",
            investment,
        )
        await self.conn.execute("DELETE FROM investment WHERE id = $1", investment)

    async def move_investment(self) -> None:
        (investment,) = await self._ids("investment", n=1)
        await self.conn.execute(
            "UPDATE investment SET round_id = r.id FROM (SELECT id FROM funding_round r"
            " WHERE NOT EXISTS (SELECT FROM investment i WHERE i.round_id = r.id"
            " AND i.investor_id = (SELECT investor_id FROM investment WHERE id = $1))"
            " ORDER BY random() LIMIT 1) r WHERE investment.id = $1",
            investment,
        )

    async def write_kinds_directly(self) -> None:
        # A writer that sets the derived column itself is overruled by the derivation.
        (investment,) = await self._ids("investment", n=1)
        await self.conn.execute(
            "UPDATE investment SET consideration_kinds = '{OTHER}', description = 'x'"
            " WHERE id = $1",
            investment,
        )

    async def write_round_kinds_directly(self) -> None:
        (round_id,) = await self._ids("funding_round", n=1)
        await self.conn.execute(
            "UPDATE funding_round SET consideration_kinds = '{SERVICES}' WHERE id = $1", round_id
        )

    async def new_investment(self) -> None:
        await self.conn.execute(
            "INSERT INTO investment (round_id, investor_id, consideration_kinds)"
            " SELECT r.id, o.id, '{CASH}' FROM funding_round r, organization o"
            " WHERE NOT EXISTS (SELECT FROM investment i WHERE i.round_id = r.id"
            " AND i.investor_id = o.id) ORDER BY random() LIMIT 1"
        )

    async def step(self) -> None:
        writes: list[Callable[[], Awaitable[None]]] = [
            self.add_components,
            self.change_kinds,
            self.retire_components,
            self.delete_components,
            self.move_component,
            self.retire_investments,
            self.revive_investments,
            self.delete_investment,
            self.move_investment,
            self.new_investment,
        ]
        await self.rng.choice(writes)()


async def test_derived_kinds_match_a_fresh_computation(
    empty_database_factory: Callable[[], Awaitable[str]],
) -> None:
    from service.ingest.article import seed_article
    from service.ingest.generator import generate_into_database

    url = await empty_database_factory()
    await asyncio.to_thread(migrate.upgrade, url)
    await seed_article(url)
    await generate_into_database(url, orgs=150, seed=11)
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        # The loaders (the bulk import and the generator's COPY) kept them.
        assert await _differences(conn) == []
        assert await conn.fetchval(
            "SELECT count(*) FROM investment WHERE consideration_kinds <> '{}'"
        ), "the generated data has consideration to derive from"
        versions = await conn.fetchval("SELECT sum(version) FROM funding_round")
        audited = await conn.fetchval("SELECT count(*) FROM audit_log")

        rng = random.Random(20261202)
        writes = Writes(conn, rng)
        for _ in range(40):
            async with conn.transaction():
                for _ in range(rng.randint(1, 5)):
                    await writes.step()
        assert await _differences(conn) == []
        # Derived values are no new version of a round: none of these writes touched a round.
        assert await conn.fetchval("SELECT sum(version) FROM funding_round") == versions
        assert (
            await conn.fetchval(
                "SELECT count(*) FROM audit_log WHERE id > $1 AND table_name = 'funding_round'",
                audited,
            )
            == 0
        )
        await writes.write_kinds_directly()
        await writes.write_round_kinds_directly()
        await writes.new_investment()
        assert await _differences(conn) == []
    finally:
        await conn.close()
