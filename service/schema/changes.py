"""The `changes` root field: the change feed (docs/changes.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from service.changes.cursor import START, CursorError, Position, decode_cursor, encode_cursor
from service.changes.operations import ChangeOperation
from service.ids import encode_id
from service.repository.changes import ChangeRow, read_changes
from service.repository.registry import NODE_TYPES, TYPE_MAPS
from service.schema.context import Info
from service.schema.costs import cost
from service.schema.relay import user_error

DEFAULT_CHANGES = 100
MAX_CHANGES = 1000

# Entity type names as the schema names them, and the tables they are stored in.
TABLE_OF_TYPE: dict[str, str] = {name: m.entity.name for name, m in TYPE_MAPS.items()}
TYPE_OF_TABLE: dict[str, str] = {table: name for name, table in TABLE_OF_TYPE.items()}

strawberry.enum(
    ChangeOperation,
    description="What a change did to its record.",
)


@strawberry.type(description="The API key that made a change.")
class ChangeKey:
    id: int = strawberry.field(description="The key's number.")
    prefix: str = strawberry.field(description="The key's public prefix.")
    name: str = strawberry.field(description="The key's name.")


@strawberry.type(description="One change to one record, as the audit log recorded it.")
class Change:
    cursor: str = strawberry.field(description="Resume the feed after this change with it.")
    entity_type: str = strawberry.field(
        description="The type of the record changed, e.g. `Organization`, `FundingRound`."
    )
    id: strawberry.ID | None = strawberry.field(
        description="The global ID of the record changed; null for types without IDs (links "
        "keyed by what they join)."
    )
    key: str | None = strawberry.field(
        description="The record's natural key: its slug, or the key imports name it by."
    )
    operation: ChangeOperation = strawberry.field(description="What the change did.")
    version: int | None = strawberry.field(
        description="The record's version after the change (for DELETED: the version removed)."
    )
    recorded_at: datetime = strawberry.field(
        description="When the change was recorded (its transaction's time)."
    )
    merged_into: strawberry.ID | None = strawberry.field(
        description="For MERGED: the global ID of the organization it was merged into."
    )
    made_by: ChangeKey | None = strawberry.field(
        description="The API key that made the change; null for changes made without one "
        "(migrations, command-line imports)."
    )
    import_id: int | None = strawberry.field(
        description="The bulk import that made the change, if one did."
    )


@strawberry.type(description="A page of the change feed.")
class ChangePage:
    nodes: list[Change] = strawberry.field(description="Changes, oldest transaction first.")
    end_cursor: str = strawberry.field(
        description="Pass as `after` to read on: the last change's cursor, or the `after` given "
        "when there was nothing new. Never skips a change, however transactions interleave."
    )
    has_more: bool = strawberry.field(
        description="More changes were already available past this page. When false, later "
        "changes will follow from `endCursor` as they are committed."
    )


def change_node(row: ChangeRow) -> Change:
    type_name = TYPE_OF_TABLE.get(row.table, row.table)
    global_id = (
        strawberry.ID(encode_id(type_name, row.row_id))
        if type_name in NODE_TYPES and row.row_id is not None
        else None
    )
    merged_into = (
        strawberry.ID(encode_id("Organization", row.merged_into))
        if row.merged_into is not None
        else None
    )
    made_by = (
        ChangeKey(id=row.key_id, prefix=row.key_prefix, name=row.key_name)
        if row.key_id is not None and row.key_prefix is not None and row.key_name is not None
        else None
    )
    return Change(
        cursor=encode_cursor(row.position),
        entity_type=type_name,
        id=global_id,
        key=row.row_key,
        operation=row.operation,
        version=row.version,
        recorded_at=row.at,
        merged_into=merged_into,
        made_by=made_by,
        import_id=row.import_id,
    )


def tables_of(types: list[str] | None) -> list[str] | None:
    """The tables of the entity types named (all when None); unknown names are refused."""
    if types is None:
        return None
    unknown = sorted(set(types) - TABLE_OF_TYPE.keys())
    if unknown:
        known = ", ".join(sorted(TABLE_OF_TYPE))
        raise user_error(f"Unknown types {', '.join(unknown)}; the types are {known}.")
    return [TABLE_OF_TYPE[name] for name in types]


def position_of(after: str | None) -> Position:
    """The feed position a cursor names (the start for None); a bad cursor is refused."""
    try:
        return START if after is None else decode_cursor(after)
    except CursorError as exc:
        raise user_error(str(exc)) from exc


async def _changes(
    info: Info,
    after: Annotated[
        str | None,
        strawberry.argument(description="A cursor from an earlier page; the start if omitted."),
    ] = None,
    types: Annotated[
        list[str] | None,
        strawberry.argument(description="Only changes to records of these types (all if omitted)."),
    ] = None,
    first: Annotated[
        int,
        strawberry.argument(description=f"How many changes, 1 to {MAX_CHANGES}."),
    ] = DEFAULT_CHANGES,
) -> ChangePage:
    if not 1 <= first <= MAX_CHANGES:
        raise user_error(f"`first` must be between 1 and {MAX_CHANGES}, not {first}.")
    position = position_of(after)
    tables = tables_of(types)
    rows = await read_changes(info.context.db, position, tables, first + 1)
    page = rows[:first]
    end = page[-1].position if page else position
    return ChangePage(
        nodes=[change_node(r) for r in page],
        end_cursor=encode_cursor(end),
        has_more=len(rows) > first,
    )


changes_field: ChangePage = strawberry.field(
    resolver=_changes,
    description="The change feed: every change to every record (mutations, merges and their "
    "undoing, bulk imports), oldest transaction first, resumable from a cursor. Only changes "
    "of transactions older than every transaction still running are listed, so that a "
    "transaction that commits late never lands behind a cursor already handed out.",
    metadata=cost(items="first", default_items=DEFAULT_CHANGES),
)
