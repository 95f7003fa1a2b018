"""``stakegraph import``: loads records of the bulk format, all or nothing.

Each record is checked on its own in Python (``bulk.validate``) and COPied into a temporary
staging table of its type; checks across records (duplicate natural keys, references that
resolve neither in the file nor in the database) are then set-based queries over the staging
tables; only a clean file goes on to set-based upserts, type by type in dependency order,
``INSERT … SELECT … ON CONFLICT (natural key) DO UPDATE`` that touch only rows whose values
change (so a repeated import writes nothing, and history records only real changes). Any error
rolls the whole transaction back: the report lists every bad line with its reason.

Import never deletes a record the file leaves out; an embedded list that is present (an
organization's ``names``, an investment's ``consideration``, an event's ``participants``, a
claim's ``subjects``) replaces the stored list, one that is absent leaves it alone.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import asyncpg
from sqlalchemy import PrimaryKeyConstraint, UniqueConstraint

from service.db import tables
from service.db.urls import asyncpg_dsn
from service.ingest.bulk.format import (
    KEY_COLUMN,
    RECORD_TYPES,
    SUBJECT_TYPES,
    TYPE_ORDER,
    Embedded,
    Field,
    Kind,
    RecordType,
)
from service.ingest.bulk.read import Item, LineError, read_csv, read_jsonl
from service.ingest.bulk.validate import VALIDATORS, Invalid, record_label
from service.ingest.progress import Progress

MAX_REPORTED_ERRORS = 1000
_FLUSH_ROWS = 20_000
_PREFIX = "_sg_stage_"
_REJECTED = "_sg_stage_rejected"


@dataclass(slots=True)
class LineReport:
    line: int | None
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"line": self.line, "message": self.message}


@dataclass(slots=True)
class TableCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    def as_json(self) -> dict[str, int]:
        return {
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
        }


@dataclass(slots=True)
class ImportReport:
    """What an import did, or why it did nothing."""

    records: int = 0
    rows: int = 0
    error_count: int = 0
    errors: list[LineReport] = field(default_factory=list)
    tables: dict[str, TableCounts] = field(default_factory=dict)
    seconds: float = 0.0
    # Where the time went: reading (parsing, checking records, COPY), checking across
    # records, writing (the upserts).
    phases: dict[str, float] = field(default_factory=dict)
    # Every bad line (the reported errors stop at MAX_REPORTED_ERRORS), and whether a partial
    # import wrote the rest.
    bad_lines: set[int] = field(default_factory=set)
    partial: bool = False
    imported: bool = False

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add_error(self, line: int | None, message: str) -> None:
        self.error_count += 1
        if line is not None:
            self.bad_lines.add(line)
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(LineReport(line, message))

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "imported": self.imported,
            "partial": self.partial,
            "skippedLines": len(self.bad_lines) if self.imported else 0,
            "records": self.records,
            "rows": self.rows,
            "errorCount": self.error_count,
            "errors": [error.as_json() for error in self.errors],
            "tables": {name: counts.as_json() for name, counts in self.tables.items()},
            "seconds": round(self.seconds, 3),
            "phases": {name: round(seconds, 3) for name, seconds in self.phases.items()},
        }

    def describe(self) -> list[str]:
        """The report for people: one line per error, or per table written."""
        errors = [
            f"line {e.line}: {e.message}" if e.line is not None else e.message for e in self.errors
        ]
        hidden = self.error_count - len(self.errors)
        if hidden:
            errors.append(f"… and {hidden} more errors")
        if not self.imported:
            errors.append(f"{self.error_count} bad line(s): nothing was imported")
            return errors
        lines = errors + [
            f"{name:<26}{c.inserted:>10,} new {c.updated:>10,} changed {c.unchanged:>10,} same"
            + (f" {c.deleted:>8,} removed" if c.deleted else "")
            for name, c in self.tables.items()
        ]
        rate = self.rows / self.seconds if self.seconds else 0.0
        phases = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in self.phases.items())
        lines.append(
            f"{self.records:,} records ({self.rows:,} rows) imported in {self.seconds:.1f}s "
            f"({rate:,.0f} rows/s; {phases})"
        )
        if self.bad_lines:
            lines.append(f"{len(self.bad_lines)} bad line(s) skipped, with what relied on them")
        return lines


class _Rollback(Exception):
    """Raised inside the import's transaction to undo it when the file has errors."""


