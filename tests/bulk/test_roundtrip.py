"""Export → import into an empty database → export gives the same bytes; the generator writes
the very same format; importing again changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

from service.ingest.bulk.format import TYPE_ORDER, canonical, end_record
from service.ingest.generator import generate_jsonl
from service.ingest.progress import Progress
from tests.bulk.conftest import (
    Clones,
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
    # Angels are in it, keyed by their round and their person's slug.
    records = [json.loads(line) for line in lines_of(generated)]
    people = {r["slug"] for r in records if r["type"] == "person"}
    angels = [r for r in records if r["type"] == "investment" and "investor_person" in r]
    assert angels
    for angel in angels:
        assert "investor" not in angel
        assert angel["investor_person"] in people
        assert angel["key"] == f"{angel['round']}/{angel['investor_person']}"


async def test_an_angel_investment_round_trips_byte_for_byte(
    article_export: bytes, clones: Clones, empty_template: str
) -> None:
    """An angel's investment (a person as the investor) added to the article's export: it
    imports, and the database exports the very same bytes."""
    records = [json.loads(line) for line in lines_of(article_export)]
    round_key = next(r["key"] for r in records if r["type"] == "funding_round")
    angel = {
        "type": "investment",
        "key": f"{round_key}/eddie-wu",
        "round": round_key,
        "investor_person": "eddie-wu",
        "is_lead": False,
        "committed_amount": "250000",
        "committed_currency": "USD",
        "committed_estimated": False,
        "stake_estimated": False,
        "consideration": [
            {
                "key": f"{round_key}/eddie-wu/0",
                "position": 0,
                "kind": "CASH",
                "share_min": "1",
                "share_max": "1",
                "estimated": False,
                "value_estimated": False,
            }
        ],
    }
    body = [*records[1:-1], angel]
    body.sort(key=lambda r: (TYPE_ORDER.index(r["type"]), _sort_key(r)))
    lines = [canonical(records[0]), *map(canonical, body), canonical(end_record(len(body)))]
    data = file_of(lines).encode("utf-8")
    first = await clones.clone(empty_template)
    report = await run_import(first, data)
    assert report.ok, report.describe()
    exported = await export_bytes(first)
    assert canonical(angel) in lines_of(exported)
    second = await clones.clone(empty_template)
    report = await run_import(second, exported)
    assert report.ok, report.describe()
    assert await export_bytes(second) == exported
    # Neither and both investors are refused, by line.
    for change in ({"investor_person": None}, {"investor": "alibaba"}):
        bad = {k: v for k, v in {**angel, **change}.items() if v is not None}
        bad_body = [r if r is not angel else bad for r in body]
        bad_lines = [canonical(records[0]), *map(canonical, bad_body)]
        bad_lines.append(canonical(end_record(len(bad_body))))
        refused = await run_import(await clones.clone(empty_template), file_of(bad_lines))
        assert not refused.ok
        assert any("exactly one investor" in line for line in refused.describe())


def _sort_key(record: dict[str, object]) -> str:
    """Within a type, export writes records by natural key (organizations aside: the article's
    order is kept by the stable sort, as only investments move)."""
    if record["type"] == "investment":
        return str(record["key"])
    return ""


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
