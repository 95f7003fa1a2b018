"""SQL expressions for the values the API shows, formatted exactly as the resolvers format them.

Each mirrors one Python formatter: ``global_id`` mirrors ``service.ids.encode_id``,
``decimal_text`` mirrors ``service.values.format_decimal``, ``usd_text`` mirrors
``service.values.to_usd`` followed by ``format_decimal``, and ``cursor`` mirrors
``service.repository.paging.encode_cursor``. Repositories that want PostgreSQL to format a value
can select these same expressions, so that both read paths agree by construction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Numeric, Text, case, cast, func, literal_column, null
from sqlalchemy.dialects.postgresql import JSON

from service.repository.paging import KeyKind


def text_literal(value: str) -> ColumnElement[str]:
    """A constant string rendered into the SQL text (names and keys chosen by the schema, never
    by a request: request values are always bind parameters)."""
    return literal_column("'" + value.replace("'", "''") + "'", Text)


def json_object(pairs: Sequence[tuple[str, ColumnElement[Any]]]) -> ColumnElement[Any]:
    """``json_build_object`` keeps keys in the order given (``jsonb`` would sort them)."""
    args: list[ColumnElement[Any]] = []
    for key, value in pairs:
        args.extend((text_literal(key), value))
    return func.json_build_object(*args, type_=JSON)


EMPTY_ARRAY: ColumnElement[Any] = literal_column("'[]'::json", JSON)


def global_id(type_name: str, pk: ColumnElement[Any]) -> ColumnElement[str]:
    """Standard base64 of ``Type:pk``. PostgreSQL wraps base64 at 76 characters; the longest
    type name plus a bigint is 42 bytes, 56 characters, so an ID never wraps."""
    raw = func.convert_to(
        text_literal(type_name + ":").op("||")(cast(pk, Text)), text_literal("UTF8")
    )
    return func.encode(raw, text_literal("base64"), type_=Text)


def date_value(value: ColumnElement[Any]) -> ColumnElement[Any]:
    """A date as asyncpg hands it to the resolvers: ±infinity become date.max and date.min."""
    return case(
        (func.isfinite(value), value),
        (value > literal_column("'epoch'::date"), literal_column("'9999-12-31'::date")),
        (value < literal_column("'epoch'::date"), literal_column("'0001-01-01'::date")),
        else_=null(),
    )


def decimal_text(value: ColumnElement[Any]) -> ColumnElement[str]:
    """Plain notation without trailing zeros; NULL stays NULL."""
    return cast(func.trim_scale(value, type_=Numeric), Text)


def usd_text(amount: ColumnElement[Any], usd_per_unit: ColumnElement[Any]) -> ColumnElement[str]:
    """To the cent, half away from zero (PostgreSQL's numeric round, Python's ROUND_HALF_UP)."""
    return decimal_text(func.round(amount * usd_per_unit, 2, type_=Numeric))


def timestamp_text(value: ColumnElement[Any]) -> ColumnElement[str]:
    """``datetime.isoformat()`` of a UTC timestamp: microseconds only when there are some."""
    utc = func.timezone(text_literal("UTC"), value)
    micros = func.to_char(utc, text_literal("US"), type_=Text)
    fraction = case(
        (micros == text_literal("000000"), text_literal("")),
        else_=text_literal(".").op("||")(micros),
    )
    seconds = func.to_char(utc, text_literal('YYYY-MM-DD"T"HH24:MI:SS'), type_=Text)
    return seconds.op("||")(fraction).op("||")(text_literal("+00:00"))


def _cursor_value(expr: ColumnElement[Any], kind: KeyKind) -> ColumnElement[str]:
    # Python's json.dumps and PostgreSQL's to_json escape strings alike (the same short escapes,
    # \u00XX in lower case for other control characters, non-ASCII left as UTF-8); dates and
    # timestamps are written as Python writes them. Decimals travel as strings
    # of their stored scale, which is what str(Decimal) prints for numeric values read by asyncpg.
    if kind == "decimal":
        expr = cast(expr, Text)
    elif kind == "date":
        expr = date_value(expr)
    elif kind == "datetime":
        expr = timestamp_text(expr)
    return cast(func.to_json(expr, type_=JSON), Text)


def cursor(
    signature: str, keys: Sequence[tuple[ColumnElement[Any], KeyKind]]
) -> ColumnElement[str]:
    """urlsafe base64 without padding of ``[signature, *values]`` as compact JSON."""
    text: ColumnElement[str] = text_literal("[" + json.dumps(signature))
    for expr, kind in keys:
        text = text.op("||")(text_literal(",")).op("||")(_cursor_value(expr, kind))
    text = text.op("||")(text_literal("]"))
    b64 = func.encode(
        func.convert_to(text, text_literal("UTF8")), text_literal("base64"), type_=Text
    )
    # Long cursors do wrap at 76 characters: translate drops the newlines with '+' and '/'.
    urlsafe = func.translate(b64, literal_column("E'+/\\n'", Text), text_literal("-_"), type_=Text)
    return func.rtrim(urlsafe, text_literal("="), type_=Text)