def _q(name: str) -> str:
    return f'"{name}"'


@dataclass(frozen=True, slots=True)
class _Stage:
    """A staging table: one per record type and per embedded list."""

    name: str  # the record type or child table
    table: str  # the staging table
    columns: tuple[str, ...]  # after "line"
    types: tuple[str, ...]
    fields: tuple[Field, ...]
    key: tuple[str, ...]  # staging columns holding the natural key
    holder: str  # the record type whose lines hold these rows
    list_field: str | None  # for an embedded list: its field in the holder


def _field_type(f: Field) -> str:
    return "text" if f.kind is Kind.REF else f.sql_type


def _top_stage(rt: RecordType) -> _Stage:
    columns = [f.name for f in rt.fields] + [f"{e.field}_given" for e in rt.embedded]
    types = [_field_type(f) for f in rt.fields] + ["boolean"] * len(rt.embedded)
    return _Stage(
        rt.name, _PREFIX + rt.name, tuple(columns), tuple(types), rt.fields, rt.key, rt.name, None
    )


def _child_stage(parent: RecordType, e: Embedded) -> _Stage:
    columns = ["parent", "ordinal", *(f.name for f in e.fields)]
    types = ["text", "integer", *(_field_type(f) for f in e.fields)]
    key = ("key",) if e.table in KEY_COLUMN else ("parent", *e.identity)
    return _Stage(
        e.table,
        _PREFIX + e.table,
        tuple(columns),
        tuple(types),
        e.fields,
        key,
        parent.name,
        e.field,
    )


STAGES: dict[str, _Stage] = {}
for _rt in RECORD_TYPES.values():
    STAGES[_rt.name] = _top_stage(_rt)
    for _e in _rt.embedded:
        STAGES[_e.table] = _child_stage(_rt, _e)


