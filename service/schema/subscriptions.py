"""The subscription root: the change feed as it happens (docs/subscriptions.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from service.changes.cursor import Position, encode_cursor
from service.repository.announcements import TABLE, announcing
from service.repository.follow import follow
from service.schema.changes import Change, change_node, position_of, tables_of
from service.schema.context import Info
from service.schema.nodes import load_node_by_pk
from service.schema.subscription_context import SubscriptionContext

if TYPE_CHECKING:
    from service.schema.rounds import FundingRound


@strawberry.type(description="A funding round made public: announced or closed for the first time.")
class FundingRoundAnnouncement:
    cursor: str = strawberry.field(
        description="The announcing change's position in the change feed: resume after it."
    )
    recorded_at: datetime = strawberry.field(description="When the announcing change was made.")
    round_id: strawberry.Private[int]

    @strawberry.field(description="The round as it reads now; null if it no longer exists.")
    async def funding_round(
        self, info: Info
    ) -> Annotated[FundingRound, strawberry.lazy("service.schema.rounds")] | None:
        node = await load_node_by_pk(info.context, TABLE, self.round_id)
        return node  # type: ignore[return-value]


def _context(info: Info) -> SubscriptionContext:
    context = info.context
    # Subscriptions are served by their transports alone, which give this context.
    assert isinstance(context, SubscriptionContext)
    return context


async def _changes(
    info: Info,
    after: Annotated[
        str | None,
        strawberry.argument(
            description="A change-feed cursor: changes after it (the start "
            "if omitted, then every change there is comes first)."
        ),
    ] = None,
    types: Annotated[
        list[str] | None,
        strawberry.argument(description="Only changes to records of these types (all if omitted)."),
    ] = None,
) -> AsyncIterator[Change]:
    position = position_of(after)
    tables = tables_of(types)
    context = _context(info)
    return _change_stream(context, position, tables)


async def _change_stream(
    context: SubscriptionContext, position: Position, tables: list[str] | None
) -> AsyncIterator[Change]:
    async for rows in follow(context.pool, context.settings, context.signal, position, tables):
        for row in rows:
            yield change_node(row)


async def _announced(
    info: Info,
    after: Annotated[
        str | None,
        strawberry.argument(
            description="A change-feed cursor: announcements after it (from "
            "the start of the feed if omitted)."
        ),
    ] = None,
) -> AsyncIterator[FundingRoundAnnouncement]:
    position = position_of(after)
    context = _context(info)
    return _announcement_stream(context, position)


async def _announcement_stream(
    context: SubscriptionContext, position: Position
) -> AsyncIterator[FundingRoundAnnouncement]:
    pool, settings = context.pool, context.settings
    async for rows in follow(pool, settings, context.signal, position, [TABLE]):
        for row in await announcing(pool, settings, context.signal, rows):
            assert row.row_id is not None  # inserts and updates name their row
            yield FundingRoundAnnouncement(
                cursor=encode_cursor(row.position), recorded_at=row.at, round_id=row.row_id
            )
            # The round was read in the event's own transaction: end it before waiting on.
            await context.next_event()


@strawberry.type(
    description="Changes as they are committed, over a websocket or server-sent "
    "events (docs/subscriptions.md)."
)
class Subscription:
    changes: AsyncIterator[Change] = strawberry.subscription(
        resolver=_changes,
        description="Every change to every record as it is committed, in the change feed's "
        "order and with its cursors: resume with `after` from the last cursor received, and "
        "nothing is missed or repeated.",
    )
    funding_round_announced: AsyncIterator[FundingRoundAnnouncement] = strawberry.subscription(
        resolver=_announced,
        description="Each funding round once, when it is first recorded as announced or "
        "closed (created so, or updated so from rumoured).",
    )
