"""The database schema: the single definition that alembic, the repositories and the loaders use.

Invariants live here as constraints so that every writer (the article loader, the generator,
future mutations and imports) is held to them by PostgreSQL itself, not by convention.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from service.domain import (
    AcquisitionStatus,
    Attribution,
    ConsiderationKind,
    CreditUnit,
    DatePrecision,
    DealRole,
    EventKind,
    ExitKind,
    ListingStatus,
    NameKind,
    OrganizationKind,
    PaymentKind,
    RelationshipKind,
    RoleKind,
    RoundStatus,
    RoundType,
    Scope,
    SourceKind,
    Stance,
    ValuationBasis,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Normalised names are computed by this SQL function (created in the first migration), so that
# trigram indexes, filters and search all agree on one folding: case, accents, Arabic marks.
NORMALIZE_FUNCTION = "sg_normalize"


def _in(column: str, enum: type[StrEnum]) -> str:
    values = ", ".join(f"'{member.value}'" for member in enum)
    return f"{column} IN ({values})"


def _id() -> Column[int]:
    return Column("id", BigInteger, Identity(always=False), primary_key=True)


def _key() -> list[Column[object] | CheckConstraint]:
    """The natural key of a table without a slug: what imports, exports and claim subjects name
    a row by, the same in every database (ids are not). Bulk writers give meaningful keys
    (``moonshot-ai/round-1``); a writer with none to give gets a random one, so every row can
    still be exported and referred to."""
    return [
        Column(
            "key",
            Text,
            nullable=False,
            unique=True,
            server_default=text("gen_random_uuid()::text"),
        ),
        CheckConstraint("key <> '' AND key !~ '[[:space:]]'", name="key_format"),
    ]


def _timestamps() -> list[Column[object]]:
    return [
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    ]


# Who wrote a row's current version: the API key of the writing transaction, which sets
# `stakegraph.key_id` (NULL for loaders and imports run without a key). A default, not a
# trigger, so that bulk COPY pays nothing for it.
KEY_ID_FUNCTION = "sg_key_id"


def _versioned() -> list[Column[object]]:
    """Optimistic concurrency and recorded time: a trigger bumps ``version`` and copies the
    previous version into the ``history`` schema on every update (migration 0004)."""
    return [
        Column("version", Integer, nullable=False, server_default=text("1")),
        Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("recorded_by", BigInteger, server_default=text(f"{KEY_ID_FUNCTION}()")),
        Column("retired_at", DateTime(timezone=True)),
    ]


def derived_column(name: str, type_: Any, **kwargs: Any) -> Column[Any]:
    """A column the database derives from other rows (triggers keep it, migration 0007): no
    writer sets it, so record formats leave it out (``is_derived``)."""
    return Column(name, type_, nullable=False, info={"derived": True}, **kwargs)


def is_derived(column: Column[Any]) -> bool:
    return bool(column.info.get("derived"))


def _partial_date(prefix: str) -> list[Column[object] | CheckConstraint]:
    """A date known to a precision; ``date`` is the first day of the period it names."""
    on, precision = f"{prefix}_on", f"{prefix}_precision"
    return [
        Column(on, Date),
        Column(precision, String(8)),
        CheckConstraint(f"({on} IS NULL) = ({precision} IS NULL)", name=f"{prefix}_pair"),
        CheckConstraint(_in(precision, DatePrecision), name=f"{prefix}_precision"),
        CheckConstraint(
            f"{precision} IS NULL OR {precision} = 'DAY'"
            f" OR ({precision} = 'MONTH' AND extract(day FROM {on}) = 1)"
            f" OR ({precision} = 'QUARTER' AND extract(day FROM {on}) = 1"
            f" AND extract(month FROM {on}) IN (1, 4, 7, 10))"
            f" OR ({precision} = 'YEAR' AND extract(day FROM {on}) = 1"
            f" AND extract(month FROM {on}) = 1)",
            name=f"{prefix}_period_start",
        ),
    ]


def _money(prefix: str) -> list[Column[object] | CheckConstraint]:
    """An exact amount in an ISO-4217 currency, with an estimate flag."""
    amount, currency, estimated = f"{prefix}_amount", f"{prefix}_currency", f"{prefix}_estimated"
    return [
        Column(amount, Numeric(24, 4)),
        Column(currency, String(3), ForeignKey("currency.code")),
        Column(estimated, Boolean, nullable=False, server_default=text("false")),
        CheckConstraint(f"{amount} >= 0", name=f"{prefix}_non_negative"),
        CheckConstraint(f"({amount} IS NULL) = ({currency} IS NULL)", name=f"{prefix}_pair"),
    ]


def _share(prefix: str) -> list[Column[object] | CheckConstraint]:
    """A fraction known as a range [min, max] within [0, 1]; a point value has min = max."""
    low, high = f"{prefix}_min", f"{prefix}_max"
    return [
        Column(low, Numeric(7, 6)),
        Column(high, Numeric(7, 6)),
        CheckConstraint(f"({low} IS NULL) = ({high} IS NULL)", name=f"{prefix}_pair"),
        CheckConstraint(f"{low} >= 0 AND {high} <= 1 AND {low} <= {high}", name=f"{prefix}_range"),
    ]


currency = Table(
    "currency",
    metadata,
    Column("code", String(3), primary_key=True),
    Column("name", Text, nullable=False),
    Column("minor_units", SmallInteger),
    CheckConstraint("code ~ '^[A-Z]{3}$'", name="code_format"),
    comment="ISO 4217 currencies; money columns reference it, so unknown codes are refused.",
)

fx_rate = Table(
    "fx_rate",
    metadata,
    Column("currency", String(3), ForeignKey("currency.code"), primary_key=True),
    Column("rate_on", Date, primary_key=True),
    Column("usd_per_unit", Numeric(20, 10), nullable=False),
    Column("source", Text, nullable=False),
    CheckConstraint("usd_per_unit > 0", name="positive"),
    comment="USD value of one unit of a currency on a date; amountUsd uses the latest on or "
    "before the fact's date.",
)

organization = Table(
    "organization",
    metadata,
    _id(),
    Column("slug", String(120), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("kinds", ARRAY(String(20)), nullable=False),
    Column("country", String(2)),
    *_partial_date("founded"),
    Column("parent_id", BigInteger, ForeignKey("organization.id")),
    Column("website", Text),
    Column("description", Text),
    *_timestamps(),
    *_versioned(),
    CheckConstraint("slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'", name="slug_format"),
    CheckConstraint("country ~ '^[A-Z]{2}$'", name="country_format"),
    CheckConstraint("cardinality(kinds) >= 1", name="has_kind"),
    CheckConstraint(
        "kinds <@ ARRAY[" + ", ".join(f"'{k.value}'" for k in OrganizationKind) + "]::varchar[]",
        name="known_kinds",
    ),
    CheckConstraint("parent_id <> id", name="not_own_parent"),
    Index(None, "kinds", postgresql_using="gin"),
    Index(None, "country"),
    Index(None, "parent_id"),
    Index("ix_organization_name_id", "name", "id"),
    Index("ix_organization_created_id", "created_at", "id"),
)

organization_name = Table(
    "organization_name",
    metadata,
    _id(),
    Column("organization_id", BigInteger, ForeignKey("organization.id"), nullable=False),
    Column("value", Text, nullable=False),
    Column("language", String(16), nullable=False),
    Column("script", String(4), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("is_primary", Boolean, nullable=False, server_default=text("false")),
    Column("normalized", Text, Computed(f"{NORMALIZE_FUNCTION}(value)", persisted=True)),
    *_versioned(),
    CheckConstraint(_in("kind", NameKind), name="kind"),
    CheckConstraint("script ~ '^[A-Z][a-z]{3}$'", name="script_format"),
    CheckConstraint("length(btrim(value)) > 0", name="not_blank"),
    UniqueConstraint("organization_id", "value", "language"),
    Index(
        "ix_organization_name_normalized_trgm",
        "normalized",
        postgresql_using="gin",
        postgresql_ops={"normalized": "gin_trgm_ops"},
    ),
    # A name given exactly (name.eq / name.in): trigrams only narrow it down (migration 0007).
    Index("ix_organization_name_normalized", "normalized", "organization_id"),
)
# Search's space- and punctuation-insensitive key (migration 0008_search_compact_names).
Index(
    "ix_organization_name_compact_trgm",
    func.sg_compact(organization_name.c.normalized).label("compact"),
    postgresql_using="gin",
    postgresql_ops={"compact": "gin_trgm_ops"},
)

person = Table(
    "person",
    metadata,
    _id(),
    Column("slug", String(120), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("native_name", Text),
    Column("description", Text),
    *_timestamps(),
    *_versioned(),
    # Search matches people by their Latin and native names, folded as organization names are.
    Column("name_normalized", Text, Computed(f"{NORMALIZE_FUNCTION}(name)", persisted=True)),
    Column(
        "native_name_normalized",
        Text,
        Computed(f"{NORMALIZE_FUNCTION}(native_name)", persisted=True),
    ),
    CheckConstraint("slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'", name="slug_format"),
    Index("ix_person_name_id", "name", "id"),
    Index(
        "ix_person_name_normalized_trgm",
        "name_normalized",
        postgresql_using="gin",
        postgresql_ops={"name_normalized": "gin_trgm_ops"},
    ),
    Index(
        "ix_person_native_name_normalized_trgm",
        "native_name_normalized",
        postgresql_using="gin",
        postgresql_ops={"native_name_normalized": "gin_trgm_ops"},
    ),
)

person_role = Table(
    "person_role",
    metadata,
    _id(),
    *_key(),
    Column("person_id", BigInteger, ForeignKey("person.id"), nullable=False),
    Column("organization_id", BigInteger, ForeignKey("organization.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("title", Text, nullable=False),
    *_partial_date("started"),
    *_partial_date("ended"),
    *_timestamps(),
    *_versioned(),
    CheckConstraint(_in("kind", RoleKind), name="kind"),
    CheckConstraint(
        "ended_on IS NULL OR started_on IS NULL OR ended_on >= started_on", name="ordered"
    ),
    Index(None, "person_id"),
    Index(None, "organization_id"),
)

product = Table(
    "product",
    metadata,
    _id(),
    Column("slug", String(120), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("organization_id", BigInteger, ForeignKey("organization.id"), nullable=False),
    Column("category", Text),
    *_partial_date("launched"),
    Column("description", Text),
    *_timestamps(),
    *_versioned(),
    Column("name_normalized", Text, Computed(f"{NORMALIZE_FUNCTION}(name)", persisted=True)),
    CheckConstraint("slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'", name="slug_format"),
    Index(None, "organization_id"),
    Index("ix_product_name_id", "name", "id"),
    Index(
        "ix_product_name_normalized_trgm",
        "name_normalized",
        postgresql_using="gin",
        postgresql_ops={"name_normalized": "gin_trgm_ops"},
    ),
)

product_alternative = Table(
    "product_alternative",
    metadata,
    Column("product_id", BigInteger, ForeignKey("product.id"), primary_key=True),
    Column("alternative_to_id", BigInteger, ForeignKey("product.id"), primary_key=True),
    Column("market", String(2)),
    *_versioned(),
    CheckConstraint("product_id <> alternative_to_id", name="distinct"),
    CheckConstraint("market ~ '^[A-Z]{2}$'", name="market_format"),
    Index(None, "alternative_to_id"),
    comment="A product built as a local alternative to another (F2: Kimi for ChatGPT in China).",
)

funding_round = Table(
    "funding_round",
    metadata,
    _id(),
    *_key(),
    Column("organization_id", BigInteger, ForeignKey("organization.id"), nullable=False),
    Column("round_type", String(16), nullable=False),
    Column("status", String(12), nullable=False),
    *_partial_date("announced"),
    *_money("raised"),
    *_money("pre_money"),
    *_money("post_money"),
    Column("description", Text),
    # Keyset pagination needs a NOT NULL sort key; undated rounds sort as the earliest.
    Column(
        "sort_on",
        Date,
        Computed("coalesce(announced_on, '0001-01-01'::date)", persisted=True),
        nullable=False,
    ),
    *_timestamps(),
    *_versioned(),
    # The kinds of its live investments' consideration (migration 0007 keeps it).
    derived_column("consideration_kinds", ARRAY(String(20)), server_default=text("'{}'")),
    CheckConstraint(_in("round_type", RoundType), name="round_type"),
    CheckConstraint(_in("status", RoundStatus), name="status"),
    Index("ix_funding_round_org_sort", "organization_id", "sort_on", "id"),
    Index("ix_funding_round_sort_id", "sort_on", "id"),
    Index("ix_funding_round_type_sort", "round_type", "sort_on", "id"),
    Index("ix_funding_round_status_sort", "status", "sort_on", "id"),
    # Each ordering's (key, id), on the key's expression (service/repository/rounds.py).
    Index("ix_funding_round_amount_id", text("coalesce(raised_amount, -1)"), "id"),
    Index("ix_funding_round_created_id", "created_at", "id"),
    Index("ix_funding_round_consideration_kinds", "consideration_kinds", postgresql_using="gin"),
)

investment = Table(
    "investment",
    metadata,
    _id(),
    *_key(),
    Column("round_id", BigInteger, ForeignKey("funding_round.id"), nullable=False),
    # The investor: an organization, or a person investing as an angel (migration 0030).
    Column("investor_id", BigInteger, ForeignKey("organization.id")),
    Column("investor_person_id", BigInteger, ForeignKey("person.id")),
    Column("is_lead", Boolean, nullable=False, server_default=text("false")),
    *_money("committed"),
    *_share("stake"),
    Column("stake_estimated", Boolean, nullable=False, server_default=text("false")),
    Column("description", Text),
    *_timestamps(),
    *_versioned(),
    # The kinds of its live consideration components (migration 0007 keeps it).
    derived_column("consideration_kinds", ARRAY(String(20)), server_default=text("'{}'")),
    CheckConstraint("num_nonnulls(investor_id, investor_person_id) = 1", name="one_investor"),
    UniqueConstraint("round_id", "investor_id", name="uq_investment_round_investor"),
    UniqueConstraint("round_id", "investor_person_id", name="uq_investment_round_investor_person"),
    Index("ix_investment_investor_id", "investor_id", "id"),
    Index("ix_investment_investor_person", "investor_person_id", "id"),
    # An investor's portfolio in its default order (leads first), read in order (0005).
    Index("ix_investment_investor_lead", "investor_id", "is_lead", "id"),
    Index("ix_investment_round_lead", "round_id", "is_lead", "id"),
    # Each ordering's (key, id), on the key's expression, for all investments and for one
    # investor's (service/repository/rounds.py).
    Index("ix_investment_lead_id", "is_lead", "id"),
    Index("ix_investment_amount_id", text("coalesce(committed_amount, -1)"), "id"),
    Index("ix_investment_created_id", "created_at", "id"),
    Index(
        "ix_investment_investor_amount", "investor_id", text("coalesce(committed_amount, -1)"), "id"
    ),
    Index("ix_investment_investor_created", "investor_id", "created_at", "id"),
    Index("ix_investment_consideration_kinds", "consideration_kinds", postgresql_using="gin"),
)

credit_type = Table(
    "credit_type",
    metadata,
    _id(),
    Column("slug", String(120), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("consideration_kind", String(20), nullable=False),
    Column("unit", String(16), nullable=False),
    Column("description", Text),
    *_timestamps(),
    *_versioned(),
    CheckConstraint(_in("consideration_kind", ConsiderationKind), name="consideration_kind"),
    CheckConstraint(_in("unit", CreditUnit), name="unit"),
)

credit_program = Table(
    "credit_program",
    metadata,
    _id(),
    Column("slug", String(120), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("provider_id", BigInteger, ForeignKey("organization.id"), nullable=False),
    Column("credit_type_id", BigInteger, ForeignKey("credit_type.id"), nullable=False),
    Column("in_exchange_for", Text, nullable=False, server_default=text("'EQUITY'")),
    Column("terms", Text),
    *_partial_date("started"),
    *_partial_date("ended"),
    *_timestamps(),
    *_versioned(),
    Index(None, "provider_id"),
    Index(None, "credit_type_id"),
)

consideration_component = Table(
    "consideration_component",
    metadata,
    _id(),
    *_key(),
    Column(
        "investment_id", BigInteger, ForeignKey("investment.id", ondelete="CASCADE"), nullable=False
    ),
    Column("position", SmallInteger, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("credit_type_id", BigInteger, ForeignKey("credit_type.id")),
    Column("credit_program_id", BigInteger, ForeignKey("credit_program.id")),
    *_money("value"),
    *_share("share"),
    Column("estimated", Boolean, nullable=False, server_default=text("false")),
    Column("provider_id", BigInteger, ForeignKey("organization.id")),
    Column("escrow", Boolean),
    Column("recognized_as_revenue_by_provider", Boolean),
    Column("spend_restricted_to_id", BigInteger, ForeignKey("organization.id")),
    Column("spend_restriction", Text),
    Column("description", Text),
    *_versioned(),
    CheckConstraint(_in("kind", ConsiderationKind), name="kind"),
    CheckConstraint("position >= 0", name="position"),
    UniqueConstraint("investment_id", "position"),
    Index("ix_consideration_component_kind_investment", "kind", "investment_id"),
    Index(None, "provider_id"),
    Index(None, "credit_type_id"),
    Index(None, "credit_program_id"),
    # Which start-ups must spend their money on a given platform (dependency analytics).
    Index(None, "spend_restricted_to_id"),
    comment="What an investor gives for its stake: cash, credits, promotion, with strings "
    "attached.",
)

relationship = Table(
    "relationship",
    metadata,
    _id(),
    *_key(),
    Column("kind", String(24), nullable=False),
    Column("source_id", BigInteger, ForeignKey("organization.id"), nullable=False),
    Column("target_id", BigInteger, ForeignKey("organization.id"), nullable=False),
    *_partial_date("started"),
    *_partial_date("ended"),
    Column("description", Text),
    *_timestamps(),
    *_versioned(),
    CheckConstraint(_in("kind", RelationshipKind), name="kind"),
    CheckConstraint("source_id <> target_id", name="distinct"),
    UniqueConstraint("kind", "source_id", "target_id"),
    Index("ix_relationship_source", "source_id", "id"),
    Index("ix_relationship_target", "target_id", "id"),
)

compute_asset = Table(
    "compute_asset",
    metadata,
    _id(),
    *_key(),
    Column("owner_id", BigInteger, ForeignKey("organization.id"), nullable=False),
    Column("chip_vendor_id", BigInteger, ForeignKey("organization.id")),
    Column("chip_model", Text, nullable=False),
    Column("quantity", Integer),
    Column("quantity_estimated", Boolean, nullable=False, server_default=text("false")),
    Column("cluster_size", Integer),
    Column("regions", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    *_partial_date("acquired"),
    Column("description", Text),
    *_timestamps(),
    *_versioned(),
    CheckConstraint("quantity >= 0", name="quantity"),
    CheckConstraint("cluster_size >= 0", name="cluster_size"),
    Index("ix_compute_asset_owner", "owner_id", "id"),
)

event = Table(
    "event",
    metadata,
    _id(),
    Column("slug", String(120), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),
    Column("title", Text, nullable=False),
    Column("description", Text),
    *_partial_date("occurred"),
    Column(
        "sort_on",
        Date,
        Computed("coalesce(occurred_on, '0001-01-01'::date)", persisted=True),
        nullable=False,
    ),
    *_timestamps(),
    *_versioned(),
    CheckConstraint(_in("kind", EventKind), name="kind"),
    Index("ix_event_sort_id", "sort_on", "id"),
)

event_participant = Table(
    "event_participant",
    metadata,
    Column("event_id", BigInteger, ForeignKey("event.id", ondelete="CASCADE"), primary_key=True),
    Column("organization_id", BigInteger, ForeignKey("organization.id"), primary_key=True),
    Column("role", Text, nullable=False),
    *_versioned(),
    Index(None, "organization_id"),
)

# A person's part in an event (an executive appointed, questioned, stepping down): a table of
# its own beside event_participant, so that a participant's organization stays required and
# its key (event, organization) stays as it is.
event_person = Table(
    "event_person",
    metadata,
    Column("event_id", BigInteger, ForeignKey("event.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", BigInteger, ForeignKey("person.id"), primary_key=True),
    Column("role", Text, nullable=False),
    *_versioned(),
    # Person.events: the person's events, probed per event through (person, event).
    Index("ix_event_person_person", "person_id", "event_id"),
    comment="A person's part in an event: appointed, questioned, stepping down.",
)

source = Table(
    "source",
    metadata,
    _id(),
    Column("slug", String(120), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("publisher", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("language", String(16), nullable=False),
    Column("url", Text),
    *_partial_date("published"),
    Column("description", Text),
    *_timestamps(),
    *_versioned(),
    CheckConstraint(_in("kind", SourceKind), name="kind"),
    # The sources list in its order (publisher), and filtered by kind (migration 0007).
    Index("ix_source_publisher_id", "publisher", "id"),
    Index("ix_source_kind_publisher", "kind", "publisher", "id"),
)

claim = Table(
    "claim",
    metadata,
    _id(),
    *_key(),
    Column("source_id", BigInteger, ForeignKey("source.id"), nullable=False),
    Column("fact_ref", String(16)),
    Column("attribution", String(16), nullable=False),
    Column("attributed_to", Text),
    Column("person_id", BigInteger, ForeignKey("person.id")),
    Column("organization_id", BigInteger, ForeignKey("organization.id")),
    Column("stance", String(20), nullable=False, server_default=text("'ASSERTS'")),
    Column("statement", Text, nullable=False),
    Column("quote", Text),
    Column("confidence", Numeric(4, 3)),
    *_timestamps(),
    *_versioned(),
    CheckConstraint(_in("attribution", Attribution), name="attribution"),
    CheckConstraint(_in("stance", Stance), name="stance"),
    CheckConstraint("confidence >= 0 AND confidence <= 1", name="confidence"),
    CheckConstraint("attribution <> 'NAMED_PERSON' OR person_id IS NOT NULL", name="named"),
    Index(None, "source_id"),
    Index(None, "person_id"),
    Index(None, "organization_id"),
)


# -- The life of an investment: acquisitions ---------------------------------------------------

acquisition = Table(
    "acquisition",
    metadata,
    _id(),
    *_key(),
    Column("acquirer_id", BigInteger, ForeignKey("organization.id"), nullable=False),
    Column("acquired_id", BigInteger, ForeignKey("organization.id"), nullable=False),
    Column("status", String(12), nullable=False),
    *_partial_date("announced"),
    *_partial_date("completed"),
    *_money("price"),
    *_share("stake"),
    Column("description", Text),
    # Keyset pages need a NOT NULL key: the completion date, else the announcement, else earliest.
    Column(
        "sort_on",
        Date,
        Computed("coalesce(completed_on, announced_on, '0001-01-01'::date)", persisted=True),
        nullable=False,
    ),
    *_timestamps(),
    *_versioned(),
    CheckConstraint(_in("status", AcquisitionStatus), name="status"),
    CheckConstraint("acquirer_id <> acquired_id", name="distinct"),
    CheckConstraint(
        "completed_on IS NULL OR announced_on IS NULL OR completed_on >= announced_on",
        name="ordered",
    ),
    CheckConstraint("status = 'COMPLETED' OR completed_on IS NULL", name="completed_when_done"),
    Index("ix_acquisition_acquirer_sort", "acquirer_id", "sort_on", "id"),
    Index("ix_acquisition_acquired_sort", "acquired_id", "sort_on", "id"),
    Index("ix_acquisition_sort_id", "sort_on", "id"),
    Index("ix_acquisition_updated_id", "updated_at", "id"),
    comment="One organization buying another, or a stake in it: when, at what price, paid how.",
)

acquisition_component = Table(
    "acquisition_component",
    metadata,
    _id(),
    *_key(),
    Column(
        "acquisition_id",
        BigInteger,
        ForeignKey("acquisition.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("position", SmallInteger, nullable=False),
    Column("kind", String(20), nullable=False),
    *_money("value"),
    *_share("share"),
    Column("estimated", Boolean, nullable=False, server_default=text("false")),
    Column("description", Text),
    *_versioned(),
    CheckConstraint(_in("kind", PaymentKind), name="kind"),
    CheckConstraint("position >= 0", name="position"),
    UniqueConstraint("acquisition_id", "position"),
    comment="What an acquirer pays with (cash, its own stock, credits…): an amount or a share "
    "of the price, as an investment's consideration is.",
)

# -- The life of an investment: IPOs and listings ----------------------------------------------

listing = Table(
    "listing",
    metadata,
    _id(),
    *_key(),
    Column("organization_id", BigInteger, ForeignKey("organization.id"), nullable=False),
    Column("status", String(12), nullable=False),
    Column("exchange", Text),
    Column("ticker", Text),
    *_partial_date("announced"),
    *_partial_date("filed"),
    *_partial_date("listed"),
    *_partial_date("withdrawn"),
    Column("withdrawal_reason", Text),
    Column("shares_offered", Numeric(20, 0)),
    *_money("raised"),
    *_money("valuation"),
    Column("description", Text),
    # The latest step known: listed, withdrawn, filed, announced (undated as earliest).
    Column(
        "sort_on",
        Date,
        Computed(
            "coalesce(listed_on, withdrawn_on, filed_on, announced_on, '0001-01-01'::date)",
            persisted=True,
        ),
        nullable=False,
    ),
    *_timestamps(),
    *_versioned(),
    CheckConstraint(_in("status", ListingStatus), name="status"),
    CheckConstraint("status = 'LISTED' OR listed_on IS NULL", name="listed_when_listed"),
    CheckConstraint(
        "status = 'WITHDRAWN' OR withdrawn_on IS NULL", name="withdrawn_when_withdrawn"
    ),
    CheckConstraint(
        "status = 'WITHDRAWN' OR withdrawal_reason IS NULL", name="reason_when_withdrawn"
    ),
    CheckConstraint("shares_offered >= 0", name="shares_offered"),
    Index("ix_listing_organization_sort", "organization_id", "sort_on", "id"),
    Index("ix_listing_sort_id", "sort_on", "id"),
    Index("ix_listing_status_sort", "status", "sort_on", "id"),
    # Search finds a listing by its ticker, in any case (migration 0024).
    Index("ix_listing_ticker_upper", text("upper(ticker)")),
    comment="An organization's listing on an exchange (IPO, direct listing), from plan to "
    "trading or withdrawal (F13: Alibaba Cloud's IPO plan, withdrawn in November 2023).",
)

# -- The life of an investment: valuations over time -------------------------------------------

valuation = Table(
    "valuation",
    metadata,
    _id(),
    *_key(),
    Column("organization_id", BigInteger, ForeignKey("organization.id"), nullable=False),
    Column("basis", String(24), nullable=False),
    *_partial_date("valued"),
    *_money("value"),
    # The round whose post-money this is; the listing whose market value it is.
    Column("round_id", BigInteger, ForeignKey("funding_round.id")),
    Column("listing_id", BigInteger, ForeignKey("listing.id")),
    Column("description", Text),
    Column(
        "sort_on",
        Date,
        Computed("coalesce(valued_on, '0001-01-01'::date)", persisted=True),
        nullable=False,
    ),
    *_timestamps(),
    *_versioned(),
    CheckConstraint(_in("basis", ValuationBasis), name="basis"),
    CheckConstraint("value_amount IS NOT NULL", name="has_value"),
    CheckConstraint("round_id IS NULL OR basis = 'POST_MONEY'", name="round_is_post_money"),
    # The latest valuation of an organization is read by a backward scan of this index.
    Index("ix_valuation_organization_sort", "organization_id", "sort_on", "id"),
    Index("ix_valuation_sort_id", "sort_on", "id"),
    Index("ix_valuation_value_id", text("coalesce(value_amount, -1)"), "id"),
    Index("ix_valuation_created_id", "created_at", "id"),
    Index(None, "round_id"),
    Index(None, "listing_id"),
    comment="What an organization was worth on a date, and on what basis: a round's post-money, "
    "a secondary sale, its market capitalisation, a reported estimate.",
)

# -- The life of an investment: funds and their limited partners -------------------------------

fund = Table(
    "fund",
    metadata,
    _id(),
    Column("slug", String(120), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("manager_id", BigInteger, ForeignKey("organization.id"), nullable=False),
    Column("vintage_year", SmallInteger),
    *_money("target_size"),
    *_money("final_size"),
    Column("strategy", Text),
    Column("description", Text),
    *_timestamps(),
    *_versioned(),
    # Search finds funds by name, as it finds products (migration 0024).
    Column("name_normalized", Text, Computed(f"{NORMALIZE_FUNCTION}(name)", persisted=True)),
    CheckConstraint("slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'", name="slug_format"),
    CheckConstraint("vintage_year BETWEEN 1900 AND 2200", name="vintage_year"),
    Index("ix_fund_manager", "manager_id", "id"),
    Index("ix_fund_name_id", "name", "id"),
    Index(
        "ix_fund_name_normalized_trgm",
        "name_normalized",
        postgresql_using="gin",
        postgresql_ops={"name_normalized": "gin_trgm_ops"},
    ),
    comment="A pool of capital managed by an investor organization, raised from limited partners.",
)

fund_commitment = Table(
    "fund_commitment",
    metadata,
    _id(),
    *_key(),
    Column("fund_id", BigInteger, ForeignKey("fund.id"), nullable=False),
    Column("limited_partner_id", BigInteger, ForeignKey("organization.id"), nullable=False),
    *_money("amount"),
    *_share("share"),
    *_partial_date("committed"),
    *_partial_date("ended"),
    Column("description", Text),
    *_timestamps(),
    *_versioned(),
    CheckConstraint(
        "ended_on IS NULL OR committed_on IS NULL OR ended_on >= committed_on", name="ordered"
    ),
    UniqueConstraint("fund_id", "limited_partner_id"),
    Index("ix_fund_commitment_fund", "fund_id", "id"),
    Index("ix_fund_commitment_limited_partner", "limited_partner_id", "id"),
    comment="A limited partner's commitment to a fund: an amount, or its share of the fund.",
)

fund_investment = Table(
    "fund_investment",
    metadata,
    _id(),
    Column("investment_id", BigInteger, ForeignKey("investment.id"), nullable=False, unique=True),
    Column("fund_id", BigInteger, ForeignKey("fund.id"), nullable=False),
    *_timestamps(),
    *_versioned(),
    Index("ix_fund_investment_fund", "fund_id", "investment_id"),
    comment="The fund an investment was made through (at most one per investment).",
)

# -- The life of an investment: exits ----------------------------------------------------------

exit_ = Table(
    "exit",
    metadata,
    _id(),
    *_key(),
    Column("investment_id", BigInteger, ForeignKey("investment.id"), nullable=False),
    Column("kind", String(12), nullable=False),
    *_partial_date("exited"),
    *_money("proceeds"),
    # The part of the holding that ended; null for all of it.
    *_share("share"),
    Column("counterparty_id", BigInteger, ForeignKey("organization.id")),
    Column("acquisition_id", BigInteger, ForeignKey("acquisition.id")),
    Column("listing_id", BigInteger, ForeignKey("listing.id")),
    Column("description", Text),
    Column(
        "sort_on",
        Date,
        Computed("coalesce(exited_on, '0001-01-01'::date)", persisted=True),
        nullable=False,
    ),
    *_timestamps(),
    *_versioned(),
    CheckConstraint(_in("kind", ExitKind), name="kind"),
    CheckConstraint("acquisition_id IS NULL OR kind = 'ACQUISITION'", name="acquisition_kind"),
    CheckConstraint("listing_id IS NULL OR kind = 'LISTING'", name="listing_kind"),
    Index("ix_exit_investment_sort", "investment_id", "sort_on", "id"),
    Index("ix_exit_sort_id", "sort_on", "id"),
    Index("ix_exit_proceeds_id", text("coalesce(proceeds_amount, -1)"), "id"),
    Index("ix_exit_created_id", "created_at", "id"),
    Index(None, "counterparty_id"),
    Index(None, "acquisition_id"),
    Index(None, "listing_id"),
    comment="An investment's end, whole or in part: sold in an acquisition or a secondary, "
    "divested, written off or realised through a listing; when, for how much, to whom.",
)

# -- The life of an investment: people on deals -------------------------------------------------

investment_person = Table(
    "investment_person",
    metadata,
    _id(),
    *_key(),
    Column("investment_id", BigInteger, ForeignKey("investment.id"), nullable=False),
    Column("person_id", BigInteger, ForeignKey("person.id"), nullable=False),
    Column("role", String(16), nullable=False),
    Column("description", Text),
    *_timestamps(),
    *_versioned(),
    CheckConstraint(_in("role", DealRole), name="role"),
    UniqueConstraint("investment_id", "person_id", "role"),
    Index("ix_investment_person_person", "person_id", "id"),
    comment="A person's part in an investment for the investor: overseeing it (F8), "
    "representing the investor, sitting on the board.",
)

# What a claim supports: exactly one fact, through a real foreign key (an exclusive arc) so that
# a claim can never point at a record that does not exist.
CLAIM_SUBJECTS: dict[str, str] = {
    "organization_id": "organization",
    "person_role_id": "person_role",
    "product_id": "product",
    "funding_round_id": "funding_round",
    "investment_id": "investment",
    "consideration_component_id": "consideration_component",
    "credit_program_id": "credit_program",
    "relationship_id": "relationship",
    "compute_asset_id": "compute_asset",
    "event_id": "event",
    "acquisition_id": "acquisition",
    "listing_id": "listing",
    "valuation_id": "valuation",
    "fund_id": "fund",
    "fund_commitment_id": "fund_commitment",
    "exit_id": "exit",
    "investment_person_id": "investment_person",
}

claim_subject = Table(
    "claim_subject",
    metadata,
    _id(),
    Column("claim_id", BigInteger, ForeignKey("claim.id", ondelete="CASCADE"), nullable=False),
    *(
        Column(col, BigInteger, ForeignKey(f"{target}.id", ondelete="CASCADE"))
        for col, target in CLAIM_SUBJECTS.items()
    ),
    *_versioned(),
    CheckConstraint(f"num_nonnulls({', '.join(CLAIM_SUBJECTS)}) = 1", name="exactly_one"),
    Index(None, "claim_id"),
    *(
        Index(
            f"ix_claim_subject_{col}", col, "claim_id", postgresql_where=text(f"{col} IS NOT NULL")
        )
        for col in CLAIM_SUBJECTS
    ),
)

# `updatedSince` on the root-listed tables that grow with the market (migration 0032; not the
# few acquisitions, listings and events): a recent time reads the few
# records it keeps instead of walking a whole list. Keyed on recorded_at in UTC, an expression
# only the updatedSince leaf names (conditions.recorded_key), so that the asof views'
# `recorded_at <= sg_as_of()` cannot read through them (docs/entities.md).
UPDATED_SINCE_INDEXED: tuple[Table, ...] = (
    organization, funding_round, investment, person, product, source, exit_, valuation, fund,
)  # fmt: skip
for _table in UPDATED_SINCE_INDEXED:
    Index(
        f"ix_{_table.name}_recorded_utc",
        text("timezone('UTC'::text, recorded_at)"),
        _table.c.id,
    )

# Writes: earlier versions, API keys, the audit log, idempotency keys and merges.

HISTORY_SCHEMA = "history"

# Every table whose rows the API and the importers change; the migration installs the
# versioning triggers and the `live` / `asof` views on exactly these.
VERSIONED_TABLES: tuple[Table, ...] = tuple(
    table for table in metadata.tables.values() if "retired_at" in table.c
)


def _history_of(table: Table) -> Table:
    """Earlier versions of ``table``'s rows: the same columns without constraints (a past version
    may name rows that are gone), keyed by primary key and version, plus when the version
    stopped being current and which key ended it. Indexes on references and unique columns keep
    as-of reads through the ``asof`` views as indexed as the current ones."""
    key = {c.name for c in table.primary_key.columns}
    first_key = next(iter(table.primary_key.columns)).name
    # Every other column is nullable: a version older than a column has no value for it.
    keyed = key | {"version"}
    columns = [
        Column(c.name, c.type, primary_key=c.name in keyed, nullable=c.name not in keyed)
        for c in table.columns
    ]
    # The same rule as sg_versioning_sync() in migration 0004, which creates these tables from
    # the catalog: references to other rows (``*_id``) and single-column unique keys.
    indexed = [
        c.name
        for c in table.columns
        if ((c.foreign_keys and c.name.endswith("_id")) or c.unique) and c.name != first_key
    ]
    return Table(
        table.name,
        metadata,
        *columns,
        Column("recorded_to", DateTime(timezone=True), nullable=False),
        Column("ended_by", BigInteger),
        *(Index(None, name) for name in indexed),
        schema=HISTORY_SCHEMA,
    )


HISTORY_TABLES: dict[str, Table] = {table.name: _history_of(table) for table in VERSIONED_TABLES}

api_key = Table(
    "api_key",
    metadata,
    _id(),
    Column("prefix", String(16), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("scope", String(8), nullable=False),
    Column("salt", LargeBinary, nullable=False),
    Column("secret_hash", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("revoked_at", DateTime(timezone=True)),
    # The key's own rate limit; null: its scope's default (docs/operations.md).
    Column("rate_capacity", Integer, comment="Bucket size in cost points; null: scope default."),
    Column("rate_restore", Integer, comment="Points restored per second; null: scope default."),
    CheckConstraint(_in("scope", Scope), name="scope"),
    CheckConstraint("length(btrim(name)) > 0", name="name_not_blank"),
    CheckConstraint(
        "(rate_capacity IS NULL) = (rate_restore IS NULL)"
        " AND coalesce(rate_capacity > 0 AND rate_restore > 0, true)",
        name="rate_limit",
    ),
    comment="API keys. Only a salted SHA-256 of each secret is stored; the non-secret prefix "
    "finds the row.",
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("key_id", BigInteger),
    Column("action", String(8), nullable=False),
    Column("table_name", Text, nullable=False),
    Column("row_id", BigInteger),
    Column("before", JSONB),
    Column("after", JSONB),
    # Which version of the row the change made (or, for a DELETE, removed), its natural key,
    # and the bulk import that wrote it. A light row (``stakegraph.audit = 'light'``, bulk
    # imports) has no images: ``sg_audit_image(table_name, row_id, version)`` reads them from
    # the live row or its history (migration 0007).
    Column("version", Integer),
    Column("row_key", Text),
    Column("import_id", BigInteger),
    # The writing transaction (top level): the change feed reads in (txid, id) order, and only
    # transactions older than its snapshot's xmin, so that no change is skipped (migration 0009).
    Column(
        "txid",
        BigInteger,
        nullable=False,
        server_default=text("(pg_current_xact_id()::text)::bigint"),
    ),
    CheckConstraint("action IN ('INSERT', 'UPDATE', 'DELETE')", name="action"),
    Index("ix_audit_log_row", "table_name", "row_id", "id"),
    Index("ix_audit_log_txid_id", "txid", "id"),
    Index(None, "at"),
    Index(None, "key_id", "id"),
    comment="Every change to a versioned table: who (the API key), when, what, before and "
    "after. Written by triggers; append-only.",
)

bulk_import = Table(
    "bulk_import",
    metadata,
    _id(),
    Column("key_id", BigInteger),
    Column("source", Text, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("finished_at", DateTime(timezone=True)),
    Column("records", BigInteger),
    Column("rows", BigInteger),
    # The first and last audit_log id the import wrote: its rows, found through the primary
    # key (no foreign key or index on audit_log.import_id, which would cost every audit row).
    Column("audit_from", BigInteger),
    Column("audit_to", BigInteger),
    Column("partial", Boolean, nullable=False, server_default=text("false")),
    comment="Each bulk import that wrote something: who, from what, how much, and the range "
    "of ids of its audit_log rows (which carry its id).",
)

idempotency_key = Table(
    "idempotency_key",
    metadata,
    Column("key_id", BigInteger, ForeignKey("api_key.id"), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("response", JSONB),
    Index(None, "created_at"),
    comment="Idempotency-Key headers of mutation requests, per API key, with the response of "
    "the first request; kept 24 hours.",
)

organization_merge = Table(
    "organization_merge",
    metadata,
    _id(),
    Column("survivor_id", BigInteger, ForeignKey("organization.id"), nullable=False),
    Column("merged_id", BigInteger, ForeignKey("organization.id"), nullable=False),
    Column("key_id", BigInteger),
    Column("merged_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("changes", JSONB, nullable=False),
    Column("undone_at", DateTime(timezone=True)),
    CheckConstraint("survivor_id <> merged_id", name="distinct"),
    Index(None, "survivor_id"),
    Index(None, "merged_id"),
    comment="Duplicate organizations merged into a survivor: every row the merge changed and "
    "its values before, so that the merge can be undone.",
)

# USD values kept exact on write (migration 0007): statement-level triggers on funding_round,
# investment, consideration_component and fx_rate recompute the values of every round a
# statement touched, with the FX rate each used, and the monthly rollup the time series read.
# Derived data, so not versioned: reads as of a recorded time compute them from the history
# instead (service/analytics/values.py).

_USD = Numeric()

usd_round = Table(
    "usd_round",
    metadata,
    Column("round_id", BigInteger, primary_key=True),
    Column("live", Boolean, nullable=False),
    # The round's date (the first day of its period; 0001-01-01 when undated).
    Column("sort_on", Date, nullable=False),
    Column("precision", String(8), nullable=False),
    Column("raised_usd", _USD),
    Column("raised_fx", Numeric(20, 10)),
    Column("raised_fx_on", Date),
    Column("raised_estimated", Boolean, nullable=False),
    Column("cash_min", _USD, nullable=False),
    Column("cash_max", _USD, nullable=False),
    Column("other_min", _USD, nullable=False),
    Column("other_max", _USD, nullable=False),
    Index("ix_usd_round_sort", "sort_on", "precision"),
    comment="USD value of each funding round (trigger-maintained, migration 0007).",
)

usd_investment = Table(
    "usd_investment",
    metadata,
    Column("investment_id", BigInteger, primary_key=True),
    Column("round_id", BigInteger, nullable=False),
    # Null for an angel (a person): the kept values never group by the person.
    Column("investor_id", BigInteger),
    Column("live", Boolean, nullable=False),
    Column("is_lead", Boolean, nullable=False),
    Column("committed_usd", _USD),
    Column("committed_fx", Numeric(20, 10)),
    Column("committed_fx_on", Date),
    Column("committed_estimated", Boolean, nullable=False),
    Index("ix_usd_investment_round", "round_id"),
    Index("ix_usd_investment_investor", "investor_id"),
    comment="USD value of each investment (trigger-maintained, migration 0007).",
)

usd_component = Table(
    "usd_component",
    metadata,
    Column("component_id", BigInteger, primary_key=True),
    Column("investment_id", BigInteger, nullable=False),
    Column("round_id", BigInteger, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("live", Boolean, nullable=False),
    Column("usd_min", _USD),
    Column("usd_max", _USD),
    Column("estimated", Boolean, nullable=False),
    Column("value_fx", Numeric(20, 10)),
    Column("value_fx_on", Date),
    Index("ix_usd_component_round", "round_id"),
    Index("ix_usd_component_investment", "investment_id"),
    comment="USD value range of each consideration component (trigger-maintained, migration 0007).",
)

usd_month = Table(
    "usd_month",
    metadata,
    Column("month", Date, primary_key=True),
    Column("precision", String(8), primary_key=True),
    Column("rounds", Integer, nullable=False),
    Column("valued", Integer, nullable=False),
    Column("estimated", Integer, nullable=False),
    Column("raised_usd", _USD, nullable=False),
    Column("cash_min", _USD, nullable=False),
    Column("cash_max", _USD, nullable=False),
    Column("other_min", _USD, nullable=False),
    Column("other_max", _USD, nullable=False),
    comment="Live rounds by the month of their date and its precision, with their USD "
    "totals (trigger-maintained, migration 0007).",
)

# -- webhooks (docs/webhooks.md, migration 0021) ------------------------------------------------

webhook_endpoint = Table(
    "webhook_endpoint",
    metadata,
    _id(),
    Column("url", Text, nullable=False),
    # Table names of the entity types it receives, and audit actions; null: every one.
    Column("tables", ARRAY(Text)),
    Column("operations", ARRAY(Text)),
    # ``whsec_<base64>``: kept in clear because every delivery is signed with it. After a
    # rotation the previous secret signs too (a second signature) until ``previous_until``.
    Column("secret", Text, nullable=False),
    Column("previous_secret", Text),
    Column("previous_until", DateTime(timezone=True)),
    Column("enabled", Boolean, nullable=False, server_default=text("true")),
    Column("description", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("url ~ '^https?://'", name="url_scheme"),
    comment="Webhook endpoints: where changes are posted, which ones, and the secret that "
    "signs them.",
)

webhook_delivery = Table(
    "webhook_delivery",
    metadata,
    _id(),
    Column(
        "endpoint_id",
        BigInteger,
        ForeignKey("webhook_endpoint.id", ondelete="CASCADE"),
        nullable=False,
    ),
    # One change (its audit row), or a bulk import's changes: the first and last audit rows.
    Column("audit_id", BigInteger, nullable=False),
    Column("last_audit_id", BigInteger),
    Column("import_id", BigInteger),
    # The record (table and id or key) it is about: deliveries of one entity go in order.
    Column("entity", Text, nullable=False),
    Column("state", String(10), nullable=False, server_default=text("'pending'")),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # A deliverer's claim: others leave the row alone until the lease expires.
    Column("leased_until", DateTime(timezone=True)),
    Column("lease", BigInteger),
    Column("last_status", Integer),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("finished_at", DateTime(timezone=True)),
    CheckConstraint("state IN ('pending', 'delivered', 'dead', 'skipped')", name="state"),
    Index(
        "ix_webhook_delivery_due",
        "next_attempt_at",
        "id",
        postgresql_where=text("state = 'pending'"),
    ),
    Index(
        "ix_webhook_delivery_entity",
        "endpoint_id",
        "entity",
        "id",
        postgresql_where=text("state = 'pending'"),
    ),
    Index(
        "ix_webhook_delivery_dead",
        "endpoint_id",
        "id",
        postgresql_where=text("state = 'dead'"),
    ),
    Index(
        "ix_webhook_delivery_import",
        "endpoint_id",
        "import_id",
        unique=True,
        postgresql_where=text("import_id IS NOT NULL"),
    ),
    Index(
        "ix_webhook_delivery_finished", "finished_at", postgresql_where=text("state <> 'pending'")
    ),
    comment="The webhook outbox: one row per endpoint and change (per bulk import: one for "
    "all its changes), written in the change's transaction; delivered at least once.",
)

# Summary figures of each organization kept on write (migration 0023): statement-level
# triggers on organization, funding_round, investment, exit, acquisition and fx_rate recompute
# the rows of every organization a statement touched. Derived data, so not versioned: its
# history is organization_summary_history, which as-of reads join (docs/entities.md).
organization_summary = Table(
    "organization_summary",
    metadata,
    Column("organization_id", BigInteger, primary_key=True),
    Column("rounds_count", Integer, nullable=False),
    Column("unvalued_rounds_count", Integer, nullable=False),
    Column("raised_usd_min", _USD),
    Column("raised_usd_max", _USD),
    Column("raised_usd_estimated", Boolean, nullable=False),
    Column("last_round_id", BigInteger),
    Column("last_round_on", Date),
    Column("last_round_precision", String(8)),
    # The last round's date (0001-01-01 when undated or when there is none): a NOT NULL key.
    Column("last_round_sort", Date, nullable=False),
    Column("investors_count", Integer, nullable=False),
    Column("leads_count", Integer, nullable=False),
    Column("acquisitions_count", Integer, nullable=False),
    Column("exits_count", Integer, nullable=False),
    # Each ordering's (key, organization) (service/repository/organizations.py).
    Index(
        "ix_organization_summary_raised", text("coalesce(raised_usd_min, -1)"), "organization_id"
    ),
    Index("ix_organization_summary_rounds", "rounds_count", "organization_id"),
    Index("ix_organization_summary_last_round", "last_round_sort", "organization_id"),
    Index("ix_organization_summary_investors", "investors_count", "organization_id"),
    comment="Summary figures of each organization (trigger-maintained, migration 0023).",
)


# Every row organization_summary has had, with the recorded time it was current in
# (``valid_to`` infinity for the current one), written by triggers on organization_summary
# (migration 0032); ``asof.organization_summary`` shows the rows current at the as-of time.
organization_summary_history = Table(
    "organization_summary_history",
    metadata,
    Column("organization_id", BigInteger, nullable=False),
    Column("valid_from", DateTime(timezone=True), nullable=False),
    Column("valid_to", DateTime(timezone=True), nullable=False),
    # The transaction that wrote the version (txid_current()): its later refreshes of the
    # organization change the version in place instead of adding one.
    Column("written_in", BigInteger, nullable=False),
    *(
        Column(c.name, c.type, nullable=c.nullable)
        for c in organization_summary.c
        if c.name != "organization_id"
    ),
    CheckConstraint("valid_from <= valid_to", name="range"),
    # An organization's row at a time: its versions that end after it, the current one only
    # for a time since its last change.
    Index("ix_organization_summary_history_valid", "organization_id", "valid_to", "valid_from"),
    # The summary's ordering indexes, for the orderings as of a time: a page walks one and
    # skips the versions not current then.
    Index(
        "ix_organization_summary_history_raised",
        text("coalesce(raised_usd_min, -1)"),
        "organization_id",
    ),
    Index("ix_organization_summary_history_rounds", "rounds_count", "organization_id"),
    Index("ix_organization_summary_history_last_round", "last_round_sort", "organization_id"),
    Index("ix_organization_summary_history_investors", "investors_count", "organization_id"),
    comment="Every row organization_summary has had, with the recorded time it was current "
    "in (trigger-maintained, migration 0032).",
)


# Rollups of the kept values per aggregate family and block (migration 0025), maintained by
# the same refresh: the whole-market aggregates and league tables read these instead of every
# round (service/analytics/rollups.py). Country '' stands for none; `block`, `investor_key`
# and `total_key` are each row's keys as one value, which the refresh finds rows by.


def _block_columns() -> list[Column[Any]]:
    return [
        Column("block", Text, nullable=False),
        # The round's month (its date itself when known only to a quarter or year).
        Column("period_on", Date, nullable=False),
        Column("precision", String(8), nullable=False),
        Column("round_type", String(16), nullable=False),
        Column("country", String(2), nullable=False),
        Column("org_live", Boolean, nullable=False),
    ]


def _investor_totals() -> list[Column[Any]]:
    return [
        Column("kind", String(20)),
        Column("is_lead", Boolean),
        Column("units", Integer, nullable=False),
        Column("unvalued", Integer, nullable=False),
        Column("amount_min", _USD),
        Column("amount_max", _USD),
        Column("estimated", Boolean),
        Column("smallest", _USD),
        Column("largest", _USD),
    ]


usd_round_block = Table(
    "usd_round_block",
    metadata,
    Column("round_id", BigInteger, primary_key=True),
    *_block_columns(),
    Index("ix_usd_round_block_block", "block"),
    comment="The rollup block of each live round (trigger-maintained, migration 0025).",
)

usd_cell = Table(
    "usd_cell",
    metadata,
    # Bits: 1 investments (else rounds), 2 split by kind, 4 per investor, 8 per lead flag.
    Column("family", SmallInteger, nullable=False),
    *_block_columns(),
    Column("month_key", Text, nullable=False),
    Column("investor_key", Text),
    Column("investor_id", BigInteger),
    *_investor_totals(),
    Index("ix_usd_cell_block", "block"),
    Index("ix_usd_cell_investor_key", "investor_key"),
    Index("ix_usd_cell_family", "family", "period_on"),
    Index("ix_usd_cell_month_key", "month_key"),
    comment="Aggregate totals per family and block (trigger-maintained, migration 0025).",
)

# The cells of the families without investor summed per month over round type and country:
# groupings by period, kind and lead flag read these.
usd_cell_month = Table(
    "usd_cell_month",
    metadata,
    Column("family", SmallInteger, nullable=False),
    Column("month_key", Text, nullable=False),
    Column("period_on", Date, nullable=False),
    Column("precision", String(8), nullable=False),
    *_investor_totals(),
    Index("ix_usd_cell_month_month_key", "month_key"),
    Index("ix_usd_cell_month_family", "family", "period_on"),
    comment="Cells summed per month over round type and country (trigger-maintained, "
    "migration 0025).",
)

# The cells of the per-investor families summed per year and of all time (investor 0 stands for
# the rounds without one): groupings by investor alone, with its lead flag or kind, or by year,
# and the yearly league tables read these.
usd_investor_year = Table(
    "usd_investor_year",
    metadata,
    Column("investor_key", Text, nullable=False),
    Column("total_key", BigInteger, nullable=False),
    Column("family", SmallInteger, nullable=False),
    Column("investor_id", BigInteger, nullable=False),
    Column("dated", Boolean, nullable=False),
    Column("year_on", Date, nullable=False),
    *_investor_totals(),
    Index("ix_usd_investor_year_investor_key", "investor_key"),
    Index("ix_usd_investor_year_total_key", "total_key"),
    Index("ix_usd_investor_year_family", "family", "year_on"),
    comment="Investor cells per year (trigger-maintained, migration 0025).",
)

usd_investor_total = Table(
    "usd_investor_total",
    metadata,
    Column("total_key", BigInteger, nullable=False),
    Column("family", SmallInteger, nullable=False),
    Column("investor_id", BigInteger, nullable=False),
    *_investor_totals(),
    Index("ix_usd_investor_total_total_key", "total_key"),
    Index("ix_usd_investor_total_family", "family"),
    comment="Investor cells of all time (trigger-maintained, migration 0025).",
)

# Aggregate groups of an investor and one more dimension (dim: 1 month, 2 quarter, 3 year,
# 4 round type, 5 country), of the per-investor families without the kind split: paged by the
# index of each ordering, counted by usd_investor_group_count.
usd_investor_group = Table(
    "usd_investor_group",
    metadata,
    Column("total_key", BigInteger, nullable=False),
    Column("family", SmallInteger, nullable=False),
    Column("dim", SmallInteger, nullable=False),
    Column("investor_id", BigInteger),
    Column("p_start", Date),
    Column("p_precision", Text),
    Column("round_type", Text),
    Column("country", Text),
    Column("units", Integer, nullable=False),
    Column("leads", Integer, nullable=False),
    Column("unvalued", Integer, nullable=False),
    Column("amount_min", _USD, nullable=False),
    Column("amount_max", _USD, nullable=False),
    Column("estimated", Boolean, nullable=False),
    Column("smallest", _USD),
    Column("largest", _USD),
    comment="Aggregate groups of an investor and one more dimension (trigger-maintained, "
    "migration 0031).",
)
_GROUP_KEYS = [usd_investor_group.c[k] for k in ("p_start", "p_precision", "round_type")] + [
    usd_investor_group.c.country,
    usd_investor_group.c.investor_id,
]
Index(
    "ix_usd_investor_group_keys",
    usd_investor_group.c.family,
    usd_investor_group.c.dim,
    *_GROUP_KEYS,
)
Index(
    "ix_usd_investor_group_count",
    usd_investor_group.c.family,
    usd_investor_group.c.dim,
    usd_investor_group.c.units.desc(),
    *_GROUP_KEYS,
)
Index(
    "ix_usd_investor_group_amount",
    usd_investor_group.c.family,
    usd_investor_group.c.dim,
    usd_investor_group.c.amount_max.desc(),
    usd_investor_group.c.amount_min.desc(),
    usd_investor_group.c.units.desc(),
    *_GROUP_KEYS,
)
Index("ix_usd_investor_group_total_key", usd_investor_group.c.total_key)
# The yearly league tables of investments, one index per ranking.
_LEAGUE = text("family = 5 AND dim = 3")
_g = usd_investor_group.c
Index(
    "ix_usd_investor_group_league_count",
    _g.p_start,
    _g.units.desc(),
    _g.amount_min.desc(),
    _g.investor_id,
    postgresql_where=_LEAGUE,
)
Index(
    "ix_usd_investor_group_league_leads",
    _g.p_start,
    _g.leads.desc(),
    _g.units.desc(),
    _g.amount_min.desc(),
    _g.investor_id,
    postgresql_where=_LEAGUE,
)
Index(
    "ix_usd_investor_group_league_amount",
    _g.p_start,
    _g.amount_min.desc(),
    _g.units.desc(),
    _g.investor_id,
    postgresql_where=_LEAGUE,
)

usd_investor_group_count = Table(
    "usd_investor_group_count",
    metadata,
    Column("family", SmallInteger, primary_key=True),
    Column("dim", SmallInteger, primary_key=True),
    # The year of the groups' period; 'infinity' for those without one.
    Column("part", Date, primary_key=True),
    Column("groups", BigInteger, nullable=False),
    comment="How many usd_investor_group rows each family and dimension has "
    "(trigger-maintained, migration 0031).",
)
