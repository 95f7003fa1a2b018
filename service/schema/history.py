"""Recorded time on the read side: the ``asOf`` argument of root fields, and the versions of a
record that every node lists under ``history``.

``asOf`` itself is applied before any resolver runs (service/schema/permissions.py): the
request's transaction reads through the ``asof`` views instead of the ``live`` ones, so every
nested field sees the graph as recorded at that moment. The resolvers only declare it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Generic, TypeVar

import asyncpg
import strawberry

from service.repository import entities as e
from service.schema.context import Context
from service.schema.relay import user_error

T = TypeVar("T")

AsOf = Annotated[
    dt.datetime | None,
    strawberry.argument(
        description="Read as the database recorded it at this moment (recorded time: what was "
        "stored then, not when things happened). Applies to the whole operation, nested fields "
        "included; every root field of the operation must give the same value. Without a "
        "time zone, UTC."
    ),
]

MAX_VERSIONS = 100
DEFAULT_VERSIONS = 20

HistoryFirst = Annotated[
    int,
    strawberry.argument(
        description=f"How many versions, newest first: 1 to {MAX_VERSIONS} (default "
        f"{DEFAULT_VERSIONS})."
    ),
]


@strawberry.interface(
    description="A record whose every change is kept: its version, when it was recorded, and "
    "its earlier versions under `history`."
)
class Versioned:
    """Reads the read model's ``version`` and ``recordedAt`` (``TypeMap.versioned_fields``)
    from the record's row."""

    row: strawberry.Private[asyncpg.Record]

    @strawberry.field(
        description="The record's version, from 1; pass it as `expectedVersion` to update or "
        "retire it, so that a change made meanwhile is not overwritten."
    )
    def version(self) -> int:
        version: int = self.row["version"]
        return version

    @strawberry.field(
        description="When this version was recorded (the writing transaction's time)."
    )
    def recorded_at(self) -> dt.datetime:
        recorded: dt.datetime = self.row["recorded_at"]
        return recorded


HISTORY_DESCRIPTION = (
    "The record's versions, newest first, each with its fields as they were then and when it "
    "was recorded; with `asOf`, the versions recorded by then."
)


@strawberry.type(
    description="One version of a record: its fields as recorded from `recordedAt` until "
    "`supersededAt`."
)
class Version(Generic[T]):
    version: int = strawberry.field(description="The version number, from 1, one per change.")
    recorded_at: dt.datetime = strawberry.field(
        description="When this version was recorded (the writing transaction's time)."
    )
    superseded_at: dt.datetime | None = strawberry.field(
        description="When the next version or the deletion replaced it; null while current."
    )
    retired: bool = strawberry.field(
        description="True if the record was retired (soft-deleted) in this version."
    )
    recorded_by_key_id: int | None = strawberry.field(
        description="The id of the API key that wrote this version (`stakegraph keys list`); "
        "null for writes made without a key (loaders, imports run on the server)."
    )
    node: T = strawberry.field(
        description="The record's own fields as they were in this version. Its relations are "
        "read as the rest of the operation reads them (now, or `asOf`)."
    )


async def versions_of(
    context: Context,
    entity: e.Entity,
    pk: int,
    make: Callable[[asyncpg.Record], T],
    first: int,
) -> list[Version[T]]:
    if not 1 <= first <= MAX_VERSIONS:
        raise user_error(f"`first` must be between 1 and {MAX_VERSIONS}; got {first}.")
    rows = await context.loaders.versions(entity, first).load(pk)
    return [
        Version(
            version=row["version"],
            recorded_at=row["recorded_at"],
            superseded_at=row["recorded_to"],
            retired=row["retired_at"] is not None,
            recorded_by_key_id=row["recorded_by"],
            node=make(row),
        )
        for row in rows
    ]
