"""Alembic environment: async, driven by the same MetaData the service uses."""

from __future__ import annotations

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from service.db.server import resolve_database_url
from service.db.tables import metadata
from service.db.urls import sqlalchemy_url

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = metadata


def _url() -> str:
    explicit = context.get_x_argument(as_dictionary=True).get("url") or config.attributes.get("url")
    return sqlalchemy_url(explicit or resolve_database_url())


def _include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    # Extension-owned objects are not ours to compare.
    return not (
        type_ == "table" and reflected and compare_to is None and name not in metadata.tables
    )


# The history schema's tables are defined in tables.py too; the live/asof schemas hold only
# views (built by migrations from the catalog), which autogenerate does not compare.
COMPARED_SCHEMAS = {None, "public", "history"}


def _include_name(name: str | None, type_: str, parent_names: object) -> bool:
    return type_ != "schema" or name in COMPARED_SCHEMAS


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def _run_sync(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=_include_object,
        include_schemas=True,
        include_name=_include_name,
        compare_server_default=False,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    engine = create_async_engine(_url())
    async with engine.connect() as connection:
        await connection.run_sync(_run_sync)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    existing = config.attributes.get("connection")
    if existing is not None:
        _run_sync(existing)
    else:
        asyncio.run(run_migrations_online())
