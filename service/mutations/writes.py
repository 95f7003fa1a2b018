"""Generic create, update and retire for every entity, with optimistic concurrency.

Each runs inside the mutation's savepoint (service/schema/mutation_fields.py) and reports
problems by raising ``Rejected`` with user errors, so the savepoint rolls back and nothing is
written. The SQL names ``public.<table>``: the transaction reads through the live views, but
writes (and checks of what exists) must see the tables themselves.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, Protocol

import asyncpg
from sqlalchemy import Table, and_, func, insert, select, update
from sqlalchemy.sql import ClauseElement

from service.db import tables as t
from service.ids import GlobalIdError, decode_id
from service.mutations.spec import EntitySpec, Field
from service.repository.db import Db
from service.repository.versions import public_table

NOT_FOUND = "NOT_FOUND"
STALE_VERSION = "STALE_VERSION"
INVALID = "INVALID"
DUPLICATE = "DUPLICATE"
REFERENCED = "REFERENCED"
REQUIRED = "REQUIRED"

# An investment's investor is an organization or a person (an angel), never both or neither.
ONE_INVESTOR_RULE = "ck_investment_one_investor"
ONE_INVESTOR_MESSAGE = (
    "An investment has exactly one investor: an organization (`investor`) or a person "
    "investing as an angel (`investorPerson`). Set one and clear the other."
)


@dataclass(frozen=True)
class UserError:
    """A problem with the caller's input; nothing was written."""

    field: str | None
    code: str
    message: str


