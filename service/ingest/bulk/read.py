"""Readers of the bulk format: JSON Lines and CSV, streamed chunk by chunk, turned into
numbered records (or numbered reasons why a line is not one).

Both readers are asynchronous over byte chunks, so the command line (a file) and the HTTP
endpoint (a request body) share them, and neither holds the whole input in memory.
"""

from __future__ import annotations

import csv
import json
import re
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


# A \u escape of a UTF-16 surrogate: the only way a JSON line can carry an unpaired one, which
# PostgreSQL (and any UTF-8 encoder) refuses.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _encodable(value: Any) -> bool:
    try:
        json.dumps(value, ensure_ascii=False, default=str).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


async def read_jsonl(chunks: AsyncIterable[bytes]) -> AsyncIterator[Item]:
    """Records of a JSON Lines file. A header line, when present, must come first and name
    this format; a file with a header must end with its end record, whose count must match,
    so a file cut off anywhere is refused."""
    header = False
    ended_at: int | None = None
    records = 0
    last = 0
    async for number, raw, terminated in _lines(chunks):
        last = number
        if not raw.strip():
            continue
        if ended_at is not None:
            yield number, LineError(f"a record after the end record of line {ended_at}")
            continue
        try:
            value = json.loads(raw, parse_float=Decimal)
        except UnicodeDecodeError:
            records += 1  # a line meant as a record all the same, for the end record's count
            yield number, LineError("not UTF-8 text")
            continue
        except ValueError as exc:
            records += 1
            if not terminated:
                yield number, LineError("the file ends in the middle of this record (cut off?)")
            else:
                yield number, LineError(f"malformed JSON: {exc}")
            continue
        if not isinstance(value, dict):
            records += 1
            yield number, LineError(f"expected a JSON object, got {type(value).__name__}")
            continue
        if _SURROGATE_ESCAPE.search(raw) and not _encodable(value):
            records += 1
            yield (
                number,
                LineError(
                    "a string holds an unpaired UTF-16 surrogate (a lone \\ud800-\\udfff escape)"
                ),
            )
            continue
        kind = value.get("type")
        if kind == HEADER_TYPE:
            if number != 1 or records:
                yield number, LineError("the header record must be the first line")
            elif value.get("format") != FORMAT_NAME or value.get("version") != FORMAT_VERSION:
                yield (
                    number,
                    LineError(
                        f'expected format "{FORMAT_NAME}" version {FORMAT_VERSION}, got '
                        f"{value.get('format')!r} version {value.get('version')!r}"
                    ),
                )
            header = True
            continue
        if kind == END_TYPE:
            ended_at = number
            if value.get("records") != records:
                yield (
                    number,
                    LineError(
                        f"the end record counts {value.get('records')!r} records, the file "
                        f"holds {records} (lines lost or added?)"
                    ),
                )
            continue
        records += 1
        yield number, value
    if header and ended_at is None:
        yield (
            last + 1,
            LineError(f"the file ends after line {last} without its end record (cut off?)"),
        )


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
