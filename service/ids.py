"""Opaque global IDs: base64 of ``TypeName:primary-key``."""

from __future__ import annotations

import base64
import binascii


class GlobalIdError(ValueError):
    """An ID this API did not issue."""


def encode_id(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def decode_id(value: str) -> tuple[str, int]:
    try:
        raw = base64.b64decode(value.encode(), validate=True).decode()
        type_name, _, pk = raw.partition(":")
        number = int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise GlobalIdError(f"{value!r} is not a valid ID") from exc
    if not type_name or number <= 0 or str(number) != pk:
        raise GlobalIdError(f"{value!r} is not a valid ID")
    return type_name, number


def decode_id_of(value: str, expected: str) -> int:
    type_name, pk = decode_id(value)
    if type_name != expected:
        raise GlobalIdError(f"{value!r} is not the ID of a {expected}")
    return pk
