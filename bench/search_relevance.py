"""Search relevance and latency on a populated database: precision@1 and p50/p99, side by side.

    STAKEGRAPH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python -m bench.search_relevance --database sg_search_100k --baseline main

The database holds the article dataset and generated organizations (ideally with namesakes:
``generate_into_database(..., namesakes=K)``, or ``bench/analytics.py --namesakes K``). Two
query sets are scored by their first hit: the judged set (``tests/analytics/judged_queries``)
and the generated checks (``tests/analytics/search_variants``: every article organization's
space variants, one-letter typos and native names, those another organization could claim
left out; scored by the first organization, as the suite's property test does). Every
query runs with ``first`` 10. ``--baseline REF`` runs the search of another revision (its
``service/analytics/search.py`` from git) alternately with the current one, query by query,
so that both see the same load; each query's time is the search's own statements in one
read-only transaction, as a request runs them.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import asyncpg

from service.analytics import search as current_search
from service.db.pool import LIVE_SEARCH_PATH
from service.db.server import resolve_database_url
from service.db.urls import asyncpg_dsn, with_database
from service.ingest.generator.namesakes import GENERATED_SLUG
from service.repository.db import Db
from tests.analytics.judged_queries import JUDGED
from tests.analytics.search_variants import Catalogue, Check, checks_for

ROOT = Path(__file__).resolve().parents[1]
KIND_TYPES = {"ORGANIZATION": "Organization", "PERSON": "Person", "PRODUCT": "Product"}


@dataclass
class Score:
    right: int = 0
    total: int = 0
    misses: list[str] = field(default_factory=list)
    millis: list[float] = field(default_factory=list)


def _baseline(ref: str) -> ModuleType:
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{ref}:service/analytics/search.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "search_baseline.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("search_baseline", path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load the search of {ref}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["search_baseline"] = module
    spec.loader.exec_module(module)
    return module


async def _slugs(conn: asyncpg.Connection) -> dict[tuple[str, int], str]:
    out: dict[tuple[str, int], str] = {}
    for kind, table in (("ORGANIZATION", "organization"), ("PERSON", "person"),
                        ("PRODUCT", "product")):  # fmt: skip
        for r in await conn.fetch(f"SELECT id, slug FROM {table}"):
            out[(kind, r["id"])] = r["slug"]
    return out


async def _checks(conn: asyncpg.Connection) -> tuple[list[Check], int]:
    rows = await conn.fetch(
        "SELECT o.slug, n.value FROM organization_name n "
        "JOIN organization o ON o.id = n.organization_id ORDER BY n.id"
    )
    catalogue = Catalogue((r["slug"], r["value"]) for r in rows)
    article = [r["slug"] for r in await conn.fetch(
        "SELECT slug FROM organization WHERE slug !~ $1 ORDER BY id", GENERATED_SLUG
    )]  # fmt: skip
    made = [c for slug in article for c in checks_for(slug, catalogue.names[slug])]
    kept = [c for c in made if catalogue.decidable(c)]
    return kept, len(made)


async def _first(
    module: ModuleType,
    conn: asyncpg.Connection,
    query: str,
    organizations_only: bool,
    slugs: dict[tuple[str, int], str],
) -> tuple[tuple[str, str] | None, float]:
    kinds = [module.SearchKind("ORGANIZATION")] if organizations_only else None
    started = time.perf_counter()
    async with conn.transaction(readonly=True):
        hits: list[Any] = await module.search(Db(conn), query, kinds, 10)
    elapsed = (time.perf_counter() - started) * 1000
    if not hits:
        return None, elapsed
    kind = str(hits[0].kind.value)
    return (KIND_TYPES.get(kind, kind), slugs.get((kind, hits[0].pk), "?")), elapsed


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database", required=True, help="a populated database on the server")
    parser.add_argument("--baseline", help="a git revision whose search to compare against")
    parser.add_argument("--misses", action="store_true", help="list every miss")
    args = parser.parse_args()
    url = with_database(resolve_database_url(), args.database)
    conn = await asyncpg.connect(
        asyncpg_dsn(url), server_settings={"search_path": LIVE_SEARCH_PATH, "TimeZone": "UTC"}
    )
    try:
        orgs = await conn.fetchval("SELECT count(*) FROM organization")
        slugs = await _slugs(conn)
        generated, made = await _checks(conn)
        sets: dict[str, list[tuple[str, tuple[str, str]]]] = {
            "judged": [(q, (t, s)) for q, t, s in JUDGED],
            "generated": [(c.query, ("Organization", c.expected)) for c in generated],
        }
        modules = {"current": current_search}
        if args.baseline:
            modules = {f"baseline ({args.baseline})": _baseline(args.baseline), **modules}
        scores = {(m, s): Score() for m in modules for s in sets}
        for set_name, queries in sets.items():
            for query, expected in queries:
                for name, module in modules.items():  # alternately: the same load for both
                    only = set_name == "generated"
                    got, millis = await _first(module, conn, query, only, slugs)
                    score = scores[(name, set_name)]
                    score.total += 1
                    score.millis.append(millis)
                    if got == expected:
                        score.right += 1
                    else:
                        score.misses.append(f"{query!r}: expected {expected[1]}, got {got}")
    finally:
        await conn.close()
    print(f"{orgs:,} organizations; generated checks: {len(generated)} decidable of {made}\n")
    print("| search | set | precision@1 | right / total | p50 ms | p99 ms |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for (name, set_name), s in scores.items():
        print(
            f"| {name} | {set_name} | {s.right / s.total:.3f} | {s.right} / {s.total} "
            f"| {statistics.median(s.millis):.1f} | {_percentile(s.millis, 0.99):.1f} |"
        )
    for (name, set_name), s in scores.items():
        shown = s.misses if args.misses else s.misses[:10]
        if shown:
            print(f"\nmisses, {name}, {set_name} ({len(s.misses)}):")
            print("\n".join(f"  {m}" for m in shown))


if __name__ == "__main__":
    asyncio.run(main())
