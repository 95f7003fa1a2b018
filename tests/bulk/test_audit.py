"""What a bulk import leaves in the audit log: every row it writes is traceable to the import
(``import_id``, the ``bulk_import`` row) and to its previous version (the history), and the
light audit rows, read through ``sg_audit_image``, give every change a full audit log gives."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from service.db import tables
from service.ingest.bulk import ImportOptions
from service.ingest.bulk.format import canonical
from service.ingest.generator import generate_jsonl
from service.ingest.progress import Progress
from tests.bulk.conftest import Clones, fetch, file_of, lines_of, run_import, state

# Times differ between two databases that took the same imports; everything else must not.
# Derived columns too: triggers fill them after the row is written, without an audit row of
# their own, so a full image holds them as inserted and a light one as they are now.
# The versioned tables not keyed by an id keep their images in light mode (migration 0007).
KEYLESS = frozenset(t.name for t in tables.VERSIONED_TABLES if "id" not in t.c)
_CLOCK = ("created_at", "updated_at", "recorded_at", "consideration_kinds")


def _changed(export: bytes, slug: str | None = None) -> str:
    """The file again with one organization changed (``slug``, or the first with several
    names) and its last name left out, and one investment's consideration cut to its first
    component: updates and deletes."""
    lines = lines_of(export)
    records = [json.loads(line) for line in lines]
    organization = next(
        i
        for i, r in enumerate(records)
        if r.get("type") == "organization"
        and (r["slug"] == slug or (slug is None and len(r.get("names", [])) > 1))
    )
    investment = next(
        i
        for i, r in enumerate(records)
        if r.get("type") == "investment" and len(r.get("consideration", [])) > 1
    )
    records[organization]["country"] = "SG"
    records[organization]["names"] = records[organization]["names"][:-1]
    first = records[investment]["consideration"][0]
    records[investment]["consideration"] = [{**first, "share_min": None, "share_max": None}]
    for index in (organization, investment):
        lines[index] = canonical(records[index])
    return file_of(lines)


async def test_every_row_an_import_writes_names_the_import(
    article_export: bytes, empty_url: str
) -> None:
    report = await run_import(empty_url, article_export)
    assert report.ok, report.describe()
    assert report.import_id is not None
    written = sum(c.inserted + c.updated + c.deleted for c in report.tables.values())
    [run] = await fetch(empty_url, "SELECT * FROM bulk_import")
    assert (run["id"], run["records"], run["rows"]) == (report.import_id, report.records, written)
    rows = await fetch(
        empty_url,
        "SELECT table_name, action, version, row_key, import_id, before, after FROM audit_log"
        " WHERE id BETWEEN $1 AND $2",
        run["audit_from"],
        run["audit_to"],
    )
    # Every change to a versioned table (fx_rate, a plain reference table, is not one).
    versioned = {t.name for t in tables.VERSIONED_TABLES}
    audited = {name: c.inserted for name, c in report.tables.items() if name in versioned}
    assert len(rows) == sum(audited.values())
    assert {r["import_id"] for r in rows} == {report.import_id}
    assert {r["action"] for r in rows} == {"INSERT"}
    assert {r["version"] for r in rows} == {1}
    # Light rows: no images, since the rows (and later their history) hold them.
    keyed = [r for r in rows if r["table_name"] not in KEYLESS]
    assert keyed
    assert all(r["before"] is None and r["after"] is None for r in keyed)
    per_table = Counter(r["table_name"] for r in rows)
    assert per_table == {name: count for name, count in audited.items() if count}
    slugs = {r["row_key"] for r in rows if r["table_name"] == "organization"}
    assert "moonshot-ai" in slugs


async def test_an_update_import_keeps_the_previous_version_and_names_the_import(
    article_export: bytes, article_url: str
) -> None:
    [old] = await fetch(
        article_url, "SELECT id, country FROM organization WHERE slug = 'moonshot-ai'"
    )
    report = await run_import(article_url, _changed(article_export, "moonshot-ai"))
    assert report.ok, report.describe()
    assert report.tables["organization"].updated == 1
    [logged] = await fetch(
        article_url,
        "SELECT version, import_id, sg_audit_image('organization', row_id, version - 1) AS before,"
        " sg_audit_image('organization', row_id, version) AS after FROM audit_log"
        " WHERE table_name = 'organization' AND row_id = $1 AND action = 'UPDATE'",
        old["id"],
    )
    assert logged["import_id"] == report.import_id
    assert logged["version"] == 2
    before, after = json.loads(logged["before"]), json.loads(logged["after"])
    assert (before["country"], after["country"]) == (old["country"], "SG")
    [history] = await fetch(
        article_url, "SELECT version, country FROM history.organization WHERE id = $1", old["id"]
    )
    assert (history["version"], history["country"]) == (1, old["country"])
    deleted = await fetch(
        article_url,
        "SELECT table_name, sg_audit_image(table_name, row_id, version) AS image FROM audit_log"
        " WHERE import_id = $1 AND action = 'DELETE'",
        report.import_id,
    )
    tables = Counter(r["table_name"] for r in deleted)
    assert tables["organization_name"] == report.tables["organization_name"].deleted == 1
    components = report.tables["consideration_component"].deleted
    assert tables["consideration_component"] == components == 1
    # Claims about the component lose it as a subject (ON DELETE CASCADE): changes too.
    assert set(tables) <= {"organization_name", "consideration_component", "claim_subject"}
    assert all(r["image"] is not None for r in deleted)
    name = next(json.loads(r["image"]) for r in deleted if r["table_name"] == "organization_name")
    moonshot = next(
        record
        for record in map(json.loads, lines_of(article_export))
        if record.get("slug") == "moonshot-ai"
    )
    assert name["value"] == moonshot["names"][-1]["value"]


async def test_an_import_that_changes_nothing_records_no_import(
    article_export: bytes, article_url: str
) -> None:
    before = await state(article_url)
    report = await run_import(article_url, article_export)
    assert report.ok, report.describe()
    assert report.import_id is None
    assert await state(article_url) == before


async def test_a_refused_import_leaves_no_audit_rows(
    article_export: bytes, article_url: str
) -> None:
    before = await state(article_url)
    bad = _changed(article_export, "moonshot-ai").replace('"country":"SG"', '"country":"Singapore"')
    report = await run_import(article_url, bad)
    assert not report.imported
    assert report.import_id is None
    assert await state(article_url) == before


def _without_clock(image: Any) -> Any:
    if image is None:
        return None
    values = json.loads(image) if isinstance(image, str) else image
    return {k: v for k, v in values.items() if k not in _CLOCK}


async def _changes(url: str, *, light: bool) -> list[tuple[Any, ...]]:
    """Every change in audit order, with its images (read back from the history when the row
    is light)."""
    before = "sg_audit_image(table_name, row_id, version - 1)" if light else "before"
    after = "sg_audit_image(table_name, row_id, version)" if light else "after"
    rows = await fetch(
        url,
        f"SELECT table_name, action, row_id, version, row_key,"
        f" CASE WHEN before IS NOT NULL THEN before"
        f" WHEN action = 'UPDATE' THEN {before}"
        f" WHEN action = 'DELETE' THEN sg_audit_image(table_name, row_id, version) END AS b,"
        f" CASE WHEN after IS NOT NULL OR action = 'DELETE' THEN after ELSE {after} END AS a"
        " FROM audit_log WHERE import_id IS NOT NULL ORDER BY id",
    )
    return [
        (
            r["table_name"],
            r["action"],
            r["row_id"],
            r["version"],
            r["row_key"],
            _without_clock(r["b"]),
            _without_clock(r["a"]),
        )
        for r in rows
    ]


async def test_light_audit_rows_give_every_change_the_full_ones_give(
    tmp_path: Path, clones: Clones, empty_template: str
) -> None:
    path = tmp_path / "generated.jsonl"
    generate_jsonl(path, orgs=60, seed=3, progress=Progress(enabled=False))
    first = path.read_bytes()
    second = _changed(first).encode()
    full, light = await clones.clone(empty_template), await clones.clone(empty_template)
    for data in (first, second):
        full_report = await run_import(full, data, options=ImportOptions(audit_images=True))
        light_report = await run_import(light, data)
        assert full_report.ok, full_report.describe()
        assert light_report.ok, light_report.describe()
        assert full_report.tables == light_report.tables
    full_changes = await _changes(full, light=False)
    light_changes = await _changes(light, light=True)
    # Inserts, updates and deletes, each a change of its own.
    assert {c[1] for c in full_changes} == {"INSERT", "UPDATE", "DELETE"}
    assert len(full_changes) > 1000
    assert light_changes == full_changes
    images = await fetch(light, "SELECT count(*) AS n FROM audit_log WHERE after IS NOT NULL")
    keyless = await fetch(
        light,
        "SELECT count(*) AS n FROM audit_log WHERE table_name = ANY($1::text[])",
        sorted(KEYLESS),
    )
    # Only the tables not keyed by id keep their images in light mode.
    assert images[0]["n"] == keyless[0]["n"]
