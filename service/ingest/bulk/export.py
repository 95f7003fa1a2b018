"""``stakegraph export``: the whole database in the bulk format, one canonical line per record.

PostgreSQL builds each record as JSON (references already turned into natural keys, embedded
lists aggregated, decimals as trimmed text); Python only re-spells it canonically, so the bytes
depend on the data alone: records come type by type in load order, within a type sorted by
natural key in code-point order (``COLLATE "C"``, the order of Python's ``sorted``), and
organizations parents first. The export reads one snapshot (REPEATABLE READ), so concurrent
writes never give a file that refers to a record it does not hold.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import BinaryIO

import asyncpg

from service.db.urls import asyncpg_dsn
from service.ingest.bulk.format import (
    KEY_COLUMN,
    RECORD_TYPES,
    SUBJECT_TYPES,
    TYPE_ORDER,
    Embedded,
    Field,
    Kind,
    Record,
    RecordType,
    canonical,
    end_record,
    header_record,
    org_depths,
)

_PREFETCH = 5_000


def _value(f: Field, alias: str, joins: list[str]) -> str:
    column = f"{alias}.{f.column}"
    if f.kind is Kind.REF:
        assert f.target is not None
        ref = f"{alias}_{f.name}"
        joins.append(f"LEFT JOIN {f.target} {ref} ON {ref}.id = {column}")
        return f"{ref}.{KEY_COLUMN[f.target]}"
    if f.kind is Kind.DECIMAL:
        # The format's spelling of a decimal: no exponent, no trailing zeros.
        return f"trim_scale({column})::text"
    if f.kind is Kind.DATE:
        # asyncpg reads and writes Python's date.min and date.max as -infinity and infinity
        # (the article's identity rate is "since 0001-01-01"): spelled as those dates, they
        # come back as they were.
        return (
            f"CASE WHEN {column} = '-infinity' THEN '0001-01-01'"
            f" WHEN {column} = 'infinity' THEN '9999-12-31'"
            f" ELSE to_char({column}, 'YYYY-MM-DD') END"
        )
    if f.kind is Kind.DATETIME:
        return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
    return column


def _object(fields: tuple[Field, ...], alias: str, joins: list[str]) -> list[str]:
    return [f"'{f.name}', {_value(f, alias, joins)}" for f in fields]


def _subjects_sql(parent: str) -> str:
    kind = " ".join(f"WHEN x.{c} IS NOT NULL THEN '{t}'" for t, c in SUBJECT_TYPES.items())
    key = " ".join(
        f"WHEN x.{c} IS NOT NULL THEN (SELECT {KEY_COLUMN[t]} FROM {t} WHERE id = x.{c})"
        for t, c in SUBJECT_TYPES.items()
    )
    return (
        "(SELECT coalesce(json_agg(json_build_object('type', v.type, 'key', v.key)"
        ' ORDER BY v.type COLLATE "C", v.key COLLATE "C"), \'[]\')'
        f" FROM claim_subject x CROSS JOIN LATERAL (SELECT CASE {kind} END AS type,"
        f" CASE {key} END AS key) v WHERE x.claim_id = {parent}.id)"
    )


def _children_sql(e: Embedded, parent: str) -> str:
    if e.table == "claim_subject":
        return _subjects_sql(parent)
    joins: list[str] = []
    members = _object(e.fields, "c", joins)
    order = []
    for name in e.order:
        f = next(f for f in e.fields if f.name == name)
        value = _value(f, "c", [])
        order.append(f'{value} COLLATE "C"' if f.kind in (Kind.TEXT, Kind.REF) else value)
    return (
        f"(SELECT coalesce(json_agg(json_build_object({', '.join(members)})"
        f" ORDER BY {', '.join(order)}), '[]') FROM {e.table} c {' '.join(joins)}"
        f" WHERE c.{e.parent_column} = {parent}.id)"
    )


def record_sql(rt: RecordType) -> str:
    """One JSON text per record of this type, in export order (organizations: any order,
    they are sorted by depth in Python)."""
    joins: list[str] = []
    members = [f"'type', '{rt.name}'", *_object(rt.fields, "t", joins)]
    members += [f"'{e.field}', {_children_sql(e, 't')}" for e in rt.embedded]
    order = []
    for name in rt.key:
        f = rt.field(name)
        value = _value(f, "t", [])
        order.append(f'{value} COLLATE "C"' if f.kind in (Kind.TEXT, Kind.REF) else value)
    return (
        f"SELECT json_strip_nulls(json_build_object({', '.join(members)}))::text"
        f" FROM {rt.table.name} t {' '.join(joins)} ORDER BY {', '.join(order)}"
    )


async def _records(conn: asyncpg.Connection, rt: RecordType) -> AsyncIterator[Record]:
    sql = record_sql(rt)
    if rt.name == "organization":
        records = [json.loads(row[0]) for row in await conn.fetch(sql)]
        depths = org_depths({r["slug"]: r.get("parent") for r in records})
        for record in sorted(records, key=lambda r: (depths[r["slug"]], r["slug"])):
            yield record
        return
    async for row in conn.cursor(sql, prefetch=_PREFETCH):
        yield json.loads(row[0])


async def export_lines(conn: asyncpg.Connection) -> AsyncIterator[str]:
    """The database's lines, each without its newline: header, records, end."""
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        yield canonical(header_record())
        count = 0
        for name in TYPE_ORDER:
            async for record in _records(conn, RECORD_TYPES[name]):
                count += 1
                yield canonical(record)
        yield canonical(end_record(count))


async def export_to(url: str, out: BinaryIO) -> int:
    """Writes the database at ``url`` to ``out``; returns the number of records."""
    conn = await asyncpg.connect(asyncpg_dsn(url))
    lines = 0
    try:
        batch: list[bytes] = []
        async for line in export_lines(conn):
            batch.append(line.encode("utf-8") + b"\n")
            lines += 1
            if len(batch) >= 1000:
                out.write(b"".join(batch))
                batch = []
        out.write(b"".join(batch))
        out.flush()
    finally:
        await conn.close()
    return lines - 2
