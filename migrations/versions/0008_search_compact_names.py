"""Search: organization names compared without spaces or punctuation, through a trigram index,
and typo distance measured as edits.

``sg_compact`` drops everything but letters and digits from an already normalised name, so
"open ai", "Open-AI" and "OpenAI" share one key (``openai``) and "01 ai" finds "01.AI". The
trigram GIN index on ``sg_compact(normalized)`` serves the search's equality, prefix and
similarity tests on that key (``<%``), which find candidates for every tier of the ranking: a
space- or punctuation-insensitive match above a prefix above a typo. ``fuzzystrmatch`` gives
``levenshtein``, the edit distance that orders typos (trigram sets cannot tell "Moonshot AI"
from "Moonshot AI AI").

Revision ID: 0008_search_compact_names
Revises: 0006_natural_keys
Create Date: 2026-12-02 03:20:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0008_search_compact_names'
down_revision: str | None = '0007_bulk_import_audit'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# `[:alnum:]` follows the database's LC_CTYPE (UTF-8 here, as the trigram test requires), so
# Chinese and Arabic letters are kept and only separators go.
COMPACT = r"""
CREATE FUNCTION sg_compact(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $fn$ SELECT regexp_replace(value, '[^[:alnum:]]+', '', 'g') $fn$
"""


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS fuzzystrmatch")
    op.execute(COMPACT)
    op.execute(
        "CREATE INDEX ix_organization_name_compact_trgm ON organization_name "
        "USING gin (sg_compact(normalized) gin_trgm_ops)"
    )


def downgrade() -> None:
    op.execute("DROP INDEX ix_organization_name_compact_trgm")
    op.execute("DROP FUNCTION sg_compact(text)")
    op.execute("DROP EXTENSION IF EXISTS fuzzystrmatch")
