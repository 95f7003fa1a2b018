"""Persisted documents: a request may name its document by hash or id instead of sending it.

Two modes, chosen by ``STAKEGRAPH_TRUSTED_DOCUMENTS``:

* **Automatic persisted queries** (the default; Apollo's protocol). A request with
  ``extensions.persistedQuery.sha256Hash`` and no ``query`` runs the document registered under
  that hash, or gets ``PersistedQueryNotFound``, upon which the client sends the hash with the
  document: checked against the hash, the document registers once it has parsed and validated.
  Registrations are kept in memory up to ``STAKEGRAPH_APQ_CACHE_BYTES`` and, with
  ``STAKEGRAPH_REDIS_URL``, shared with every worker through Redis within a byte budget
  (service/gateway/apq_redis.py).
* **Trusted documents**: only the documents of the manifest run (service/gateway/manifest.py),
  named by ``documentId``, Relay's ``doc_id``, the APQ hash, or sent in full when their text is
  the manifest's; anything else is refused with ``PERSISTED_DOCUMENT_REQUIRED``, and nothing
  registers.

Whichever way it came, the text goes on like any other request's: through the document cache,
the limits and the compiled path.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError, GraphQLSchema, parse, validate
from redis.asyncio import Redis

from service.caching import WeightedLru
from service.config import Settings
from service.gateway.apq_redis import SharedRegistrations
from service.gateway.errors import (
    PERSISTED_DOCUMENT_NOT_FOUND,
    PERSISTED_DOCUMENT_REQUIRED,
    PERSISTED_QUERY_HASH_MISMATCH,
    PERSISTED_QUERY_NOT_FOUND,
    Refusal,
    bad_request,
)
from service.gateway.manifest import (
    Manifest,
    ManifestError,
    load_manifest,
    normalized_id,
    sha256_hex,
)

log = logging.getLogger(__name__)

_SHA256 = re.compile(r"[0-9a-f]{64}")
# Request fields that name a persisted document (the persisted-documents proposal's, Relay's).
ID_FIELDS = ("documentId", "doc_id")


@dataclass(frozen=True)
class Source:
    """The request's document text, and the hash to register it under once it is valid."""

    query: str
    register: str | None = None


def _not_found() -> Refusal:
    # Apollo's links look for this message or this code; 200 keeps every client on its retry
    # path rather than its network-error one.
    return Refusal(PERSISTED_QUERY_NOT_FOUND, "PersistedQueryNotFound", status=200)


def _persisted_query(params: dict[str, Any]) -> str | None:
    extensions = params.get("extensions")
    if not isinstance(extensions, dict) or "persistedQuery" not in extensions:
        return None
    persisted = extensions["persistedQuery"]
    if not isinstance(persisted, dict):
        raise bad_request("`extensions.persistedQuery` must be an object.")
    if persisted.get("version") != 1:
        raise bad_request("`extensions.persistedQuery.version` must be 1.")
    sha = persisted.get("sha256Hash")
    if not isinstance(sha, str) or _SHA256.fullmatch(sha) is None:
        raise bad_request(
            "`extensions.persistedQuery.sha256Hash` must be 64 lower-case hexadecimal digits."
        )
    return sha


def _document_id(params: dict[str, Any]) -> str | None:
    given = [name for name in ID_FIELDS if params.get(name) is not None]
    if not given:
        return None
    if len(given) > 1:
        raise bad_request(f"Name the document once: got both {' and '.join(given)}.")
    value = params[given[0]]
    if not isinstance(value, str) or not value:
        raise bad_request(f"`{given[0]}` must be a non-empty string.")
    return value


