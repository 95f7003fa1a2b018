"""Rate limits: each request's estimated cost taken from its bucket before any of its SQL runs,
what it did not use given back once it has run, and the bucket's state in every answer.

As Shopify's GraphQL API does: a request whose estimate does not fit in what the bucket holds
is refused with ``THROTTLED`` (HTTP 429, ``Retry-After`` and the ``RateLimit`` headers), and
every answer says in ``extensions.cost`` what it was estimated to cost, what it cost, and the
bucket's maximum, what is left and its restore rate.

Buckets live in Redis when ``STAKEGRAPH_REDIS_URL`` is set, so that every worker draws on the
same ones; when Redis fails, requests are limited by this process's own buckets instead (logged
once per outage, counted every time) and Redis is tried again a second later. Never a 5xx.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Any

import asyncpg
from starlette.types import Scope

from service.auth.keys import Principal
from service.config import Settings
from service.faults import UNAVAILABLE_ERRORS
from service.gateway.buckets import LocalBuckets, Quota, RedisBuckets, Taken
from service.gateway.clients import client_address, parse_proxies
from service.gateway.errors import SERVICE_UNAVAILABLE, THROTTLED, Refusal
from service.gateway.quotas import Quotas
from service.telemetry import metrics

log = logging.getLogger(__name__)

POLICY = "cost"
# How long Redis is left alone after it failed, before it is tried again.
REDIS_RETRY_S = 1.0
REDIS_TIMEOUT_S = 0.25


@dataclass(frozen=True)
class Charge:
    """A request's cost, taken from its bucket."""

    bucket: str
    quota: Quota
    requested: int
    taken: Taken


def bucket_headers(quota: Quota, taken: Taken) -> dict[str, str]:
    """The ``RateLimit`` and ``RateLimit-Policy`` headers (IETF httpapi draft) and, for a
    refusal, ``Retry-After``: the window is the time an empty bucket takes to fill."""
    window = math.ceil(quota.capacity / quota.restore)
    if taken.allowed:
        reset = math.ceil((quota.capacity - taken.available) / quota.restore)
    else:
        reset = math.ceil(taken.retry_after)
    headers = {
        "ratelimit-policy": f'"{POLICY}";q={quota.capacity};w={window}',
        "ratelimit": f'"{POLICY}";r={max(0, math.floor(taken.available))};t={max(0, reset)}',
    }
    if not taken.allowed:
        headers["retry-after"] = str(max(1, math.ceil(taken.retry_after)))
    return headers


def throttle_status(quota: Quota, available: float) -> dict[str, Any]:
    return {
        "maximumAvailable": quota.capacity,
        "currentlyAvailable": max(0, math.floor(available)),
        "restoreRate": quota.restore,
    }


class Throttle:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.enabled = settings.rate_limit
        self.quotas = Quotas(settings)
        self.proxies = parse_proxies(settings.trusted_proxies)
        self.local = LocalBuckets()
        self.shared = (
            RedisBuckets(
                settings.redis_url,
                timeout_s=REDIS_TIMEOUT_S,
                prefix=f"{settings.rate_limit_namespace}:bucket:",
            )
            if settings.redis_url
            else None
        )
        self._redis_retry_at = 0.0
        self._redis_failing = False

    async def quota(self, principal: Principal, pool: asyncpg.Pool) -> Quota:
        known = self.quotas.cached(principal)
        if known is not None:
            return known
        try:
            timeout = self.settings.pool_acquire_timeout_ms / 1000
            async with pool.acquire(timeout=timeout) as conn:
                return await self.quotas.of(principal, conn)
        except UNAVAILABLE_ERRORS as exc:
            log.warning("database unavailable: %r", exc)
            raise Refusal(
                SERVICE_UNAVAILABLE,
                "The database is unavailable; retry shortly.",
                status=503,
                request_level=True,
            ) from None

    def bucket_of(self, scope: Scope, principal: Principal) -> str:
        if principal.key_id is not None:
            return f"key:{principal.key_id}"
        return f"addr:{client_address(scope, self.proxies)}"

    async def charge(
        self, scope: Scope, principal: Principal, quota: Quota, requested: int
    ) -> Charge:
        """Takes ``requested`` points, or refuses the request with THROTTLED."""
        bucket = self.bucket_of(scope, principal)
        taken = await self._take(bucket, quota, requested)
        if taken.allowed:
            return Charge(bucket, quota, requested, taken)
        metrics.THROTTLED.labels(kind=bucket.partition(":")[0]).inc()
        if requested > quota.capacity:
            message = (
                f"The query's estimated cost ({requested}) is more than this client's bucket "
                f"holds ({quota.capacity}): ask for smaller pages or fewer fields."
            )
        else:
            message = (
                f"Rate limit: the query's estimated cost is {requested} points and "
                f"{math.floor(taken.available)} are available, restored at {quota.restore} "
                f"per second; retry in {math.ceil(taken.retry_after)} s."
            )
        refusal = Refusal(
            THROTTLED,
            message,
            status=429,
            request_level=True,
            cost={
                "requestedQueryCost": requested,
                "throttleStatus": throttle_status(quota, taken.available),
            },
        )
        refusal.headers = bucket_headers(quota, taken)
        raise refusal

    async def settle(self, charge: Charge, actual: int) -> Taken:
        """Gives back what the request did not use of its estimate."""
        unused = charge.requested - actual
        if unused <= 0:
            return charge.taken
        return await self._take(charge.bucket, charge.quota, -unused)

    async def _take(self, bucket: str, quota: Quota, cost: int) -> Taken:
        if self.shared is not None and time.monotonic() >= self._redis_retry_at:
            try:
                taken = await self.shared.take(bucket, quota, cost)
            except Exception as exc:  # whatever Redis does, the request goes on
                if not self._redis_failing:
                    log.warning(
                        "rate limits: Redis failed (%r); limiting per process until it answers",
                        exc,
                    )
                    self._redis_failing = True
                self._redis_retry_at = time.monotonic() + REDIS_RETRY_S
            else:
                if self._redis_failing:
                    log.info("rate limits: Redis answers again; buckets shared again")
                    self._redis_failing = False
                return taken
        if self.shared is not None:
            metrics.RATE_LIMIT_FALLBACKS.inc()
        return self.local.take_now(bucket, quota, cost)
