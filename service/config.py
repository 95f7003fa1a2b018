"""Runtime configuration: one settings class, read from ``STAKEGRAPH_*`` variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob the service has. Limits are here so that they are documented in one place."""

    model_config = SettingsConfigDict(env_prefix="STAKEGRAPH_", extra="ignore")

    database_url: str | None = Field(
        default=None,
        description="PostgreSQL URL. Unset: an embedded PostgreSQL is started in data_dir.",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    data_dir: Path = Path(".stakegraph")
    env: str = "development"

    pool_min_size: int = 1
    pool_max_size: int = 10
    statement_timeout_ms: int = 15_000

    max_query_depth: int = 15
    max_query_nodes: int = 50_000
    default_page_size: int = 20
    max_page_size: int = 100

    # Reads compiled to one SQL statement; off sends every request through the resolvers.
    compiler: bool = True

    public_read: bool | None = Field(
        default=None,
        description="Whether queries need no API key. Unset: true, except when env is "
        "`production`. Mutations always need a `write` key.",
    )

    @property
    def embedded(self) -> bool:
        return not self.database_url

    @property
    def reads_are_public(self) -> bool:
        if self.public_read is not None:
            return self.public_read
        return self.env != "production"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
