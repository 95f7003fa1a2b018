"""A deterministic generator of realistic investment data (``stakegraph generate``).

``build_dataset(orgs=N, seed=S)`` draws a whole market from one ``random.Random(S)``: about
20% of the N organizations invest (VC firms with power-law activity, corporates, clouds,
platforms, chipmakers, sovereign funds), most of the rest are start-ups raising one to eight
rounds each; see the other modules of this package for each part. The same N and S give the same
rows on any machine: no hashing, set order, clock or platform-dependent draw reaches the
output, and every row carries the same fixed ``created_at``.

Two writers:

* ``generate_into_database`` COPYs the rows into a migrated database in one transaction, with
  ids after those already present; generated slugs end in ``-g<seed>-<n>``, so the article
  dataset (or another seed) can share the database.
* ``generate_jsonl`` writes the same records as JSON Lines, the format the bulk import reads.

JSON Lines format
-----------------
UTF-8, one record per line, ``\\n``-terminated. Each line is a JSON object in canonical form:
keys sorted, no whitespace (``","`` and ``":"`` separators), non-ASCII written as is. The
first line is the header ``{"format":"stakegraph","type":"header","version":1}`` and the last
``{"records":N,"type":"end"}``, so that a file cut short is caught (see ``bulk.format``). Fields
mirror the table columns, with these rules:

* ``"type"`` names the table: ``fx_rate``, ``credit_type``, ``organization``, ``person``,
  ``person_role``, ``product``, ``product_alternative``, ``credit_program``,
  ``funding_round``, ``investment``, ``relationship``, ``compute_asset``, ``event``,
  ``source``, ``claim``. Records come in that order (a record only refers to records above
  it), within a type sorted by natural key (organizations parents first), between a header
  line and an end line: the format of ``stakegraph export`` and ``stakegraph import``
  (``service.ingest.bulk.format``; README, "Bulk import and export").
* No database ids. A record is identified by its ``slug`` (organization, person, product,
  credit_type, credit_program, event, source) or else by a ``key``:
  ``funding_round`` ``<org slug>/round-<n>``; ``investment`` ``<round key>/<investor slug>``
  (an angel's: ``<round key>/<person slug>``);
  ``person_role`` ``<person slug>/role-<n>``; ``compute_asset`` ``<owner slug>/compute-<n>``;
  ``relationship`` ``<KIND>/<source slug>/<target slug>``; ``claim``
  ``<source slug>/claim-<n>``; a consideration component is ``<investment key>/<position>``.
* A reference column ``x_id`` becomes field ``x`` holding the referenced record's slug or key
  (``organization``, ``parent``, ``round``, ``investor``, ``investor_person``, ``provider``,
  ``credit_type``,
  ``credit_program``, ``spend_restricted_to``, ``source``, ``target``, ``owner``,
  ``chip_vendor``, ``person``, ``product``, ``alternative_to``).
* Short closed lists are embedded in their owner: ``organization.names`` (``value``,
  ``language``, ``script``, ``kind``, ``is_primary``), ``investment.consideration`` (the
  component columns, with ``position``), ``event.participants`` (``organization``, ``role``),
  ``event.people`` (``person``, ``role``),
  ``claim.subjects`` (``{"type": <table>, "key": <slug or key>}``). An embedded component
  carries its own ``key``, which claim subjects use.
* Decimals (money, shares, rates, confidence) are strings in their shortest exact form, never
  in exponent notation (``"12500000"``, ``"0.45"``, ``"1"``); dates are ISO ``YYYY-MM-DD``
  (a partial date is ``x_on`` with ``x_precision``, the date being the period's first day);
  booleans and arrays are JSON's. A null column is left out.

Example (``--orgs 60 --seed 7``, wrapped here; one line in the file)::

    {"committed_amount":"4100000","committed_currency":"USD","committed_estimated":false,
     "consideration":[{"credit_program":"velaify-cloud-g7-10-startup-credits",
     "credit_type":"cloud-compute-credits","escrow":true,"estimated":true,
     "key":"glaciershift-security-g7-3/round-3/velaify-cloud-g7-10/0","kind":"CLOUD_CREDITS",
     "position":0,"provider":"velaify-cloud-g7-10","recognized_as_revenue_by_provider":false,
     "share_max":"0.35","share_min":"0.25","value_estimated":false},{"estimated":true,
     "key":"glaciershift-security-g7-3/round-3/velaify-cloud-g7-10/1","kind":"CASH",
     "position":1,"share_max":"0.8","share_min":"0.6","spend_restricted_to":"velaify-cloud-g7-10",
     "spend_restriction":"Must be spent on compute bought from Velaify Cloud",
     "value_estimated":false}],"investor":"velaify-cloud-g7-10","is_lead":false,
     "key":"glaciershift-security-g7-3/round-3/velaify-cloud-g7-10",
     "round":"glaciershift-security-g7-3/round-3","stake_estimated":false,"type":"investment"}
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from service.db.urls import asyncpg_dsn
from service.ingest.generator.angels import generate_angels
from service.ingest.generator.claims import generate_claims
from service.ingest.generator.consideration import ConsiderationMaker, generate_credit_programs
from service.ingest.generator.copy import GenerateError, write_dataset
from service.ingest.generator.deals import generate_deals
from service.ingest.generator.event_people import generate_event_people
from service.ingest.generator.fx import FxTable
from service.ingest.generator.graph import (
    generate_compute_assets,
    generate_events,
    generate_relationships,
)
from service.ingest.generator.jsonl import assign_keys, write_jsonl
from service.ingest.generator.model import CREDIT_TYPES, Dataset
from service.ingest.generator.namesakes import NamesakeBase, bases_in_database
from service.ingest.generator.orgs import MIN_ORGS, generate_organizations
from service.ingest.generator.people import generate_people
from service.ingest.generator.products import generate_products
from service.ingest.generator.rounds import generate_rounds
from service.ingest.progress import Progress

__all__ = [
    "GenerateError",
    "GenerateReport",
    "build_dataset",
    "generate_into_database",
    "generate_jsonl",
]


@dataclass(slots=True)
class GenerateReport:
    """What a run produced: rows per table, and where the time went."""

    row_counts: dict[str, int]
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(self.row_counts.values())


def _check(orgs: int, seed: int, namesakes: int = 0, bases: int = 0) -> None:
    if orgs < MIN_ORGS:
        raise GenerateError(f"--orgs must be at least {MIN_ORGS}")
    if seed < 0:
        raise GenerateError("--seed must be a non-negative integer")
    if namesakes < 0:
        raise GenerateError("namesakes must be a non-negative integer")
    if namesakes * bases > orgs:
        raise GenerateError(
            f"{namesakes} namesakes for each of {bases} names need at least "
            f"{namesakes * bases} organizations; got {orgs}"
        )


def build_dataset(
    *,
    orgs: int,
    seed: int,
    id_bases: Mapping[str, int] | None = None,
    credit_type_ids: Mapping[str, int] | None = None,
    progress: Progress | None = None,
    namesake_bases: Sequence[NamesakeBase] = (),
    namesakes_each: int = 0,
) -> Dataset:
    """The whole generated market, rows in memory; ids start after ``id_bases`` (default 0).
    With ``namesakes_each``, that many organizations are named after each of
    ``namesake_bases`` (see ``namesakes``)."""
    _check(orgs, seed, namesakes_each, len(namesake_bases) if namesakes_each else 0)
    progress = progress or Progress(enabled=False)
    rng = random.Random(seed)
    ds = Dataset(
        seed=seed,
        orgs=orgs,
        id_bases=id_bases or {},
        credit_type_ids=credit_type_ids
        or {slug: n for n, (slug, *_) in enumerate(CREDIT_TYPES, start=1)},
    )
    ds.namesake_bases = tuple(namesake_bases) if namesakes_each else ()
    ds.namesakes_each = namesakes_each
    progress.phase("generating organizations")
    fx = FxTable(rng)
    ds.fx_rates = fx.rows
    org_facts = generate_organizations(rng, ds)
    progress.phase("generating people")
    people = generate_people(rng, ds, org_facts)
    generate_products(rng, ds, org_facts)
    programs = generate_credit_programs(rng, ds, org_facts)
    progress.phase("generating rounds")
    consideration = ConsiderationMaker(ds, org_facts, programs)
    rounds = generate_rounds(rng, ds, org_facts, people, fx, consideration)
    progress.phase("generating relationships")
    generate_relationships(rng, ds, org_facts)
    generate_compute_assets(rng, ds, org_facts)
    generate_events(rng, ds, org_facts)
    generate_event_people(ds)
    progress.phase("generating acquisitions, listings, funds and exits")
    deals = generate_deals(ds, org_facts, rounds)
    progress.phase("generating claims")
    generate_claims(rng, ds, org_facts, people, rounds, deals)
    generate_angels(ds, people, rounds)
    assign_keys(ds)
    return ds


async def generate_into_database(
    url: str, *, orgs: int, seed: int, progress: Progress | None = None, namesakes: int = 0
) -> GenerateReport:
    """Generates and COPYs the dataset into the (migrated) database at ``url``; with
    ``namesakes``, that many of the organizations are named after each organization already
    there that the generator did not write (the article's, say)."""
    _check(orgs, seed, namesakes)
    progress = progress or Progress()
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def build(id_bases: dict[str, int], credit_type_ids: dict[str, int]) -> Dataset:
        begun = time.perf_counter()
        ds = build_dataset(
            orgs=orgs,
            seed=seed,
            id_bases=id_bases,
            credit_type_ids=credit_type_ids,
            progress=progress,
            namesake_bases=bases,
            namesakes_each=namesakes,
        )
        timings["generate"] = time.perf_counter() - begun
        return ds

    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        bases = await bases_in_database(conn) if namesakes else []
        ds = await write_dataset(conn, build, progress)
    finally:
        await conn.close()
        progress.close()
    timings["total"] = time.perf_counter() - started
    timings["write"] = timings["total"] - timings.get("generate", 0.0)
    return GenerateReport(ds.row_counts(), timings)


def generate_jsonl(
    path: Path, *, orgs: int, seed: int, progress: Progress | None = None
) -> GenerateReport:
    """Writes the dataset for ``orgs`` and ``seed`` to ``path`` as JSON Lines."""
    progress = progress or Progress()
    started = time.perf_counter()
    ds = build_dataset(orgs=orgs, seed=seed, progress=progress)
    generated = time.perf_counter()
    progress.phase("writing JSON Lines")
    write_jsonl(ds, path)
    progress.close()
    finished = time.perf_counter()
    return GenerateReport(
        ds.row_counts(),
        {
            "generate": generated - started,
            "write": finished - generated,
            "total": finished - started,
        },
    )
