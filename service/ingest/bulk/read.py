"""Readers of the bulk format: JSON Lines and CSV, streamed chunk by chunk, turned into
numbered records (or numbered reasons why a line is not one).

Both readers are asynchronous over byte chunks, so the command line (a file) and the HTTP
endpoint (a request body) share them, and neither holds the whole input in memory.
"""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from service.ingest.bulk.format import (
    END_TYPE,
    FORMAT_NAME,
    FORMAT_VERSION,
    HEADER_TYPE,
    RECORD_TYPES,
    Kind,
)


@dataclass(frozen=True, slots=True)
class LineError:
    """A line that is not a record, with the reason."""

    message: str


Item = tuple[int, dict[str, Any] | LineError]

# The record types a CSV file can hold, recognised by a column only they have.
CSV_TYPES: dict[str, str] = {"round_type": "funding_round", "investor": "investment"}


async def _lines(chunks: AsyncIterable[bytes]) -> AsyncIterator[tuple[int, bytes, bool]]:
    """(line number, line without its newline, whether a newline ended it)."""
    number = 0
    rest = b""
    async for chunk in chunks:
        if not chunk:
            continue
        parts = (rest + chunk).split(b"\n")
        rest = parts.pop()
        for part in parts:
            number += 1
            yield number, part, True
    if rest:
        yield number + 1, rest, False


@dataclass(frozen=True, slots=True)
class Marker:
    """A header or end record: it frames the records instead of being one."""

    kind: str
    value: dict[str, Any]


# What one non-blank line of a JSON Lines file is, on its own.
Parsed = dict[str, Any] | LineError | Marker


def parse_line(raw: bytes, terminated: bool) -> Parsed | None:
    """One line on its own (None for a blank one): what it means in the file's order is
    ``JsonlOrder``'s to say."""
    if not raw.strip():
        return None
    try:
        value = json.loads(raw, parse_float=Decimal)
    except UnicodeDecodeError:
        return LineError("not UTF-8 text")
    except ValueError as exc:
        if not terminated:
            return LineError("the file ends in the middle of this record (cut off?)")
        return LineError(f"malformed JSON: {exc}")
    if not isinstance(value, dict):
        return LineError(f"expected a JSON object, got {type(value).__name__}")
    kind = value.get("type")
    if kind in (HEADER_TYPE, END_TYPE):
        return Marker(kind, value)
    return value


def after_end(ended_at: int) -> LineError:
    return LineError(f"a record after the end record of line {ended_at}")


class JsonlOrder:
    """The file's frame: a header line, when present, must come first and name this format; a
    file with a header must end with its end record, whose count must match, so a file cut off
    anywhere is refused. ``records`` counts the lines meant as records, readable or not."""

    def __init__(self) -> None:
        self.header = False
        self.ended_at: int | None = None
        self.records = 0

    def place(self, number: int, parsed: Parsed) -> Item | None:
        """The item a non-blank line gives in its place, or None for a frame line in order."""
        if self.ended_at is not None:
            return number, after_end(self.ended_at)
        if isinstance(parsed, Marker):
            error = self.marker(number, parsed)
            return None if error is None else (number, error)
        self.records += 1
        return number, parsed

    def marker(self, number: int, marker: Marker) -> LineError | None:
        value = marker.value
        if marker.kind == HEADER_TYPE:
            self.header = True
            if number != 1 or self.records:
                return LineError("the header record must be the first line")
            if value.get("format") != FORMAT_NAME or value.get("version") != FORMAT_VERSION:
                return LineError(
                    f'expected format "{FORMAT_NAME}" version {FORMAT_VERSION}, got '
                    f"{value.get('format')!r} version {value.get('version')!r}"
                )
            return None
        self.ended_at = number
        if value.get("records") != self.records:
            return LineError(
                f"the end record counts {value.get('records')!r} records, the file "
                f"holds {self.records} (lines lost or added?)"
            )
        return None

    def finish(self, last: int) -> Item | None:
        """After the last line (numbered ``last``): a file with a header needs its end."""
        if self.header and self.ended_at is None:
            return (
                last + 1,
                LineError(f"the file ends after line {last} without its end record (cut off?)"),
            )
        return None


async def read_jsonl(chunks: AsyncIterable[bytes]) -> AsyncIterator[Item]:
    """Records of a JSON Lines file, in the frame ``JsonlOrder`` checks."""
    order = JsonlOrder()
    last = 0
    async for number, raw, terminated in _lines(chunks):
        last = number
        parsed = parse_line(raw, terminated)
        if parsed is None:
            continue
        item = order.place(number, parsed)
        if item is not None:
            yield item
    end = order.finish(last)
    if end is not None:
        yield end


def _csv_value(kind: Kind, text: str) -> Any:
    if kind is Kind.BOOL:
        lowered = text.strip().lower()
        return {"true": True, "false": False, "1": True, "0": False}.get(lowered, text)
    if kind is Kind.INT:
        try:
            return int(text)
        except ValueError:
            return text
    if kind is Kind.TEXT_ARRAY:
        return [item.strip() for item in text.split(";") if item.strip()]
    return text


async def read_csv(chunks: AsyncIterable[bytes]) -> AsyncIterator[Item]:
    """Records of a CSV file of rounds or investments: a header row of field names, then one
    record per row; an empty cell is a field left out. A row may span lines inside quotes; it
    is numbered by the line it starts on."""
    columns: list[str] | None = None
    kinds: dict[str, Kind] = {}
    record_type = ""
    pending = ""
    start = 0
    async for number, raw, _ in _lines(chunks):
        try:
            text = raw.decode("utf-8").removesuffix("\r")
        except UnicodeDecodeError:
            yield number, LineError("not UTF-8 text")
            continue
        if not pending:
            start = number
            if not text.strip():
                continue
        pending = f"{pending}\n{text}" if pending else text
        if pending.count('"') % 2:
            continue  # inside a quoted cell: the row goes on on the next line
        row, pending = next(csv.reader([pending])), ""
        if columns is None:
            columns = [name.strip().lstrip("\ufeff") for name in row]
            record_type = next((CSV_TYPES[c] for c in columns if c in CSV_TYPES), "")
            if not record_type:
                yield start, LineError("a CSV header must hold round_type (rounds) or investor")
                return
            fields = {field.name: field.kind for field in RECORD_TYPES[record_type].fields}
            unknown = [name for name in columns if name not in fields]
            if unknown:
                yield start, LineError(f"unknown {record_type} column(s): {', '.join(unknown)}")
                return
            kinds = {name: fields[name] for name in columns}
            continue
        if len(row) != len(columns):
            yield start, LineError(f"{len(row)} cells, the header has {len(columns)}")
            continue
        record: dict[str, Any] = {"type": record_type}
        for name, cell in zip(columns, row, strict=True):
            if cell != "":
                record[name] = _csv_value(kinds[name], cell)
        yield start, record
    if pending:
        yield start, LineError("the file ends inside a quoted cell (cut off?)")
