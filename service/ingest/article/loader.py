"""Loads the article dataset (``data/article.yaml``) into the database.

The data file is parsed and checked in full (``article.model``), then turned into records of
the bulk format and loaded by the same import as ``stakegraph import`` (``bulk.importer``): one
path into the database for every bulk writer, with its checks and its upserts. References go
by natural key (slugs and the file's local keys, which become the rows' ``key``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import asyncpg

from service.db.urls import asyncpg_dsn
from service.ingest.article.model import (
    DataError,
    Dataset,
    Money,
    PartialDate,
    Share,
    SubjectKind,
    read_dataset,
)
from service.ingest.bulk.format import Record, plain
from service.ingest.bulk.importer import import_items
from service.ingest.bulk.read import Item

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
    SubjectKind.LISTING: "listing_id",
    SubjectKind.VALUATION: "valuation_id",
    SubjectKind.ACQUISITION: "acquisition_id",
    SubjectKind.FUND: "fund_id",
    SubjectKind.FUND_COMMITMENT: "fund_commitment_id",
    SubjectKind.EXIT: "exit_id",
    SubjectKind.INVESTMENT_PERSON: "investment_person_id",
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


def _values(**fields: Any) -> Record:
    """Fields as a file of the bulk format spells them; unknowns are left out."""
    return {name: plain(value) for name, value in fields.items() if value is not None}


def _record(type_name: str, **fields: Any) -> Record:
    return {"type": type_name, **_values(**fields)}


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


def _component_keys(data: Dataset) -> dict[tuple[str, int], str]:
    """Components the file names keep their key; the others are ``<investment>/<position>``."""
    return {
        (investment.key, position): component.key or f"{investment.key}/{position}"
        for investment, position, component in data.components()
    }


def dataset_records(data: Dataset) -> Iterator[tuple[str, Record]]:
    """(where in the data file, record) for every record of the dataset."""
    for rate in data.fx_rates:
        yield (
            f"fx_rates[{rate.currency}]",
            _record(
                "fx_rate",
                currency=rate.currency,
                rate_on=rate.rate_on,
                usd_per_unit=rate.usd_per_unit,
                source=rate.source,
            ),
        )
    for credit_type in data.credit_types:
        yield (
            f"credit_types[{credit_type.slug}]",
            _record(
                "credit_type",
                slug=credit_type.slug,
                name=credit_type.name,
                consideration_kind=credit_type.consideration_kind.value,
                unit=credit_type.unit.value,
                description=credit_type.description,
            ),
        )
    src = data.source
    yield (
        "source",
        _record(
            "source",
            slug=src.slug,
            kind=src.kind.value,
            publisher=src.publisher,
            title=src.title,
            language=src.language,
            url=src.url,
            **_partial("published", src.published),
            description=src.description,
        ),
    )
    for org in data.organizations:
        record = _record(
            "organization",
            slug=org.slug,
            name=org.name,
            kinds=[kind.value for kind in org.kinds],
            country=org.country,
            **_partial("founded", org.founded),
            parent=org.parent,
            website=org.website,
            description=org.description,
        )
        record["names"] = [
            _values(
                value=name.value,
                language=name.language,
                script=name.script,
                kind=name.kind.value,
                is_primary=name.is_primary,
            )
            for name in org.names
        ]
        yield f"organizations[{org.slug}]", record
    for person in data.people:
        yield (
            f"people[{person.slug}]",
            _record(
                "person",
                slug=person.slug,
                name=person.name,
                native_name=person.native_name,
                description=person.description,
            ),
        )
        for role in person.roles:
            yield (
                f"people[{person.slug}].roles[{role.key}]",
                _record(
                    "person_role",
                    key=role.key,
                    person=person.slug,
                    organization=role.organization,
                    kind=role.kind.value,
                    title=role.title,
                    **_partial("started", role.started),
                    **_partial("ended", role.ended),
                ),
            )
    for product in data.products:
        yield (
            f"products[{product.slug}]",
            _record(
                "product",
                slug=product.slug,
                name=product.name,
                organization=product.organization,
                category=product.category,
                **_partial("launched", product.launched),
                description=product.description,
            ),
        )
        for alternative, market in product.alternative_to:
            yield (
                f"products[{product.slug}].alternative_to[{alternative}]",
                _record(
                    "product_alternative",
                    product=product.slug,
                    alternative_to=alternative,
                    market=market,
                ),
            )
    for program in data.credit_programs:
        yield (
            f"credit_programs[{program.slug}]",
            _record(
                "credit_program",
                slug=program.slug,
                name=program.name,
                provider=program.provider,
                credit_type=program.credit_type,
                in_exchange_for=program.in_exchange_for,
                terms=program.terms,
                **_partial("started", program.started),
                **_partial("ended", program.ended),
            ),
        )
    component_keys = _component_keys(data)
    for funding_round in data.funding_rounds:
        where = f"funding_rounds[{funding_round.key}]"
        yield (
            where,
            _record(
                "funding_round",
                key=funding_round.key,
                organization=funding_round.organization,
                round_type=funding_round.round_type.value,
                status=funding_round.status.value,
                **_partial("announced", funding_round.announced),
                **_money("raised", funding_round.raised),
                **_money("pre_money", funding_round.pre_money),
                **_money("post_money", funding_round.post_money),
                description=funding_round.description,
            ),
        )
        for investment in funding_round.investments:
            record = _record(
                "investment",
                key=investment.key,
                round=funding_round.key,
                investor=investment.investor,
                is_lead=investment.is_lead,
                **_money("committed", investment.committed),
                **_share("stake", investment.stake),
                stake_estimated=investment.stake_estimated,
                description=investment.description,
            )
            record["consideration"] = [
                _values(
                    key=component_keys[(investment.key, position)],
                    position=position,
                    kind=component.kind.value,
                    credit_type=component.credit_type,
                    credit_program=component.credit_program,
                    **_money("value", component.value),
                    **_share("share", component.share),
                    estimated=component.estimated,
                    provider=component.provider,
                    escrow=component.escrow,
                    recognized_as_revenue_by_provider=component.recognized_as_revenue_by_provider,
                    spend_restricted_to=component.spend_restricted_to,
                    spend_restriction=component.spend_restriction,
                    description=component.description,
                )
                for position, component in enumerate(investment.consideration)
            ]
            yield f"{where}.investments[{investment.key}]", record
    for relationship in data.relationships:
        yield (
            f"relationships[{relationship.key}]",
            _record(
                "relationship",
                key=relationship.key,
                kind=relationship.kind.value,
                source=relationship.source,
                target=relationship.target,
                **_partial("started", relationship.started),
                **_partial("ended", relationship.ended),
                description=relationship.description,
            ),
        )
    for asset in data.compute_assets:
        yield (
            f"compute_assets[{asset.key}]",
            _record(
                "compute_asset",
                key=asset.key,
                owner=asset.owner,
                chip_vendor=asset.chip_vendor,
                chip_model=asset.chip_model,
                quantity=asset.quantity,
                quantity_estimated=asset.quantity_estimated,
                cluster_size=asset.cluster_size,
                regions=list(asset.regions),
                **_partial("acquired", asset.acquired),
                description=asset.description,
            ),
        )
    for event in data.events:
        record = _record(
            "event",
            slug=event.slug,
            kind=event.kind.value,
            title=event.title,
            description=event.description,
            **_partial("occurred", event.occurred),
        )
        record["participants"] = [
            {"organization": p.organization, "role": p.role} for p in event.participants
        ]
        record["people"] = [{"person": p.person, "role": p.role} for p in event.people]
        yield f"events[{event.slug}]", record
    for listing in data.listings:
        yield (
            f"listings[{listing.key}]",
            _record(
                "listing",
                key=listing.key,
                organization=listing.organization,
                status=listing.status.value,
                exchange=listing.exchange,
                ticker=listing.ticker,
                **_partial("announced", listing.announced),
                **_partial("filed", listing.filed),
                **_partial("listed", listing.listed),
                **_partial("withdrawn", listing.withdrawn),
                withdrawal_reason=listing.withdrawal_reason,
                shares_offered=listing.shares_offered,
                **_money("raised", listing.raised),
                **_money("valuation", listing.valuation),
                description=listing.description,
            ),
        )
    for valuation in data.valuations:
        yield (
            f"valuations[{valuation.key}]",
            _record(
                "valuation",
                key=valuation.key,
                organization=valuation.organization,
                basis=valuation.basis.value,
                **_partial("valued", valuation.valued),
                **_money("value", valuation.value),
                round=valuation.round,
                listing=valuation.listing,
                description=valuation.description,
            ),
        )
    for link in data.deal_people:
        yield (
            f"deal_people[{link.key}]",
            _record(
                "investment_person",
                key=link.key,
                investment=link.investment,
                person=link.person,
                role=link.role.value,
                description=link.description,
            ),
        )
    # One claim row per subject: a claim is the source's support for one fact, so each fact's
    # claims can be read (and later corrected) without touching another fact's. The data file
    # lists several subjects under one entry only to avoid repeating the statement.
    number = 0
    for claim in data.claims:
        for subject in claim.subjects:
            number += 1
            subject_type = SUBJECT_COLUMNS[subject.kind].removesuffix("_id")
            record = _record(
                "claim",
                key=f"{src.slug}/claim-{number}",
                source=src.slug,
                fact_ref=claim.fact,
                attribution=claim.attribution.value,
                attributed_to=claim.attributed_to,
                person=claim.person,
                organization=claim.organization,
                stance=claim.stance.value,
                statement=claim.statement,
                quote=claim.quote,
                confidence=claim.confidence,
            )
            record["subjects"] = [{"type": subject_type, "key": subject.key}]
            yield f"{claim.label}.subjects[{subject.kind.value}: {subject.key}]", record


async def insert_dataset(conn: asyncpg.Connection, data: Dataset) -> None:
    """Imports the dataset on ``conn`` (in a savepoint of the caller's transaction); a record
    the import refuses raises ``DataError`` naming it as the data file does."""
    labels: list[str] = []
    items: list[Item] = []
    for where, record in dataset_records(data):
        labels.append(where)
        items.append((len(labels), record))
    report = await import_items(conn, items)
    if not report.ok:
        raise DataError(
            "; ".join(
                f"{labels[e.line - 1]}: {e.message}" if e.line else e.message for e in report.errors
            )
        )
