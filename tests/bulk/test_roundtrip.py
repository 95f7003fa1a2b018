"""Export → import into an empty database → export gives the same bytes; the generator writes
the very same format; importing again changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

from service.ingest.bulk.format import TYPE_ORDER, canonical
from service.ingest.generator import generate_jsonl
from service.ingest.progress import Progress
from tests.bulk.conftest import (
    export_bytes,
    fetch,
    file_of,
    lines_of,
    run_import,
    state,
)


async def test_article_export_imports_into_an_empty_database_byte_for_byte(
    article_export: bytes, empty_url: str
) -> None:
    report = await run_import(empty_url, article_export)
    assert report.ok, report.describe()
    assert await export_bytes(empty_url) == article_export


def test_export_is_canonical_and_sorted(article_export: bytes) -> None:
    lines = lines_of(article_export)
    records = [json.loads(line) for line in lines]
    assert all(canonical(record) == line for record, line in zip(records, lines, strict=True))
    assert records[0] == {"type": "header", "format": "stakegraph", "version": 1}
    assert records[-1] == {"type": "end", "records": len(records) - 2}
    body = records[1:-1]
    order = [TYPE_ORDER.index(record["type"]) for record in body]
    assert order == sorted(order)
    rounds = [r["key"] for r in body if r["type"] == "funding_round"]
    assert rounds == sorted(rounds)
    # Parents come before their subsidiaries; references use natural keys, never ids.
    seen: set[str] = set()
    for record in body:
        if record["type"] == "organization":
            assert record.get("parent") is None or record["parent"] in seen
            seen.add(record["slug"])
        assert "id" not in record
    moonshot = next(
        r
        for r in body
        if r["type"] == "investment"
        and r["investor"] == "alibaba"
        and r["round"].startswith("moonshot")
    )
    assert moonshot["committed_amount"] == "800000000"
    shares = [(c["kind"], c["share_min"], c["share_max"]) for c in moonshot["consideration"]]
    assert shares == [("CASH", "0.5", "0.6"), ("CLOUD_CREDITS", "0.4", "0.5")]


async def test_generated_file_imports_and_exports_as_the_same_bytes(
    tmp_path: Path, empty_url: str
) -> None:
    path = tmp_path / "generated.jsonl"
    generate_jsonl(path, orgs=150, seed=5, progress=Progress(enabled=False))
    generated = path.read_bytes()
    report = await run_import(empty_url, generated)
    assert report.ok, report.describe()
    assert report.tables["investment"].inserted > 100
    assert await export_bytes(empty_url) == generated


async def test_importing_the_same_file_again_changes_nothing(
    article_export: bytes, article_url: str
) -> None:
    before = await state(article_url)
    report = await run_import(article_url, article_export)
    assert report.ok, report.describe()
    assert all(c.inserted == c.updated == c.deleted == 0 for c in report.tables.values())
    assert report.tables["organization"].unchanged > 0
    assert await state(article_url) == before


async def test_a_changed_record_updates_only_what_changed(
    article_export: bytes, article_url: str
) -> None:
    lines = lines_of(article_export)
    records = [json.loads(line) for line in lines]
    index, moonshot = next((i, r) for i, r in enumerate(records) if r.get("slug") == "moonshot-ai")
    moonshot["country"] = "SG"
    moonshot["names"] = [n for n in moonshot["names"] if n["language"] != "ar"]
    lines[index] = canonical(moonshot)
    before = await state(article_url)

    report = await run_import(article_url, file_of(lines))

    assert report.ok, report.describe()
    assert (report.tables["organization"].updated, report.tables["organization"].inserted) == (1, 0)
    assert report.tables["organization_name"].deleted == 1
    rows = await fetch(
        article_url,
        "SELECT o.country, count(n.id) AS names FROM organization o"
        " JOIN organization_name n ON n.organization_id = o.id WHERE o.slug = 'moonshot-ai'"
        " GROUP BY o.country",
    )
    assert (rows[0]["country"], rows[0]["names"]) == ("SG", len(moonshot["names"]))
    after = await state(article_url)
    assert after.tables["funding_round"] == before.tables["funding_round"]
    assert after.tables["investment"] == before.tables["investment"]
