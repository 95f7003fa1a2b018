"""Loads a generated dataset into PostgreSQL with COPY, in one transaction.

The generated rows go through the same tables and constraints as every other writer; COPY
only removes the per-statement cost. Ids are chosen by the generator after the largest id
already present (the tables are locked meanwhile, so nobody else takes them), and the
identity sequences are moved past them afterwards. Reference data the article may already
hold (credit types, exchange rates) is upserted: existing rows are kept and reused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import asyncpg

from service.ingest.generator.model import (
    CREDIT_TYPES,
    GENERATED_AT,
    ID_TABLES,
    TABLE_NAMES,
    Dataset,
    Row,
)
from service.ingest.progress import Progress

CHUNK = 50_000
# Time columns whose defaults would be now(): every row gets GENERATED_AT instead, so that two
# runs give identical rows. Filled wherever the target table has them.
TIME_COLUMNS = ("created_at", "updated_at", "recorded_at")


class GenerateError(RuntimeError):
    """The dataset cannot be written into this database (for example, it is already there)."""


async def lock_tables(conn: asyncpg.Connection) -> None:
    # SHARE ROW EXCLUSIVE: readers go on, but no other writer can take the ids chosen below.
    names = ", ".join(("credit_type", "fx_rate", *TABLE_NAMES))
    await conn.execute(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE")


async def upsert_credit_types(conn: asyncpg.Connection) -> dict[str, int]:
    """The generator's credit types by slug: the existing row where there is one."""
    for slug, name, kind, unit, description in CREDIT_TYPES:
        # One statement each, in a fixed order, so an empty database gets the same ids.
        # NOT EXISTS rather than ON CONFLICT: a conflicting insert would still use up an id.
        await conn.execute(
            "INSERT INTO credit_type (slug, name, consideration_kind, unit, description,"
            " created_at, updated_at) SELECT $1::text, $2, $3, $4, $5, $6, $6"
            " WHERE NOT EXISTS (SELECT FROM credit_type WHERE slug = $1::text)",
            slug,
            name,
            kind,
            unit,
            description,
            GENERATED_AT,
        )
    rows = await conn.fetch(
        "SELECT slug, id FROM credit_type WHERE slug = ANY($1::text[])",
        [slug for slug, *_ in CREDIT_TYPES],
    )
    return {row["slug"]: row["id"] for row in rows}


async def id_bases(conn: asyncpg.Connection) -> dict[str, int]:
    bases: dict[str, int] = {}
    for table in ID_TABLES:
        bases[table] = await conn.fetchval(f"SELECT coalesce(max(id), 0) FROM {table}")
    return bases


async def check_not_present(conn: asyncpg.Connection, ds: Dataset) -> None:
    slugs = [row[1] for row in ds["organization"].rows[:1000]]
    clash = await conn.fetchval(
        "SELECT slug FROM organization WHERE slug = ANY($1::text[]) LIMIT 1", slugs
    )
    if clash is not None:
        raise GenerateError(
            f"organization {clash!r} already exists: this database already holds the dataset of "
            f"seed {ds.seed}; generate into another database or with another seed"
        )


async def upsert_fx_rates(conn: asyncpg.Connection, rates: list[Row]) -> None:
    await conn.execute(
        "INSERT INTO fx_rate (currency, rate_on, usd_per_unit, source)"
        " SELECT * FROM unnest($1::text[], $2::date[], $3::numeric[], $4::text[])"
        " ON CONFLICT (currency, rate_on) DO NOTHING",
        *(list(column) for column in zip(*rates, strict=True)),
    )


def _chunks(rows: list[Row], stamps: tuple[object, ...]) -> Iterator[list[Row]]:
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        yield [row + stamps for row in chunk] if stamps else chunk


async def time_columns(conn: asyncpg.Connection, table: str) -> list[str]:
    """The TIME_COLUMNS ``table`` has, in that order."""
    present = {
        row[0]
        for row in await conn.fetch(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = $1",
            table,
        )
    }
    return [column for column in TIME_COLUMNS if column in present]


async def copy_tables(conn: asyncpg.Connection, ds: Dataset, progress: Progress) -> None:
    progress.phase("writing rows", sum(ds.row_counts().values()))
    for name, table in ds.tables.items():
        stamped = await time_columns(conn, name)
        stamps = (GENERATED_AT,) * len(stamped)
        columns = [*table.columns, *stamped]
        for chunk in _chunks(table.rows, stamps):
            await conn.copy_records_to_table(name, records=chunk, columns=columns)
            progress.advance(len(chunk))


async def advance_sequences(conn: asyncpg.Connection, ds: Dataset) -> None:
    for name in ID_TABLES:
        if ds[name].rows:
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), max(id)) FROM {name}"
            )


async def write_dataset(
    conn: asyncpg.Connection,
    build: Callable[[dict[str, int], dict[str, int]], Dataset],
    progress: Progress,
) -> Dataset:
    """Build the dataset with ids after the existing ones and write it, all in one transaction."""
    async with conn.transaction():
        # A bulk load: losing it to a crash just means running it again.
        await conn.execute("SET LOCAL synchronous_commit = off")
        # The analytics rollups once at the end, not after every COPY (migration 0027).
        await conn.execute("SELECT set_config('stakegraph.rollups', 'deferred', true)")
        await lock_tables(conn)
        credit_type_ids = await upsert_credit_types(conn)
        ds = build(await id_bases(conn), credit_type_ids)
        await check_not_present(conn, ds)
        await upsert_fx_rates(conn, ds.fx_rates)
        await copy_tables(conn, ds, progress)
        await advance_sequences(conn, ds)
        await conn.execute("SELECT sg_usd_cells_flush()")
    progress.phase("analyzing")
    await conn.execute("ANALYZE " + ", ".join(("credit_type", "fx_rate", *TABLE_NAMES)))
    return ds
