"""The bulk format: JSON Lines written by ``stakegraph export`` and the generator, read by
``stakegraph import``. The one definition of which records exist, which fields they carry and
how they refer to each other; every writer and reader derives its work from it.

A record type is a table. Its fields are the table's columns from ``service.db.tables``, minus
what only the database knows (ids, timestamps, computed columns); a foreign key ``x_id`` to a
table with a natural key becomes field ``x`` holding that key (a slug, or the ``key`` column of
tables without a slug). Short closed lists are embedded in their owner: an organization's
``names``, an investment's ``consideration``, an event's ``participants`` and ``people``, a
claim's ``subjects``. See the README section "Bulk import and export" for the whole format.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects import postgresql

from service.db import tables
from service.domain import (
    AcquisitionStatus,
    Attribution,
    ConsiderationKind,
    CreditUnit,
    DealRole,
    EventKind,
    ExitKind,
    ListingStatus,
    NameKind,
    OrganizationKind,
    PaymentKind,
    RelationshipKind,
    RoleKind,
    RoundStatus,
    RoundType,
    SourceKind,
    Stance,
    ValuationBasis,
)
from service.values import format_decimal

FORMAT_NAME = "stakegraph"
FORMAT_VERSION = 1
HEADER_TYPE = "header"
END_TYPE = "end"

Record = dict[str, Any]

# Record types in load order: a type only refers to types before it (and organizations to
# their parents, which export writes first).
TYPE_ORDER: tuple[str, ...] = (
    "fx_rate",
    "credit_type",
    "organization",
    "person",
    "person_role",
    "product",
    "product_alternative",
    "credit_program",
    "funding_round",
    "investment",
    "relationship",
    "compute_asset",
    "event",
    "source",
    "acquisition",
    "listing",
    "valuation",
    "fund",
    "fund_commitment",
    "fund_investment",
    "exit",
    "investment_person",
    "claim",
)

# The single-column natural key of each table that others refer to.
KEY_COLUMN: dict[str, str] = {
    "credit_type": "slug",
    "organization": "slug",
    "person": "slug",
    "product": "slug",
    "credit_program": "slug",
    "event": "slug",
    "source": "slug",
    "person_role": "key",
    "funding_round": "key",
    "investment": "key",
    "consideration_component": "key",
    "relationship": "key",
    "compute_asset": "key",
    "claim": "key",
    "acquisition": "key",
    "acquisition_component": "key",
    "listing": "key",
    "valuation": "key",
    "fund": "slug",
    "fund_commitment": "key",
    "exit": "key",
    "investment_person": "key",
}

# Natural keys of the tables nobody refers to, as field names.
_COMPOSITE_KEYS: dict[str, tuple[str, ...]] = {
    "fx_rate": ("currency", "rate_on"),
    "product_alternative": ("product", "alternative_to"),
    "fund_investment": ("investment",),
}

# What only the database knows; never in a record: ids, and the bookkeeping of when and by
# whom a row was written and how often (a record's history is the database's, not the file's).
SYSTEM_COLUMNS = frozenset(
    {"id", "created_at", "updated_at", "version", "recorded_at", "recorded_by"}
)

# Columns holding a value of a closed vocabulary (arrays: each element).
ENUMS: dict[tuple[str, str], type[StrEnum]] = {
    ("organization", "kinds"): OrganizationKind,
    ("organization_name", "kind"): NameKind,
    ("person_role", "kind"): RoleKind,
    ("funding_round", "round_type"): RoundType,
    ("funding_round", "status"): RoundStatus,
    ("credit_type", "consideration_kind"): ConsiderationKind,
    ("credit_type", "unit"): CreditUnit,
    ("consideration_component", "kind"): ConsiderationKind,
    ("relationship", "kind"): RelationshipKind,
    ("event", "kind"): EventKind,
    ("source", "kind"): SourceKind,
    ("claim", "attribution"): Attribution,
    ("claim", "stance"): Stance,
    ("acquisition", "status"): AcquisitionStatus,
    ("acquisition_component", "kind"): PaymentKind,
    ("listing", "status"): ListingStatus,
    ("valuation", "basis"): ValuationBasis,
    ("exit", "kind"): ExitKind,
    ("investment_person", "role"): DealRole,
}


class Kind(StrEnum):
    """How a field's value is written in a record."""

    TEXT = "text"
    TEXT_ARRAY = "text_array"
    BOOL = "bool"
    INT = "int"
    DECIMAL = "decimal"
    DATE = "date"
    DATETIME = "datetime"
    REF = "ref"


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a record and the column it fills."""

    name: str
    column: str
    kind: Kind
    # NOT NULL without a server default: the record must give it.
    required: bool
    # SQL of the column's server default, used when a NOT NULL column's field is left out.
    default_sql: str | None
    sql_type: str
    max_length: int | None = None
    precision: int | None = None
    scale: int | None = None
    int_bits: int = 64
    enum: type[StrEnum] | None = None
    target: str | None = None  # referenced table, for REF
    currency: bool = False  # refers to currency.code


@dataclass(frozen=True, slots=True)
class Embedded:
    """A child table written as a list inside its parent record."""

    field: str
    table: str
    parent_column: str
    # Child fields that identify a child within its parent (claim subjects: type and key).
    identity: tuple[str, ...]
    # Child fields the list is sorted by.
    order: tuple[str, ...]
    fields: tuple[Field, ...]


@dataclass(frozen=True, slots=True)
class RecordType:
    name: str
    table: Table
    key: tuple[str, ...]
    fields: tuple[Field, ...]
    embedded: tuple[Embedded, ...]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


def _sql_type(column: Column[Any]) -> str:
    return str(column.type.compile(dialect=postgresql.dialect()))  # type: ignore[no-untyped-call]


def _kind(column: Column[Any]) -> Kind:
    column_type = column.type
    if isinstance(column_type, ARRAY):
        return Kind.TEXT_ARRAY
    if isinstance(column_type, Boolean):
        return Kind.BOOL
    if isinstance(column_type, BigInteger | Integer | SmallInteger):
        return Kind.INT
    if isinstance(column_type, Numeric):
        return Kind.DECIMAL
    if isinstance(column_type, DateTime):
        return Kind.DATETIME
    if isinstance(column_type, Date):
        return Kind.DATE
    if isinstance(column_type, String | Text):
        return Kind.TEXT
    raise TypeError(f"{column.table}.{column.name}: no record encoding for {column_type!r}")


_INT_BITS = {"SmallInteger": 16, "Integer": 32, "BigInteger": 64}


def _default_sql(column: Column[Any]) -> str | None:
    default = column.server_default
    if default is None:
        return None
    arg = getattr(default, "arg", None)
    return str(getattr(arg, "text", arg))


def _field(table: Table, column: Column[Any]) -> Field:
    foreign = next(iter(column.foreign_keys), None)
    target = foreign.column.table.name if foreign is not None else None
    default_sql = _default_sql(column)
    required = not column.nullable and default_sql is None
    sql_type = _sql_type(column)
    if target is not None and target in KEY_COLUMN:
        name = column.name.removesuffix("_id")
        return Field(name, column.name, Kind.REF, required, default_sql, sql_type, target=target)
    kind = _kind(column)
    column_type = column.type
    return Field(
        column.name,
        column.name,
        kind,
        required,
        default_sql,
        sql_type,
        max_length=getattr(column_type, "length", None) if kind is Kind.TEXT else None,
        precision=getattr(column_type, "precision", None) if kind is Kind.DECIMAL else None,
        scale=getattr(column_type, "scale", None) if kind is Kind.DECIMAL else None,
        int_bits=_INT_BITS.get(type(column_type).__name__, 64),
        enum=ENUMS.get((table.name, column.name)),
        currency=target == "currency",
    )


def _fields(table: Table, *, skip: frozenset[str] = frozenset()) -> tuple[Field, ...]:
    return tuple(
        _field(table, column)
        for column in table.columns
        if column.name not in SYSTEM_COLUMNS
        and column.computed is None
        and not tables.is_derived(column)
        and column.name not in skip
    )


def _subject_fields() -> tuple[Field, ...]:
    text_field = Field("type", "type", Kind.TEXT, True, None, "text")
    key_field = Field("key", "key", Kind.TEXT, True, None, "text")
    return (key_field, text_field)


# Claim subjects are written {"type": <table>, "key": <natural key>}: the record names which
# arc column of claim_subject it fills.
SUBJECT_TYPES: dict[str, str] = {
    column.removesuffix("_id"): column for column in tables.CLAIM_SUBJECTS
}

_EMBEDDED: dict[str, tuple[Embedded, ...]] = {
    "organization": (
        Embedded(
            "names",
            "organization_name",
            "organization_id",
            ("value", "language"),
            ("value", "language"),
            _fields(tables.organization_name, skip=frozenset({"organization_id"})),
        ),
    ),
    "investment": (
        Embedded(
            "consideration",
            "consideration_component",
            "investment_id",
            ("key",),
            ("position",),
            _fields(tables.consideration_component, skip=frozenset({"investment_id"})),
        ),
    ),
    "event": (
        Embedded(
            "participants",
            "event_participant",
            "event_id",
            ("organization",),
            ("organization",),
            _fields(tables.event_participant, skip=frozenset({"event_id"})),
        ),
        Embedded(
            "people",
            "event_person",
            "event_id",
            ("person",),
            ("person",),
            _fields(tables.event_person, skip=frozenset({"event_id"})),
        ),
    ),
    "acquisition": (
        Embedded(
            "consideration",
            "acquisition_component",
            "acquisition_id",
            ("key",),
            ("position",),
            _fields(tables.acquisition_component, skip=frozenset({"acquisition_id"})),
        ),
    ),
    "claim": (
        Embedded(
            "subjects",
            "claim_subject",
            "claim_id",
            ("type", "key"),
            ("type", "key"),
            _subject_fields(),
        ),
    ),
}


def _record_type(name: str) -> RecordType:
    table = tables.metadata.tables[name]
    key = (KEY_COLUMN[name],) if name in KEY_COLUMN else _COMPOSITE_KEYS[name]
    return RecordType(name, table, key, _fields(table), _EMBEDDED.get(name, ()))


RECORD_TYPES: dict[str, RecordType] = {name: _record_type(name) for name in TYPE_ORDER}


def header_record() -> Record:
    return {"type": HEADER_TYPE, "format": FORMAT_NAME, "version": FORMAT_VERSION}


def end_record(records: int) -> Record:
    """The last line: how many records came between header and end, so that a file cut off
    at a line boundary is still recognised as incomplete."""
    return {"type": END_TYPE, "records": records}


def decimal_text(value: Decimal) -> str:
    """The shortest exact spelling, never in exponent form: 12500000, 0.45, 1."""
    return format_decimal(value)


def plain(value: Any) -> Any:
    """A Python value as the record writes it (decimals and dates as strings)."""
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def canonical(record: Mapping[str, Any]) -> str:
    """Sorted keys, no whitespace, UTF-8 as is: one spelling per record."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def org_depths(parents: Mapping[str, str | None]) -> dict[str, int]:
    """How many ancestors each organization has: export and the generator write parents
    before their subsidiaries by sorting on (depth, slug). Members of a parent cycle (which
    no constraint forbids) sort after every other organization."""
    depths: dict[str, int] = {}
    for slug in parents:
        chain: list[str] = []
        current: str | None = slug
        while current is not None and current not in depths and current not in chain:
            chain.append(current)
            current = parents.get(current)
        if current is None:
            base = -1
        elif current in depths:
            base = depths[current]
        else:
            base = len(parents)
        for offset, member in enumerate(reversed(chain), start=1):
            depths[member] = base + offset
    return depths
