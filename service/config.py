"""Runtime configuration: one settings class, read from ``STAKEGRAPH_*`` variables."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


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
    # How long a request waits for a pooled connection before it is refused as unavailable.
    pool_acquire_timeout_ms: int = 1_000
    # Requests that may queue for a connection; past this many, more are refused at once.
    pool_max_waiting: int = 40
    statement_timeout_ms: int = 15_000
    # The whole request, every statement and the work between them, from its first byte.
    request_deadline_ms: int = 20_000

    max_query_depth: int = 15
    max_query_nodes: int = 50_000
    default_page_size: int = 20
    max_page_size: int = 100

    # Request limits, checked in this order before any parse or SQL (see README "Limits").
    max_body_bytes: int = 1_048_576
    max_json_depth: int = 64
    max_document_tokens: int = 5_000
    max_aliases: int = 100
    max_directives: int = 100
    max_fragment_spreads: int = 200
    # Fields an operation selects once every fragment spread is expanded in place.
    max_expanded_fields: int = 5_000
    # Input values: the fields set in argument objects (mutation inputs included), the
    # conditions of filter trees, how deeply values nest, and how long any list may be.
    max_input_fields: int = 2_000
    max_filter_leaves: int = 200
    max_input_depth: int = 16
    max_list_length: int = 1_000
    # Parsed documents and compiled plans kept for reuse, in (estimated) bytes.
    plan_cache_bytes: int = 64 * 1_048_576

    # Bulk import over HTTP: its own body limit and deadline (the file is streamed).
    import_max_bytes: int = 4 * 1_073_741_824
    import_deadline_ms: int = 3_600_000
    # What an import or an export takes from its key's rate-limit bucket, flat (its size is
    # unknown before it runs), and how many of each may run at once per key.
    bulk_request_cost: int = 1_000
    bulk_concurrency: int = 1

    # Reads compiled to one SQL statement; off sends every request through the resolvers.
    compiler: bool = True

    public_read: bool | None = Field(
        default=None,
        description="Whether queries need no API key. Unset: true, except when env is "
        "`production`. Mutations always need a `write` key.",
    )

    # -- subscriptions (docs/subscriptions.md) --
    # Open subscriptions one websocket may hold, and one process may serve in all.
    subscriptions_per_connection: int = 20
    subscriptions_per_process: int = 1_000
    # A subscriber told of a change its feed does not list yet (an older transaction of the
    # cluster still runs) reads again this often until it does.
    subscription_poll_ms: int = 250
    # Otherwise it reads again after this long without a notification, in case one was lost.
    subscription_idle_poll_ms: int = 30_000
    # A websocket's `connection_init` must arrive this soon after it opens.
    subscription_init_timeout_ms: int = 3_000

    # -- browsers and GraphQL clients (docs/frontends.md) --
    cors_origins: Annotated[list[str] | None, NoDecode] = Field(
        default=None,
        description="Origins whose pages may call the API, comma-separated; `*` as the port "
        "allows any (`http://localhost:*`), a lone `*` any origin. Unset: none in production, "
        "`http://localhost:*` and `http://127.0.0.1:*` otherwise.",
    )
    cors_max_age_s: int = 600
    # Cache-Control max-age of a GET answered without an API key (CDNs may keep it that long).
    get_max_age_s: int = 60
    trusted_documents: Path | None = Field(
        default=None,
        description="A manifest of persisted documents: only those run, by hash, and automatic "
        "persisted-query registration is off.",
    )
    # Automatic persisted queries registered by clients, kept up to this many bytes of text.
    apq_cache_bytes: int = 16 * 1_048_576
    redis_url: str | None = Field(
        default=None,
        description="Redis shared by every worker: rate-limit buckets and automatic persisted "
        "queries. Unset: each process keeps its own.",
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            if value.lstrip().startswith("["):  # also as a JSON list, as other list settings
                return json.loads(value)
            return [o.strip() for o in value.split(",") if o.strip()]
        return value

    @property
    def allowed_origins(self) -> list[str]:
        if self.cors_origins is not None:
            return self.cors_origins
        if self.env == "production":
            return []
        return ["http://localhost:*", "http://127.0.0.1:*"]

    # -- guardrails (docs/operations.md) ------------------------------------------------------
    # Rate limits: a leaky bucket of query-cost points per API key, and per client address for
    # requests without one. Capacity is the burst, restore the points regained per second.
    rate_limit: bool = True
    # Verified API keys are remembered per worker this long (0: looked up on every request),
    # and only while the worker hears the database's notifications of key changes.
    key_cache_seconds: float = 30.0
    key_cache_entries: int = 10_000
    # Addresses (or CIDR networks), comma-separated, of proxies whose X-Forwarded-For is
    # believed; the client is the last address before the first untrusted hop.
    trusted_proxies: str = ""
    # Deployments sharing one Redis keep apart by their namespace.
    rate_limit_namespace: str = "stakegraph"
    rate_anonymous_capacity: int = 50_000
    rate_anonymous_restore: int = 1_000
    rate_read_capacity: int = 100_000
    rate_read_restore: int = 5_000
    rate_write_capacity: int = 100_000
    rate_write_restore: int = 5_000
    rate_admin_capacity: int = 100_000
    rate_admin_restore: int = 5_000

    # Production mode switches these off; each can be switched back on explicitly.
    introspection: bool | None = None
    graphiql: bool | None = None
    docs_pages: bool | None = None
    field_suggestions: bool | None = None
    # /metrics answers everyone outside production; in production only when this is true
    # (scrape it from inside the network, or through a proxy that guards it).
    public_metrics: bool | None = None

    # Logs: `json` lines (one object each) or `text`; operations slower than this are logged.
    log_format: str = "json"
    slow_operation_ms: int = 1_000
    # Traces through OpenTelemetry when its SDK is installed (the `otel` extra).
    tracing: bool = False

    # On SIGTERM: stop accepting, then let in-flight requests finish for at most this long.
    shutdown_grace_s: float = 30.0
    # How long connecting to an unreachable database may take before a request gives up.
    connect_timeout_ms: int = 1_000

    # -- webhooks (docs/webhooks.md) -----------------------------------------------------------
    # `in-process`: every server process delivers; `off`: only `stakegraph worker` does.
    webhook_deliverer: str = "in-process"
    # Hosts (names, addresses or CIDR networks), comma-separated, that endpoints may name even
    # though they are loopback, private, link-local or unspecified addresses.
    webhook_allowed_hosts: str = ""
    # Attempts before a delivery is parked as a dead letter, and the backoff between them:
    # base * 2^(attempt - 1), capped, each with jitter (half of it random).
    webhook_max_attempts: int = 8
    webhook_base_delay_ms: int = 2_000
    webhook_max_delay_ms: int = 3_600_000
    # One attempt's deadline (connect, send, answer), and how long a claim keeps other
    # deliverers away (longer than an attempt: a claim that expired is taken again).
    webhook_timeout_ms: int = 10_000
    webhook_lease_ms: int = 60_000
    # How often an idle deliverer looks for due deliveries, and how many it sends at once.
    webhook_poll_ms: int = 1_000
    webhook_concurrency: int = 10
    # After a rotation the previous secret signs too (a second signature) for this long.
    webhook_secret_overlap_s: int = 86_400
    # Delivered (and skipped) deliveries are deleted this long after they finished; dead
    # letters stay until replayed or their endpoint is deleted.
    webhook_keep_delivered_s: int = 604_800

    @field_validator("webhook_deliverer")
    @classmethod
    def _deliverer_mode(cls, value: str) -> str:
        if value not in ("in-process", "off"):
            raise ValueError("webhook_deliverer is `in-process` or `off`")
        return value

    @property
    def production(self) -> bool:
        return self.env == "production"

    def enabled(self, switch: bool | None) -> bool:
        """A switch production mode turns off unless it is set explicitly."""
        return switch if switch is not None else not self.production

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
