"""JSON Lines staged block by block in worker processes gives what reading record by record in
one process gives: the same rows, the same report, the same errors on the same lines, wherever
the block boundaries fall."""

from __future__ import annotations

import json
from pathlib import Path

import asyncpg
import pytest

from service.db.urls import asyncpg_dsn
from service.ingest.bulk import ImportOptions, ImportReport, import_items
from service.ingest.bulk.format import canonical, end_record, header_record
from service.ingest.bulk.read import read_jsonl
from service.ingest.bulk.stage import copy_text
from service.ingest.generator import generate_jsonl
from service.ingest.progress import Progress
from tests.bulk.conftest import Clones, chunks, export_bytes, run_import

# Blocks of a few records each: a test file crosses many block boundaries.
SMALL_BLOCKS = ImportOptions(workers=True, block_bytes=700)


async def _record_by_record(url: str, data: bytes) -> ImportReport:
    """The reference: records read one by one and checked in this process."""
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return await import_items(conn, read_jsonl(chunks(data)))
    finally:
        await conn.close()


def _errors(report: ImportReport) -> list[tuple[int | None, str]]:
    return [(e.line, e.message) for e in report.errors]


async def test_a_generated_file_imports_alike_in_workers_and_in_process(
    tmp_path: Path, clones: Clones, empty_template: str
) -> None:
    path = tmp_path / "generated.jsonl"
    generate_jsonl(path, orgs=50, seed=9, progress=Progress(enabled=False))
    data = path.read_bytes()
    reports = []
    in_workers = ImportOptions(workers=True, block_bytes=16_384)
    in_process = ImportOptions(workers=False, block_bytes=16_384)
    for options in (in_workers, in_process, None):
        url = await clones.clone(empty_template)
        report = (
            await _record_by_record(url, data)
            if options is None
            else await run_import(url, data, options=options)
        )
        assert report.ok, report.describe()
        assert await export_bytes(url) == data
        reports.append(report)
    assert reports[0].tables == reports[1].tables == reports[2].tables
    # Staged in blocks, a file in type order is written as it comes in, all but its last type.
    assert reports[0].written_ahead == reports[1].written_ahead
    assert {"organization", "funding_round", "investment"} <= set(reports[0].written_ahead)
    assert reports[2].written_ahead == []
    assert reports[0].records == reports[1].records == reports[2].records
    assert reports[0].rows == reports[2].rows > 0


def _lines(count: int) -> list[str]:
    return [
        canonical(
            {"type": "organization", "slug": f"org-{n}", "name": f"Org {n}", "kinds": ["STARTUP"]}
        )
        for n in range(count)
    ]


def _framed(body: list[str]) -> list[str]:
    return [canonical(header_record()), *body, canonical(end_record(len(body)))]


def _bad_files() -> dict[str, str]:
    body = _lines(40)
    bad_record = [*body[:3], canonical({"type": "organization", "slug": "Bad Slug"}), *body[3:]]
    malformed = [*body[:25], '{"type": "organization", "slug": ', *body[25:]]
    ended_early = [
        canonical(header_record()),
        *body[:5],
        canonical(end_record(5)),
        *body[5:30],
        "",
        "not json",
    ]
    late_header = [*body[:20], canonical(header_record()), *body[20:]]
    wrong_count = [canonical(header_record()), *body, canonical(end_record(39))]
    no_end = [canonical(header_record()), *body]
    return {
        "bad-record": "\n".join(_framed(bad_record)) + "\n",
        "malformed": "\n".join(_framed(malformed)) + "\n",
        "records-after-the-end": "\n".join(ended_early) + "\n",
        "late-header": "\n".join(late_header) + "\n",
        "wrong-count": "\n".join(wrong_count) + "\n",
        "no-end": "\n".join(no_end) + "\n",
        "cut-off": "\n".join(no_end)[:-7],
        "unknown-type": "\n".join(_framed([*body[:30], '{"type": "planet"}', *body[30:]])),
    }


@pytest.mark.parametrize("name", sorted(_bad_files()))
async def test_bad_lines_are_named_alike_across_blocks(
    name: str, clones: Clones, empty_template: str
) -> None:
    data = _bad_files()[name].encode()
    reference = await _record_by_record(await clones.clone(empty_template), data)
    staged = await run_import(await clones.clone(empty_template), data, options=SMALL_BLOCKS)
    assert not reference.ok
    assert _errors(staged) == _errors(reference)
    assert (staged.records, staged.imported) == (reference.records, reference.imported)


def test_copy_text_escapes_what_copy_reads_specially() -> None:
    from datetime import date
    from decimal import Decimal

    row = ("tab\there", "new\nline", "back\\slash", None, True, 7, Decimal("0.50"), date.min)
    assert copy_text([row, (["a", 'b"c'],)]) == (
        b'tab\\there\tnew\\nline\tback\\\\slash\t\\N\tt\t7\t0.50\t-infinity\n{"a","b\\\\"c"}\n'
    )


async def test_text_with_every_special_character_survives(empty_url: str) -> None:
    description = 'tabs\tnewlines\nreturns\r backslashes \\ quotes " and 中文 عربي'
    record = {
        "type": "organization",
        "slug": "special-ai",
        "name": "Special AI",
        "kinds": ["STARTUP", "INVESTOR"],
        "description": description,
    }
    data = "\n".join(_framed([json.dumps(record), *_lines(30)])) + "\n"
    report = await run_import(empty_url, data, options=SMALL_BLOCKS)
    assert report.ok, report.describe()
    conn = await asyncpg.connect(asyncpg_dsn(empty_url))
    try:
        row = await conn.fetchrow(
            "SELECT description, kinds FROM organization WHERE slug = 'special-ai'"
        )
    finally:
        await conn.close()
    assert row is not None
    assert (row["description"], row["kinds"]) == (description, ["STARTUP", "INVESTOR"])


def _moved_to_the_end(data: bytes, record_type: str) -> bytes:
    """The file with the first record of ``record_type`` moved after every other record."""
    lines = data.decode().splitlines()
    index = next(i for i, line in enumerate(lines) if f'"type":"{record_type}"' in line)
    moved = lines.pop(index)
    lines.insert(len(lines) - 1, moved)  # before the end record
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize("record_type", ["fx_rate", "organization", "funding_round", "claim"])
async def test_a_file_out_of_order_imports_as_it_does_record_by_record(
    record_type: str, tmp_path: Path, clones: Clones, empty_template: str
) -> None:
    path = tmp_path / "generated.jsonl"
    generate_jsonl(path, orgs=50, seed=4, progress=Progress(enabled=False))
    generated = path.read_bytes()
    data = _moved_to_the_end(generated, record_type)
    reference_url, staged_url = (
        await clones.clone(empty_template),
        await clones.clone(empty_template),
    )
    reference = await _record_by_record(reference_url, data)
    staged = await run_import(
        staged_url, data, options=ImportOptions(workers=True, block_bytes=8_192)
    )
    assert reference.ok, reference.describe()
    assert staged.ok, staged.describe()
    assert staged.tables == reference.tables
    # Writing ahead stopped where the moved record broke the order.
    assert "claim" not in staged.written_ahead
    assert await export_bytes(staged_url) == await export_bytes(reference_url) == generated
