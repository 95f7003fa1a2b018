"""Bad imports: each is refused with a message naming the line, and the stored data stays
exactly as it was (row counts and checksums of every table)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from service.ingest.bulk.format import canonical, end_record, header_record
from tests.bulk.conftest import fetch, run_import, state

Record = dict[str, object]


def _valid_records() -> list[Record]:
    """New records that refer to the article's organizations (already stored) and to each
    other: lines 2 to 6 of the file."""
    return [
        {
            "type": "organization",
            "slug": "nova-ai",
            "name": "Nova AI",
            "kinds": ["STARTUP"],
            "country": "CN",
            "names": [
                {
                    "value": "Nova AI",
                    "language": "en",
                    "script": "Latn",
                    "kind": "COMMON",
                    "is_primary": True,
                }
            ],
        },
        {
            "type": "funding_round",
            "key": "nova-ai/round-1",
            "organization": "nova-ai",
            "round_type": "SEED",
            "status": "ANNOUNCED",
            "announced_on": "2024-03-01",
            "announced_precision": "MONTH",
            "raised_amount": "5000000",
            "raised_currency": "USD",
        },
        {
            "type": "investment",
            "key": "nova-ai/round-1/alibaba",
            "round": "nova-ai/round-1",
            "investor": "alibaba",
            "is_lead": True,
            "committed_amount": "4000000",
            "committed_currency": "USD",
            "consideration": [
                {
                    "key": "nova-ai/round-1/alibaba/0",
                    "position": 0,
                    "kind": "CASH",
                    "share_min": "0.5",
                    "share_max": "0.5",
                },
                {
                    "key": "nova-ai/round-1/alibaba/1",
                    "position": 1,
                    "kind": "TRAFFIC_PROMOTION",
                    "credit_type": "traffic-promotion",
                    "provider": "alibaba",
                    "share_min": "0.5",
                    "share_max": "0.5",
                },
            ],
        },
        {
            "type": "investment",
            "key": "nova-ai/round-1/tencent",
            "round": "nova-ai/round-1",
            "investor": "tencent",
            "committed_amount": "1000000",
            "committed_currency": "USD",
        },
        {
            "type": "claim",
            "key": "nova-ai/claim-1",
            "source": "ft-alibaba-cloud-credits-ai-startups",
            "attribution": "PUBLICATION",
            "statement": "Alibaba led Nova AI's seed round.",
            "subjects": [{"type": "investment", "key": "nova-ai/round-1/alibaba"}],
        },
    ]


def _file(records: list[Record]) -> str:
    lines = [canonical(header_record()), *(canonical(r) for r in records)]
    lines.append(canonical(end_record(len(records))))
    return "".join(f"{line}\n" for line in lines)


def _set(index: int, field: str, value: object) -> Callable[[list[Record]], None]:
    def edit(records: list[Record]) -> None:
        records[index][field] = value

    return edit


async def test_the_valid_file_imports(article_url: str) -> None:
    report = await run_import(article_url, _file(_valid_records()))
    assert report.ok, report.describe()
    assert report.tables["consideration_component"].inserted == 2
    assert report.tables["claim_subject"].inserted == 1


def _duplicate(records: list[Record]) -> None:
    records.append({**records[0], "name": "Nova AI again"})


def _share_range(records: list[Record]) -> None:
    components = records[2]["consideration"]
    assert isinstance(components, list)
    components[0]["share_min"] = "0.7"


def _unknown_subject(records: list[Record]) -> None:
    records[4]["subjects"] = [{"type": "investment", "key": "nova-ai/round-9/alibaba"}]


@pytest.mark.parametrize(
    ("edit", "line", "message"),
    [
        pytest.param(
            _set(2, "investor", "no-such-org"),
            4,
            'investment "nova-ai/round-1/alibaba": investor "no-such-org" is no organization'
            " in the file or the database",
            id="unknown-reference",
        ),
        pytest.param(
            _unknown_subject,
            6,
            'claim "nova-ai/claim-1": subjects: "nova-ai/round-9/alibaba" is no investment',
            id="unknown-claim-subject",
        ),
        pytest.param(
            _set(3, "committed_amount", "-1000"),
            5,
            "committed_amount must not be negative",
            id="negative-amount",
        ),
        pytest.param(
            _set(1, "raised_currency", "XYZ"),
            3,
            "raised_currency: unknown currency 'XYZ'",
            id="unknown-currency",
        ),
        pytest.param(
            _duplicate,
            7,
            'duplicate organization slug "nova-ai" (first on line 2)',
            id="duplicate-key",
        ),
        pytest.param(
            _share_range,
            4,
            r"share must satisfy 0 <= min <= max <= 1",
            id="share-range",
        ),
        pytest.param(
            _set(1, "round_type", "SERIES_Z"),
            3,
            "round_type must be one of",
            id="unknown-enum",
        ),
        pytest.param(
            _set(1, "announced_on", "2024-03-15"),
            3,
            "announced_on must be the first day of its month",
            id="partial-date",
        ),
        pytest.param(
            _set(0, "founded", "2020"),
            2,
            "unknown field(s): founded",
            id="unknown-field",
        ),
    ],
)
async def test_a_bad_record_is_named_and_nothing_is_written(
    article_url: str, edit: Callable[[list[Record]], None], line: int, message: str
) -> None:
    records = _valid_records()
    edit(records)
    before = await state(article_url)

    report = await run_import(article_url, _file(records))

    assert not report.ok
    assert [e.line for e in report.errors] == [line]
    assert message in report.errors[0].message
    assert await state(article_url) == before


async def test_malformed_json_names_the_line(article_url: str) -> None:
    lines = _file(_valid_records()).splitlines()
    lines[3] = lines[3][:40]  # line 4, cut short in the middle of a string
    before = await state(article_url)

    report = await run_import(article_url, "\n".join(lines) + "\n")

    assert [(e.line, e.message.split(":")[0]) for e in report.errors] == [(4, "malformed JSON")]
    assert await state(article_url) == before


async def test_a_file_cut_off_in_the_middle_of_a_record(article_url: str) -> None:
    data = _file(_valid_records())
    cut = data[: data.index('"nova-ai/claim-1"')]  # inside line 6
    before = await state(article_url)

    report = await run_import(article_url, cut)

    messages = {e.line: e.message for e in report.errors}
    assert "cut off" in messages[6]
    assert await state(article_url) == before


async def test_a_file_cut_off_between_records(article_url: str) -> None:
    data = _file(_valid_records())
    cut = "".join(data.splitlines(keepends=True)[:4])  # header and three records
    before = await state(article_url)

    report = await run_import(article_url, cut)

    assert [(e.line, e.message) for e in report.errors] == [
        (5, "the file ends after line 4 without its end record (cut off?)")
    ]
    assert await state(article_url) == before


async def test_a_lost_line_is_caught_by_the_end_record(article_url: str) -> None:
    lines = _file(_valid_records()).splitlines(keepends=True)
    del lines[4]
    report = await run_import(article_url, "".join(lines))
    assert [e.line for e in report.errors] == [6]
    assert "counts 5 records, the file holds 4" in report.errors[0].message


async def test_a_refusal_by_the_database_writes_nothing(article_url: str) -> None:
    # Alibaba already has an investment in the Moonshot round, under another key: the unique
    # (round, investor) constraint refuses the second one.
    records: list[Record] = [
        {
            "type": "investment",
            "key": "another-alibaba-in-moonshot",
            "round": "moonshot-ai-2024-02",
            "investor": "alibaba",
        }
    ]
    before = await state(article_url)
    report = await run_import(article_url, _file(records))
    assert not report.ok
    assert report.errors[0].line is None
    assert "uq_investment_round_investor" in report.errors[0].message
    assert await state(article_url) == before


async def test_one_bad_row_in_a_thousand_imports_nothing_and_names_it(article_url: str) -> None:
    records: list[Record] = []
    for n in range(250):
        slug = f"startup-{n}"
        records.append(
            {"type": "organization", "slug": slug, "name": f"Startup {n}", "kinds": ["STARTUP"]}
        )
        for r in (1, 2, 3):
            key = f"{slug}/round-{r}"
            records.append(
                {
                    "type": "funding_round",
                    "key": key,
                    "organization": slug,
                    "round_type": "SEED",
                    "status": "CLOSED",
                    "raised_amount": "1000000",
                    "raised_currency": "EUR",
                }
            )
    assert len(records) == 1000
    bad_line = 637  # line 1 is the header
    records[bad_line - 2]["raised_amount"] = "-5"
    before = await state(article_url)

    report = await run_import(article_url, _file(records))

    assert report.error_count == 1
    assert report.errors[0].line == bad_line
    assert "raised_amount must not be negative" in report.errors[0].message
    assert report.records == 1000
    assert await state(article_url) == before


async def test_a_parent_cycle_is_refused(empty_url: str) -> None:
    def org(slug: str, parent: str) -> Record:
        return {
            "type": "organization",
            "slug": slug,
            "name": slug,
            "kinds": ["CORPORATE"],
            "parent": parent,
        }

    report = await run_import(empty_url, _file([org("a-co", "b-co"), org("b-co", "a-co")]))
    assert [(e.line, e.message) for e in report.errors] == [
        (2, 'organization "a-co": its parent chain comes back to it'),
        (3, 'organization "b-co": its parent chain comes back to it'),
    ]
    assert (await state(empty_url)).rows("organization") == 0


async def test_subsidiaries_may_come_before_their_parents(empty_url: str) -> None:
    def org(slug: str, parent: str | None) -> Record:
        record: Record = {
            "type": "organization",
            "slug": slug,
            "name": slug,
            "kinds": ["CORPORATE"],
        }
        if parent:
            record["parent"] = parent
        return record

    records = [org("grandchild", "child"), org("child", "root"), org("root", None)]
    report = await run_import(empty_url, _file(records))
    assert report.ok, report.describe()
    rows = await fetch(
        empty_url,
        "SELECT o.id, o.slug, p.slug AS parent FROM organization o"
        " LEFT JOIN organization p ON p.id = o.parent_id ORDER BY o.id",
    )
    # Ids follow the file's order.
    assert [(r["slug"], r["parent"]) for r in rows] == [
        ("grandchild", "child"),
        ("child", "root"),
        ("root", None),
    ]


def _startups_with_rounds(count: int) -> list[Record]:
    records: list[Record] = []
    for n in range(count):
        slug = f"partial-{n}"
        records.append(
            {"type": "organization", "slug": slug, "name": f"Partial {n}", "kinds": ["STARTUP"]}
        )
        for r in (1, 2, 3):
            records.append(
                {
                    "type": "funding_round",
                    "key": f"{slug}/round-{r}",
                    "organization": slug,
                    "round_type": "SEED",
                    "status": "CLOSED",
                }
            )
    return records


async def test_partial_import_skips_bad_lines_and_what_relies_on_them(empty_url: str) -> None:
    records = _startups_with_rounds(10)  # lines 2..41: an organization, then its three rounds
    records[4]["kinds"] = ["ROBOT"]  # line 6: the second organization is refused...
    records[1]["raised_amount"] = "-1"  # line 3: one round of the first is refused

    refused = await run_import(empty_url, _file(records))
    assert not refused.imported
    assert (await state(empty_url)).rows("organization") == 0

    report = await run_import(empty_url, _file(records), partial=True)
    assert report.imported
    assert not report.ok
    # ...and so are the second organization's three rounds (lines 7-9), which relied on it.
    assert report.bad_lines == {3, 6, 7, 8, 9}
    after = await state(empty_url)
    assert after.rows("organization") == 9
    assert after.rows("funding_round") == 30 - 1 - 3
    assert "5 bad line(s) skipped" in report.describe()[-1]
    assert report.as_json()["skippedLines"] == 5
