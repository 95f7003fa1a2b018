"""Merging a duplicate organization into a survivor, and undoing it.

Every live row that names the duplicate is moved to the survivor. A row whose move would break a
rule (the survivor already has the same name, the two were related to each other, both took
part in one event) is a duplicate of one the survivor has: it is retired instead. Two
investments in one round cannot be merged silently, so they stop the merge. The duplicate is
retired. Each change is recorded with the values before it, so ``undo`` can put them back; the
versioning triggers keep the history of every row either way.
"""

from __future__ import annotations

import json
from typing import Any

import asyncpg
from sqlalchemy import Table

from service.db import tables as t
from service.mutations.writes import (
    INVALID,
    NOT_FOUND,
    Rejected,
    UserError,
    exists_live,
    references_to,
    reject,
)
from service.repository.db import Db

MERGE_CONFLICT = "MERGE_CONFLICT"
ALREADY_UNDONE = "ALREADY_UNDONE"

# Rows that cannot simply be retired as duplicates when they collide.
_CONFLICTS_STOP = {"investment"}


def _key(table: Table, row: asyncpg.Record) -> dict[str, Any]:
    return {c.name: row[c.name] for c in table.primary_key.columns}


def _where(key: dict[str, Any], start: int) -> tuple[str, list[Any]]:
    parts = [f"{name} = ${i}" for i, name in enumerate(key, start)]
    return " AND ".join(parts), list(key.values())


async def merge(db: Db, survivor: int, merged: int, key_id: int | None) -> int:
    """Merges ``merged`` into ``survivor``; returns the merge's id."""
    if survivor == merged:
        raise reject("merged", INVALID, "An organization cannot be merged into itself.")
    for field, pk in (("survivor", survivor), ("merged", merged)):
        if not await exists_live(db, t.organization, pk):
            raise reject(field, NOT_FOUND, f"`{field}` names no live organization.")
    parent = await db.fetchval_sql(
        "SELECT parent_id FROM public.organization WHERE id = $1", [survivor]
    )
    if parent == merged:
        raise reject(
            "merged",
            MERGE_CONFLICT,
            "The survivor's parent is the organization to merge; change the parent first.",
        )
    changes: list[dict[str, Any]] = []
    conflicts: list[UserError] = []
    for table, column in references_to(t.organization):
        rows = await db.fetch_sql(
            f"SELECT * FROM public.{table.name} WHERE {column} = $1 AND retired_at IS NULL",
            [merged],
        )
        for row in rows:
            key = _key(table, row)
            change = await _move(db, table, column, key, survivor, merged)
            if change is None:
                conflicts.append(
                    UserError(
                        "merged",
                        MERGE_CONFLICT,
                        f"Both organizations have a {table.name} row that cannot be combined "
                        f"({json.dumps(key, default=str)}); resolve it first.",
                    )
                )
            else:
                changes.append(change)
    if conflicts:
        raise Rejected(conflicts)
    await db.fetch_sql(
        "UPDATE public.organization SET retired_at = now(), updated_at = now() WHERE id = $1",
        [merged],
    )
    changes.append({"table": "organization", "key": {"id": merged}, "retired": True})
    merge_id: int = await db.fetchval_sql(
        "INSERT INTO public.organization_merge (survivor_id, merged_id, key_id, changes)"
        " VALUES ($1, $2, $3, $4::jsonb) RETURNING id",
        [survivor, merged, key_id, json.dumps(changes, default=str)],
    )
    return merge_id


async def _move(
    db: Db, table: Table, column: str, key: dict[str, Any], survivor: int, merged: int
) -> dict[str, Any] | None:
    """Moves one row to the survivor; a colliding duplicate is retired; None: it cannot be."""
    where, args = _where(key, 3)
    by_key, _ = _where(key, 1)
    extra = ", is_primary = false" if table is t.organization_name else ""
    before = None
    if table is t.organization_name:
        before = await db.fetchval_sql(
            f"SELECT is_primary FROM public.organization_name WHERE {by_key}", args
        )
    # One savepoint per row: a collision undoes that row's move only.
    await db.fetch_sql("SAVEPOINT merge_row")
    try:
        await db.fetch_sql(
            f"UPDATE public.{table.name} SET {column} = $1{extra} WHERE {column} = $2 AND {where}",
            [survivor, merged, *args],
        )
    except (asyncpg.UniqueViolationError, asyncpg.CheckViolationError):
        await db.fetch_sql("ROLLBACK TO SAVEPOINT merge_row")
        if table.name in _CONFLICTS_STOP:
            return None
        await db.fetch_sql(
            f"UPDATE public.{table.name} SET retired_at = now() WHERE {by_key}", args
        )
        return {"table": table.name, "key": key, "retired": True}
    await db.fetch_sql("RELEASE SAVEPOINT merge_row")
    moved_key = {k: (survivor if k == column else v) for k, v in key.items()}
    change: dict[str, Any] = {"table": table.name, "key": moved_key, "column": column}
    if before is not None:
        change["is_primary"] = before
    return change


async def undo(db: Db, merge_id: int) -> tuple[int, int]:
    """Reverts a merge: the duplicate is live again with every row it had. Returns (survivor,
    merged)."""
    row = await db.fetch_sql(
        "SELECT survivor_id, merged_id, changes, undone_at FROM public.organization_merge"
        " WHERE id = $1 FOR UPDATE",
        [merge_id],
    )
    if not row:
        raise reject("id", NOT_FOUND, "No merge has this ID.")
    if row[0]["undone_at"] is not None:
        raise reject("id", ALREADY_UNDONE, "This merge was already undone.")
    survivor, merged = row[0]["survivor_id"], row[0]["merged_id"]
    changes: list[dict[str, Any]] = json.loads(row[0]["changes"])
    for change in reversed(changes):
        table, key = change["table"], change["key"]
        names = list(key)
        conditions = " AND ".join(f"{name} = ${i}" for i, name in enumerate(names, 1))
        values = [int(v) for v in key.values()]
        if change.get("retired"):
            await _undo_statement(
                db,
                f"UPDATE public.{table} SET retired_at = NULL WHERE {conditions}",
                values,
            )
            continue
        column = change["column"]
        restore = ""
        if "is_primary" in change:
            restore = f", is_primary = {'true' if change['is_primary'] else 'false'}"
        await _undo_statement(
            db,
            f"UPDATE public.{table} SET {column} = ${len(names) + 1}{restore} WHERE {conditions}",
            [*values, merged],
        )
    await db.fetch_sql(
        "UPDATE public.organization_merge SET undone_at = now() WHERE id = $1", [merge_id]
    )
    return survivor, merged


async def _undo_statement(db: Db, sql: str, args: list[Any]) -> None:
    try:
        await db.fetch_sql(sql, args)
    except (asyncpg.UniqueViolationError, asyncpg.CheckViolationError) as exc:
        raise reject(
            "id",
            MERGE_CONFLICT,
            f"The merge cannot be undone: a row added since collides with one it restores "
            f"({exc.args[0]}).",
        ) from None
