"""Search among namesakes: the article's organizations, each with many generated namesakes.

One database per run: the article dataset and NAMESAKE_ORGS generated organizations, of which
NAMESAKES_EACH are named after each article organization (``namesakes=``; "OpenAI Labs",
"Open AI Robotics", "上海月之暗面", "月之光面", ...), with rounds, investments and everything
else generated as usual, so many of them are busier than the organization they resemble.
On it: the judged set, and the generated checks of ``search_variants`` (every article
organization's space variants, one-letter typos at three positions and native names) must find
the organization meant first among the organizations.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncpg
import httpx
import pytest

from service.db import migrate
from service.db.urls import asyncpg_dsn
from service.ingest.generator import build_dataset
from service.ingest.generator.namesakes import (
    GENERATED_SLUG,
    NamesakeBase,
    compact,
    reserved_keys,
)
from service.ingest.generator.vocabulary import PUBLISHERS
from tests.analytics.search_variants import Catalogue, Check, checks_for
from tests.analytics.test_search import PRECISION_FLOOR, TOP, precision_at_1
from tests.conftest import Api

PUBLISHER_TITLES = {title for title, _, _ in PUBLISHERS}
NAMESAKE_ORGS = 1500
NAMESAKES_EACH = 40
NAMESAKE_SEED = 13


@pytest.fixture(scope="session")
async def namesake_url(empty_database_factory: Callable[[], Awaitable[str]]) -> str:
    from service.ingest.article import seed_article
    from service.ingest.generator import generate_into_database
    from service.ingest.progress import Progress

    url = await empty_database_factory()
    await asyncio.to_thread(migrate.upgrade, url)
    await seed_article(url)
    await generate_into_database(
        url,
        orgs=NAMESAKE_ORGS,
        seed=NAMESAKE_SEED,
        namesakes=NAMESAKES_EACH,
        progress=Progress(enabled=False),
    )
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return url


@pytest.fixture(scope="session")
async def namesake_api(namesake_url: str) -> AsyncIterator[Api]:
    from service.app import create_app

    app = create_app(database_url=namesake_url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Api(app, client)


@pytest.fixture(scope="session")
async def namesake_conn(namesake_url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(asyncpg_dsn(namesake_url))
    yield conn
    await conn.close()


async def _article_checks(conn: asyncpg.Connection) -> tuple[list[Check], int]:
    rows = await conn.fetch(
        "SELECT o.slug, n.value FROM organization_name n "
        "JOIN organization o ON o.id = n.organization_id ORDER BY n.id"
    )
    catalogue = Catalogue((r["slug"], r["value"]) for r in rows)
    article = [r["slug"] for r in await conn.fetch(
        "SELECT slug FROM organization WHERE slug !~ $1 ORDER BY id", GENERATED_SLUG
    )]  # fmt: skip
    made = [c for slug in article for c in checks_for(slug, catalogue.names[slug])]
    return [c for c in made if catalogue.decidable(c)], len(made)


async def test_every_article_organization_has_its_namesakes(
    namesake_conn: asyncpg.Connection,
) -> None:
    article = await namesake_conn.fetch(
        "SELECT id, name FROM organization WHERE slug !~ $1", GENERATED_SLUG
    )
    for org in article:
        # A namesake carries the article name (or its first word) in one of its names.
        stem = compact(org["name"].split()[0])
        count = await namesake_conn.fetchval(
            "SELECT count(DISTINCT o.id) FROM organization o JOIN organization_name n "
            "ON n.organization_id = o.id WHERE o.slug ~ $1 AND position($2 in "
            "regexp_replace(lower(n.value), '[^[:alnum:]]+', '', 'g')) > 0",
            GENERATED_SLUG,
            stem,
        )
        assert count >= NAMESAKES_EACH // 2, (org["name"], count)


def test_namesakes_resemble_their_base_and_never_equal_one() -> None:
    bases = [NamesakeBase("OpenAI", None, "أوبن إيه آي"), NamesakeBase("Moonshot AI", "月之暗面")]
    ds = build_dataset(orgs=200, seed=5, namesake_bases=bases, namesakes_each=60)
    names: dict[int, list[str]] = {}
    for row in ds["organization_name"].rows:
        names.setdefault(row[1], []).append(row[2])
    orgs = ds["organization"].rows
    stems = {0: ("openai", "أوبن"), 1: ("moonshot", "月之", "月", "暗面")}
    namesakes = 0
    for position, org in enumerate(orgs[:120]):
        keys = [compact(n) for n in names[org[0]]]
        if org[2] in PUBLISHER_TITLES:
            continue  # a publisher: the generated sources need its own name
        namesakes += 1
        # The first 60 organizations resemble OpenAI, the next 60 Moonshot AI.
        assert any(stem in key for key in keys for stem in stems[position // 60]), keys
        # ... and none is named like either, spaces and punctuation aside.
        assert not set(keys) & reserved_keys(bases), keys
    assert namesakes >= 110
    # Every form is drawn: spaced, prefixed, suffixed, Chinese and Arabic.
    every = [n for org in orgs[:120] for n in names[org[0]]]
    assert any(n.startswith("Open AI") or n.startswith("Ope nAI") for n in every), every
    assert any("月之暗面" in n and n != "月之暗面" for n in every)
    assert any("أوبن إيه آي " in n for n in every)
    assert any(n.endswith(" OpenAI") for n in every)


def test_namesakes_are_deterministic() -> None:
    bases = [NamesakeBase("Microsoft", "微软", "مايكروسوفت")]
    first = build_dataset(orgs=100, seed=3, namesake_bases=bases, namesakes_each=30)
    second = build_dataset(orgs=100, seed=3, namesake_bases=bases, namesakes_each=30)
    assert first["organization_name"].rows == second["organization_name"].rows
    plain = build_dataset(orgs=100, seed=3)
    assert plain["organization_name"].rows != first["organization_name"].rows


async def test_judged_set_among_namesakes(namesake_api: Api) -> None:
    precision, misses = await precision_at_1(namesake_api)
    print(f"\nsearch precision@1 (article + namesakes): {precision:.3f}")
    assert precision >= PRECISION_FLOOR, misses


async def test_generated_checks_find_the_article_organization_first(
    namesake_api: Api, namesake_conn: asyncpg.Connection
) -> None:
    checks, made = await _article_checks(namesake_conn)
    # Most checks are decidable: the namesakes resemble, they do not duplicate.
    assert len(checks) >= 0.8 * made, (len(checks), made)
    assert {c.how for c in checks} == {"space", "typo", "native"}
    misses: list[str] = []
    for check in checks:
        body = await namesake_api.query(
            TOP, {"q": check.query, "first": 10, "kinds": ["ORGANIZATION"]}
        )
        hits: list[dict[str, Any]] = body["data"]["search"]
        first = hits[0]["node"]["slug"] if hits else None
        if first != check.expected:
            misses.append(f"{check.how} {check.query!r} (of {check.name!r}): got {first}")
    print(f"\ngenerated checks: {len(checks) - len(misses)} of {len(checks)} first")
    assert not misses, misses
