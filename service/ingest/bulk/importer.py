"""``stakegraph import``: loads records of the bulk format, all or nothing.

Each record is checked on its own in Python (``bulk.validate``; for JSON Lines in worker
processes, block by block, ``bulk.pipeline``) and COPied into a temporary staging table of its
type; checks across records (duplicate natural keys, references that
resolve neither in the file nor in the database) are then set-based queries over the staging
tables; only a clean file goes on to set-based upserts, type by type in dependency order,
``INSERT … SELECT … ON CONFLICT (natural key) DO UPDATE`` that touch only rows whose values
change (so a repeated import writes nothing, and history records only real changes). Any error
rolls the whole transaction back: the report lists every bad line with its reason. A file in
type order has each type checked and written as soon as the input is past it, while the rest
is still being staged (``Importer.write_ahead``). Audit rows name the import (migration 0007);
they are light rows, without images, unless ``ImportOptions.audit_images``. See docs/bulk.md.

Import never deletes a record the file leaves out; an embedded list that is present (an
organization's ``names``, an investment's ``consideration``, an event's ``participants``, a
claim's ``subjects``) replaces the stored list, one that is absent leaves it alone.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import aclosing
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
    Kind,
    RecordType,
)
from service.ingest.bulk.pipeline import BLOCK_BYTES, shutdown_workers, staged_blocks
from service.ingest.bulk.read import Item, JsonlOrder, LineError, after_end, read_csv
from service.ingest.bulk.stage import Block, Stager
from service.ingest.bulk.stages import STAGES, Stage, q
from service.ingest.progress import Progress

MAX_REPORTED_ERRORS = 1000
_FLUSH_ROWS = 20_000
_REJECTED = "_sg_stage_rejected"
_TYPE_INDEX = {name: index for index, name in enumerate(TYPE_ORDER)}


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
    # The bulk_import row, and the import_id of the audit rows, of an import that changed
    # something.
    import_id: int | None = None
    # Record types written while the input still came in (``Importer.write_ahead``).
    written_ahead: list[str] = field(default_factory=list)

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
            "importId": self.import_id,
            "writtenAhead": self.written_ahead,
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


class Importer:
    """One import on one connection, inside the caller's transaction."""

    def __init__(
        self,
        conn: asyncpg.Connection,
        progress: Progress | None = None,
        *,
        partial: bool = False,
        source: str = "import",
        audit_images: bool = False,
    ) -> None:
        self.conn = conn
        self.progress = progress or Progress(enabled=False)
        self.partial = partial
        self.source = source
        self.audit_images = audit_images
        self.report = ImportReport(partial=partial)
        self.currencies: frozenset[str] = frozenset()
        self.stager = Stager(frozenset())
        self.staged: dict[str, int] = dict.fromkeys(STAGES, 0)
        self.rejected: list[tuple[str, str]] = []
        # Lines that are no record at all: what they held is unknown, so checks across
        # records would only echo them.
        self.unreadable = 0
        self.started = time.perf_counter()
        self.import_id = 0
        self.audit_before = 0
        # Writing ahead (``write_ahead``): record types written while the input still came
        # in, with the last line and the staged row counts they were written through.
        self.ahead = not partial
        self.highest_type = -1
        self.written: dict[str, tuple[int, dict[str, int]]] = {}
        self.settings_before: tuple[str, str] = ("", "")

    async def start(self) -> None:
        # The checks and upserts hash-join and sort whole staging tables: with the default
        # few megabytes they spill to disk.
        await self.conn.execute("SET LOCAL work_mem = '256MB'")
        codes = await self.conn.fetch("SELECT code FROM currency")
        self.currencies = frozenset(row["code"] for row in codes)
        self.stager = Stager(self.currencies)
        for stage in STAGES.values():
            columns = ", ".join(
                f"{q(c)} {t}" for c, t in zip(stage.columns, stage.types, strict=True)
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
        await self._audit_as_import()

    async def _audit_as_import(self) -> None:
        """Every audit row written from here on names this import; without ``audit_images``
        they are light rows (no images: the history holds them; migration 0007). The id is
        drawn now and its ``bulk_import`` row written at the end, only if the import changed
        something, so that an import that changes nothing writes nothing."""
        row = await self.conn.fetchrow(
            "SELECT nextval(pg_get_serial_sequence('bulk_import', 'id')) AS id,"
            " (SELECT coalesce(max(id), 0) FROM audit_log) AS audit_before,"
            " coalesce(current_setting('stakegraph.import_id', true), '') AS import_id,"
            " coalesce(current_setting('stakegraph.audit', true), '') AS audit"
        )
        assert row is not None
        self.import_id, self.audit_before = row["id"], row["audit_before"]
        self.settings_before = (row["import_id"], row["audit"])
        # An audit the caller turned off stays off.
        mode = row["audit"] if row["audit"] == "off" else "full" if self.audit_images else "light"
        await self.conn.execute(
            "SELECT set_config('stakegraph.import_id', $1, true),"
            " set_config('stakegraph.audit', $2, true)",
            str(self.import_id),
            mode,
        )

    async def finish(self) -> None:
        """Records the import in ``bulk_import`` with the range of its audit rows, and gives
        the caller's transaction back its settings."""
        first = await self.conn.fetchval(
            "SELECT id FROM audit_log WHERE id > $1 AND import_id = $2 ORDER BY id LIMIT 1",
            self.audit_before,
            self.import_id,
        )
        if first is not None:
            last = await self.conn.fetchval(
                "SELECT id FROM audit_log WHERE id >= $1 AND import_id = $2"
                " ORDER BY id DESC LIMIT 1",
                first,
                self.import_id,
            )
            await self.conn.execute(
                "INSERT INTO bulk_import (id, key_id, source, finished_at, records, rows,"
                " audit_from, audit_to, partial)"
                " VALUES ($1, sg_key_id(), $2, clock_timestamp(), $3, $4, $5, $6, $7)",
                self.import_id,
                self.source,
                self.report.records,
                self.report.rows,
                first,
                last,
                self.partial,
            )
            self.report.import_id = self.import_id
        await self.conn.execute(
            "SELECT set_config('stakegraph.import_id', $1, true),"
            " set_config('stakegraph.audit', $2, true)",
            *self.settings_before,
        )

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.report.phases[phase] = now - self.started - sum(self.report.phases.values())

    # --- reading ------------------------------------------------------------------------

    async def read(self, items: AsyncIterable[Item] | Iterable[Item]) -> None:
        """Records already read (the article loader, CSV): checked in this process."""
        if isinstance(items, AsyncIterable):
            async for line, item in items:
                await self._item(line, item)
        else:
            for line, item in items:
                await self._item(line, item)
        await self._flush_stager()

    async def _item(self, line: int, item: dict[str, Any] | LineError) -> None:
        self.stager.item(line, item)
        if self.stager.pending() >= _FLUSH_ROWS:
            await self._flush_stager()

    async def _flush_stager(self) -> None:
        stager = self.stager
        self.report.records += stager.records
        self.unreadable += stager.unreadable
        for line, message in stager.errors:
            self.report.add_error(line, message)
        self.rejected.extend(stager.rejected)
        for name, rows in stager.rows.items():
            if rows:
                stage = STAGES[name]
                await self.conn.copy_records_to_table(
                    stage.table, records=rows, columns=["line", *stage.columns]
                )
                self.staged[name] += len(rows)
        self.stager = Stager(self.currencies)

    async def read_jsonl(
        self, chunks: AsyncIterable[bytes], *, workers: bool | None, block_bytes: int
    ) -> None:
        """A JSON Lines stream: staged block by block (in worker processes when it is longer
        than a block) while each staged block is copied."""
        order = JsonlOrder()
        last = 0
        # Closed as soon as the import stops, so that its reader and workers stop too.
        blocks = staged_blocks(chunks, self.currencies, workers=workers, block_bytes=block_bytes)
        async with aclosing(blocks):
            async for block in blocks:
                last = max(last, block.last)
                if order.ended_at is not None:
                    # The end record came in an earlier block: nothing here is read.
                    for line in block.lines:
                        self.unreadable += 1
                        self.report.add_error(line, after_end(order.ended_at).message)
                    continue
                base = order.records
                for line, marker, before in block.markers:
                    order.records = base + before
                    error = order.marker(line, marker)
                    if error is not None:
                        self.unreadable += 1
                        self.report.add_error(line, error.message)
                order.records = base + block.framed
                self.report.records += block.records
                self.unreadable += block.unreadable
                for error_line, message in block.errors:
                    self.report.add_error(error_line, message)
                self.rejected.extend(block.rejected)
                for name, data in block.copy.items():
                    stage = STAGES[name]
                    await self.conn.copy_to_table(
                        stage.table, source=io.BytesIO(data), columns=["line", *stage.columns]
                    )
                    self.staged[name] += block.counts[name]
                await self.write_ahead(block)
        end = order.finish(last)
        if end is not None:
            line, missing = end
            assert isinstance(missing, LineError)
            self.unreadable += 1
            self.report.add_error(line, missing.message)

    # --- writing ahead -------------------------------------------------------------------

    async def write_ahead(self, block: Block) -> None:
        """Writes the record types the input is done with while the workers stage the rest.

        Files written by export and the generator hold their records in ``TYPE_ORDER``: once
        a block holds no record of a type before T, every type before T is complete, so it is
        checked and written now rather than after the last line. Nothing changes in what an
        import means: it is one transaction, the final checks still see every row, and a type
        is written ahead only while the file has no error at all and its own checks pass
        (their errors are left for the final checks to report). A record that comes after its
        type was written (a file out of order) stops writing ahead; the final write then takes
        the rows staged since (``since``), and the final checks cover their types again."""
        indexes = [_TYPE_INDEX[STAGES[name].holder] for name in block.counts]
        if not self.ahead or not indexes:
            return
        low = min(indexes)
        if low < self.highest_type:
            self.ahead = False  # out of order: the rest waits for the whole file
            return
        self.highest_type = max(self.highest_type, max(indexes))
        for name in TYPE_ORDER[:low]:
            if name in self.written:
                continue
            if self.report.error_count or self.unreadable or not await self._clean(name):
                self.ahead = False
                return
            await self._write_type(name, since=0, ahead=True)
            self.written[name] = (block.last, self._counts_of(name))
            self.report.written_ahead.append(name)
            self.progress.note("")

    def _stages_of(self, name: str) -> list[Stage]:
        return [STAGES[name], *(STAGES[e.table] for e in RECORD_TYPES[name].embedded)]

    def _counts_of(self, name: str) -> dict[str, int]:
        return {stage.name: self.staged[stage.name] for stage in self._stages_of(name)}

    async def _clean(self, name: str) -> bool:
        """Whether a type's staged rows pass their checks now; the errors are not reported
        here (a reference may yet be satisfied by a record further on)."""
        report, self.report = self.report, ImportReport()
        try:
            for stage in self._stages_of(name):
                if self.staged[stage.name]:
                    await self.conn.execute(f"ANALYZE {stage.table}")
                    await self._duplicates(stage)
                    await self._references(stage)
            if name == "organization":
                await self._parent_cycles()
            return self.report.ok
        finally:
            self.report = report

    def _since(self, name: str) -> int | None:
        """The rows of a type still to write: all (0), those after a line, or none (None)."""
        if name not in self.written:
            return 0
        through, counts = self.written[name]
        return None if counts == self._counts_of(name) else through

    # --- checking ------------------------------------------------------------------------

    async def check(self) -> None:
        if self.rejected:
            await self.conn.copy_records_to_table(
                _REJECTED, records=self.rejected, columns=["type", "key"]
            )
        self.report.rows = sum(self.staged.values())
        if self.unreadable and not self.partial:
            return
        self.progress.phase("checking")
        # A type written ahead with nothing staged since passed these checks already.
        done = {
            stage.name
            for name in TYPE_ORDER
            if self._since(name) is None
            for stage in self._stages_of(name)
        }
        for name, stage in STAGES.items():
            if self.staged[name] and name not in done:
                await self.conn.execute(f"ANALYZE {stage.table}")
        for name, stage in STAGES.items():
            if self.staged[name] and name not in done:
                await self._duplicates(stage)
                await self._references(stage)
        if "organization" not in done:
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

    def _unique_sets(self, stage: Stage) -> list[tuple[str, ...]]:
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

    async def _duplicates(self, stage: Stage) -> None:
        for names in self._unique_sets(stage):
            cols = ", ".join(q(n) for n in names)
            not_null = " AND ".join(f"{q(n)} IS NOT NULL" for n in names)
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

    async def _references(self, stage: Stage) -> None:
        checks: list[tuple[str, str, str]] = [
            (f.name, f.target, "") for f in stage.fields if f.kind is Kind.REF and f.target
        ]
        if stage.name == "claim_subject":
            checks = [("key", target, f"type = '{target}'") for target in SUBJECT_TYPES]
        owner = "parent" if stage.list_field else stage.key[0]
        for column, target, condition in checks:
            natural = q(KEY_COLUMN[target])
            ref = f"s.{q(column)}"
            where = f" AND s.{condition}" if condition else ""
            rows = await self.conn.fetch(
                f"SELECT s.line, {ref} AS ref, s.{q(owner)} AS owner FROM {stage.table} s"
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
            since = self._since(name)
            if since is not None:
                await self._write_type(name, since=since)

    async def _write_type(self, name: str, *, since: int, ahead: bool = False) -> None:
        """A record type and its embedded lists, from the staged rows after line ``since``;
        ``ahead``: while the input is still being read (its progress bar stays)."""
        rt = RECORD_TYPES[name]
        if not self.staged[name]:
            return
        show = self.progress.note if ahead else self.progress.phase
        show(f"writing {name}")
        if name == "organization":
            await self._organizations(since)
        else:
            await self._upsert(STAGES[name], rt.table.name, since=since)
            self._finish_counts(name, self.staged[name])
        for e in rt.embedded:
            show(f"writing {e.table}")
            await self._children(rt, e, since)

    def _select(self, stage: Stage, alias: str = "s") -> tuple[list[str], list[str], list[str]]:
        """Target columns, the expressions filling them, and the joins resolving references."""
        columns: list[str] = []
        exprs: list[str] = []
        joins: list[str] = []
        table = tables.metadata.tables[stage.name]
        for f in stage.fields:
            if stage.name == "claim_subject":
                continue
            columns.append(f.column)
            source = f"{alias}.{q(f.name)}"
            if f.kind is Kind.REF:
                assert f.target is not None
                ref = f"r_{f.name}"
                join = "JOIN" if f.required else "LEFT JOIN"
                joins.append(
                    f"{join} {f.target} {ref} ON {ref}.{q(KEY_COLUMN[f.target])} = {source}"
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
        stage: Stage,
        table: str,
        *,
        conflict: Sequence[str] | None = None,
        parent: tuple[str, str, str] | None = None,
        since: int = 0,
    ) -> None:
        """``INSERT … SELECT … ON CONFLICT DO UPDATE`` of a staging table, changing only rows
        whose values differ; ``parent`` = (parent table, its key column, our parent column)."""
        columns, exprs, joins = self._select(stage)
        if parent is not None:
            parent_table, parent_key, parent_column = parent
            columns.insert(0, parent_column)
            exprs.insert(0, "p.id")
            joins.insert(0, f"JOIN {parent_table} p ON p.{q(parent_key)} = s.parent")
        key_columns = (
            list(conflict)
            if conflict is not None
            else [stage.fields[[f.name for f in stage.fields].index(n)].column for n in stage.key]
        )
        updates = [c for c in columns if c not in key_columns and c != "id"]
        stamp = ", updated_at = now()" if "updated_at" in tables.metadata.tables[table].c else ""
        target = ", ".join(q(c) for c in key_columns)
        if updates:
            changed = ", ".join(f"{table}.{q(c)}" for c in updates)
            excluded = ", ".join(f"EXCLUDED.{q(c)}" for c in updates)
            assignments = ", ".join(f"{q(c)} = EXCLUDED.{q(c)}" for c in updates)
            action = (
                f"DO UPDATE SET {assignments}{stamp}"
                f" WHERE ROW({changed}) IS DISTINCT FROM ROW({excluded})"
            )
        else:
            action = "DO NOTHING"
        sql = (
            f"WITH up AS (INSERT INTO {table} ({', '.join(q(c) for c in columns)})"
            f" SELECT {', '.join(exprs)} FROM {stage.table} s {' '.join(joins)}"
            f" WHERE s.line > {int(since)}"
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

    async def _organizations(self, since: int) -> None:
        """One statement, parents and subsidiaries alike: new organizations are numbered
        first (in the file's order), so a parent's id is known wherever it is written."""
        stage = STAGES["organization"]
        await self.conn.execute(
            f"UPDATE {stage.table} s SET _id = n.id FROM (SELECT line,"
            " nextval(pg_get_serial_sequence('organization', 'id')) AS id FROM"
            f" (SELECT line FROM {stage.table} s WHERE s.line > {int(since)} AND NOT EXISTS"
            " (SELECT FROM organization o WHERE o.slug = s.slug) ORDER BY line) AS x) AS n"
            " WHERE s.line = n.line"
        )
        await self._upsert(stage, "organization", since=since)
        self._finish_counts("organization", self.staged["organization"])

    async def _children(self, rt: RecordType, e: Embedded, since: int) -> None:
        stage = STAGES[e.table]
        parent_stage = STAGES[rt.name]
        parent_key = KEY_COLUMN[rt.name]
        given = q(f"{e.field}_given")
        counts = self.report.tables.setdefault(e.table, TableCounts())
        if e.table == "claim_subject":
            await self._subjects(parent_stage, given, counts, since)
            return
        # Children of listed parents that the list leaves out go first, so that a position or
        # name they held is free for the rows that follow.
        matches: list[str] = []
        joins: list[str] = []
        for name in e.identity:
            f = next(f for f in e.fields if f.name == name)
            if f.kind is Kind.REF:
                assert f.target is not None
                natural = q(KEY_COLUMN[f.target])
                joins.append(f"JOIN {f.target} r_{name} ON r_{name}.{natural} = c.{q(name)}")
                matches.append(f"r_{name}.id = x.{q(f.column)}")
            else:
                matches.append(f"c.{q(name)} = x.{q(f.column)}")
        status = await self.conn.execute(
            f"DELETE FROM {e.table} x USING {parent_stage.table} s, {rt.table.name} p"
            f" WHERE s.{given} AND s.line > {int(since)} AND p.{q(parent_key)} = s.{q(parent_key)}"
            f" AND x.{q(e.parent_column)} = p.id"
            f" AND NOT EXISTS (SELECT FROM {stage.table} c {' '.join(joins)}"
            f" WHERE c.parent = s.{q(parent_key)} AND {' AND '.join(matches)})"
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
                since=since,
            )
        self._finish_counts(e.table, self.staged[e.table])

    @staticmethod
    def _column(e: Embedded, name: str) -> str:
        return next(f.column for f in e.fields if f.name == name)

    async def _subjects(
        self, parent_stage: Stage, given: str, counts: TableCounts, since: int
    ) -> None:
        """Claim subjects: one arc column per subject type, filled through the subject's key."""
        stage = STAGES["claim_subject"]
        for subject_type, column in SUBJECT_TYPES.items():
            natural = q(KEY_COLUMN[subject_type])
            status = await self.conn.execute(
                f"DELETE FROM claim_subject x USING {parent_stage.table} s, claim p"
                f" WHERE s.{given} AND s.line > {int(since)} AND p.key = s.key"
                " AND x.claim_id = p.id"
                f" AND x.{column} IS NOT NULL AND NOT EXISTS (SELECT FROM {stage.table} c"
                f" JOIN {subject_type} t ON t.{natural} = c.key"
                f" WHERE c.parent = s.key AND c.type = '{subject_type}' AND t.id = x.{column})"
            )
            counts.deleted += int(status.split()[-1])
            status = await self.conn.execute(
                f"INSERT INTO claim_subject (claim_id, {column})"
                f" SELECT DISTINCT p.id, t.id FROM {stage.table} c JOIN claim p ON p.key = c.parent"
                f" JOIN {subject_type} t ON t.{natural} = c.key WHERE c.type = '{subject_type}'"
                f" AND c.line > {int(since)}"
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


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """How an import runs. ``partial``: write the good lines, leaving out the bad ones and
    whatever relied on them. ``source``: what ``bulk_import`` records it came from.
    ``audit_images``: full audit rows with row images instead of light ones (migration 0007).
    ``workers``: stage JSON Lines in worker processes (None: when longer than a block)."""

    partial: bool = False
    source: str = "import"
    audit_images: bool = False
    workers: bool | None = None
    block_bytes: int = BLOCK_BYTES


async def _run(
    conn: asyncpg.Connection,
    read: Callable[[Importer], Awaitable[None]],
    progress: Progress | None,
    options: ImportOptions,
) -> ImportReport:
    """One import in one transaction (a savepoint inside the caller's); on any error nothing
    is written and the report says why, unless ``partial``."""
    partial = options.partial
    importer = Importer(
        conn, progress, partial=partial, source=options.source, audit_images=options.audit_images
    )
    try:
        async with conn.transaction():
            await importer.start()
            # The analytics rollups once at the end, not after every statement (0027).
            await conn.execute("SELECT set_config('stakegraph.rollups', 'deferred', true)")
            await read(importer)
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
            await conn.execute("SELECT sg_usd_cells_flush()")
            await importer.finish()
            await importer.drop()
            importer.report.imported = True
    except _Rollback:
        importer.report.import_id = None
    except asyncpg.PostgresError as exc:
        importer.report.import_id = None
        # A constraint the checks above do not foresee: the database has the last word.
        detail = f" ({exc.detail})" if getattr(exc, "detail", None) else ""
        importer.report.add_error(None, f"the database refused the import: {exc}{detail}")
    importer.report.errors.sort(key=lambda e: (e.line is None, e.line or 0))
    importer.report.seconds = time.perf_counter() - importer.started
    importer.progress.close()
    return importer.report


async def import_items(
    conn: asyncpg.Connection,
    items: AsyncIterable[Item] | Iterable[Item],
    *,
    progress: Progress | None = None,
    partial: bool = False,
    options: ImportOptions | None = None,
) -> ImportReport:
    """Imports records already read (checked in this process); see ``ImportOptions``."""

    async def read(importer: Importer) -> None:
        await importer.read(items)

    chosen = options or ImportOptions(partial=partial)
    return await _run(conn, read, progress, chosen)


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
    options: ImportOptions | None = None,
) -> ImportReport:
    """Imports a JSON Lines (or CSV) byte stream; see ``ImportOptions``. CSV (rounds or
    investments, small files) is read in this process; JSON Lines block by block."""
    chosen = options or ImportOptions(partial=partial)
    if csv:
        return await import_items(conn, read_csv(chunks), progress=progress, options=chosen)

    async def read(importer: Importer) -> None:
        await importer.read_jsonl(chunks, workers=chosen.workers, block_bytes=chosen.block_bytes)

    return await _run(conn, read, progress, chosen)


async def import_file(
    url: str,
    stream: BinaryIO,
    *,
    name: str,
    csv: bool | None = None,
    progress: Progress | None = None,
    partial: bool = False,
    options: ImportOptions | None = None,
) -> ImportReport:
    """Imports an open file (CSV when ``csv``, or as ``is_csv`` guesses from its name and
    first bytes) into the database at ``url``."""
    progress = progress or Progress()
    chosen = options or ImportOptions(partial=partial, source=name)
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
            conn, _file_chunks(stream, progress), csv=as_csv, progress=progress, options=chosen
        )
    finally:
        await conn.close()
        # One file, one command: its worker processes end with it.
        shutdown_workers()
