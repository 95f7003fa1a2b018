"""The deliverer: claims due deliveries from the outbox, posts them signed, records the outcome.

* Claims with ``SELECT … FOR UPDATE SKIP LOCKED`` and a lease (``leased_until``, ``lease``):
  deliverers in several processes never take the same row while its lease runs, and a row
  whose deliverer died is taken again once its lease expires. Nothing is kept in memory: the
  rows are the queue, so a restart loses nothing.
* In order per entity: a delivery is not claimed while an earlier one for the same endpoint
  and record is still pending (waiting for a retry, or leased). A dead letter does not hold
  the later ones back (docs/webhooks.md says why).
* At least once: a delivery is marked delivered only after a 2xx answer; an attempt that
  timed out after the receiver acted is sent again. Receivers deduplicate on ``webhook-id``.
* Failures are retried after ``base * 2^(attempt-1)`` (capped), half of it random, and parked
  as dead letters after ``webhook_max_attempts``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import secrets
import time
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx

from service.changes.operations import ChangeOperation
from service.config import Settings
from service.db.pool import Connection
from service.repository.changes import read_changes_by_id
from service.repository.db import Db
from service.telemetry import metrics
from service.webhooks.events import ImportRange, change_event, import_event
from service.webhooks.signing import signature_header
from service.webhooks.urls import AllowList, UrlRefused, check_url

log = logging.getLogger("stakegraph.webhooks")

USER_AGENT = "Stakegraph-Webhooks/1"
MAX_ERROR = 500

CLAIM_SQL = """
WITH ready AS (
    SELECT d.id FROM public.webhook_delivery d
    JOIN public.webhook_endpoint e ON e.id = d.endpoint_id
    WHERE d.state = 'pending' AND d.next_attempt_at <= now()
      AND (d.leased_until IS NULL OR d.leased_until < now())
      AND e.enabled
      AND NOT EXISTS (
          SELECT FROM public.webhook_delivery p
          WHERE p.endpoint_id = d.endpoint_id AND p.entity = d.entity
            AND p.state = 'pending' AND p.id < d.id)
    ORDER BY d.next_attempt_at, d.id
    LIMIT $1
    FOR UPDATE OF d SKIP LOCKED
)
UPDATE public.webhook_delivery d SET
    leased_until = now() + $2 * interval '1 millisecond', lease = $3, attempts = d.attempts + 1
FROM ready
WHERE d.id = ready.id
RETURNING d.id, d.endpoint_id, d.audit_id, d.last_audit_id, d.import_id, d.attempts
"""

ENDPOINTS_SQL = """
SELECT id, url, tables, operations, secret,
       CASE WHEN previous_until > now() THEN previous_secret END AS previous_secret
FROM public.webhook_endpoint WHERE id = ANY($1::bigint[])
"""

IMPORT_SQL = """
SELECT min(a.txid) AS txid, min(a.at) AS at, a.table_name, count(*) AS n
FROM public.audit_log a
WHERE a.id BETWEEN $1 AND $2 AND a.import_id = $3
  AND ($4::text[] IS NULL OR a.table_name = ANY($4::text[]))
  AND ($5::text[] IS NULL OR $5::text[] && sg_webhook_operations(a.action))
GROUP BY a.table_name
"""

FINISH_SQL = """
UPDATE public.webhook_delivery SET
    state = $3, finished_at = now(), leased_until = NULL, last_status = $4, last_error = $5
WHERE id = $1 AND lease = $2
"""

RETRY_SQL = """
UPDATE public.webhook_delivery SET
    state = CASE WHEN attempts >= $3 THEN 'dead' ELSE 'pending' END,
    finished_at = CASE WHEN attempts >= $3 THEN now() END,
    next_attempt_at = now() + $4 * interval '1 millisecond',
    leased_until = NULL, last_status = $5, last_error = $6