def check_trusted_documents(schema: GraphQLSchema, settings: Settings) -> None:
    """Refuses to start on a trusted-documents manifest that cannot be read, or whose
    documents do not parse and validate against the schema (said with each one's id)."""
    if settings.trusted_documents is None:
        return
    manifest = load_manifest(settings.trusted_documents)
    for document_id, text in manifest.by_id.items():
        try:
            errors = validate(schema, parse(text))
        except GraphQLError as exc:
            errors = [exc]
        if errors:
            raise ManifestError(
                f"{settings.trusted_documents}: {document_id!r} is not a valid document: "
                f"{errors[0].message}"
            )


class PersistedDocuments:
    """Finds the text of each request's document: sent, registered, or trusted."""

    def __init__(
        self,
        settings: Settings,
        *,
        manifest: Manifest | None = None,
        shared: SharedRegistrations | None = None,
    ) -> None:
        self.manifest = manifest
        if manifest is None and settings.trusted_documents is not None:
            self.manifest = load_manifest(settings.trusted_documents)
        self.shared = shared
        if shared is None and settings.redis_url and self.manifest is None:
            self.shared = SharedRegistrations(Redis.from_url(settings.redis_url))
        self._registered: WeightedLru[str, str] = WeightedLru(settings.apq_cache_bytes)

    @property
    def trusted_only(self) -> bool:
        return self.manifest is not None

    async def source(self, params: dict[str, Any]) -> Source:
        query = params.get("query")
        if query is not None and not isinstance(query, str):
            raise bad_request("`query` must be a string.")
        sha = _persisted_query(params)
        document_id = _document_id(params)
        if document_id is not None and (query is not None or sha is not None):
            raise bad_request(
                "Send a document by `documentId` alone, without `query` or a persisted query."
            )
        if sha is not None and query is not None and sha256_hex(query) != sha:
            raise Refusal(
                PERSISTED_QUERY_HASH_MISMATCH,
                "`extensions.persistedQuery.sha256Hash` is not the sha256 of `query`.",
            )
        if self.manifest is not None:
            return Source(self._trusted(query, sha, document_id, self.manifest))
        if document_id is not None:
            return Source(await self._registered_text(normalized_id(document_id)))
        if sha is None:
            if not query or not query.strip():
                raise bad_request("The request has no `query` string.")
            return Source(query)
        if query is not None:
            return Source(query, register=sha)
        return Source(await self._registered_text(sha))

    def _trusted(
        self, query: str | None, sha: str | None, document_id: str | None, manifest: Manifest
    ) -> str:
        wanted = document_id or sha or (sha256_hex(query) if query is not None else None)
        if wanted is None:
            raise bad_request("The request has no `query` string or `documentId`.")
        text = manifest.find(wanted)
        if text is not None:
            return text
        if query is not None and sha is None:
            raise Refusal(
                PERSISTED_DOCUMENT_REQUIRED,
                "This server runs only trusted documents: the document sent is not in its "
                "manifest. Send the id of a persisted document as `documentId`.",
            )
        raise Refusal(
            PERSISTED_DOCUMENT_NOT_FOUND,
            f"No trusted document has the id {wanted[:80]!r}; this server runs only the "
            "documents of its manifest.",
        )

    async def _registered_text(self, sha: str) -> str:
        found, text = self._registered.get(sha)
        if found:
            assert text is not None
            return text
        if self.shared is not None and _SHA256.fullmatch(sha):
            try:
                shared = await self.shared.get(sha)
            except Exception as exc:  # a cache that is down is a miss; the client resends
                log.warning("persisted queries: Redis unavailable: %r", exc)
                shared = None
            if shared is not None:
                self._registered.put(sha, shared, len(shared))
                return shared
        raise _not_found()

    async def register(self, sha: str, query: str) -> None:
        """Keeps a valid document under its hash (already checked to be the query's)."""
        found, _ = self._registered.get(sha)
        if found:
            return
        self._registered.put(sha, query, len(query))
        if self.shared is not None:
            try:
                await self.shared.put(sha, query)
            except Exception as exc:  # registration is an optimisation: never fail the request
                log.warning("persisted queries: Redis unavailable: %r", exc)