class Importer:
    """One import on one connection, inside the caller's transaction."""

    def __init__(
        self, conn: asyncpg.Connection, progress: Progress | None = None, *, partial: bool = False
    ) -> None:
        self.conn = conn
        self.progress = progress or Progress(enabled=False)
        self.partial = partial
        self.report = ImportReport(partial=partial)
        self.currencies: frozenset[str] = frozenset()
        self.buffers: dict[str, list[tuple[Any, ...]]] = {name: [] for name in STAGES}
        self.staged: dict[str, int] = dict.fromkeys(STAGES, 0)
        self.rejected: list[tuple[str, str]] = []
        # Lines that are no record at all: what they held is unknown, so checks across
        # records would only echo them.
        self.unreadable = 0
        self.started = time.perf_counter()

    async def start(self) -> None:
        # The checks and upserts hash-join and sort whole staging tables: with the default
        # few megabytes they spill to disk.
        await self.conn.execute("SET LOCAL work_mem = '256MB'")
        codes = await self.conn.fetch("SELECT code FROM currency")
        self.currencies = frozenset(row["code"] for row in codes)
        for stage in STAGES.values():
            columns = ", ".join(
                f"{_q(c)} {t}" for c, t in zip(stage.columns, stage.types, strict=True)
            )
            # New organizations get their ids before they are written, so that subsidiaries
            # can refer to parents written by the same statement.
            extra = ", _id bigint" if stage.name == "organization" else ""
            await self.conn.execute(
                f"CREATE TEMP TABLE {stage.table} (line integer NOT NULL, {columns}{extra})"
                " ON COMMIT DROP"
            )
        await self.conn.execute(
            f"CREATE TEMP TABLE {_REJECTED} (type text, key text) ON COMMIT DROP"
        )

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.report.phases[phase] = now - self.started - sum(self.report.phases.values())

    # --- reading ------------------------------------------------------------------------

    async def add(self, line: int, record: Mapping[str, Any]) -> None:
        self.report.records += 1
        type_name = record.get("type")
        if not isinstance(type_name, str) or type_name not in VALIDATORS:
            known = ", ".join(TYPE_ORDER)
            self.report.add_error(line, f"unknown record type {type_name!r} (one of {known})")
            return
        validate = VALIDATORS[type_name]
        try:
            staged = validate(record, self.currencies)
        except Invalid as exc:
            self.report.add_error(line, f"{record_label(type_name, record)}: {exc}")
            key = record.get(RECORD_TYPES[type_name].key[0])
            if isinstance(key, str):
                # Its references are still checked, but not reported as missing: one bad
                # organization should not bury the file under a thousand echoes.
                self.rejected.append((type_name, key))
            return
        await self._stage(type_name, (line, *staged.row))
        for child, rows in staged.children.items():
            for row in rows:
                await self._stage(child, (line, *row))

    async def _stage(self, name: str, row: tuple[Any, ...]) -> None:
        buffer = self.buffers[name]
        buffer.append(row)
        if len(buffer) >= _FLUSH_ROWS:
            await self._flush(name)

    async def _flush(self, name: str) -> None:
        buffer = self.buffers[name]
        if not buffer:
            return
        stage = STAGES[name]
        await self.conn.copy_records_to_table(
            stage.table, records=buffer, columns=["line", *stage.columns]
        )
        self.staged[name] += len(buffer)
        self.buffers[name] = []

    async def read(self, items: AsyncIterable[Item] | Iterable[Item]) -> None:
        if isinstance(items, AsyncIterable):
            async for line, item in items:
                await self._item(line, item)
        else:
            for line, item in items:
                await self._item(line, item)

    async def _item(self, line: int, item: dict[str, Any] | LineError) -> None:
        if isinstance(item, LineError):
            self.unreadable += 1
            self.report.add_error(line, item.message)
        else:
            await self.add(line, item)

    # --- checking ------------------------------------------------------------------------

    async def check(self) -> None:
        for name in STAGES:
            await self._flush(name)
        if self.rejected:
            await self.conn.copy_records_to_table(
                _REJECTED, records=self.rejected, columns=["type", "key"]
            )
        self.report.rows = sum(self.staged.values())
        if self.unreadable and not self.partial:
            return
        self.progress.phase("checking")
        for name, stage in STAGES.items():
            if self.staged[name]:
                await self.conn.execute(f"ANALYZE {stage.table}")
        for name, stage in STAGES.items():
            if self.staged[name]:
                await self._duplicates(stage)
                await self._references(stage)
        await self._parent_cycles()

    async def drop_bad_lines(self) -> None:
        """A partial import: the rows of bad lines leave the staging tables, then so do the rows
        that relied on them (a reference to a dropped record is missing now), until every row
        left stands on its own."""
        dropped: set[int] = set()
        while new := self.report.bad_lines - dropped:
            for stage in STAGES.values():
                await self.conn.execute(
                    f"DELETE FROM {stage.table} WHERE line = ANY($1::int[])", sorted(new)
                )
            dropped |= new
            # Records refused while reading were never staged: from now on a reference to one
            # is an error like any other missing reference, not an echo to keep quiet.
            await self.conn.execute(f"TRUNCATE {_REJECTED}")
            for stage in STAGES.values():
                await self._references(stage)
        for name, stage in STAGES.items():
            self.staged[name] = int(await self.conn.fetchval(f"SELECT count(*) FROM {stage.table}"))
        self.report.rows = sum(self.staged.values())

    async def _parent_cycles(self) -> None:
        """Organizations of the file whose parent chain (through the file) comes back."""
        table = STAGES["organization"].table
        rows = await self.conn.fetch(
            f"WITH RECURSIVE chain(line, slug, parent, depth) AS ("
            f" SELECT line, slug, parent, 1 FROM {table} WHERE parent IS NOT NULL"
            f" UNION ALL SELECT c.line, c.slug, s.parent, c.depth + 1 FROM chain c"
            f" JOIN {table} s ON s.slug = c.parent"
            " WHERE s.parent IS NOT NULL AND c.parent <> c.slug AND c.depth < 1000)"
            " SELECT DISTINCT line, slug FROM chain WHERE parent = slug ORDER BY line"
        )
        for row in rows:
            self.report.add_error(
                row["line"], f'organization "{row["slug"]}": its parent chain comes back to it'
            )

    def _unique_sets(self, stage: _Stage) -> list[tuple[str, ...]]:
        """The natural key, and the table's other unique column sets that the staged fields
        fill (an investment's round and investor), as staging columns."""
        by_column = {f.column: f.name for f in stage.fields}
        parent = next(
            (
                e.parent_column
                for rt in RECORD_TYPES.values()
                for e in rt.embedded
                if e.table == stage.name
            ),
            None,
        )
        if parent is not None:
            by_column[parent] = "parent"
        sets: list[tuple[str, ...]] = [stage.key]
        table = tables.metadata.tables[stage.name]
        for constraint in table.constraints:
            if not isinstance(constraint, UniqueConstraint | PrimaryKeyConstraint):
                continue
            columns = [c.name for c in constraint.columns]
            if all(c in by_column for c in columns):
                names = tuple(by_column[c] for c in columns)
                if names not in sets:
                    sets.append(names)
        # Within one parent, the record's own check has seen every child: only keys that
        # are unique across parents (a component's) need a look across records.
        return [names for names in sets if "parent" not in names]

    async def _duplicates(self, stage: _Stage) -> None:
        for names in self._unique_sets(stage):
            cols = ", ".join(_q(n) for n in names)
            not_null = " AND ".join(f"{_q(n)} IS NOT NULL" for n in names)
            rows = await self.conn.fetch(
                f"SELECT array_agg(line ORDER BY line) AS lines, {cols} FROM {stage.table}"
                f" WHERE {not_null} GROUP BY {cols} HAVING count(*) > 1"
            )
            for row in rows:
                first, *others = row["lines"]
                value = "/".join(str(row[n]) for n in names)
                what = " and ".join(names) if len(names) > 1 else names[0]
                for line in others:
                    self.report.add_error(
                        line, f'duplicate {stage.name} {what} "{value}" (first on line {first})'
                    )

    async def _references(self, stage: _Stage) -> None:
        checks: list[tuple[str, str, str]] = [
            (f.name, f.target, "") for f in stage.fields if f.kind is Kind.REF and f.target
        ]
        if stage.name == "claim_subject":
            checks = [("key", target, f"type = '{target}'") for target in SUBJECT_TYPES]
        owner = "parent" if stage.list_field else stage.key[0]
        for column, target, condition in checks:
            natural = _q(KEY_COLUMN[target])
            ref = f"s.{_q(column)}"
            where = f" AND s.{condition}" if condition else ""
            rows = await self.conn.fetch(
                f"SELECT s.line, {ref} AS ref, s.{_q(owner)} AS owner FROM {stage.table} s"
                f" WHERE {ref} IS NOT NULL{where}"
                f" AND NOT EXISTS (SELECT FROM {STAGES[target].table} t WHERE t.{natural} = {ref})"
                f" AND NOT EXISTS (SELECT FROM {target} t WHERE t.{natural} = {ref})"
                f" AND NOT EXISTS (SELECT FROM {_REJECTED} r"
                f" WHERE r.type = '{target}' AND r.key = {ref})"
                " ORDER BY s.line"
            )
            what = "" if stage.name == "claim_subject" else f"{column} "
            within = f"{stage.list_field}: " if stage.list_field else ""
            for row in rows:
                self.report.add_error(
                    row["line"],
                    f'{stage.holder} "{row["owner"]}": {within}{what}"{row["ref"]}" is no'
                    f" {target} in the file or the database",
                )

    # --- writing -------------------------------------------------------------------------

    async def write(self) -> None:
        for name in TYPE_ORDER:
            rt = RECORD_TYPES[name]
            if self.staged[name]:
                self.progress.phase(f"writing {name}")
                if name == "organization":
                    await self._organizations()
                else:
                    await self._upsert(STAGES[name], rt.table.name)
                    self._finish_counts(name, self.staged[name])
            for e in rt.embedded:
                if self.staged[name]:
                    self.progress.phase(f"writing {e.table}")
                    await self._children(rt, e)

    def _select(self, stage: _Stage, alias: str = "s") -> tuple[list[str], list[str], list[str]]:
        """Target columns, the expressions filling them, and the joins resolving references."""
        columns: list[str] = []
        exprs: list[str] = []
        joins: list[str] = []
        table = tables.metadata.tables[stage.name]
        for f in stage.fields:
            if stage.name == "claim_subject":
                continue
            columns.append(f.column)
            source = f"{alias}.{_q(f.name)}"
            if f.kind is Kind.REF:
                assert f.target is not None
                ref = f"r_{f.name}"
                join = "JOIN" if f.required else "LEFT JOIN"
                joins.append(
                    f"{join} {f.target} {ref} ON {ref}.{_q(KEY_COLUMN[f.target])} = {source}"
                )
                if stage.name == "organization" and f.name == "parent":
                    # A parent new in this file: the id it was given (see _organizations).
                    joins.append(
                        f"LEFT JOIN {stage.table} new_parent ON new_parent.slug = {source}"
                    )
                    exprs.append(f"coalesce({ref}.id, new_parent._id)")
                else:
                    exprs.append(f"{ref}.id")
            elif f.default_sql is not None and not table.c[f.column].nullable:
                # Left out means the column's default, as for any other writer.
                exprs.append(f"coalesce({source}, {f.default_sql})")
            else:
                exprs.append(source)
        if stage.name == "organization":
            joins.append(f"LEFT JOIN organization stored ON stored.slug = {alias}.slug")
            columns.insert(0, "id")
            exprs.insert(0, f"coalesce(stored.id, {alias}._id)")
        return columns, exprs, joins

    async def _upsert(
        self,
        stage: _Stage,
        table: str,
        *,
        conflict: Sequence[str] | None = None,
        parent: tuple[str, str, str] | None = None,
    ) -> None:
        """``INSERT … SELECT … ON CONFLICT DO UPDATE`` of a staging table, changing only rows
        whose values differ; ``parent`` = (parent table, its key column, our parent column)."""
        columns, exprs, joins = self._select(stage)
        if parent is not None:
            parent_table, parent_key, parent_column = parent
            columns.insert(0, parent_column)
            exprs.insert(0, "p.id")
            joins.insert(0, f"JOIN {parent_table} p ON p.{_q(parent_key)} = s.parent")
        key_columns = (
            list(conflict)
            if conflict is not None
            else [stage.fields[[f.name for f in stage.fields].index(n)].column for n in stage.key]
        )
        updates = [c for c in columns if c not in key_columns and c != "id"]
        stamp = ", updated_at = now()" if "updated_at" in tables.metadata.tables[table].c else ""
        target = ", ".join(_q(c) for c in key_columns)
        if updates:
            changed = ", ".join(f"{table}.{_q(c)}" for c in updates)
            excluded = ", ".join(f"EXCLUDED.{_q(c)}" for c in updates)
            assignments = ", ".join(f"{_q(c)} = EXCLUDED.{_q(c)}" for c in updates)
            action = (
                f"DO UPDATE SET {assignments}{stamp}"
                f" WHERE ROW({changed}) IS DISTINCT FROM ROW({excluded})"
            )
        else:
            action = "DO NOTHING"
        sql = (
            f"WITH up AS (INSERT INTO {table} ({', '.join(_q(c) for c in columns)})"
            f" SELECT {', '.join(exprs)} FROM {stage.table} s {' '.join(joins)}"
            # Ids follow the file's order, as they would with one INSERT per line.
            f" ORDER BY s.line{', s.ordinal' if stage.list_field else ''}"
            f" ON CONFLICT ({target}) {action} RETURNING (xmax = 0) AS inserted)"
            " SELECT count(*) FILTER (WHERE inserted) AS inserted,"
            " count(*) FILTER (WHERE NOT inserted) AS updated FROM up"
        )
        row = await self.conn.fetchrow(sql)
        assert row is not None
        counts = self.report.tables.setdefault(table, TableCounts())
        counts.inserted += row["inserted"]
        counts.updated += row["updated"]

    def _finish_counts(self, table: str, staged: int) -> None:
        counts = self.report.tables.setdefault(table, TableCounts())
        counts.unchanged = staged - counts.inserted - counts.updated

    async def _organizations(self) -> None:
        """One statement, parents and subsidiaries alike: new organizations are numbered
        first (in the file's order), so a parent's id is known wherever it is written."""
        stage = STAGES["organization"]
        await self.conn.execute(
            f"UPDATE {stage.table} s SET _id = n.id FROM (SELECT line,"
            " nextval(pg_get_serial_sequence('organization', 'id')) AS id FROM"
            f" (SELECT line FROM {stage.table} s WHERE NOT EXISTS"
            " (SELECT FROM organization o WHERE o.slug = s.slug) ORDER BY line) AS x) AS n"
            " WHERE s.line = n.line"
        )
        await self._upsert(stage, "organization")
        self._finish_counts("organization", self.staged["organization"])

    async def _children(self, rt: RecordType, e: Embedded) -> None:
        stage = STAGES[e.table]
        parent_stage = STAGES[rt.name]
        parent_key = KEY_COLUMN[rt.name]
        given = _q(f"{e.field}_given")
        counts = self.report.tables.setdefault(e.table, TableCounts())
        if e.table == "claim_subject":
            await self._subjects(parent_stage, given, counts)
            return
        # Children of listed parents that the list leaves out go first, so that a position or
        # name they held is free for the rows that follow.
        matches: list[str] = []
        joins: list[str] = []
        for name in e.identity:
            f = next(f for f in e.fields if f.name == name)
            if f.kind is Kind.REF:
                assert f.target is not None
                natural = _q(KEY_COLUMN[f.target])
                joins.append(f"JOIN {f.target} r_{name} ON r_{name}.{natural} = c.{_q(name)}")
                matches.append(f"r_{name}.id = x.{_q(f.column)}")
            else:
                matches.append(f"c.{_q(name)} = x.{_q(f.column)}")
        status = await self.conn.execute(
            f"DELETE FROM {e.table} x USING {parent_stage.table} s, {rt.table.name} p"
            f" WHERE s.{given} AND p.{_q(parent_key)} = s.{_q(parent_key)}"
            f" AND x.{_q(e.parent_column)} = p.id"
            f" AND NOT EXISTS (SELECT FROM {stage.table} c {' '.join(joins)}"
            f" WHERE c.parent = s.{_q(parent_key)} AND {' AND '.join(matches)})"
        )
        counts.deleted += int(status.split()[-1])
        if self.staged[e.table]:
            conflict = (
                ["key"]
                if e.table in KEY_COLUMN
                else [e.parent_column, *(self._column(e, n) for n in e.identity)]
            )
            await self._upsert(
                stage,
                e.table,
                conflict=conflict,
                parent=(rt.table.name, parent_key, e.parent_column),
            )
        self._finish_counts(e.table, self.staged[e.table])

    @staticmethod
    def _column(e: Embedded, name: str) -> str:
        return next(f.column for f in e.fields if f.name == name)

    async def _subjects(self, parent_stage: _Stage, given: str, counts: TableCounts) -> None:
        """Claim subjects: one arc column per subject type, filled through the subject's key."""
        stage = STAGES["claim_subject"]
        for subject_type, column in SUBJECT_TYPES.items():
            natural = _q(KEY_COLUMN[subject_type])
            status = await self.conn.execute(
                f"DELETE FROM claim_subject x USING {parent_stage.table} s, claim p"
                f" WHERE s.{given} AND p.key = s.key AND x.claim_id = p.id"
                f" AND x.{column} IS NOT NULL AND NOT EXISTS (SELECT FROM {stage.table} c"
                f" JOIN {subject_type} t ON t.{natural} = c.key"
                f" WHERE c.parent = s.key AND c.type = '{subject_type}' AND t.id = x.{column})"
            )
            counts.deleted += int(status.split()[-1])
            status = await self.conn.execute(
                f"INSERT INTO claim_subject (claim_id, {column})"
                f" SELECT DISTINCT p.id, t.id FROM {stage.table} c JOIN claim p ON p.key = c.parent"
                f" JOIN {subject_type} t ON t.{natural} = c.key WHERE c.type = '{subject_type}'"
                f" AND NOT EXISTS (SELECT FROM claim_subject x"
                f" WHERE x.claim_id = p.id AND x.{column} = t.id)"
            )
            counts.inserted += int(status.split()[-1])
        counts.unchanged = self.staged["claim_subject"] - counts.inserted

    async def drop(self) -> None:
        """The staging tables go with the transaction; dropped now when the caller's
        transaction goes on (the article loader), so another import can follow in it."""
        names = ", ".join([*(stage.table for stage in STAGES.values()), _REJECTED])
        await self.conn.execute(f"DROP TABLE IF EXISTS {names}")


