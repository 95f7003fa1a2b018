"""Checks one record of the bulk format and turns it into staging rows.

Everything a single record can get wrong is found here, in Python, with a message that names
the field: unknown fields and types, values outside a vocabulary, unknown currencies, negative
amounts, share ranges, partial dates, formats the table constraints would refuse. What needs
other records (references, duplicate keys) is checked afterwards in SQL over the staging
tables; the database constraints remain the last line of defence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from service.domain import Attribution, DatePrecision
from service.ingest.bulk.format import (
    RECORD_TYPES,
    SUBJECT_TYPES,
    Embedded,
    Field,
    Kind,
    RecordType,
)

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WHITESPACE = re.compile(r"\s")
# Field formats the tables check; the same patterns, so a record the importer accepts is one
# the database accepts.
_FORMATS: dict[str, tuple[re.Pattern[str], str]] = {
    "slug": (_SLUG, "kebab-case (a-z, 0-9, '-')"),
    "country": (re.compile(r"^[A-Z]{2}$"), "an ISO 3166 two-letter code"),
    "market": (re.compile(r"^[A-Z]{2}$"), "an ISO 3166 two-letter code"),
    "script": (re.compile(r"^[A-Z][a-z]{3}$"), "an ISO 15924 code such as Latn"),
}
_NON_NEGATIVE = frozenset({"quantity", "cluster_size", "position"})
_ZERO, _ONE = Decimal(0), Decimal(1)


class Invalid(ValueError):
    """A record cannot be imported; the message says which field and why."""


@dataclass(frozen=True, slots=True)
class Staged:
    """One valid record as staging rows: its own, and its embedded children's by table."""

    row: tuple[Any, ...]
    children: dict[str, list[tuple[Any, ...]]]


def record_label(type_name: str, record: Mapping[str, Any]) -> str:
    """``investment "x/round-1/y"``: how messages name a record, by its natural key."""
    record_type = RECORD_TYPES.get(type_name)
    if record_type is None:
        return type_name
    parts = [record.get(name) for name in record_type.key]
    if all(isinstance(part, str) for part in parts):
        return f'{type_name} "{"/".join(str(part) for part in parts)}"'
    return type_name


