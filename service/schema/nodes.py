"""Global-ID resolution: which type an ID names and how to load it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from service.ids import GlobalIdError, decode_id
from service.repository.registry import NODE_TYPES, TYPE_OF_TABLE, entity_of
from service.schema.context import Context
from service.schema.mapped import make
from service.schema.relay import Node


async def load_node(context: Context, global_id: str) -> Node | None:
    """The object an ID names; None for a well-formed ID of nothing that exists."""
    type_name, pk = decode_id(global_id)
    if type_name not in NODE_TYPES:
        raise GlobalIdError(f"{global_id!r} is not a valid ID")
    row = await context.loaders.row(entity_of(type_name)).load(pk)
    node: Node | None = make(type_name, row) if row is not None else None
    return node


async def load_node_by_pk(context: Context, table: str, pk: int) -> Node | None:
    type_name = TYPE_OF_TABLE[table]
    row = await context.loaders.row(entity_of(type_name)).load(pk)
    node: Node | None = make(type_name, row) if row is not None else None
    return node


async def load_object(context: Context, type_name: str, pk: int) -> Any:
    """The ``type_name`` object with primary key ``pk``, or None."""
    row = await context.loaders.row(entity_of(type_name)).load(pk)
    return make(type_name, row) if row is not None else None


async def require_object(context: Context, type_name: str, pk: int) -> Any:
    """As ``load_object``, for keys a foreign key guarantees: a miss is a bug, not input."""
    found = await load_object(context, type_name, pk)
    if found is None:
        raise LookupError(f"{type_name} {pk} vanished")
    return found


async def load_objects(context: Context, type_name: str, pks: Sequence[int]) -> list[Any]:
    """The objects that exist of ``pks``, in order, in one batched statement (awaiting loads
    one by one would not batch)."""
    rows = await context.loaders.row(entity_of(type_name)).load_many(list(pks))
    return [make(type_name, row) for row in rows if row is not None]
