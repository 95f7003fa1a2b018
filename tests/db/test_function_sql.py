"""The SQL inside the derived-value functions keeps to shapes that plan well at any batch size."""

from __future__ import annotations

import re

import asyncpg

# ``x = ANY(...) OR y IN (SELECT ...)``: once the subquery is estimated too large to hash (a
# bulk load's batch), PostgreSQL runs it as a plain subplan, once per row of the outer table.
_OR_IN_SUBQUERY = re.compile(r"\bOR\s+[\w.]+\s+IN\s*\(\s*SELECT\b", re.IGNORECASE)


async def test_no_function_tests_membership_in_a_subquery_under_or(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT p.proname, p.prosrc FROM pg_proc p"
            " JOIN pg_namespace n ON n.oid = p.pronamespace"
            " WHERE n.nspname = 'public' AND p.proname LIKE 'sg\\_%'"
        )
    assert rows, "no sg_ functions found"
    offending = sorted(r["proname"] for r in rows if _OR_IN_SUBQUERY.search(r["prosrc"]))
    assert offending == []