class Rejected(Exception):
    def __init__(self, errors: Sequence[UserError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = list(errors)


def reject(field: str | None, code: str, message: str) -> Rejected:
    return Rejected([UserError(field, code, message)])


class MoneyLike(Protocol):
    amount: str
    currency: str
    estimated: bool


class DateLike(Protocol):
    date: dt.date
    precision: Enum


class ShareLike(Protocol):
    min: str
    max: str


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _decimal(
    field: str, value: str, low: Decimal | None = None, high: Decimal | None = None
) -> Decimal:
    try:
        number = Decimal(value.strip())
    except (InvalidOperation, AttributeError):
        raise reject(
            field, INVALID, f"`{field}` must be a decimal number; got {value!r}."
        ) from None
    if not number.is_finite():
        raise reject(field, INVALID, f"`{field}` must be a finite decimal number.")
    if low is not None and number < low:
        raise reject(field, INVALID, f"`{field}` must be at least {low}; got {value}.")
    if high is not None and number > high:
        raise reject(field, INVALID, f"`{field}` must be at most {high}; got {value}.")
    return number


async def exists_live(db: Db, table: Table, pk: int) -> bool:
    pub = public_table(table)
    rows = await db.fetch(select(pub.c.id).where(pub.c.id == pk, pub.c.retired_at.is_(None)))
    return bool(rows)


async def resolve_id(
    db: Db, field: str, global_id: str, type_names: Sequence[str]
) -> tuple[str, int]:
    """A global ID of one of ``type_names`` naming a live record."""
    try:
        type_name, pk = decode_id(str(global_id))
    except GlobalIdError as exc:
        raise reject(field, INVALID, f"`{field}`: {exc}.") from None
    if type_name not in type_names:
        raise reject(field, INVALID, f"`{field}` must be the ID of a {' or '.join(type_names)}.")
    from service.mutations.spec import SPECS

    if not await exists_live(db, SPECS[type_name].table, pk):
        raise reject(field, NOT_FOUND, f"`{field}`: no {type_name} has the ID {global_id}.")
    return type_name, pk


async def to_columns(db: Db, spec: EntitySpec, values: Mapping[str, Any]) -> dict[str, Any]:
    """Input fields (python names, UNSET ones left out) → column values, every field checked;
    all problems are reported together."""
    columns: dict[str, Any] = {}
    errors: list[UserError] = []
    for name, value in values.items():
        field = spec.fields[name]
        try:
            columns.update(await _convert(db, spec.table, camel(name), field, value))
        except Rejected as exc:
            errors.extend(exc.errors)
    if errors:
        raise Rejected(errors)
    return columns


async def _convert(db: Db, table: Table, name: str, field: Field, value: Any) -> dict[str, Any]:
    if value is None:
        # Money's estimate flag is NOT NULL but has a meaning without an amount: false.
        nullable = field.kind == "money" or all(table.c[c].nullable for c in field.columns())
        if not nullable:
            raise reject(name, REQUIRED, f"`{name}` cannot be null.")
        if field.kind == "money":
            return {c: (False if c.endswith("_estimated") else None) for c in field.columns()}
        return dict.fromkeys(field.columns())
    match field.kind:
        case "column":
            if (
                isinstance(value, str)
                and not value.strip()
                and field.target not in ("description",)
            ):
                raise reject(name, INVALID, f"`{name}` must not be blank.")
            return {field.target: value}
        case "enum":
            return {field.target: value.value}
        case "enums":
            if not value:
                raise reject(name, INVALID, f"`{name}` needs at least one value.")
            return {field.target: sorted({v.value for v in value})}
        case "decimal":
            return {field.target: _decimal(name, value, Decimal(0), Decimal(1))}
        case "count":
            count = _decimal(name, value, Decimal(0))
            if count != count.to_integral_value():
                raise reject(name, INVALID, f"`{name}` must be a whole number; got {value}.")
            return {field.target: count}
        case "money":
            money: MoneyLike = value
            amount = _decimal(f"{name}.amount", money.amount, Decimal(0))
            currency = money.currency.strip().upper()
            if not re.fullmatch(r"[A-Z]{3}", currency):
                raise reject(
                    f"{name}.currency", INVALID, f"`{name}.currency` must be an ISO 4217 code."
                )
            a, c, e = field.columns()
            return {a: amount, c: currency, e: money.estimated}
        case "date":
            date: DateLike = value
            return dict(zip(field.columns(), (date.date, date.precision.value), strict=True))
        case "share":
            share: ShareLike = value
            low = _decimal(f"{name}.min", share.min, Decimal(0), Decimal(1))
            high = _decimal(f"{name}.max", share.max, Decimal(0), Decimal(1))
            if low > high:
                raise reject(name, INVALID, f"`{name}.min` must not exceed `{name}.max`.")
            return dict(zip(field.columns(), (low, high), strict=True))
        case "ref":
            assert field.ref_type is not None
            _, pk = await resolve_id(db, name, value, [field.ref_type])
            return {field.target: pk}
    raise AssertionError(field.kind)


async def _run(db: Db, statement: ClauseElement) -> list[asyncpg.Record]:
    try:
        return await db.fetch(statement)
    except asyncpg.IntegrityConstraintViolationError as exc:
        raise _constraint_error(exc) from None
    except asyncpg.DataError as exc:
        raise reject(
            None, INVALID, f"A value is out of range or malformed: {exc.args[0]}"
        ) from None


def _constraint_error(exc: asyncpg.IntegrityConstraintViolationError) -> Rejected:
    constraint = getattr(exc, "constraint_name", None) or ""
    detail = getattr(exc, "detail", None) or ""
    if isinstance(exc, asyncpg.UniqueViolationError):
        return reject(
            None,
            DUPLICATE,
            f"A record with the same unique value exists, retired or not ({detail}).",
        )
    if constraint == ONE_INVESTOR_RULE:
        return reject("investor", INVALID, ONE_INVESTOR_MESSAGE)
    if isinstance(exc, asyncpg.ForeignKeyViolationError):
        if "currency" in constraint:
            return reject(None, INVALID, "Unknown currency: use an ISO 4217 code.")
        return reject(None, NOT_FOUND, f"A referenced record does not exist ({detail}).")
    return reject(None, INVALID, f"The values break the rule `{constraint}`: {exc.args[0]}")


async def create(db: Db, spec: EntitySpec, columns: Mapping[str, Any]) -> int:
    pub = public_table(spec.table)
    rows = await _run(db, insert(pub).values(**columns).returning(pub.c.id))
    pk: int = rows[0]["id"]
    return pk


async def _current(db: Db, spec: EntitySpec, pk: int) -> asyncpg.Record | None:
    pub = public_table(spec.table)
    rows = await db.fetch(select(pub.c.version, pub.c.retired_at).where(pub.c.id == pk))
    return rows[0] if rows else None


async def _missing_or_stale(db: Db, spec: EntitySpec, pk: int, expected: int) -> Rejected:
    current = await _current(db, spec, pk)
    if current is None or current["retired_at"] is not None:
        state = "does not exist" if current is None else "is retired"
        return reject("id", NOT_FOUND, f"The {spec.type_name} {state}.")
    return reject(
        "expectedVersion",
        STALE_VERSION,
        f"The {spec.type_name} is at version {current['version']}, not {expected}: it changed "
        "since you read it. Read it again and reapply your change.",
    )


async def update_row(
    db: Db, spec: EntitySpec, pk: int, expected: int, columns: Mapping[str, Any]
) -> int:
    """Writes ``columns`` if the record is live and at ``expected``; returns the new version."""
    pub = public_table(spec.table)
    values: dict[str, Any] = dict(columns) or {"version": pub.c.version}
    if spec.has_updated_at and columns:
        values["updated_at"] = func.now()
    statement = (
        update(pub)
        .where(pub.c.id == pk, pub.c.version == expected, pub.c.retired_at.is_(None))
        .values(**values)
        .returning(pub.c.version)
    )
    rows = await _run(db, statement)
    if not rows:
        raise await _missing_or_stale(db, spec, pk, expected)
    version: int = rows[0]["version"]
    return version


async def retire_row(db: Db, spec: EntitySpec, pk: int, expected: int) -> int:
    """Retires a record, its owned rows and the claim links to it, if nothing live still refers
    to it; returns its new version."""
    pub = public_table(spec.table)
    rows = await _run(
        db,
        update(pub)
        .where(pub.c.id == pk, pub.c.version == expected, pub.c.retired_at.is_(None))
        .values(retired_at=func.now())
        .returning(pub.c.version),
    )
    if not rows:
        raise await _missing_or_stale(db, spec, pk, expected)
    for child, column in spec.owned:
        await retire_where(db, child, {column: pk})
    subject = next((c for c, target in t.CLAIM_SUBJECTS.items() if target == spec.table.name), None)
    if subject is not None:
        await retire_where(db, t.claim_subject, {subject: pk})
    users = await live_references(db, spec.table, pk)
    if users:
        listed = ", ".join(f"{n} {table}.{column}" for table, column, n in users)
        raise reject(
            "id",
            REFERENCED,
            f"The {spec.type_name} is still referenced by live records ({listed}); retire or "
            "change them first.",
        )
    version: int = rows[0]["version"]
    return version


async def retire_where(db: Db, table: Table, match: Mapping[str, Any]) -> None:
    pub = public_table(table)
    conditions = [pub.c[k] == v for k, v in match.items()]
    await _run(
        db,
        update(pub)
        .where(and_(*conditions), pub.c.retired_at.is_(None))
        .values(retired_at=func.now()),
    )


def references_to(table: Table) -> list[tuple[Table, str]]:
    """Every (versioned table, column) whose foreign key points at ``table``."""
    found = []
    for other in t.VERSIONED_TABLES:
        for column in other.columns:
            for key in column.foreign_keys:
                if key.column.table is table:
                    found.append((other, column.name))
    return found


async def live_references(db: Db, table: Table, pk: int) -> list[tuple[str, str, int]]:
    """(table, column, count) of live rows still naming ``pk``."""
    found = []
    for other, column in references_to(table):
        pub = public_table(other)
        rows = await db.fetch(
            select(func.count()).where(pub.c[column] == pk, pub.c.retired_at.is_(None))
        )
        if rows[0][0]:
            found.append((other.name, column, int(rows[0][0])))
    return found
