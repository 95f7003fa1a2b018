"""Writes a generated dataset as JSON Lines with natural-key references (format: see
``service.ingest.generate``).

Database ids are replaced by keys that mean the same in any database: slugs where the table
has them, otherwise keys derived from the parent's (``<org slug>/round-3``). Short closed lists
are embedded in their owner: names in organizations, consideration components in
investments, participants in events, subjects in claims.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from service.ingest.generator_model import CREDIT_TYPES, Dataset, TableRows

Record = dict[str, Any]

# Foreign-key columns: column → (field name in the record, table whose key it holds).
REFERENCES: dict[str, dict[str, tuple[str, str]]] = {
    "organization": {"parent_id": ("parent", "organization")},
    "person_role": {
        "person_id": ("person", "person"),
        "organization_id": ("organization", "organization"),
    },
    "product": {"organization_id": ("organization", "organization")},
    "product_alternative": {
        "product_id": ("product", "product"),
        "alternative_to_id": ("alternative_to", "product"),
    },
    "credit_program": {
        "provider_id": ("provider", "organization"),
        "credit_type_id": ("credit_type", "credit_type"),
    },
    "funding_round": {"organization_id": ("organization", "organization")},
    "investment": {
        "round_id": ("round", "funding_round"),
        "investor_id": ("investor", "organization"),
    },
    "consideration_component": {
        "credit_type_id": ("credit_type", "credit_type"),
        "credit_program_id": ("credit_program", "credit_program"),
        "provider_id": ("provider", "organization"),
        "spend_restricted_to_id": ("spend_restricted_to", "organization"),
    },
    "relationship": {
        "source_id": ("source", "organization"),
        "target_id": ("target", "organization"),
    },
    "compute_asset": {
        "owner_id": ("owner", "organization"),
        "chip_vendor_id": ("chip_vendor", "organization"),
    },
    "event_participant": {"organization_id": ("organization", "organization")},
    "claim": {
        "source_id": ("source", "source"),
        "person_id": ("person", "person"),
        "organization_id": ("organization", "organization"),
    },
}
# Children written inside their parent record: child table → (parent table, parent column,
# field name in the parent).
EMBEDDED: dict[str, tuple[str, str, str]] = {
    "organization_name": ("organization", "organization_id", "names"),
    "consideration_component": ("investment", "investment_id", "consideration"),
    "event_participant": ("event", "event_id", "participants"),
    "claim_subject": ("claim", "claim_id", "subjects"),
}
# Columns that never go into a record: ids (replaced by keys) and the parent link of embedded
# children (references to other tables are renamed through REFERENCES before this applies).
DROPPED = frozenset({"id", "organization_id", "investment_id", "event_id", "claim_id"})


def decimal_text(value: Decimal) -> str:
    """The shortest exact spelling, never in exponent form: 12500000, 0.45, 1."""
    return format(value.normalize(), "f")


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def canonical(record: Record) -> str:
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class _Keys:
    """Natural keys of generated rows, looked up by id."""

    def __init__(self, ds: Dataset) -> None:
        self.ds = ds
        self.by_table: dict[str, dict[int, str]] = {}
        self.credit_types = {ident: slug for slug, ident in ds.credit_type_ids.items()}

    def get(self, table: str, ident: int) -> str:
        if table == "credit_type":
            return self.credit_types[ident]
        return self.by_table[table][ident]

    def assign(self, table: str, keys: dict[int, str]) -> None:
        self.by_table[table] = keys

    def build(self) -> None:
        ds, get = self.ds, self.get
        for table in ("organization", "person", "product", "credit_program", "event", "source"):
            self.assign(table, {row[0]: row[1] for row in ds[table].rows})
        self.assign("person_role", _numbered(ds["person_role"], 1, "person", "role", get))
        self.assign(
            "funding_round", _numbered(ds["funding_round"], 1, "organization", "round", get)
        )
        self.assign(
            "compute_asset", _numbered(ds["compute_asset"], 1, "organization", "compute", get)
        )
        self.assign("claim", _numbered(ds["claim"], 1, "source", "claim", get))
        self.assign(
            "investment",
            {
                row[0]: f"{get('funding_round', row[1])}/{get('organization', row[2])}"
                for row in ds["investment"].rows
            },
        )
        self.assign(
            "consideration_component",
            {
                row[0]: f"{get('investment', row[1])}/{row[2]}"
                for row in ds["consideration_component"].rows
            },
        )
        self.assign(
            "relationship",
            {
                row[0]: f"{row[1]}/{get('organization', row[2])}/{get('organization', row[3])}"
                for row in ds["relationship"].rows
            },
        )


def _numbered(table: TableRows, column: int, parent: str, word: str, get: Any) -> dict[int, str]:
    """``<parent key>/<word>-<n>``: the n-th row of this table under that parent."""
    counts: dict[int, int] = {}
    keys: dict[int, str] = {}
    for row in table.rows:
        n = counts.get(row[column], 0) + 1
        counts[row[column]] = n
        keys[row[0]] = f"{get(parent, row[column])}/{word}-{n}"
    return keys


def _records(ds: Dataset, keys: _Keys, table: TableRows) -> Iterator[tuple[int | None, Record]]:
    """(id or parent id, record) for each row; the id is None for association tables."""
    references = REFERENCES.get(table.name, {})
    keyed = table.name in keys.by_table and "slug" not in table.columns
    embedded = EMBEDDED.get(table.name)
    names = table.columns
    for row in table.rows:
        record: Record = {}
        for column, value in zip(names, row, strict=True):
            if value is None:
                continue
            reference = references.get(column)
            if reference is not None:
                record[reference[0]] = keys.get(reference[1], value)
            elif column not in DROPPED:
                record[column] = _plain(value)
        if table.name == "claim_subject":
            subject = next(c for c, v in zip(names[2:], row[2:], strict=True) if v is not None)
            target = subject.removesuffix("_id")
            record = {"type": target, "key": keys.get(target, row[names.index(subject)])}
        elif keyed:
            record["key"] = keys.get(table.name, row[0])
        owner = row[names.index(embedded[1])] if embedded else (row[0] if "id" in names else None)
        yield owner, record


def iter_lines(ds: Dataset) -> Iterator[str]:
    """The dataset's JSON Lines, in load order, each a canonical JSON object."""
    keys = _Keys(ds)
    keys.build()
    for currency, rate_on, usd_per_unit, source in ds.fx_rates:
        yield canonical(
            {
                "type": "fx_rate",
                "currency": currency,
                "rate_on": rate_on.isoformat(),
                "usd_per_unit": decimal_text(usd_per_unit),
                "source": source,
            }
        )
    for slug, name, kind, unit, description in CREDIT_TYPES:
        yield canonical(
            {
                "type": "credit_type",
                "slug": slug,
                "name": name,
                "consideration_kind": kind,
                "unit": unit,
                "description": description,
            }
        )
    children: dict[str, dict[int, list[Record]]] = {}
    for child, (parent, _, _) in EMBEDDED.items():
        grouped: dict[int, list[Record]] = {}
        for owner, record in _records(ds, keys, ds[child]):
            assert owner is not None
            grouped.setdefault(owner, []).append(record)
        children[parent] = grouped
    fields = {parent: field for parent, _, field in EMBEDDED.values()}
    for name, table in ds.tables.items():
        if name in EMBEDDED:
            continue
        grouped = children.get(name, {})
        for owner, record in _records(ds, keys, table):
            record["type"] = name
            if name in fields:
                record[fields[name]] = grouped.get(owner, []) if owner is not None else []
            yield canonical(record)


def write_jsonl(ds: Dataset, path: Path) -> int:
    """Writes the dataset to ``path``; returns the number of lines."""
    lines = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for line in iter_lines(ds):
            out.write(line)
            out.write("\n")
            lines += 1
    return lines
