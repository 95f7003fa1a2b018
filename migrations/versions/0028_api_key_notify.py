"""A notification on channel ``sg_api_keys`` when a transaction changes an API key.

Each worker remembers the keys it has verified (``service/auth/cache.py``) only while it
listens here: a revocation, a new key or a new quota makes every worker forget at once,
whichever process or statement made the change.

Revision ID: 0028_api_key_notify
Revises: 0027_rollups_deferred
Create Date: 2026-12-02 15:10:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0028_api_key_notify"
down_revision: str | None = "0027_rollups_deferred"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION sg_api_keys_notify() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            -- One payload for every change: PostgreSQL folds a transaction's equal
            -- notifications into one, delivered at commit.
            PERFORM pg_notify('sg_api_keys', '');
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER api_key_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
        " ON public.api_key FOR EACH STATEMENT EXECUTE FUNCTION sg_api_keys_notify()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER api_key_notify ON public.api_key")
    op.execute("DROP FUNCTION sg_api_keys_notify()")
