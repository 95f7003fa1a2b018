"""The staging tables of an import: one per record type and per embedded list, each a
temporary table of the record's fields as written (references as natural keys) after the
number of the line that held them."""

from __future__ import annotations

from dataclasses import dataclass

from service.ingest.bulk.format import KEY_COLUMN, RECORD_TYPES, Embedded, Field, Kind, RecordType

PREFIX = "_sg_stage_"


def q(name: str) -> str:
    return f'"{name}"'


@dataclass(frozen=True, slots=True)
class Stage:
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


def _top_stage(rt: RecordType) -> Stage:
    columns = [f.name for f in rt.fields] + [f"{e.field}_given" for e in rt.embedded]
    types = [_field_type(f) for f in rt.fields] + ["boolean"] * len(rt.embedded)
    return Stage(
        rt.name, PREFIX + rt.name, tuple(columns), tuple(types), rt.fields, rt.key, rt.name, None
    )


def _child_stage(parent: RecordType, e: Embedded) -> Stage:
    columns = ["parent", "ordinal", *(f.name for f in e.fields)]
    types = ["text", "integer", *(_field_type(f) for f in e.fields)]
    key = ("key",) if e.table in KEY_COLUMN else ("parent", *e.identity)
    return Stage(
        e.table,
        PREFIX + e.table,
        tuple(columns),
        tuple(types),
        e.fields,
        key,
        parent.name,
        e.field,
    )


STAGES: dict[str, Stage] = {}
for _rt in RECORD_TYPES.values():
    STAGES[_rt.name] = _top_stage(_rt)
    for _e in _rt.embedded:
        STAGES[_e.table] = _child_stage(_rt, _e)