async def import_items(
    conn: asyncpg.Connection,
    items: AsyncIterable[Item] | Iterable[Item],
    *,
    progress: Progress | None = None,
    partial: bool = False,
) -> ImportReport:
    """Imports the records in one transaction (a savepoint inside the caller's); on any error
    nothing is written and the report says why. ``partial`` writes the good lines instead,
    leaving out the bad ones and whatever relied on them, and reports both."""
    importer = Importer(conn, progress, partial=partial)
    try:
        async with conn.transaction():
            await importer.start()
            await importer.read(items)
            importer.lap("reading")
            await importer.check()
            importer.lap("checking")
            if not importer.report.ok:
                if not partial:
                    raise _Rollback
                await importer.drop_bad_lines()
            errors_before_writing = importer.report.error_count
            await importer.write()
            importer.lap("writing")
            if importer.report.error_count != errors_before_writing:
                raise _Rollback
            await importer.drop()
            importer.report.imported = True
    except _Rollback:
        pass
    except asyncpg.PostgresError as exc:
        # A constraint the checks above do not foresee: the database has the last word.
        detail = f" ({exc.detail})" if getattr(exc, "detail", None) else ""
        importer.report.add_error(None, f"the database refused the import: {exc}{detail}")
    importer.report.errors.sort(key=lambda e: (e.line is None, e.line or 0))
    importer.report.seconds = time.perf_counter() - importer.started
    importer.progress.close()
    return importer.report


