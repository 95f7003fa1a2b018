"""The request body: read up to a limit while it streams in, then decoded as strict JSON.

Nothing here trusts the client: a body over the limit is refused as soon as the limit is
crossed (or at once, from its Content-Length); bytes that are not UTF-8, JSON nested past the
limit (checked before the parser recurses into it), numbers that are not finite or too long,
and strings holding unpaired surrogates (which no database or encoder accepts later) are all
refused here as the client's mistake.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import AsyncIterator
from itertools import accumulate
from typing import Any

from service.gateway.errors import PAYLOAD_TOO_LARGE, Refusal, bad_request


async def read_limited(
    chunks: AsyncIterator[bytes], *, limit: int, declared_length: str | None
) -> bytes:
    """The whole body, or a 413 as soon as it is known to be over ``limit`` bytes."""
    if declared_length is not None:
        try:
            declared = int(declared_length)
        except ValueError:
            raise bad_request("The Content-Length header is not a number.") from None
        if declared > limit:
            raise _too_large(limit)
    received: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        received.append(chunk)
    return b"".join(received)


def _too_large(limit: int) -> Refusal:
    return bad_request(
        f"The request body is over the limit of {limit} bytes.",
        status=413,
        code=PAYLOAD_TOO_LARGE,
    )


# A JSON string token, escapes included (the unrolled form matches in linear time).
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = [0] * 256
for _byte in b"[{":
    _STEP[_byte] = 1
for _byte in b"]}":
    _STEP[_byte] = -1
# A \u escape of a UTF-16 surrogate: the only way a JSON text can carry one.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def nesting_depth(raw: bytes, limit: int) -> int:
    """How deeply the JSON text nests arrays and objects (exact once above ``limit``; a
    cheap bound below it), without the recursion of a parser."""
    opened = raw.count(b"[") + raw.count(b"{")
    if opened <= limit:
        return opened
    brackets = _STRING.sub(b'""', raw).translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is out of range")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def decode_json(raw: bytes, *, max_depth: int) -> Any:
    """The JSON value of a request body, or a 400 saying what is wrong with it."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise bad_request(f"The request body is not UTF-8 (byte {exc.start}).") from None
    depth = nesting_depth(raw, max_depth)
    if depth > max_depth:
        raise bad_request(
            f"The JSON body nests {depth} levels deep, over the limit of {max_depth}."
        )
    try:
        value = json.loads(text, parse_float=_finite, parse_constant=_no_constant)
    except RecursionError:
        raise bad_request("The JSON body nests too deeply.") from None
    except ValueError as exc:  # JSONDecodeError is a ValueError, as are overlong integers
        raise bad_request(f"The request body is not valid JSON: {exc}.") from None
    if _SURROGATE_ESCAPE.search(raw) is not None:
        check_text(value)
    return value


def check_text(value: Any) -> None:
    """Refuses strings (keys included) that hold an unpaired UTF-16 surrogate."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            _encodable(item)
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            for key, child in item.items():
                _encodable(key)
                stack.append(child)


def _encodable(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise bad_request(
            "A string in the request holds an unpaired UTF-16 surrogate (a lone \\ud800-"
            "\\udfff escape); send each character as a valid pair or as UTF-8."
        ) from None
