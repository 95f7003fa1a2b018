"""Feed cursors: an opaque position ``(txid, id)`` in the feed's order."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

_PREFIX = "changes:"


class CursorError(ValueError):
    """A cursor this feed did not hand out."""


@dataclass(frozen=True, order=True)
class Position:
    """The writing transaction and the audit row's id; the feed's start is (0, 0)."""

    txid: int
    id: int


START = Position(0, 0)


def encode_cursor(position: Position) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{position.txid}:{position.id}".encode()).decode()


def decode_cursor(value: str) -> Position:
    try:
        raw = base64.urlsafe_b64decode(value.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise CursorError(f"{value!r} is not a change-feed cursor") from exc
    txid, _, row = raw.removeprefix(_PREFIX).partition(":")
    if not raw.startswith(_PREFIX) or not txid.isdigit() or not row.isdigit():
        raise CursorError(f"{value!r} is not a change-feed cursor")
    position = Position(int(txid), int(row))
    if encode_cursor(position) != value:
        raise CursorError(f"{value!r} is not a change-feed cursor")
    return position
