"""Natural keys for generated rows, and the dataset written in the bulk format
(``service.ingest.bulk.format``): the very lines ``stakegraph export`` would write for a database
holding exactly this dataset, so generated files go through ``stakegraph import`` as they are.

Tables without a slug get keys derived from their parent's (``<org slug>/round-3``); they are
stored in the rows' ``key`` column, so the database loaded by COPY holds the same keys as the
file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from service.ingest.bulk.format import (
    KEY_COLUMN,
    RECORD_TYPES,
    SUBJECT_TYPES,
    TYPE_ORDER,
    Embedded,
    Kind,
    Record,
    canonical,
    end_record,
    header_record,
    org_depths,
    plain,
)
from service.ingest.generator.model import CREDIT_TYPES, Dataset, Row, TableRows

# Re-exported: the generator's tests check lines against the one canonical spelling.
__all__ = ["assign_keys", "canonical", "iter_lines", "write_jsonl"]

Lookup = Callable[[str, int], str]


def _numbered(table: TableRows, column: str, parent: str, word: str, get: Lookup) -> list[str]:
    """``<parent key>/<word>-<n>``: the n-th row of this table under that parent."""
    index = table.columns.index(column)
    counts: dict[int, int] = {}
    keys: list[str] = []
    for row in table.rows:
        n = counts.get(row[index], 0) + 1
        counts[row[index]] = n
        keys.append(f"{get(parent, row[index])}/{word}-{n}")
    return keys


class _Keys:
    """Natural keys of generated rows, looked up by table and id."""

    def __init__(self, ds: Dataset, *, stored: bool) -> None:
        """Slugs, and with ``stored`` the keys ``assign_keys`` has put in the rows."""
        self.by_table: dict[str, dict[int, str]] = {
            "credit_type": {ident: slug for slug, ident in ds.credit_type_ids.items()}
        }
        for name, table in ds.tables.items():
            column = KEY_COLUMN.get(name)
            if column == "slug" or (stored and column == "key"):
                index = table.columns.index(column)
                self.by_table[name] = {row[0]: row[index] for row in table.rows}

    def get(self, table: str, ident: int) -> str:
        return self.by_table[table][ident]

    def set(self, table: TableRows, keys: list[str]) -> None:
        self.by_table[table.name] = {row[0]: key for row, key in zip(table.rows, keys, strict=True)}
        table.rows = [(*row, key) for row, key in zip(table.rows, keys, strict=True)]


def assign_keys(ds: Dataset) -> None:
    """Appends each keyed row's natural key (its ``key`` column, last in the row); parents'
    keys first, since children's keys extend them. Called once, when the rows are complete."""
    keys = _Keys(ds, stored=False)
    get = keys.get
    keys.set(ds["person_role"], _numbered(ds["person_role"], "person_id", "person", "role", get))
    rounds = ds["funding_round"]
    keys.set(rounds, _numbered(rounds, "organization_id", "organization", "round", get))
    assets = ds["compute_asset"]
    keys.set(assets, _numbered(assets, "owner_id", "organization", "compute", get))
    keys.set(ds["claim"], _numbered(ds["claim"], "source_id", "source", "claim", get))
    investments = ds["investment"]
    # An angel's investment is keyed by the person, an organization's by the organization.
    angel = investments.columns.index("investor_person_id")
    keys.set(
        investments,
        [
            f"{get('funding_round', row[1])}/"
            + (get("organization", row[2]) if row[angel] is None else get("person", row[angel]))
            for row in investments.rows
        ],
    )
    components = ds["consideration_component"]
    keys.set(components, [f"{get('investment', row[1])}/{row[2]}" for row in components.rows])
    relationships = ds["relationship"]
    keys.set(
        relationships,
        [
            f"{row[1]}/{get('organization', row[2])}/{get('organization', row[3])}"
            for row in relationships.rows
        ],
    )


def _converter(table: TableRows, fields: Any, keys: _Keys) -> Callable[[Row], Record]:
    """Row → record: references as natural keys, values as the format spells them."""
    by_column = {field.column: field for field in fields}
    plan: list[tuple[int, str, str | None]] = []
    for index, column in enumerate(table.columns):
        field = by_column.get(column)
        if field is not None:
            plan.append((index, field.name, field.target if field.kind is Kind.REF else None))

    def convert(row: Row) -> Record:
        record: Record = {}
        for index, name, target in plan:
            value = row[index]
            if value is not None:
                record[name] = keys.get(target, value) if target else plain(value)
        return record

    return convert


def _children(ds: Dataset, keys: _Keys, embedded: Embedded) -> dict[int, list[Record]]:
    """The embedded lists of one child table, by parent id, each in the format's order."""
    table = ds[embedded.table]
    parent_index = table.columns.index(embedded.parent_column)
    grouped: dict[int, list[Record]] = {}
    if embedded.table == "claim_subject":
        arc = [
            (table.columns.index(column), subject_type)
            for subject_type, column in SUBJECT_TYPES.items()
        ]
        for row in table.rows:
            index, subject_type = next((i, t) for i, t in arc if row[i] is not None)
            grouped.setdefault(row[parent_index], []).append(
                {"type": subject_type, "key": keys.get(subject_type, row[index])}
            )
    else:
        convert = _converter(table, embedded.fields, keys)
        for row in table.rows:
            grouped.setdefault(row[parent_index], []).append(convert(row))
    for children in grouped.values():
        children.sort(key=lambda child: tuple(child[name] for name in embedded.order))
    return grouped


def _records(ds: Dataset, keys: _Keys, name: str) -> list[Record]:
    if name == "fx_rate":
        return [
            {
                "currency": currency,
                "rate_on": plain(day),
                "usd_per_unit": plain(rate),
                "source": src,
            }
            for currency, day, rate, src in ds.fx_rates
        ]
    if name == "credit_type":
        return [
            {
                "slug": slug,
                "name": title,
                "consideration_kind": kind,
                "unit": unit,
                "description": description,
            }
            for slug, title, kind, unit, description in CREDIT_TYPES
        ]
    record_type = RECORD_TYPES[name]
    table = ds[name]
    convert = _converter(table, record_type.fields, keys)
    lists = [(e.field, _children(ds, keys, e)) for e in record_type.embedded]
    records: list[Record] = []
    for row in table.rows:
        record = convert(row)
        for field, grouped in lists:
            record[field] = grouped.get(row[0], [])
        records.append(record)
    return records


def _sorted(name: str, records: list[Record]) -> list[Record]:
    """The export's order: by natural key; organizations parents first."""
    if name == "organization":
        depths = org_depths({r["slug"]: r.get("parent") for r in records})
        return sorted(records, key=lambda r: (depths[r["slug"]], r["slug"]))
    key = RECORD_TYPES[name].key
    return sorted(records, key=lambda r: tuple(r[field] for field in key))


def iter_lines(ds: Dataset) -> Iterator[str]:
    """The dataset's lines: header, records type by type in load order, end."""
    keys = _Keys(ds, stored=True)
    yield canonical(header_record())
    count = 0
    for name in TYPE_ORDER:
        for record in _sorted(name, _records(ds, keys, name)):
            record["type"] = name
            count += 1
            yield canonical(record)
    yield canonical(end_record(count))


def write_jsonl(ds: Dataset, path: Path) -> int:
    """Writes the dataset to ``path``; returns the number of lines."""
    lines = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for line in iter_lines(ds):
            out.write(line)
            out.write("\n")
            lines += 1
    return lines
