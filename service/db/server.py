"""Which PostgreSQL server the service uses: the configured one, or the embedded one."""

from __future__ import annotations

from service.config import get_settings
from service.db.embedded import ensure_embedded


def resolve_database_url() -> str:
    """The configured server, or the embedded one (started on first use in this process)."""
    settings = get_settings()
    if settings.database_url:
        return settings.database_url
    return ensure_embedded(settings.data_dir).url
