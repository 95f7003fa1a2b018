"""The investment graph: organizations, rounds, investments with their consideration,
credits, relationships, compute, events, sources and claims.

Revision ID: 0001
Revises:
Create Date: 2026-11-28 18:56:38.291686
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# ISO 4217 active codes (name, minor units). Reference data belongs to the schema: money columns
# reference this table, so it must exist before any fact does.
CURRENCIES: list[tuple[str, str, int | None]] = [
    ("AED", "UAE Dirham", 2), ("AFN", "Afghani", 2), ("ALL", "Lek", 2),
    ("AMD", "Armenian Dram", 2), ("AOA", "Kwanza", 2), ("ARS", "Argentine Peso", 2),
    ("AUD", "Australian Dollar", 2), ("AWG", "Aruban Florin", 2),
    ("AZN", "Azerbaijan Manat", 2), ("BAM", "Convertible Mark", 2),
    ("BBD", "Barbados Dollar", 2), ("BDT", "Taka", 2), ("BGN", "Bulgarian Lev", 2),
    ("BHD", "Bahraini Dinar", 3), ("BIF", "Burundi Franc", 0), ("BMD", "Bermudian Dollar", 2),
    ("BND", "Brunei Dollar", 2), ("BOB", "Boliviano", 2), ("BRL", "Brazilian Real", 2),
    ("BSD", "Bahamian Dollar", 2), ("BTN", "Ngultrum", 2), ("BWP", "Pula", 2),
    ("BYN", "Belarusian Ruble", 2), ("BZD", "Belize Dollar", 2), ("CAD", "Canadian Dollar", 2),
    ("CDF", "Congolese Franc", 2), ("CHF", "Swiss Franc", 2), ("CLP", "Chilean Peso", 0),
    ("CNY", "Yuan Renminbi", 2), ("COP", "Colombian Peso", 2), ("CRC", "Costa Rican Colon", 2),
    ("CUP", "Cuban Peso", 2), ("CVE", "Cabo Verde Escudo", 2), ("CZK", "Czech Koruna", 2),
    ("DJF", "Djibouti Franc", 0), ("DKK", "Danish Krone", 2), ("DOP", "Dominican Peso", 2),
    ("DZD", "Algerian Dinar", 2), ("EGP", "Egyptian Pound", 2), ("ERN", "Nakfa", 2),
    ("ETB", "Ethiopian Birr", 2), ("EUR", "Euro", 2), ("FJD", "Fiji Dollar", 2),
    ("FKP", "Falkland Islands Pound", 2), ("GBP", "Pound Sterling", 2), ("GEL", "Lari", 2),
    ("GHS", "Ghana Cedi", 2), ("GIP", "Gibraltar Pound", 2), ("GMD", "Dalasi", 2),
    ("GNF", "Guinean Franc", 0), ("GTQ", "Quetzal", 2), ("GYD", "Guyana Dollar", 2),
    ("HKD", "Hong Kong Dollar", 2), ("HNL", "Lempira", 2), ("HTG", "Gourde", 2),
    ("HUF", "Forint", 2), ("IDR", "Rupiah", 2), ("ILS", "New Israeli Sheqel", 2),
    ("INR", "Indian Rupee", 2), ("IQD", "Iraqi Dinar", 3), ("IRR", "Iranian Rial", 2),
    ("ISK", "Iceland Krona", 0), ("JMD", "Jamaican Dollar", 2), ("JOD", "Jordanian Dinar", 3),
    ("JPY", "Yen", 0), ("KES", "Kenyan Shilling", 2), ("KGS", "Som", 2), ("KHR", "Riel", 2),
    ("KMF", "Comorian Franc", 0), ("KPW", "North Korean Won", 2), ("KRW", "Won", 0),
    ("KWD", "Kuwaiti Dinar", 3), ("KYD", "Cayman Islands Dollar", 2), ("KZT", "Tenge", 2),
    ("LAK", "Lao Kip", 2), ("LBP", "Lebanese Pound", 2), ("LKR", "Sri Lanka Rupee", 2),
    ("LRD", "Liberian Dollar", 2), ("LSL", "Loti", 2), ("LYD", "Libyan Dinar", 3),
    ("MAD", "Moroccan Dirham", 2), ("MDL", "Moldovan Leu", 2), ("MGA", "Malagasy Ariary", 2),
    ("MKD", "Denar", 2), ("MMK", "Kyat", 2), ("MNT", "Tugrik", 2), ("MOP", "Pataca", 2),
    ("MRU", "Ouguiya", 2), ("MUR", "Mauritius Rupee", 2), ("MVR", "Rufiyaa", 2),
    ("MWK", "Malawi Kwacha", 2), ("MXN", "Mexican Peso", 2), ("MYR", "Malaysian Ringgit", 2),
    ("MZN", "Mozambique Metical", 2), ("NAD", "Namibia Dollar", 2), ("NGN", "Naira", 2),
    ("NIO", "Cordoba Oro", 2), ("NOK", "Norwegian Krone", 2), ("NPR", "Nepalese Rupee", 2),
    ("NZD", "New Zealand Dollar", 2), ("OMR", "Rial Omani", 3), ("PAB", "Balboa", 2),
    ("PEN", "Sol", 2), ("PGK", "Kina", 2), ("PHP", "Philippine Peso", 2),
    ("PKR", "Pakistan Rupee", 2), ("PLN", "Zloty", 2), ("PYG", "Guarani", 0),
    ("QAR", "Qatari Rial", 2), ("RON", "Romanian Leu", 2), ("RSD", "Serbian Dinar", 2),
    ("RUB", "Russian Ruble", 2), ("RWF", "Rwanda Franc", 0), ("SAR", "Saudi Riyal", 2),
    ("SBD", "Solomon Islands Dollar", 2), ("SCR", "Seychelles Rupee", 2),
    ("SDG", "Sudanese Pound", 2), ("SEK", "Swedish Krona", 2), ("SGD", "Singapore Dollar", 2),
    ("SHP", "Saint Helena Pound", 2), ("SLE", "Leone", 2), ("SOS", "Somali Shilling", 2),
    ("SRD", "Surinam Dollar", 2), ("SSP", "South Sudanese Pound", 2), ("STN", "Dobra", 2),
    ("SVC", "El Salvador Colon", 2), ("SYP", "Syrian Pound", 2), ("SZL", "Lilangeni", 2),
    ("THB", "Baht", 2), ("TJS", "Somoni", 2), ("TMT", "Turkmenistan New Manat", 2),
    ("TND", "Tunisian Dinar", 3), ("TOP", "Pa'anga", 2), ("TRY", "Turkish Lira", 2),
    ("TTD", "Trinidad and Tobago Dollar", 2), ("TWD", "New Taiwan Dollar", 2),
    ("TZS", "Tanzanian Shilling", 2), ("UAH", "Hryvnia", 2), ("UGX", "Uganda Shilling", 0),
    ("USD", "US Dollar", 2), ("UYU", "Peso Uruguayo", 2), ("UZS", "Uzbekistan Sum", 2),
    ("VES", "Bolivar Soberano", 2), ("VND", "Dong", 0), ("VUV", "Vatu", 0), ("WST", "Tala", 2),
    ("XAF", "CFA Franc BEAC", 0), ("XCD", "East Caribbean Dollar", 2),
    ("XOF", "CFA Franc BCEAO", 0), ("XPF", "CFP Franc", 0), ("YER", "Yemeni Rial", 2),
    ("ZAR", "Rand", 2), ("ZMW", "Zambian Kwacha", 2), ("ZWG", "Zimbabwe Gold", 2),
]

# Folds case, accents, Arabic vowel marks and tatweel, and Arabic letter variants, so that one
# trigram index serves "contains" filters and search in every script the names are stored in.
NORMALIZE = r"""
CREATE FUNCTION sg_normalize(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $fn$
  SELECT lower(
    translate(
      regexp_replace(
        public.unaccent('public.unaccent'::regdictionary, value),
        '[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]', '', 'g'),
      'أإآٱىة', 'ااااي' || 'ه'))
$fn$
"""


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.execute(NORMALIZE)
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('credit_type',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('consideration_kind', sa.String(length=20), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("consideration_kind IN ('CASH', 'CLOUD_CREDITS', 'TRAFFIC_PROMOTION', 'SERVICES', 'OTHER')", name=op.f('ck_credit_type_consideration_kind')),
    sa.CheckConstraint("unit IN ('CURRENCY', 'GPU_HOURS', 'IMPRESSIONS', 'OTHER')", name=op.f('ck_credit_type_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_type')),
    sa.UniqueConstraint('slug', name=op.f('uq_credit_type_slug'))
    )
    op.create_table('currency',
    sa.Column('code', sa.String(length=3), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('minor_units', sa.SmallInteger(), nullable=True),
    sa.CheckConstraint("code ~ '^[A-Z]{3}$'", name=op.f('ck_currency_code_format')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_currency')),
    comment='ISO 4217 currencies; money columns reference it, so unknown codes are refused.'
    )
    op.create_table('event',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('occurred_on', sa.Date(), nullable=True),
    sa.Column('occurred_precision', sa.String(length=8), nullable=True),
    sa.Column('sort_on', sa.Date(), sa.Computed("coalesce(occurred_on, '0001-01-01'::date)", persisted=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind IN ('IPO_PLAN', 'IPO_CANCELLED', 'RESTRUCTURING', 'REGULATORY_ACTION', 'EXPORT_CONTROL', 'LEADERSHIP_CHANGE', 'DIVESTMENT', 'OTHER')", name=op.f('ck_event_kind')),
    sa.CheckConstraint("occurred_precision IN ('DAY', 'MONTH', 'QUARTER', 'YEAR')", name=op.f('ck_event_occurred_precision')),
    sa.CheckConstraint("occurred_precision IS NULL OR occurred_precision = 'DAY' OR (occurred_precision = 'MONTH' AND extract(day FROM occurred_on) = 1) OR (occurred_precision = 'QUARTER' AND extract(day FROM occurred_on) = 1 AND extract(month FROM occurred_on) IN (1, 4, 7, 10)) OR (occurred_precision = 'YEAR' AND extract(day FROM occurred_on) = 1 AND extract(month FROM occurred_on) = 1)", name=op.f('ck_event_occurred_period_start')),
    sa.CheckConstraint('(occurred_on IS NULL) = (occurred_precision IS NULL)', name=op.f('ck_event_occurred_pair')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event')),
    sa.UniqueConstraint('slug', name=op.f('uq_event_slug'))
    )
    op.create_index('ix_event_sort_id', 'event', ['sort_on', 'id'], unique=False)
    op.create_table('organization',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('kinds', postgresql.ARRAY(sa.String(length=20)), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('founded_on', sa.Date(), nullable=True),
    sa.Column('founded_precision', sa.String(length=8), nullable=True),
    sa.Column('parent_id', sa.BigInteger(), nullable=True),
    sa.Column('website', sa.Text(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("country ~ '^[A-Z]{2}$'", name=op.f('ck_organization_country_format')),
    sa.CheckConstraint("founded_precision IN ('DAY', 'MONTH', 'QUARTER', 'YEAR')", name=op.f('ck_organization_founded_precision')),
    sa.CheckConstraint("founded_precision IS NULL OR founded_precision = 'DAY' OR (founded_precision = 'MONTH' AND extract(day FROM founded_on) = 1) OR (founded_precision = 'QUARTER' AND extract(day FROM founded_on) = 1 AND extract(month FROM founded_on) IN (1, 4, 7, 10)) OR (founded_precision = 'YEAR' AND extract(day FROM founded_on) = 1 AND extract(month FROM founded_on) = 1)", name=op.f('ck_organization_founded_period_start')),
    sa.CheckConstraint("kinds <@ ARRAY['STARTUP', 'INVESTOR', 'CORPORATE', 'CLOUD_PROVIDER', 'PLATFORM', 'VC_FIRM', 'ANALYST_FIRM', 'CHIPMAKER', 'PUBLISHER', 'GOVERNMENT']::varchar[]", name=op.f('ck_organization_known_kinds')),
    sa.CheckConstraint("slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'", name=op.f('ck_organization_slug_format')),
    sa.CheckConstraint('(founded_on IS NULL) = (founded_precision IS NULL)', name=op.f('ck_organization_founded_pair')),
    sa.CheckConstraint('cardinality(kinds) >= 1', name=op.f('ck_organization_has_kind')),
    sa.CheckConstraint('parent_id <> id', name=op.f('ck_organization_not_own_parent')),
    sa.ForeignKeyConstraint(['parent_id'], ['organization.id'], name=op.f('fk_organization_parent_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization')),
    sa.UniqueConstraint('slug', name=op.f('uq_organization_slug'))
    )
    op.create_index(op.f('ix_organization_country'), 'organization', ['country'], unique=False)
    op.create_index('ix_organization_created_id', 'organization', ['created_at', 'id'], unique=False)
    op.create_index(op.f('ix_organization_kinds'), 'organization', ['kinds'], unique=False, postgresql_using='gin')
    op.create_index('ix_organization_name_id', 'organization', ['name', 'id'], unique=False)
    op.create_index(op.f('ix_organization_parent_id'), 'organization', ['parent_id'], unique=False)
    op.create_table('person',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('native_name', sa.Text(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'", name=op.f('ck_person_slug_format')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person')),
    sa.UniqueConstraint('slug', name=op.f('uq_person_slug'))
    )
    op.create_index('ix_person_name_id', 'person', ['name', 'id'], unique=False)
    op.create_table('source',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('publisher', sa.Text(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('published_precision', sa.String(length=8), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind IN ('NEWS_ARTICLE', 'FILING', 'PRESS_RELEASE', 'ANALYST_REPORT', 'DATASET', 'OTHER')", name=op.f('ck_source_kind')),
    sa.CheckConstraint("published_precision IN ('DAY', 'MONTH', 'QUARTER', 'YEAR')", name=op.f('ck_source_published_precision')),
    sa.CheckConstraint("published_precision IS NULL OR published_precision = 'DAY' OR (published_precision = 'MONTH' AND extract(day FROM published_on) = 1) OR (published_precision = 'QUARTER' AND extract(day FROM published_on) = 1 AND extract(month FROM published_on) IN (1, 4, 7, 10)) OR (published_precision = 'YEAR' AND extract(day FROM published_on) = 1 AND extract(month FROM published_on) = 1)", name=op.f('ck_source_published_period_start')),
    sa.CheckConstraint('(published_on IS NULL) = (published_precision IS NULL)', name=op.f('ck_source_published_pair')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_source')),
    sa.UniqueConstraint('slug', name=op.f('uq_source_slug'))
    )
    op.create_table('claim',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('source_id', sa.BigInteger(), nullable=False),
    sa.Column('fact_ref', sa.String(length=16), nullable=True),
    sa.Column('attribution', sa.String(length=16), nullable=False),
    sa.Column('attributed_to', sa.Text(), nullable=True),
    sa.Column('person_id', sa.BigInteger(), nullable=True),
    sa.Column('organization_id', sa.BigInteger(), nullable=True),
    sa.Column('stance', sa.String(length=20), server_default=sa.text("'ASSERTS'"), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('quote', sa.Text(), nullable=True),
    sa.Column('confidence', sa.Numeric(precision=4, scale=3), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("attribution <> 'NAMED_PERSON' OR person_id IS NOT NULL", name=op.f('ck_claim_named')),
    sa.CheckConstraint("attribution IN ('PUBLICATION', 'ANONYMOUS', 'NAMED_PERSON', 'ANALYST', 'COMPANY', 'FILING')", name=op.f('ck_claim_attribution')),
    sa.CheckConstraint("stance IN ('ASSERTS', 'DECLINED_TO_COMMENT', 'DID_NOT_RESPOND', 'DENIES', 'CONFIRMS')", name=op.f('ck_claim_stance')),
    sa.CheckConstraint('confidence >= 0 AND confidence <= 1', name=op.f('ck_claim_confidence')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_claim_organization_id_organization')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_claim_person_id_person')),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], name=op.f('fk_claim_source_id_source')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim'))
    )
    op.create_index(op.f('ix_claim_organization_id'), 'claim', ['organization_id'], unique=False)
    op.create_index(op.f('ix_claim_person_id'), 'claim', ['person_id'], unique=False)
    op.create_index(op.f('ix_claim_source_id'), 'claim', ['source_id'], unique=False)
    op.create_table('compute_asset',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('owner_id', sa.BigInteger(), nullable=False),
    sa.Column('chip_vendor_id', sa.BigInteger(), nullable=True),
    sa.Column('chip_model', sa.Text(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=True),
    sa.Column('quantity_estimated', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('cluster_size', sa.Integer(), nullable=True),
    sa.Column('regions', postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('acquired_on', sa.Date(), nullable=True),
    sa.Column('acquired_precision', sa.String(length=8), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("acquired_precision IN ('DAY', 'MONTH', 'QUARTER', 'YEAR')", name=op.f('ck_compute_asset_acquired_precision')),
    sa.CheckConstraint("acquired_precision IS NULL OR acquired_precision = 'DAY' OR (acquired_precision = 'MONTH' AND extract(day FROM acquired_on) = 1) OR (acquired_precision = 'QUARTER' AND extract(day FROM acquired_on) = 1 AND extract(month FROM acquired_on) IN (1, 4, 7, 10)) OR (acquired_precision = 'YEAR' AND extract(day FROM acquired_on) = 1 AND extract(month FROM acquired_on) = 1)", name=op.f('ck_compute_asset_acquired_period_start')),
    sa.CheckConstraint('(acquired_on IS NULL) = (acquired_precision IS NULL)', name=op.f('ck_compute_asset_acquired_pair')),
    sa.CheckConstraint('cluster_size >= 0', name=op.f('ck_compute_asset_cluster_size')),
    sa.CheckConstraint('quantity >= 0', name=op.f('ck_compute_asset_quantity')),
    sa.ForeignKeyConstraint(['chip_vendor_id'], ['organization.id'], name=op.f('fk_compute_asset_chip_vendor_id_organization')),
    sa.ForeignKeyConstraint(['owner_id'], ['organization.id'], name=op.f('fk_compute_asset_owner_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_compute_asset'))
    )
    op.create_index('ix_compute_asset_owner', 'compute_asset', ['owner_id', 'id'], unique=False)
    op.create_table('credit_program',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('provider_id', sa.BigInteger(), nullable=False),
    sa.Column('credit_type_id', sa.BigInteger(), nullable=False),
    sa.Column('in_exchange_for', sa.Text(), server_default=sa.text("'EQUITY'"), nullable=False),
    sa.Column('terms', sa.Text(), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('started_precision', sa.String(length=8), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('ended_precision', sa.String(length=8), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("ended_precision IN ('DAY', 'MONTH', 'QUARTER', 'YEAR')", name=op.f('ck_credit_program_ended_precision')),
    sa.CheckConstraint("ended_precision IS NULL OR ended_precision = 'DAY' OR (ended_precision = 'MONTH' AND extract(day FROM ended_on) = 1) OR (ended_precision = 'QUARTER' AND extract(day FROM ended_on) = 1 AND extract(month FROM ended_on) IN (1, 4, 7, 10)) OR (ended_precision = 'YEAR' AND extract(day FROM ended_on) = 1 AND extract(month FROM ended_on) = 1)", name=op.f('ck_credit_program_ended_period_start')),
    sa.CheckConstraint("started_precision IN ('DAY', 'MONTH', 'QUARTER', 'YEAR')", name=op.f('ck_credit_program_started_precision')),
    sa.CheckConstraint("started_precision IS NULL OR started_precision = 'DAY' OR (started_precision = 'MONTH' AND extract(day FROM started_on) = 1) OR (started_precision = 'QUARTER' AND extract(day FROM started_on) = 1 AND extract(month FROM started_on) IN (1, 4, 7, 10)) OR (started_precision = 'YEAR' AND extract(day FROM started_on) = 1 AND extract(month FROM started_on) = 1)", name=op.f('ck_credit_program_started_period_start')),
    sa.CheckConstraint('(ended_on IS NULL) = (ended_precision IS NULL)', name=op.f('ck_credit_program_ended_pair')),
    sa.CheckConstraint('(started_on IS NULL) = (started_precision IS NULL)', name=op.f('ck_credit_program_started_pair')),
    sa.ForeignKeyConstraint(['credit_type_id'], ['credit_type.id'], name=op.f('fk_credit_program_credit_type_id_credit_type')),
    sa.ForeignKeyConstraint(['provider_id'], ['organization.id'], name=op.f('fk_credit_program_provider_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_program')),
    sa.UniqueConstraint('slug', name=op.f('uq_credit_program_slug'))
    )
    op.create_index(op.f('ix_credit_program_credit_type_id'), 'credit_program', ['credit_type_id'], unique=False)
    op.create_index(op.f('ix_credit_program_provider_id'), 'credit_program', ['provider_id'], unique=False)
    op.create_table('event_participant',
    sa.Column('event_id', sa.BigInteger(), nullable=False),
    sa.Column('organization_id', sa.BigInteger(), nullable=False),
    sa.Column('role', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_participant_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_event_participant_organization_id_organization')),
    sa.PrimaryKeyConstraint('event_id', 'organization_id', name=op.f('pk_event_participant'))
    )
    op.create_index(op.f('ix_event_participant_organization_id'), 'event_participant', ['organization_id'], unique=False)
    op.create_table('funding_round',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('organization_id', sa.BigInteger(), nullable=False),
    sa.Column('round_type', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('announced_on', sa.Date(), nullable=True),
    sa.Column('announced_precision', sa.String(length=8), nullable=True),
    sa.Column('raised_amount', sa.Numeric(precision=24, scale=4), nullable=True),
    sa.Column('raised_currency', sa.String(length=3), nullable=True),
    sa.Column('raised_estimated', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('pre_money_amount', sa.Numeric(precision=24, scale=4), nullable=True),
    sa.Column('pre_money_currency', sa.String(length=3), nullable=True),
    sa.Column('pre_money_estimated', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('post_money_amount', sa.Numeric(precision=24, scale=4), nullable=True),
    sa.Column('post_money_currency', sa.String(length=3), nullable=True),
    sa.Column('post_money_estimated', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('sort_on', sa.Date(), sa.Computed("coalesce(announced_on, '0001-01-01'::date)", persisted=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("announced_precision IN ('DAY', 'MONTH', 'QUARTER', 'YEAR')", name=op.f('ck_funding_round_announced_precision')),
    sa.CheckConstraint("announced_precision IS NULL OR announced_precision = 'DAY' OR (announced_precision = 'MONTH' AND extract(day FROM announced_on) = 1) OR (announced_precision = 'QUARTER' AND extract(day FROM announced_on) = 1 AND extract(month FROM announced_on) IN (1, 4, 7, 10)) OR (announced_precision = 'YEAR' AND extract(day FROM announced_on) = 1 AND extract(month FROM announced_on) = 1)", name=op.f('ck_funding_round_announced_period_start')),
    sa.CheckConstraint("round_type IN ('PRE_SEED', 'SEED', 'ANGEL', 'SERIES_A', 'SERIES_B', 'SERIES_C', 'SERIES_D', 'SERIES_E', 'SERIES_F_PLUS', 'STRATEGIC', 'CORPORATE', 'GROWTH', 'BRIDGE', 'DEBT', 'UNDISCLOSED')", name=op.f('ck_funding_round_round_type')),
    sa.CheckConstraint("status IN ('RUMOURED', 'ANNOUNCED', 'CLOSED')", name=op.f('ck_funding_round_status')),
    sa.CheckConstraint('(announced_on IS NULL) = (announced_precision IS NULL)', name=op.f('ck_funding_round_announced_pair')),
    sa.CheckConstraint('(post_money_amount IS NULL) = (post_money_currency IS NULL)', name=op.f('ck_funding_round_post_money_pair')),
    sa.CheckConstraint('(pre_money_amount IS NULL) = (pre_money_currency IS NULL)', name=op.f('ck_funding_round_pre_money_pair')),
    sa.CheckConstraint('(raised_amount IS NULL) = (raised_currency IS NULL)', name=op.f('ck_funding_round_raised_pair')),
    sa.CheckConstraint('post_money_amount >= 0', name=op.f('ck_funding_round_post_money_non_negative')),
    sa.CheckConstraint('pre_money_amount >= 0', name=op.f('ck_funding_round_pre_money_non_negative')),
    sa.CheckConstraint('raised_amount >= 0', name=op.f('ck_funding_round_raised_non_negative')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_funding_round_organization_id_organization')),
    sa.ForeignKeyConstraint(['post_money_currency'], ['currency.code'], name=op.f('fk_funding_round_post_money_currency_currency')),
    sa.ForeignKeyConstraint(['pre_money_currency'], ['currency.code'], name=op.f('fk_funding_round_pre_money_currency_currency')),
    sa.ForeignKeyConstraint(['raised_currency'], ['currency.code'], name=op.f('fk_funding_round_raised_currency_currency')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funding_round'))
    )
    op.create_index('ix_funding_round_org_sort', 'funding_round', ['organization_id', 'sort_on', 'id'], unique=False)
    op.create_index('ix_funding_round_raised_usd', 'funding_round', ['raised_amount', 'id'], unique=False)
    op.create_index('ix_funding_round_sort_id', 'funding_round', ['sort_on', 'id'], unique=False)
    op.create_index('ix_funding_round_type_sort', 'funding_round', ['round_type', 'sort_on', 'id'], unique=False)
    op.create_table('fx_rate',
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('rate_on', sa.Date(), nullable=False),
    sa.Column('usd_per_unit', sa.Numeric(precision=20, scale=10), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.CheckConstraint('usd_per_unit > 0', name=op.f('ck_fx_rate_positive')),
    sa.ForeignKeyConstraint(['currency'], ['currency.code'], name=op.f('fk_fx_rate_currency_currency')),
    sa.PrimaryKeyConstraint('currency', 'rate_on', name=op.f('pk_fx_rate')),
    comment="USD value of one unit of a currency on a date; amountUsd uses the latest on or before the fact's date."
    )
    op.create_table('organization_name',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('organization_id', sa.BigInteger(), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('script', sa.String(length=4), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('is_primary', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('normalized', sa.Text(), sa.Computed('sg_normalize(value)', persisted=True), nullable=True),
    sa.CheckConstraint("kind IN ('LEGAL', 'COMMON', 'FORMER', 'TRANSLITERATION', 'TRANSLATION')", name=op.f('ck_organization_name_kind')),
    sa.CheckConstraint("script ~ '^[A-Z][a-z]{3}$'", name=op.f('ck_organization_name_script_format')),
    sa.CheckConstraint('length(btrim(value)) > 0', name=op.f('ck_organization_name_not_blank')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_organization_name_organization_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization_name')),
    sa.UniqueConstraint('organization_id', 'value', 'language', name=op.f('uq_organization_name_organization_id_value_language'))
    )
    op.create_index('ix_organization_name_normalized_trgm', 'organization_name', ['normalized'], unique=False, postgresql_using='gin', postgresql_ops={'normalized': 'gin_trgm_ops'})
    op.create_table('person_role',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('person_id', sa.BigInteger(), nullable=False),
    sa.Column('organization_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('started_precision', sa.String(length=8), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('ended_precision', sa.String(length=8), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("ended_precision IN ('DAY', 'MONTH', 'QUARTER', 'YEAR')", name=op.f('ck_person_role_ended_precision')),
    sa.CheckConstraint("ended_precision IS NULL OR ended_precision = 'DAY' OR (ended_precision = 'MONTH' AND extract(day FROM ended_on) = 1) OR (ended_precision = 'QUARTER' AND extract(day FROM ended_on) = 1 AND extract(month FROM ended_on) IN (1, 4, 7, 10)) OR (ended_precision = 'YEAR' AND extract(day FROM ended_on) = 1 AND extract(month FROM ended_on) = 1)", name=op.f('ck_person_role_ended_period_start')),
    sa.CheckConstraint("kind IN ('EXECUTIVE', 'FOUNDER', 'BOARD', 'EMPLOYEE', 'ANALYST', 'ADVISOR', 'OTHER')", name=op.f('ck_person_role_kind')),
    sa.CheckConstraint("started_precision IN ('DAY', 'MONTH', 'QUARTER', 'YEAR')", name=op.f('ck_person_role_started_precision')),
    sa.CheckConstraint("started_precision IS NULL OR started_precision = 'DAY' OR (started_precision = 'MONTH' AND extract(day FROM started_on) = 1) OR (started_precision = 'QUARTER' AND extract(day FROM started_on) = 1 AND extract(month FROM started_on) IN (1, 4, 7, 10)) OR (started_precision = 'YEAR' AND extract(day FROM started_on) = 1 AND extract(month FROM started_on) = 1)", name=op.f('ck_person_role_started_period_start')),
    sa.CheckConstraint('(ended_on IS NULL) = (ended_precision IS NULL)', name=op.f('ck_person_role_ended_pair')),
    sa.CheckConstraint('(started_on IS NULL) = (started_precision IS NULL)', name=op.f('ck_person_role_started_pair')),
    sa.CheckConstraint('ended_on IS NULL OR started_on IS NULL OR ended_on >= started_on', name=op.f('ck_person_role_ordered')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_person_role_organization_id_organization')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_person_role_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_role'))
    )
    op.create_index(op.f('ix_person_role_organization_id'), 'person_role', ['organization_id'], unique=False)
    op.create_index(op.f('ix_person_role_person_id'), 'person_role', ['person_id'], unique=False)
    op.create_table('product',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('organization_id', sa.BigInteger(), nullable=False),
    sa.Column('category', sa.Text(), nullable=True),
    sa.Column('launched_on', sa.Date(), nullable=True),
    sa.Column('launched_precision', sa.String(length=8), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("launched_precision IN ('DAY', 'MONTH', 'QUARTER', 'YEAR')", name=op.f('ck_product_launched_precision')),
    sa.CheckConstraint("launched_precision IS NULL OR launched_precision = 'DAY' OR (launched_precision = 'MONTH' AND extract(day FROM launched_on) = 1) OR (launched_precision = 'QUARTER' AND extract(day FROM launched_on) = 1 AND extract(month FROM launched_on) IN (1, 4, 7, 10)) OR (launched_precision = 'YEAR' AND extract(day FROM launched_on) = 1 AND extract(month FROM launched_on) = 1)", name=op.f('ck_product_launched_period_start')),
    sa.CheckConstraint("slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'", name=op.f('ck_product_slug_format')),
    sa.CheckConstraint('(launched_on IS NULL) = (launched_precision IS NULL)', name=op.f('ck_product_launched_pair')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_product_organization_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product')),
    sa.UniqueConstraint('slug', name=op.f('uq_product_slug'))
    )
    op.create_index('ix_product_name_id', 'product', ['name', 'id'], unique=False)
    op.create_index(op.f('ix_product_organization_id'), 'product', ['organization_id'], unique=False)
    op.create_table('relationship',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('source_id', sa.BigInteger(), nullable=False),
    sa.Column('target_id', sa.BigInteger(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('started_precision', sa.String(length=8), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('ended_precision', sa.String(length=8), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("ended_precision IN ('DAY', 'MONTH', 'QUARTER', 'YEAR')", name=op.f('ck_relationship_ended_precision')),
    sa.CheckConstraint("ended_precision IS NULL OR ended_precision = 'DAY' OR (ended_precision = 'MONTH' AND extract(day FROM ended_on) = 1) OR (ended_precision = 'QUARTER' AND extract(day FROM ended_on) = 1 AND extract(month FROM ended_on) IN (1, 4, 7, 10)) OR (ended_precision = 'YEAR' AND extract(day FROM ended_on) = 1 AND extract(month FROM ended_on) = 1)", name=op.f('ck_relationship_ended_period_start')),
    sa.CheckConstraint("kind IN ('SUBSIDIARY_OF', 'COMPETES_WITH', 'CLOUD_PROVIDER_OF', 'PARTNER_OF', 'LOCAL_ALTERNATIVE_TO')", name=op.f('ck_relationship_kind')),
    sa.CheckConstraint("started_precision IN ('DAY', 'MONTH', 'QUARTER', 'YEAR')", name=op.f('ck_relationship_started_precision')),
    sa.CheckConstraint("started_precision IS NULL OR started_precision = 'DAY' OR (started_precision = 'MONTH' AND extract(day FROM started_on) = 1) OR (started_precision = 'QUARTER' AND extract(day FROM started_on) = 1 AND extract(month FROM started_on) IN (1, 4, 7, 10)) OR (started_precision = 'YEAR' AND extract(day FROM started_on) = 1 AND extract(month FROM started_on) = 1)", name=op.f('ck_relationship_started_period_start')),
    sa.CheckConstraint('(ended_on IS NULL) = (ended_precision IS NULL)', name=op.f('ck_relationship_ended_pair')),
    sa.CheckConstraint('(started_on IS NULL) = (started_precision IS NULL)', name=op.f('ck_relationship_started_pair')),
    sa.CheckConstraint('source_id <> target_id', name=op.f('ck_relationship_distinct')),
    sa.ForeignKeyConstraint(['source_id'], ['organization.id'], name=op.f('fk_relationship_source_id_organization')),
    sa.ForeignKeyConstraint(['target_id'], ['organization.id'], name=op.f('fk_relationship_target_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_relationship')),
    sa.UniqueConstraint('kind', 'source_id', 'target_id', name=op.f('uq_relationship_kind_source_id_target_id'))
    )
    op.create_index('ix_relationship_source', 'relationship', ['source_id', 'id'], unique=False)
    op.create_index('ix_relationship_target', 'relationship', ['target_id', 'id'], unique=False)
    op.create_table('investment',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('round_id', sa.BigInteger(), nullable=False),
    sa.Column('investor_id', sa.BigInteger(), nullable=False),
    sa.Column('is_lead', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('committed_amount', sa.Numeric(precision=24, scale=4), nullable=True),
    sa.Column('committed_currency', sa.String(length=3), nullable=True),
    sa.Column('committed_estimated', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('stake_min', sa.Numeric(precision=7, scale=6), nullable=True),
    sa.Column('stake_max', sa.Numeric(precision=7, scale=6), nullable=True),
    sa.Column('stake_estimated', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('(committed_amount IS NULL) = (committed_currency IS NULL)', name=op.f('ck_investment_committed_pair')),
    sa.CheckConstraint('(stake_min IS NULL) = (stake_max IS NULL)', name=op.f('ck_investment_stake_pair')),
    sa.CheckConstraint('committed_amount >= 0', name=op.f('ck_investment_committed_non_negative')),
    sa.CheckConstraint('stake_min >= 0 AND stake_max <= 1 AND stake_min <= stake_max', name=op.f('ck_investment_stake_range')),
    sa.ForeignKeyConstraint(['committed_currency'], ['currency.code'], name=op.f('fk_investment_committed_currency_currency')),
    sa.ForeignKeyConstraint(['investor_id'], ['organization.id'], name=op.f('fk_investment_investor_id_organization')),
    sa.ForeignKeyConstraint(['round_id'], ['funding_round.id'], name=op.f('fk_investment_round_id_funding_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_investment')),
    sa.UniqueConstraint('round_id', 'investor_id', name='uq_investment_round_investor')
    )
    op.create_index('ix_investment_investor_id', 'investment', ['investor_id', 'id'], unique=False)
    op.create_index('ix_investment_round_lead', 'investment', ['round_id', 'is_lead', 'id'], unique=False)
    op.create_table('product_alternative',
    sa.Column('product_id', sa.BigInteger(), nullable=False),
    sa.Column('alternative_to_id', sa.BigInteger(), nullable=False),
    sa.Column('market', sa.String(length=2), nullable=True),
    sa.CheckConstraint("market ~ '^[A-Z]{2}$'", name=op.f('ck_product_alternative_market_format')),
    sa.CheckConstraint('product_id <> alternative_to_id', name=op.f('ck_product_alternative_distinct')),
    sa.ForeignKeyConstraint(['alternative_to_id'], ['product.id'], name=op.f('fk_product_alternative_alternative_to_id_product')),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_product_alternative_product_id_product')),
    sa.PrimaryKeyConstraint('product_id', 'alternative_to_id', name=op.f('pk_product_alternative')),
    comment='A product built as a local alternative to another (F2: Kimi for ChatGPT in China).'
    )
    op.create_index(op.f('ix_product_alternative_alternative_to_id'), 'product_alternative', ['alternative_to_id'], unique=False)
    op.create_table('consideration_component',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('investment_id', sa.BigInteger(), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('credit_type_id', sa.BigInteger(), nullable=True),
    sa.Column('credit_program_id', sa.BigInteger(), nullable=True),
    sa.Column('value_amount', sa.Numeric(precision=24, scale=4), nullable=True),
    sa.Column('value_currency', sa.String(length=3), nullable=True),
    sa.Column('value_estimated', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('share_min', sa.Numeric(precision=7, scale=6), nullable=True),
    sa.Column('share_max', sa.Numeric(precision=7, scale=6), nullable=True),
    sa.Column('estimated', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('provider_id', sa.BigInteger(), nullable=True),
    sa.Column('escrow', sa.Boolean(), nullable=True),
    sa.Column('recognized_as_revenue_by_provider', sa.Boolean(), nullable=True),
    sa.Column('spend_restricted_to_id', sa.BigInteger(), nullable=True),
    sa.Column('spend_restriction', sa.Text(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.CheckConstraint("kind IN ('CASH', 'CLOUD_CREDITS', 'TRAFFIC_PROMOTION', 'SERVICES', 'OTHER')", name=op.f('ck_consideration_component_kind')),
    sa.CheckConstraint('(share_min IS NULL) = (share_max IS NULL)', name=op.f('ck_consideration_component_share_pair')),
    sa.CheckConstraint('(value_amount IS NULL) = (value_currency IS NULL)', name=op.f('ck_consideration_component_value_pair')),
    sa.CheckConstraint('position >= 0', name=op.f('ck_consideration_component_position')),
    sa.CheckConstraint('share_min >= 0 AND share_max <= 1 AND share_min <= share_max', name=op.f('ck_consideration_component_share_range')),
    sa.CheckConstraint('value_amount >= 0', name=op.f('ck_consideration_component_value_non_negative')),
    sa.ForeignKeyConstraint(['credit_program_id'], ['credit_program.id'], name=op.f('fk_consideration_component_credit_program_id_credit_program')),
    sa.ForeignKeyConstraint(['credit_type_id'], ['credit_type.id'], name=op.f('fk_consideration_component_credit_type_id_credit_type')),
    sa.ForeignKeyConstraint(['investment_id'], ['investment.id'], name=op.f('fk_consideration_component_investment_id_investment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['provider_id'], ['organization.id'], name=op.f('fk_consideration_component_provider_id_organization')),
    sa.ForeignKeyConstraint(['spend_restricted_to_id'], ['organization.id'], name=op.f('fk_consideration_component_spend_restricted_to_id_organization')),
    sa.ForeignKeyConstraint(['value_currency'], ['currency.code'], name=op.f('fk_consideration_component_value_currency_currency')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consideration_component')),
    sa.UniqueConstraint('investment_id', 'position', name=op.f('uq_consideration_component_investment_id_position')),
    comment='What an investor gives for its stake: cash, credits, promotion, with strings attached.'
    )
    op.create_index(op.f('ix_consideration_component_credit_program_id'), 'consideration_component', ['credit_program_id'], unique=False)
    op.create_index(op.f('ix_consideration_component_credit_type_id'), 'consideration_component', ['credit_type_id'], unique=False)
    op.create_index('ix_consideration_component_kind_investment', 'consideration_component', ['kind', 'investment_id'], unique=False)
    op.create_index(op.f('ix_consideration_component_provider_id'), 'consideration_component', ['provider_id'], unique=False)
    op.create_table('claim_subject',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('claim_id', sa.BigInteger(), nullable=False),
    sa.Column('organization_id', sa.BigInteger(), nullable=True),
    sa.Column('person_role_id', sa.BigInteger(), nullable=True),
    sa.Column('product_id', sa.BigInteger(), nullable=True),
    sa.Column('funding_round_id', sa.BigInteger(), nullable=True),
    sa.Column('investment_id', sa.BigInteger(), nullable=True),
    sa.Column('consideration_component_id', sa.BigInteger(), nullable=True),
    sa.Column('credit_program_id', sa.BigInteger(), nullable=True),
    sa.Column('relationship_id', sa.BigInteger(), nullable=True),
    sa.Column('compute_asset_id', sa.BigInteger(), nullable=True),
    sa.Column('event_id', sa.BigInteger(), nullable=True),
    sa.CheckConstraint('num_nonnulls(organization_id, person_role_id, product_id, funding_round_id, investment_id, consideration_component_id, credit_program_id, relationship_id, compute_asset_id, event_id) = 1', name=op.f('ck_claim_subject_exactly_one')),
    sa.ForeignKeyConstraint(['claim_id'], ['claim.id'], name=op.f('fk_claim_subject_claim_id_claim'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['compute_asset_id'], ['compute_asset.id'], name=op.f('fk_claim_subject_compute_asset_id_compute_asset'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['consideration_component_id'], ['consideration_component.id'], name=op.f('fk_claim_subject_consideration_component_id_consideration_component'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['credit_program_id'], ['credit_program.id'], name=op.f('fk_claim_subject_credit_program_id_credit_program'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_claim_subject_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['funding_round_id'], ['funding_round.id'], name=op.f('fk_claim_subject_funding_round_id_funding_round'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['investment_id'], ['investment.id'], name=op.f('fk_claim_subject_investment_id_investment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_claim_subject_organization_id_organization'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_role_id'], ['person_role.id'], name=op.f('fk_claim_subject_person_role_id_person_role'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_claim_subject_product_id_product'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['relationship_id'], ['relationship.id'], name=op.f('fk_claim_subject_relationship_id_relationship'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_subject'))
    )
    op.create_index(op.f('ix_claim_subject_claim_id'), 'claim_subject', ['claim_id'], unique=False)
    op.create_index('ix_claim_subject_compute_asset_id', 'claim_subject', ['compute_asset_id', 'claim_id'], unique=False, postgresql_where=sa.text('compute_asset_id IS NOT NULL'))
    op.create_index('ix_claim_subject_consideration_component_id', 'claim_subject', ['consideration_component_id', 'claim_id'], unique=False, postgresql_where=sa.text('consideration_component_id IS NOT NULL'))
    op.create_index('ix_claim_subject_credit_program_id', 'claim_subject', ['credit_program_id', 'claim_id'], unique=False, postgresql_where=sa.text('credit_program_id IS NOT NULL'))
    op.create_index('ix_claim_subject_event_id', 'claim_subject', ['event_id', 'claim_id'], unique=False, postgresql_where=sa.text('event_id IS NOT NULL'))
    op.create_index('ix_claim_subject_funding_round_id', 'claim_subject', ['funding_round_id', 'claim_id'], unique=False, postgresql_where=sa.text('funding_round_id IS NOT NULL'))
    op.create_index('ix_claim_subject_investment_id', 'claim_subject', ['investment_id', 'claim_id'], unique=False, postgresql_where=sa.text('investment_id IS NOT NULL'))
    op.create_index('ix_claim_subject_organization_id', 'claim_subject', ['organization_id', 'claim_id'], unique=False, postgresql_where=sa.text('organization_id IS NOT NULL'))
    op.create_index('ix_claim_subject_person_role_id', 'claim_subject', ['person_role_id', 'claim_id'], unique=False, postgresql_where=sa.text('person_role_id IS NOT NULL'))
    op.create_index('ix_claim_subject_product_id', 'claim_subject', ['product_id', 'claim_id'], unique=False, postgresql_where=sa.text('product_id IS NOT NULL'))
    op.create_index('ix_claim_subject_relationship_id', 'claim_subject', ['relationship_id', 'claim_id'], unique=False, postgresql_where=sa.text('relationship_id IS NOT NULL'))
    op.bulk_insert(
        sa.table("currency", sa.column("code"), sa.column("name"), sa.column("minor_units")),
        [{"code": c, "name": n, "minor_units": m} for c, n, m in CURRENCIES],
    )
    # ### end Alembic commands ###


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_index('ix_claim_subject_relationship_id', table_name='claim_subject', postgresql_where=sa.text('relationship_id IS NOT NULL'))
    op.drop_index('ix_claim_subject_product_id', table_name='claim_subject', postgresql_where=sa.text('product_id IS NOT NULL'))
    op.drop_index('ix_claim_subject_person_role_id', table_name='claim_subject', postgresql_where=sa.text('person_role_id IS NOT NULL'))
    op.drop_index('ix_claim_subject_organization_id', table_name='claim_subject', postgresql_where=sa.text('organization_id IS NOT NULL'))
    op.drop_index('ix_claim_subject_investment_id', table_name='claim_subject', postgresql_where=sa.text('investment_id IS NOT NULL'))
    op.drop_index('ix_claim_subject_funding_round_id', table_name='claim_subject', postgresql_where=sa.text('funding_round_id IS NOT NULL'))
    op.drop_index('ix_claim_subject_event_id', table_name='claim_subject', postgresql_where=sa.text('event_id IS NOT NULL'))
    op.drop_index('ix_claim_subject_credit_program_id', table_name='claim_subject', postgresql_where=sa.text('credit_program_id IS NOT NULL'))
    op.drop_index('ix_claim_subject_consideration_component_id', table_name='claim_subject', postgresql_where=sa.text('consideration_component_id IS NOT NULL'))
    op.drop_index('ix_claim_subject_compute_asset_id', table_name='claim_subject', postgresql_where=sa.text('compute_asset_id IS NOT NULL'))
    op.drop_index(op.f('ix_claim_subject_claim_id'), table_name='claim_subject')
    op.drop_table('claim_subject')
    op.drop_index(op.f('ix_consideration_component_provider_id'), table_name='consideration_component')
    op.drop_index('ix_consideration_component_kind_investment', table_name='consideration_component')
    op.drop_index(op.f('ix_consideration_component_credit_type_id'), table_name='consideration_component')
    op.drop_index(op.f('ix_consideration_component_credit_program_id'), table_name='consideration_component')
    op.drop_table('consideration_component')
    op.drop_index(op.f('ix_product_alternative_alternative_to_id'), table_name='product_alternative')
    op.drop_table('product_alternative')
    op.drop_index('ix_investment_round_lead', table_name='investment')
    op.drop_index('ix_investment_investor_id', table_name='investment')
    op.drop_table('investment')
    op.drop_index('ix_relationship_target', table_name='relationship')
    op.drop_index('ix_relationship_source', table_name='relationship')
    op.drop_table('relationship')
    op.drop_index(op.f('ix_product_organization_id'), table_name='product')
    op.drop_index('ix_product_name_id', table_name='product')
    op.drop_table('product')
    op.drop_index(op.f('ix_person_role_person_id'), table_name='person_role')
    op.drop_index(op.f('ix_person_role_organization_id'), table_name='person_role')
    op.drop_table('person_role')
    op.drop_index('ix_organization_name_normalized_trgm', table_name='organization_name', postgresql_using='gin', postgresql_ops={'normalized': 'gin_trgm_ops'})
    op.drop_table('organization_name')
    op.drop_table('fx_rate')
    op.drop_index('ix_funding_round_type_sort', table_name='funding_round')
    op.drop_index('ix_funding_round_sort_id', table_name='funding_round')
    op.drop_index('ix_funding_round_raised_usd', table_name='funding_round')
    op.drop_index('ix_funding_round_org_sort', table_name='funding_round')
    op.drop_table('funding_round')
    op.drop_index(op.f('ix_event_participant_organization_id'), table_name='event_participant')
    op.drop_table('event_participant')
    op.drop_index(op.f('ix_credit_program_provider_id'), table_name='credit_program')
    op.drop_index(op.f('ix_credit_program_credit_type_id'), table_name='credit_program')
    op.drop_table('credit_program')
    op.drop_index('ix_compute_asset_owner', table_name='compute_asset')
    op.drop_table('compute_asset')
    op.drop_index(op.f('ix_claim_source_id'), table_name='claim')
    op.drop_index(op.f('ix_claim_person_id'), table_name='claim')
    op.drop_index(op.f('ix_claim_organization_id'), table_name='claim')
    op.drop_table('claim')
    op.drop_table('source')
    op.drop_index('ix_person_name_id', table_name='person')
    op.drop_table('person')
    op.drop_index(op.f('ix_organization_parent_id'), table_name='organization')
    op.drop_index('ix_organization_name_id', table_name='organization')
    op.drop_index(op.f('ix_organization_kinds'), table_name='organization', postgresql_using='gin')
    op.drop_index('ix_organization_created_id', table_name='organization')
    op.drop_index(op.f('ix_organization_country'), table_name='organization')
    op.drop_table('organization')
    op.drop_index('ix_event_sort_id', table_name='event')
    op.drop_table('event')
    op.drop_table('currency')
    op.drop_table('credit_type')
    # ### end Alembic commands ###
    op.execute("DROP FUNCTION sg_normalize(text)")
