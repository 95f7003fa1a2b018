"""Which bucket a request draws on, and how large it is.

Requests with a key draw on the key's bucket: the key's own quota when it has one
(``stakegraph keys quota``), else its scope's default. Requests without a key draw on their
client address's bucket (see ``clients``), with the anonymous default.
"""

from __future__ import annotations

import time
from typing import Any

from service.auth.keys import Principal
from service.config import Settings
from service.domain import Scope
from service.gateway.buckets import Quota

# A key's own quota is read again after this long, so a change reaches running workers.
QUOTA_TTL_S = 30.0


def scope_default(settings: Settings, scope: Scope | None) -> Quota:
    if scope is None:
        return Quota(settings.rate_anonymous_capacity, settings.rate_anonymous_restore)
    name = scope.value
    return Quota(
        getattr(settings, f"rate_{name}_capacity"), getattr(settings, f"rate_{name}_restore")
    )


class Quotas:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._own: dict[int, tuple[Quota | None, float]] = {}

    def forget(self) -> None:
        self._own.clear()

    def cached(self, principal: Principal) -> Quota | None:
        """The quota when no database read is needed for it, else None."""
        if principal.key_id is None:
            return scope_default(self.settings, None)
        own = self._own.get(principal.key_id)
        if own is None or time.monotonic() - own[1] > QUOTA_TTL_S:
            return None
        return own[0] or scope_default(self.settings, principal.scope)

    async def of(self, principal: Principal, conn: Any) -> Quota:
        """The principal's quota, reading the key's own on ``conn`` when it is not cached."""
        known = self.cached(principal)
        if known is not None:
            return known
        assert principal.key_id is not None
        own = await own_quota(conn, principal.key_id)
        self._own[principal.key_id] = (own, time.monotonic())
        return own or scope_default(self.settings, principal.scope)


async def own_quota(conn: Any, key_id: int) -> Quota | None:
    row = await conn.fetchrow(
        "SELECT rate_capacity, rate_restore FROM public.api_key WHERE id = $1", key_id
    )
    if row is None or row["rate_capacity"] is None:
        return None
    return Quota(row["rate_capacity"], row["rate_restore"])


async def set_own_quota(conn: Any, id_or_prefix: str, quota: Quota | None) -> int | None:
    """Gives a key its own quota (None: back to its scope's default); the key's id, or None
    when there is no such key."""
    if quota is not None and (quota.capacity <= 0 or quota.restore <= 0):
        raise ValueError("a quota's capacity and restore rate must both be positive")
    key_id: int | None = await conn.fetchval(
        "UPDATE public.api_key SET rate_capacity = $2, rate_restore = $3"
        " WHERE prefix = $1 OR id::text = $1 RETURNING id",
        id_or_prefix,
        None if quota is None else quota.capacity,
        None if quota is None else quota.restore,
    )
    return key_id
