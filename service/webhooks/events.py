"""What a delivery says: the change as the feed shows it, or a bulk import's range of changes.

A change's ``data`` has the fields of the feed's ``Change`` (docs/changes.md), named and valued
as the feed's JSON names them; its ``type`` is ``<entityType>.<operation>``. A bulk import is one
``import.committed`` event citing its first and last changes' cursors (read them with
``changes(after: data.after)``) and how many changes of each type it made.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from service.changes.cursor import Position, encode_cursor
from service.ids import encode_id
from service.repository.changes import ChangeRow
from service.repository.registry import NODE_TYPES
from service.webhooks.store import TYPE_OF_TABLE

IMPORT_COMMITTED = "import.committed"


def _timestamp(value: dt.datetime) -> str:
    # As the GraphQL DateTime scalar writes it, so that `data` equals the feed's JSON.
    return value.astimezone(dt.UTC).isoformat()


def change_data(row: ChangeRow) -> dict[str, Any]:
    type_name = TYPE_OF_TABLE.get(row.table, row.table)
    made_by = (
        {"id": row.key_id, "prefix": row.key_prefix, "name": row.key_name}
        if row.key_id is not None
        else None
    )
    return {
        "cursor": encode_cursor(row.position),
        "entityType": type_name,
        "id": (
            encode_id(type_name, row.row_id)
            if type_name in NODE_TYPES and row.row_id is not None
            else None
        ),
        "key": row.row_key,
        "operation": row.operation.value,
        "version": row.version,
        "recordedAt": _timestamp(row.at),
        "mergedInto": (
            encode_id("Organization", row.merged_into) if row.merged_into is not None else None
        ),
        "madeBy": made_by,
        "importId": row.import_id,
    }


def change_event(row: ChangeRow) -> dict[str, Any]:
    data = change_data(row)
    return {
        "type": f"{data['entityType']}.{data['operation']}",
        "timestamp": data["recordedAt"],
        "data": data,
    }


@dataclass(frozen=True)
class ImportRange:
    import_id: int
    txid: int
    first_id: int
    last_id: int
    at: dt.datetime
    counts: dict[str, int]


def import_event(batch: ImportRange) -> dict[str, Any]:
    counts = {TYPE_OF_TABLE.get(t, t): n for t, n in sorted(batch.counts.items())}
    return {
        "type": IMPORT_COMMITTED,
        "timestamp": _timestamp(batch.at),
        "data": {
            "importId": batch.import_id,
            # The position just before the first change: `changes(after:)` starts at it.
            "after": encode_cursor(Position(batch.txid, batch.first_id - 1)),
            "firstCursor": encode_cursor(Position(batch.txid, batch.first_id)),
            "lastCursor": encode_cursor(Position(batch.txid, batch.last_id)),
            "changes": sum(counts.values()),
            "counts": counts,
            "recordedAt": _timestamp(batch.at),
        },
    }
