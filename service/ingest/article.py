"""Loads the article dataset (``data/article.yaml``) into the database.

The data file is parsed and checked in full (``article_model``) before anything is written;
the rows then go in table by table, references resolved by natural key (slugs and the file's
local keys) to the ids the database hands out. Column names come from ``service.db.tables``,
so a column this code names but the schema lacks fails loudly instead of drifting.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import asyncpg
from sqlalchemy import Table

from service.db import tables
from service.db.urls import asyncpg_dsn
from service.ingest.article_model import (
    DataError,
    Dataset,
    Money,
    Organization,
    PartialDate,
    Share,
    SubjectKind,
    read_dataset,
)

__all__ = ["DATA_FILE", "DataError", "load_article", "seed_article"]

DATA_FILE = Path(__file__).with_name("data") / "article.yaml"

# Serialises concurrent seeders (several processes starting on one empty database), so the
# second one waits for the first and then finds the source already present.
_SEED_LOCK = 0x5354_4B47_5345_4544

SUBJECT_COLUMNS: Mapping[SubjectKind, str] = {
    SubjectKind.ORGANIZATION: "organization_id",
    SubjectKind.ROLE: "person_role_id",
    SubjectKind.PRODUCT: "product_id",
    SubjectKind.ROUND: "funding_round_id",
    SubjectKind.INVESTMENT: "investment_id",
    SubjectKind.COMPONENT: "consideration_component_id",
    SubjectKind.CREDIT_PROGRAM: "credit_program_id",
    SubjectKind.RELATIONSHIP: "relationship_id",
    SubjectKind.COMPUTE_ASSET: "compute_asset_id",
    SubjectKind.EVENT: "event_id",
}


async def seed_article(url: str, *, only_if_empty: bool = False, path: Path | None = None) -> bool:
    """Loads the dataset in one transaction; False when it is already there (by the source's
    slug) or, with ``only_if_empty``, when the database holds any organization."""
    dataset = read_dataset(path or DATA_FILE)
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", _SEED_LOCK)
            if await conn.fetchval(
                "SELECT EXISTS (SELECT FROM source WHERE slug = $1)", dataset.source.slug
            ):
                return False
            if only_if_empty and await conn.fetchval("SELECT EXISTS (SELECT FROM organization)"):
                return False
            await insert_dataset(conn, dataset)
    finally:
        await conn.close()
    return True


async def load_article(conn: asyncpg.Connection, *, path: Path | None = None) -> None:
    """Inserts the dataset on ``conn``; the caller owns the transaction."""
    await insert_dataset(conn, read_dataset(path or DATA_FILE))


async def _insert(
    conn: asyncpg.Connection,
    table: Table,
    row: Mapping[str, object],
    where: str,
    *,
    returning_id: bool = True,
) -> int:
    columns = [table.c[name].name for name in row]
    placeholders = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({placeholders})"
    try:
        if returning_id:
            new_id: int = await conn.fetchval(f"{sql} RETURNING id", *row.values())
            return new_id
        await conn.execute(sql, *row.values())
        return 0
    except asyncpg.PostgresError as exc:
        raise DataError(f"{where}: the database refused the record: {exc}") from exc


def _partial(prefix: str, value: PartialDate | None) -> dict[str, object]:
    return {
        f"{prefix}_on": value.on if value else None,
        f"{prefix}_precision": value.precision.value if value else None,
    }


def _money(prefix: str, value: Money | None) -> dict[str, object]:
    return {
        f"{prefix}_amount": value.amount if value else None,
        f"{prefix}_currency": value.currency if value else None,
        f"{prefix}_estimated": value.estimated if value else False,
    }


def _share(prefix: str, value: Share | None) -> dict[str, object]:
    return {
        f"{prefix}_min": value.low if value else None,
        f"{prefix}_max": value.high if value else None,
    }


def _parents_first(organizations: Sequence[Organization]) -> list[Organization]:
    """Orders organizations so that each parent is inserted before its subsidiaries."""
    by_slug = {org.slug: org for org in organizations}
    ordered: list[Organization] = []
    placed: set[str] = set()

    def place(org: Organization, path: tuple[str, ...]) -> None:
        if org.slug in placed:
            return
        if org.slug in path:
            raise DataError(f"organizations[{org.slug}]: parent cycle {' -> '.join(path)}")
        if org.parent is not None:
            place(by_slug[org.parent], (*path, org.slug))
        placed.add(org.slug)
        ordered.append(org)

    for org in organizations:
        place(org, ())
    return ordered


async def insert_dataset(conn: asyncpg.Connection, data: Dataset) -> None:
    ids: dict[SubjectKind, dict[str, int]] = {kind: {} for kind in SubjectKind}
    orgs = ids[SubjectKind.ORGANIZATION]

    for rate in data.fx_rates:
        await _insert(
            conn,
            tables.fx_rate,
            {
                "currency": rate.currency,
                "rate_on": rate.rate_on,
                "usd_per_unit": rate.usd_per_unit,
                "source": rate.source,
            },
            f"fx_rates[{rate.currency}]",
            returning_id=False,
        )

    credit_types: dict[str, int] = {}
    for credit_type in data.credit_types:
        credit_types[credit_type.slug] = await _insert(
            conn,
            tables.credit_type,
            {
                "slug": credit_type.slug,
                "name": credit_type.name,
                "consideration_kind": credit_type.consideration_kind.value,
                "unit": credit_type.unit.value,
                "description": credit_type.description,
            },
            f"credit_types[{credit_type.slug}]",
        )

    src = data.source
    source_id = await _insert(
        conn,
        tables.source,
        {
            "slug": src.slug,
            "kind": src.kind.value,
            "publisher": src.publisher,
            "title": src.title,
            "language": src.language,
            "url": src.url,
            **_partial("published", src.published),
            "description": src.description,
        },
        "source",
    )

    for org in _parents_first(data.organizations):
        where = f"organizations[{org.slug}]"
        orgs[org.slug] = await _insert(
            conn,
            tables.organization,
            {
                "slug": org.slug,
                "name": org.name,
                "kinds": [kind.value for kind in org.kinds],
                "country": org.country,
                **_partial("founded", org.founded),
                "parent_id": orgs[org.parent] if org.parent else None,
                "website": org.website,
                "description": org.description,
            },
            where,
        )
        for name in org.names:
            await _insert(
                conn,
                tables.organization_name,
                {
                    "organization_id": orgs[org.slug],
                    "value": name.value,
                    "language": name.language,
                    "script": name.script,
                    "kind": name.kind.value,
                    "is_primary": name.is_primary,
                },
                f"{where}.names[{name.value}]",
                returning_id=False,
            )

    people: dict[str, int] = {}
    for person in data.people:
        where = f"people[{person.slug}]"
        people[person.slug] = await _insert(
            conn,
            tables.person,
            {
                "slug": person.slug,
                "name": person.name,
                "native_name": person.native_name,
                "description": person.description,
            },
            where,
        )
        for role in person.roles:
            ids[SubjectKind.ROLE][role.key] = await _insert(
                conn,
                tables.person_role,
                {
                    "person_id": people[person.slug],
                    "organization_id": orgs[role.organization],
                    "kind": role.kind.value,
                    "title": role.title,
                    **_partial("started", role.started),
                    **_partial("ended", role.ended),
                },
                f"{where}.roles[{role.key}]",
            )

    products = ids[SubjectKind.PRODUCT]
    for product in data.products:
        products[product.slug] = await _insert(
            conn,
            tables.product,
            {
                "slug": product.slug,
                "name": product.name,
                "organization_id": orgs[product.organization],
                "category": product.category,
                **_partial("launched", product.launched),
                "description": product.description,
            },
            f"products[{product.slug}]",
        )
    for product in data.products:
        for alternative, market in product.alternative_to:
            await _insert(
                conn,
                tables.product_alternative,
                {
                    "product_id": products[product.slug],
                    "alternative_to_id": products[alternative],
                    "market": market,
                },
                f"products[{product.slug}].alternative_to[{alternative}]",
                returning_id=False,
            )

    programs = ids[SubjectKind.CREDIT_PROGRAM]
    for program in data.credit_programs:
        programs[program.slug] = await _insert(
            conn,
            tables.credit_program,
            {
                "slug": program.slug,
                "name": program.name,
                "provider_id": orgs[program.provider],
                "credit_type_id": credit_types[program.credit_type],
                "in_exchange_for": program.in_exchange_for,
                "terms": program.terms,
                **_partial("started", program.started),
                **_partial("ended", program.ended),
            },
            f"credit_programs[{program.slug}]",
        )

    for funding_round in data.funding_rounds:
        where = f"funding_rounds[{funding_round.key}]"
        round_id = ids[SubjectKind.ROUND][funding_round.key] = await _insert(
            conn,
            tables.funding_round,
            {
                "organization_id": orgs[funding_round.organization],
                "round_type": funding_round.round_type.value,
                "status": funding_round.status.value,
                **_partial("announced", funding_round.announced),
                **_money("raised", funding_round.raised),
                **_money("pre_money", funding_round.pre_money),
                **_money("post_money", funding_round.post_money),
                "description": funding_round.description,
            },
            where,
        )
        for investment in funding_round.investments:
            inv_where = f"{where}.investments[{investment.key}]"
            investment_id = ids[SubjectKind.INVESTMENT][investment.key] = await _insert(
                conn,
                tables.investment,
                {
                    "round_id": round_id,
                    "investor_id": orgs[investment.investor],
                    "is_lead": investment.is_lead,
                    **_money("committed", investment.committed),
                    **_share("stake", investment.stake),
                    "stake_estimated": investment.stake_estimated,
                    "description": investment.description,
                },
                inv_where,
            )
            for position, component in enumerate(investment.consideration):
                component_id = await _insert(
                    conn,
                    tables.consideration_component,
                    {
                        "investment_id": investment_id,
                        "position": position,
                        "kind": component.kind.value,
                        "credit_type_id": credit_types[component.credit_type]
                        if component.credit_type
                        else None,
                        "credit_program_id": programs[component.credit_program]
                        if component.credit_program
                        else None,
                        **_money("value", component.value),
                        **_share("share", component.share),
                        "estimated": component.estimated,
                        "provider_id": orgs[component.provider] if component.provider else None,
                        "escrow": component.escrow,
                        "recognized_as_revenue_by_provider": (
                            component.recognized_as_revenue_by_provider
                        ),
                        "spend_restricted_to_id": orgs[component.spend_restricted_to]
                        if component.spend_restricted_to
                        else None,
                        "spend_restriction": component.spend_restriction,
                        "description": component.description,
                    },
                    f"{inv_where}.consideration[{component.key or position}]",
                )
                if component.key:
                    ids[SubjectKind.COMPONENT][component.key] = component_id

    for relationship in data.relationships:
        ids[SubjectKind.RELATIONSHIP][relationship.key] = await _insert(
            conn,
            tables.relationship,
            {
                "kind": relationship.kind.value,
                "source_id": orgs[relationship.source],
                "target_id": orgs[relationship.target],
                **_partial("started", relationship.started),
                **_partial("ended", relationship.ended),
                "description": relationship.description,
            },
            f"relationships[{relationship.key}]",
        )

    for asset in data.compute_assets:
        ids[SubjectKind.COMPUTE_ASSET][asset.key] = await _insert(
            conn,
            tables.compute_asset,
            {
                "owner_id": orgs[asset.owner],
                "chip_vendor_id": orgs[asset.chip_vendor] if asset.chip_vendor else None,
                "chip_model": asset.chip_model,
                "quantity": asset.quantity,
                "quantity_estimated": asset.quantity_estimated,
                "cluster_size": asset.cluster_size,
                "regions": list(asset.regions),
                **_partial("acquired", asset.acquired),
                "description": asset.description,
            },
            f"compute_assets[{asset.key}]",
        )

    for event in data.events:
        where = f"events[{event.slug}]"
        event_id = ids[SubjectKind.EVENT][event.slug] = await _insert(
            conn,
            tables.event,
            {
                "slug": event.slug,
                "kind": event.kind.value,
                "title": event.title,
                "description": event.description,
                **_partial("occurred", event.occurred),
            },
            where,
        )
        for participant in event.participants:
            await _insert(
                conn,
                tables.event_participant,
                {
                    "event_id": event_id,
                    "organization_id": orgs[participant.organization],
                    "role": participant.role,
                },
                f"{where}.participants[{participant.organization}]",
                returning_id=False,
            )

    # One claim row per subject: a claim is the source's support for one fact, so each fact's
    # claims can be read (and later corrected) without touching another fact's. The data file
    # lists several subjects under one entry only to avoid repeating the statement.
    for claim in data.claims:
        for subject in claim.subjects:
            where = f"{claim.label}.subjects[{subject.kind.value}: {subject.key}]"
            claim_id = await _insert(
                conn,
                tables.claim,
                {
                    "source_id": source_id,
                    "fact_ref": claim.fact,
                    "attribution": claim.attribution.value,
                    "attributed_to": claim.attributed_to,
                    "person_id": people[claim.person] if claim.person else None,
                    "organization_id": orgs[claim.organization] if claim.organization else None,
                    "stance": claim.stance.value,
                    "statement": claim.statement,
                    "quote": claim.quote,
                    "confidence": claim.confidence,
                },
                where,
            )
            await _insert(
                conn,
                tables.claim_subject,
                {
                    "claim_id": claim_id,
                    SUBJECT_COLUMNS[subject.kind]: ids[subject.kind][subject.key],
                },
                where,
            )