WHERE id = $1 AND lease = $2
"""

PRUNE_SQL = """
DELETE FROM public.webhook_delivery WHERE id IN (
    SELECT id FROM public.webhook_delivery
    WHERE state IN ('delivered', 'skipped')
      AND finished_at < now() - $1 * interval '1 second'
    LIMIT $2
)
"""
PRUNE_BATCH = 10_000
# How often a deliverer deletes what it need not keep.
PRUNE_EVERY_S = 60.0

BACKLOG_SQL = "SELECT count(*) FROM public.webhook_delivery WHERE state = 'pending'"


def backoff_ms(attempt: int, base_ms: int, max_ms: int, rng: random.Random) -> int:
    """The wait after failed attempt ``attempt`` (1 for the first): exponential, capped, with
    half of it random so that deliveries that failed together do not retry together."""
    delay = min(max_ms, base_ms * 2 ** min(attempt - 1, 40))
    return int(delay / 2 + rng.uniform(0, delay / 2))


@dataclass(frozen=True)
class Claimed:
    id: int
    endpoint_id: int
    audit_id: int
    last_audit_id: int | None
    import_id: int | None
    attempts: int


@dataclass(frozen=True)
class Target:
    url: str
    tables: list[str] | None
    operations: list[str] | None
    secrets: list[str]


@dataclass(frozen=True)
class Outcome:
    state: str  # delivered, skipped, or failed (retried or dead)
    status: int | None = None
    error: str | None = None


class Deliverer:
    """Delivers the outbox of one database; any number may run at once (processes, tasks)."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        settings: Settings,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.pool = pool
        self.settings = settings
        self.allowed = AllowList.parse(settings.webhook_allowed_hosts)
        self._client = client
        self._rng = random.Random()
        self._pruned_at = -PRUNE_EVERY_S

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            timeout = self.settings.webhook_timeout_ms / 1000
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(timeout),
                follow_redirects=False,
                headers={"user-agent": USER_AGENT},
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def claim(self, limit: int) -> tuple[int, list[Claimed]]:
        """Leases up to ``limit`` due deliveries; (the lease, what it holds)."""
        lease = secrets.randbits(62)
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(CLAIM_SQL, limit, self.settings.webhook_lease_ms, lease)
        claimed = [
            Claimed(
                id=r["id"],
                endpoint_id=r["endpoint_id"],
                audit_id=r["audit_id"],
                last_audit_id=r["last_audit_id"],
                import_id=r["import_id"],
                attempts=r["attempts"],
            )
            for r in rows
        ]
        return lease, sorted(claimed, key=lambda c: c.id)

    async def run_once(self) -> int:
        """Claims what is due and delivers it; how many deliveries it attempted."""
        lease, claimed = await self.claim(self.settings.webhook_concurrency)
        if claimed:
            await self._deliver_all(lease, claimed)
        await self._measure()
        return len(claimed)

    async def _measure(self) -> None:
        async with self.pool.acquire() as conn:
            metrics.WEBHOOK_BACKLOG.set(await conn.fetchval(BACKLOG_SQL))
            if time.monotonic() - self._pruned_at >= PRUNE_EVERY_S:
                self._pruned_at = time.monotonic()
                await self.prune(conn)

    async def prune(self, conn: Connection) -> int:
        """Deletes deliveries finished longer ago than ``webhook_keep_delivered_s``."""
        deleted = 0
        while True:
            status = await conn.execute(
                PRUNE_SQL, self.settings.webhook_keep_delivered_s, PRUNE_BATCH
            )
            count = int(status.rsplit(" ", 1)[-1])
            deleted += count
            if count < PRUNE_BATCH:
                return deleted

    async def _deliver_all(self, lease: int, claimed: list[Claimed]) -> None:
        async with self.pool.acquire() as conn:
            db = Db(conn)
            rows = await db.fetch_sql(ENDPOINTS_SQL, [sorted({c.endpoint_id for c in claimed})])
            targets = {
                r["id"]: Target(
                    url=r["url"],
                    tables=r["tables"],
                    operations=r["operations"],
                    secrets=[s for s in (r["secret"], r["previous_secret"]) if s],
                )
                for r in rows
            }
            singles = [c.audit_id for c in claimed if c.import_id is None]
            changes = await read_changes_by_id(db, singles) if singles else {}
            events: list[tuple[Claimed, Target, dict[str, Any] | Outcome | None]] = []
            for item in claimed:
                target = targets.get(item.endpoint_id)
                if target is None:
                    continue  # deleted meanwhile: its deliveries went with it
                try:
                    event: dict[str, Any] | Outcome | None = await self._event(
                        db, item, target, changes
                    )
                except LookupError as exc:
                    event = Outcome("failed", error=str(exc))
                events.append((item, target, event))
        outcomes = await asyncio.gather(
            *(self._attempt(item, target, event) for item, target, event in events)
        )
        async with self.pool.acquire() as conn:
            for (item, _, _), outcome in zip(events, outcomes, strict=True):
                await self._record(conn, lease, item, outcome)

    async def _event(
        self, db: Db, item: Claimed, target: Target, changes: dict[int, Any]
    ) -> dict[str, Any] | None:
        """The event to send; None when the change turned out to be an operation the endpoint
        does not take (the outbox matched it by its audit action only)."""
        if item.import_id is None:
            row = changes.get(item.audit_id)
            if row is None:
                raise LookupError(f"audit row {item.audit_id} is missing")
            wanted = target.operations
            if wanted is not None and ChangeOperation(row.operation) not in wanted:
                return None
            return change_event(row)
        assert item.last_audit_id is not None
        counted = await db.fetch_sql(
            IMPORT_SQL,
            [item.audit_id, item.last_audit_id, item.import_id, target.tables, target.operations],
        )
        if not counted:
            raise LookupError(f"the audit rows of import {item.import_id} are missing")
        return import_event(
            ImportRange(
                import_id=item.import_id,
                txid=min(r["txid"] for r in counted),
                first_id=item.audit_id,
                last_id=item.last_audit_id,
                at=min(r["at"] for r in counted),
                counts={r["table_name"]: r["n"] for r in counted},
            )
        )

    async def _attempt(
        self, item: Claimed, target: Target, event: dict[str, Any] | Outcome | None
    ) -> Outcome:
        """Posts the event; an outcome already known (an event that could not be made) is
        recorded as it is, and None (an operation the endpoint does not take) is skipped."""
        if isinstance(event, Outcome):
            return event
        if event is None:
            return Outcome("skipped")
        try:
            # Again at each attempt: the name may point elsewhere since it was registered.
            await check_url(target.url, self.allowed)
        except UrlRefused as exc:
            return Outcome("failed", error=str(exc)[:MAX_ERROR])
        body = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
        message_id = f"msg_{item.id}"
        timestamp = int(time.time())
        headers = {
            "content-type": "application/json",
            "webhook-id": message_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature_header(target.secrets, message_id, timestamp, body),
        }
        try:
            response = await self._http().post(target.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return Outcome("failed", error=f"{type(exc).__name__}: {exc}"[:MAX_ERROR])
        if 200 <= response.status_code < 300:
            return Outcome("delivered", status=response.status_code)
        return Outcome(
            "failed",
            status=response.status_code,
            error=f"HTTP {response.status_code}: {response.text[:200]}"[:MAX_ERROR],
        )

    async def _record(self, conn: Connection, lease: int, item: Claimed, outcome: Outcome) -> None:
        # `lease = $2`: a deliverer whose lease expired and was taken over records nothing.
        if outcome.state in ("delivered", "skipped"):
            await conn.execute(
                FINISH_SQL, item.id, lease, outcome.state, outcome.status, outcome.error
            )
            return
        settings = self.settings
        delay = backoff_ms(
            item.attempts, settings.webhook_base_delay_ms, settings.webhook_max_delay_ms, self._rng
        )
        await conn.execute(
            RETRY_SQL,
            item.id,
            lease,
            settings.webhook_max_attempts,
            delay,
            outcome.status,
            outcome.error,
        )
        log.info(
            "webhook delivery failed",
            extra={"delivery": item.id, "attempt": item.attempts, "error": outcome.error},
        )

    async def run(self, stop: asyncio.Event) -> None:
        """Delivers until ``stop`` is set; a failing database pauses it, never ends it."""
        poll = self.settings.webhook_poll_ms / 1000
        try:
            while not stop.is_set():
                try:
                    attempted = await self.run_once()
                except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                    log.warning("webhook deliverer: %s", exc)
                    attempted = 0
                except Exception:
                    # Whatever went wrong, the rows are still there: keep delivering the rest.
                    log.exception("webhook deliverer failed; going on")
                    attempted = 0
                if attempted == 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), timeout=poll)
        finally:
            await self.aclose()
