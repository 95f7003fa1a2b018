"""Records into staging rows, without the database: the part of an import that is pure Python,
so that it can run in another process while PostgreSQL takes the COPY.

``Stager`` checks each record (``bulk.validate``) and files its rows by staging table, with the
errors and the keys of refused records. ``stage_block`` does the same for a block of whole
JSON Lines and hands back each staging table's rows as the text form of ``COPY`` (one
``bytes`` per table), so that the process running the import only forwards bytes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from service.ingest.bulk.format import END_TYPE, RECORD_TYPES, TYPE_ORDER
from service.ingest.bulk.read import LineError, Marker, after_end, parse_line
from service.ingest.bulk.stages import STAGES
from service.ingest.bulk.validate import VALIDATORS, Invalid, record_label


@dataclass(slots=True)
class Stager:
    """Staging rows of checked records, by staging table, until taken."""

    currencies: frozenset[str]
    rows: dict[str, list[tuple[Any, ...]]] = field(
        default_factory=lambda: {name: [] for name in STAGES}
    )
    errors: list[tuple[int | None, str]] = field(default_factory=list)
    # Records refused on their own, by type and key: references to them are not reported again.
    rejected: list[tuple[str, str]] = field(default_factory=list)
    records: int = 0
    # Lines that are no record at all.
    unreadable: int = 0

    def item(self, line: int, item: dict[str, Any] | LineError) -> None:
        if isinstance(item, LineError):
            self.unreadable += 1
            self.errors.append((line, item.message))
        else:
            self.add(line, item)

    def add(self, line: int, record: Mapping[str, Any]) -> None:
        self.records += 1
        type_name = record.get("type")
        if not isinstance(type_name, str) or type_name not in VALIDATORS:
            known = ", ".join(TYPE_ORDER)
            self.errors.append((line, f"unknown record type {type_name!r} (one of {known})"))
            return
        try:
            staged = VALIDATORS[type_name](record, self.currencies)
        except Invalid as exc:
            self.errors.append((line, f"{record_label(type_name, record)}: {exc}"))
            key = record.get(RECORD_TYPES[type_name].key[0])
            if isinstance(key, str):
                # Its references are still checked, but not reported as missing: one bad
                # organization should not bury the file under a thousand echoes.
                self.rejected.append((type_name, key))
            return
        self.rows[type_name].append((line, *staged.row))
        for child, rows in staged.children.items():
            target = self.rows[child]
            for row in rows:
                target.append((line, *row))

    def pending(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


# --- COPY text ----------------------------------------------------------------------------

_SPECIAL = re.compile(r"[\\\t\n\r]")
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value: str) -> str:
    return value.translate(_ESCAPES) if _SPECIAL.search(value) else value


def _array_item(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _array(value: list[Any]) -> str:
    return _text("{" + ",".join(_array_item(str(item)) for item in value) + "}")


# The database's infinities are the calendar's ends, as asyncpg reads and writes them (the
# binary COPY of records already read): the same file must mean the same rows either way.
_INFINITE: dict[date, str] = {
    date.min: "-infinity",
    date.max: "infinity",
    datetime.min: "-infinity",
    datetime.max: "infinity",
}


def _date(value: date) -> str:
    return _INFINITE.get(value) or value.isoformat()


_ENCODERS: dict[type, Any] = {
    str: _text,
    bool: lambda value: "t" if value else "f",
    int: str,
    Decimal: str,
    date: _date,
    datetime: _date,
    list: _array,
}


def copy_text(rows: list[tuple[Any, ...]]) -> bytes:
    """Rows in the text format of ``COPY … FROM STDIN``: tab-separated, ``\\N`` for NULL."""
    encoders = _ENCODERS
    lines = [
        "\t".join("\\N" if value is None else encoders[type(value)](value) for value in row)
        for row in rows
    ]
    lines.append("")
    return "\n".join(lines).encode("utf-8")


# --- blocks of JSON Lines -----------------------------------------------------------------


@dataclass(slots=True)
class Block:
    """A block of whole lines, staged: what the importer needs to COPY it and to keep the
    file's frame (``read.JsonlOrder``) across blocks."""

    first: int
    last: int
    copy: dict[str, bytes]
    counts: dict[str, int]
    errors: list[tuple[int | None, str]]
    rejected: list[tuple[str, str]]
    # Header and end records, with the number of records before them in this block.
    markers: list[tuple[int, Marker, int]]
    # Lines meant as records, readable or not (what the end record counts).
    framed: int
    # Records read, and lines that are none.
    records: int
    unreadable: int
    # Every non-blank line: a block that follows the end record is refused line by line.
    lines: list[int]


def stage_block(data: bytes, first: int, final: bool, currencies: frozenset[str]) -> Block:
    """Stages the lines of ``data``, the first numbered ``first``; ``final`` when the file
    ends with it (its last line may then lack a newline). Runs in a worker process."""
    stager = Stager(currencies)
    parts = data.split(b"\n")
    tail = parts.pop()
    terminated = len(parts)
    if tail:
        if not final:
            raise ValueError("a block must end at a line boundary")
        parts.append(tail)
    markers: list[tuple[int, Marker, int]] = []
    lines: list[int] = []
    framed = 0
    ended_at: int | None = None
    number = first - 1
    for index, raw in enumerate(parts):
        number = first + index
        parsed = parse_line(raw, index < terminated)
        if parsed is None:
            continue
        lines.append(number)
        if ended_at is not None:
            stager.unreadable += 1
            stager.errors.append((number, after_end(ended_at).message))
        elif isinstance(parsed, Marker):
            markers.append((number, parsed, framed))
            if parsed.kind == END_TYPE:
                ended_at = number
        else:
            framed += 1
            stager.item(number, parsed)
    return Block(
        first=first,
        last=number,
        copy={name: copy_text(rows) for name, rows in stager.rows.items() if rows},
        counts={name: len(rows) for name, rows in stager.rows.items() if rows},
        errors=stager.errors,
        rejected=stager.rejected,
        markers=markers,
        framed=framed,
        records=stager.records,
        unreadable=stager.unreadable,
        lines=lines,
    )