_CHUNK = 1 << 20


def is_csv(name: str, first: bytes) -> bool:
    """CSV by its name, or (a pipe, a request) by not starting like a JSON object."""
    if name.lower().endswith(".csv"):
        return True
    if name.lower().endswith((".jsonl", ".ndjson", ".json")):
        return False
    return not first.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


async def _file_chunks(stream: BinaryIO, progress: Progress) -> AsyncIterator[bytes]:
    while chunk := stream.read(_CHUNK):
        progress.advance(len(chunk))
        yield chunk


async def import_stream(
    conn: asyncpg.Connection,
    chunks: AsyncIterable[bytes],
    *,
    csv: bool,
    progress: Progress | None = None,
    partial: bool = False,
) -> ImportReport:
    """Imports a JSON Lines (or CSV) byte stream; see ``import_items``."""
    items = read_csv(chunks) if csv else read_jsonl(chunks)
    return await import_items(conn, items, progress=progress, partial=partial)


async def import_file(
    url: str,
    stream: BinaryIO,
    *,
    name: str,
    csv: bool | None = None,
    progress: Progress | None = None,
    partial: bool = False,
) -> ImportReport:
    """Imports an open file (CSV when ``csv``, or as ``is_csv`` guesses from its name and
    first bytes) into the database at ``url``."""
    progress = progress or Progress()
    first = stream.peek(64)[:64] if isinstance(stream, io.BufferedReader) else b""
    as_csv = is_csv(name, first) if csv is None else csv
    try:
        size = os.fstat(stream.fileno()).st_size
    except (OSError, io.UnsupportedOperation):
        size = 0
    progress.phase("reading", size)
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return await import_stream(
            conn, _file_chunks(stream, progress), csv=as_csv, progress=progress, partial=partial
        )
    finally:
        await conn.close()
