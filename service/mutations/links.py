"""The rows that hang off an entity and are written with it: a component's position, an
event's participants and people, a product's alternatives, a claim's subject."""

from __future__ import annotations

from collections.abc import Sequence

from service.repository.db import Db


async def next_position(db: Db, investment_id: int) -> int:
    """The position a new consideration component of the investment takes."""
    # Positions of retired components stay taken: the unique key covers every row.
    value = await db.fetchval_sql(
        "SELECT coalesce(max(position) + 1, 0) FROM public.consideration_component"
        " WHERE investment_id = $1",
        [investment_id],
    )
    return int(value)


async def investment_of_component(db: Db, component_id: int) -> int:
    value = await db.fetchval_sql(
        "SELECT investment_id FROM public.consideration_component WHERE id = $1", [component_id]
    )
    return int(value)


async def set_participants(db: Db, event_id: int, roles: Sequence[tuple[int, str | None]]) -> None:
    """Makes the (organization id, role) pairs the event's participants: others are retired,
    earlier ones revived."""
    ids = [pk for pk, _ in roles]
    await db.fetch_sql(
        "UPDATE public.event_participant SET retired_at = now()"
        " WHERE event_id = $1 AND retired_at IS NULL AND NOT organization_id = ANY($2::bigint[])",
        [event_id, ids],
    )
    for pk, role in roles:
        await db.fetch_sql(
            "INSERT INTO public.event_participant (event_id, organization_id, role)"
            " VALUES ($1, $2, $3) ON CONFLICT (event_id, organization_id)"
            " DO UPDATE SET role = excluded.role, retired_at = NULL",
            [event_id, pk, role],
        )


async def set_event_people(db: Db, event_id: int, roles: Sequence[tuple[int, str]]) -> None:
    """Makes the (person id, role) pairs the people in the event: others are retired, earlier
    ones revived."""
    ids = [pk for pk, _ in roles]
    await db.fetch_sql(
        "UPDATE public.event_person SET retired_at = now()"
        " WHERE event_id = $1 AND retired_at IS NULL AND NOT person_id = ANY($2::bigint[])",
        [event_id, ids],
    )
    for pk, role in roles:
        await db.fetch_sql(
            "INSERT INTO public.event_person (event_id, person_id, role)"
            " VALUES ($1, $2, $3) ON CONFLICT (event_id, person_id)"
            " DO UPDATE SET role = excluded.role, retired_at = NULL",
            [event_id, pk, role],
        )


async def set_alternatives(
    db: Db, product_id: int, markets: Sequence[tuple[int, str | None]]
) -> None:
    """Makes the (product id, market) pairs the products this one is an alternative to:
    others are retired, earlier ones revived."""
    ids = [pk for pk, _ in markets]
    await db.fetch_sql(
        "UPDATE public.product_alternative SET retired_at = now() WHERE product_id = $1"
        " AND retired_at IS NULL AND NOT alternative_to_id = ANY($2::bigint[])",
        [product_id, ids],
    )
    for pk, market in markets:
        await db.fetch_sql(
            "INSERT INTO public.product_alternative (product_id, alternative_to_id, market)"
            " VALUES ($1, $2, $3) ON CONFLICT (product_id, alternative_to_id)"
            " DO UPDATE SET market = excluded.market, retired_at = NULL",
            [product_id, pk, market],
        )


async def add_claim_subject(db: Db, claim_id: int, column: str, subject_id: int) -> None:
    """Links the claim to its subject through ``claim_subject.<column>`` (one of
    ``CLAIM_SUBJECT_COLUMNS``'s values, never user input)."""
    await db.fetch_sql(
        f"INSERT INTO public.claim_subject (claim_id, {column}) VALUES ($1, $2)",
        [claim_id, subject_id],
    )