def _decimal(field: Field, value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise Invalid(f"{field.name} must be a decimal number written as a string, got {value!r}")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise Invalid(f"{field.name} must be a decimal number, got {value!r}") from None
    if not number.is_finite():
        raise Invalid(f"{field.name} must be a finite number, got {value!r}")
    assert field.precision is not None
    assert field.scale is not None
    exponent = number.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > field.scale:
        raise Invalid(f"{field.name} has more than {field.scale} decimal places: {value!r}")
    if number != 0 and number.adjusted() >= field.precision - field.scale:
        raise Invalid(f"{field.name} is too large: {value!r}")
    return number


def _text(field: Field, value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid(f"{field.name} must be a string, got {value!r}")
    if "\x00" in value:
        raise Invalid(f"{field.name} contains a NUL character")
    if field.max_length is not None and len(value) > field.max_length:
        raise Invalid(f"{field.name} is longer than {field.max_length} characters")
    return value


def _value(field: Field, value: Any, currencies: frozenset[str]) -> Any:
    kind = field.kind
    if kind is Kind.TEXT or kind is Kind.REF:
        text = _text(field, value)
        if kind is Kind.REF and not text:
            raise Invalid(f"{field.name} must name a {field.target}, got an empty string")
        if field.enum is not None and text not in field.enum.__members__:
            allowed = ", ".join(field.enum.__members__)
            raise Invalid(f"{field.name} must be one of {allowed}; got {text!r}")
        if field.currency and text not in currencies:
            raise Invalid(f"{field.name}: unknown currency {text!r} (ISO 4217 codes only)")
        return text
    if kind is Kind.BOOL:
        if not isinstance(value, bool):
            raise Invalid(f"{field.name} must be true or false, got {value!r}")
        return value
    if kind is Kind.DECIMAL:
        return _decimal(field, value)
    if kind is Kind.INT:
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(f"{field.name} must be an integer, got {value!r}")
        limit = 1 << (field.int_bits - 1)
        if not -limit <= value < limit:
            raise Invalid(f"{field.name} is out of range: {value}")
        return value
    if kind is Kind.DATE:
        if isinstance(value, str) and _DATE.match(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise Invalid(f"{field.name} must be a date YYYY-MM-DD, got {value!r}")
    if kind is Kind.DATETIME:
        if isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                moment = None
            if moment is not None and moment.tzinfo is not None:
                return moment
        raise Invalid(f"{field.name} must be an ISO 8601 time with its UTC offset, got {value!r}")
    if kind is Kind.TEXT_ARRAY:
        if not isinstance(value, list):
            raise Invalid(f"{field.name} must be a list of strings, got {value!r}")
        items = [_text(field, item) for item in value]
        if field.enum is not None:
            unknown = [item for item in items if item not in field.enum.__members__]
            if unknown:
                allowed = ", ".join(field.enum.__members__)
                raise Invalid(f"{field.name} must hold only {allowed}; got {unknown[0]!r}")
        return items
    raise AssertionError(kind)


Rule = Callable[[dict[str, Any]], None]


def _fields(
    fields: tuple[Field, ...],
    known: frozenset[str],
    rules: list[Rule],
    record: Mapping[str, Any],
    currencies: frozenset[str],
) -> dict[str, Any]:
    """Every field's checked value (None when left out), then the cross-field rules."""
    if not known.issuperset(record):
        unknown = sorted(str(name) for name in record if name not in known)
        raise Invalid(f"unknown field(s): {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for field in fields:
        raw = record.get(field.name)
        if raw is None:
            if field.required:
                raise Invalid(f"{field.name} is required")
            values[field.name] = None
        else:
            values[field.name] = _value(field, raw, currencies)
    for rule in rules:
        rule(values)
    return values


def _rules(names: frozenset[str]) -> list[Rule]:
    """The tables' CHECK constraints that apply to these fields, spelled for people; compiled
    once per record type, as they run for every record."""
    rules: list[Rule] = []
    for name in sorted(names):
        if name.endswith("_amount") and f"{name[:-7]}_currency" in names:
            rules.append(_money_rule(name[:-7]))
        elif name.endswith("_min") and f"{name[:-4]}_max" in names:
            rules.append(_share_rule(name[:-4]))
        elif name.endswith("_on") and f"{name[:-3]}_precision" in names:
            rules.append(_partial_date_rule(name[:-3]))
        elif name in _FORMATS:
            rules.append(_format_rule(name, *_FORMATS[name]))
        elif name in _NON_NEGATIVE:
            rules.append(_non_negative_rule(name))
        elif name == "key":
            rules.append(_key_rule)
        elif name == "confidence":
            rules.append(_confidence_rule)
        elif name == "usd_per_unit":
            rules.append(_rate_rule)
        elif name == "kinds":
            rules.append(_kinds_rule)
        elif name == "value" and "script" in names:
            rules.append(_name_rule)
    return rules


def _money_rule(prefix: str) -> Rule:
    amount_name, currency_name = f"{prefix}_amount", f"{prefix}_currency"

    def rule(values: dict[str, Any]) -> None:
        amount, currency = values[amount_name], values[currency_name]
        if amount is None:
            if currency is not None:
                raise Invalid(f"{currency_name} is given without {amount_name}")
            return
        if amount < 0:
            raise Invalid(f"{amount_name} must not be negative, got {amount}")
        if currency is None:
            raise Invalid(f"{amount_name} needs {currency_name}")

    return rule


def _share_rule(prefix: str) -> Rule:
    low_name, high_name = f"{prefix}_min", f"{prefix}_max"

    def rule(values: dict[str, Any]) -> None:
        low, high = values[low_name], values[high_name]
        if low is None or high is None:
            if low is not high:
                raise Invalid(f"{low_name} and {high_name} go together")
            return
        if not _ZERO <= low <= high <= _ONE:
            raise Invalid(f"{prefix} must satisfy 0 <= min <= max <= 1; got {low} to {high}")

    return rule


def _partial_date_rule(prefix: str) -> Rule:
    on_name, precision_name = f"{prefix}_on", f"{prefix}_precision"

    def rule(values: dict[str, Any]) -> None:
        on, precision = values[on_name], values[precision_name]
        if on is None or precision is None:
            if on is not precision:
                raise Invalid(f"{on_name} and {precision_name} go together")
            return
        if precision not in DatePrecision.__members__:
            raise Invalid(
                f"{precision_name} must be DAY, MONTH, QUARTER or YEAR; got {precision!r}"
            )
        starts = (
            precision == "DAY"
            or (precision == "MONTH" and on.day == 1)
            or (precision == "QUARTER" and on.day == 1 and on.month in (1, 4, 7, 10))
            or (precision == "YEAR" and on.day == 1 and on.month == 1)
        )
        if not starts:
            raise Invalid(f"{on_name} must be the first day of its {precision.lower()}, got {on}")

    return rule


def _format_rule(name: str, pattern: re.Pattern[str], what: str) -> Rule:
    def rule(values: dict[str, Any]) -> None:
        value = values[name]
        if value is not None and not pattern.match(value):
            raise Invalid(f"{name} must be {what}, got {value!r}")

    return rule


def _non_negative_rule(name: str) -> Rule:
    def rule(values: dict[str, Any]) -> None:
        value = values[name]
        if value is not None and value < 0:
            raise Invalid(f"{name} must not be negative, got {value}")

    return rule


def _key_rule(values: dict[str, Any]) -> None:
    key = values["key"]
    if key is not None and (not key or _WHITESPACE.search(key)):
        raise Invalid(f"key must be non-empty and without spaces, got {key!r}")


def _confidence_rule(values: dict[str, Any]) -> None:
    confidence = values["confidence"]
    if confidence is not None and not _ZERO <= confidence <= _ONE:
        raise Invalid(f"confidence must be between 0 and 1, got {confidence}")


def _rate_rule(values: dict[str, Any]) -> None:
    if values["usd_per_unit"] <= 0:
        raise Invalid(f"usd_per_unit must be positive, got {values['usd_per_unit']}")


def _kinds_rule(values: dict[str, Any]) -> None:
    if not values["kinds"]:
        raise Invalid("kinds must name at least one kind")


def _name_rule(values: dict[str, Any]) -> None:
    if not values["value"].strip():
        raise Invalid("value must not be blank")


def _record_rules(type_name: str, values: dict[str, Any]) -> None:
    """Rules across fields of one record that are specific to its type."""
    if type_name == "organization" and values["parent"] == values["slug"]:
        raise Invalid("an organization cannot be its own parent")
    if type_name == "relationship" and values["source"] == values["target"]:
        raise Invalid("source and target must be different organizations")
    if type_name == "product_alternative" and values["product"] == values["alternative_to"]:
        raise Invalid("a product cannot be an alternative to itself")
    named = values.get("attribution") == Attribution.NAMED_PERSON
    if type_name == "claim" and named and values["person"] is None:
        raise Invalid("a NAMED_PERSON claim must name its person")
    if type_name == "investment" and (values["investor"] is None) == (
        values["investor_person"] is None
    ):
        raise Invalid(
            "an investment names exactly one investor: investor (an organization) or "
            "investor_person (a person investing as an angel)"
        )
    if type_name == "person_role":
        started, ended = values["started_on"], values["ended_on"]
        if started is not None and ended is not None and ended < started:
            raise Invalid("ended_on is before started_on")


def _consideration_rules(investment: dict[str, Any], components: list[dict[str, Any]]) -> None:
    """An investment's components must be able to make a whole and stay within its amount."""
    positions = [component["position"] for component in components]
    if len(set(positions)) != len(positions):
        raise Invalid("consideration: two components have the same position")
    shares = [(c["share_min"], c["share_max"]) for c in components]
    if shares and all(low is not None for low, _ in shares):
        low = sum((low for low, _ in shares), _ZERO)
        high = sum((high for _, high in shares), _ZERO)
        if not low <= _ONE <= high:
            raise Invalid(
                "consideration shares cannot make a whole: "
                f"sum of minimums {low}, sum of maximums {high}"
            )
    committed, currency = investment["committed_amount"], investment["committed_currency"]
    if committed is not None:
        known = sum(
            (c["value_amount"] for c in components if c["value_currency"] == currency),
            _ZERO,
        )
        if known > committed:
            raise Invalid(
                f"consideration: component amounts ({known} {currency}) exceed the "
                f"investment's committed amount ({committed} {currency})"
            )


def _children(embedded: Embedded, raw: Any, currencies: frozenset[str]) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        raise Invalid(f"{embedded.field} must be a list")
    children: list[dict[str, Any]] = []
    seen: set[tuple[Any, ...]] = set()
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise Invalid(f"{embedded.field}[{index}] must be an object")
        try:
            known, rules = _CHILD_RULES[embedded.table]
            values = _fields(embedded.fields, known, rules, item, currencies)
            if embedded.table == "claim_subject" and values["type"] not in SUBJECT_TYPES:
                allowed = ", ".join(SUBJECT_TYPES)
                raise Invalid(f"type must be one of {allowed}; got {values['type']!r}")
        except Invalid as exc:
            raise Invalid(f"{embedded.field}[{index}]: {exc}") from None
        identity = tuple(values[name] for name in embedded.identity)
        if identity in seen:
            raise Invalid(
                f"{embedded.field}[{index}]: listed twice ({', '.join(map(str, identity))})"
            )
        seen.add(identity)
        children.append(values)
    return children


Validator = Callable[[Mapping[str, Any], frozenset[str]], Staged]


def validator(record_type: RecordType) -> Validator:
    """Record → staging rows, or ``Invalid``: the record's ``(values…, lists given…)`` and
    each child's ``(parent key, place in the list, values…)``, in the field order of
    ``format``; the importer puts the line number first."""
    names = [field.name for field in record_type.fields]
    known = frozenset({"type", *names, *(e.field for e in record_type.embedded)})
    rules = _rules(frozenset(names))

    def validate(record: Mapping[str, Any], currencies: frozenset[str]) -> Staged:
        values = _fields(record_type.fields, known, rules, record, currencies)
        _record_rules(record_type.name, values)
        children: dict[str, list[tuple[Any, ...]]] = {}
        given: list[bool] = []
        parent_key = values[record_type.key[0]]
        for embedded in record_type.embedded:
            raw = record.get(embedded.field)
            given.append(raw is not None)
            if raw is None:
                continue
            rows = _children(embedded, raw, currencies)
            if embedded.table == "consideration_component":
                _consideration_rules(values, rows)
            children[embedded.table] = [
                (parent_key, ordinal, *(child[field.name] for field in embedded.fields))
                for ordinal, child in enumerate(rows)
            ]
        return Staged((*(values[name] for name in names), *given), children)

    return validate


_CHILD_RULES: dict[str, tuple[frozenset[str], list[Rule]]] = {
    embedded.table: (
        frozenset(f.name for f in embedded.fields),
        _rules(frozenset(f.name for f in embedded.fields)),
    )
    for record_type in RECORD_TYPES.values()
    for embedded in record_type.embedded
}
VALIDATORS: dict[str, Validator] = {name: validator(rt) for name, rt in RECORD_TYPES.items()}
