"""Who invests next to whom, and the chain of investments between two organizations."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, TypeVar

import strawberry

from service.analytics import network as n
from service.schema.analytics.common import (
    answer,
    first_of,
    investment_of,
    organization_of,
    partial,
)
from service.schema.common import (
    PartialDate,
)
from service.schema.context import Info
from service.schema.organizations import Organization
from service.schema.rounds import Investment

T = TypeVar("T")


# --- network -----------------------------------------------------------------------------


@strawberry.type(description="An organization that invested in the same rounds.")
class CoInvestor:
    shared_rounds: int = strawberry.field(description="Rounds both invested in.")
    first_shared_on: PartialDate | None = strawberry.field(
        description="Date of the earliest dated shared round."
    )
    last_shared_on: PartialDate | None = strawberry.field(
        description="Date of the latest dated shared round."
    )
    _pk: strawberry.Private[int]

    @strawberry.field(description="The co-investor.")
    async def organization(self, info: Info) -> Organization:
        return await organization_of(info, self._pk)


@strawberry.type(description="Who invests next to an organization.")
class CoInvestors:
    total_count: int = strawberry.field(description="All its co-investors.")
    rounds_joined: int = strawberry.field(description="Rounds the organization invested in.")
    nodes: list[CoInvestor] = strawberry.field(
        description="Most shared rounds first, then latest shared; up to `first`."
    )


@strawberry.enum(description="Which way a path step follows its investment.")
class PathDirection(Enum):
    INVESTED_IN = "INVESTED_IN"
    RAISED_FROM = "RAISED_FROM"


@strawberry.type(description="One step of an investment path: one real investment.")
class PathStep:
    direction: PathDirection = strawberry.field(
        description="INVESTED_IN: `from` invested in `to`; RAISED_FROM: `from` raised from `to`."
    )
    _step: strawberry.Private[n.PathStep]

    @strawberry.field(name="from", description="Where the step starts.")
    async def from_(self, info: Info) -> Organization:
        return await organization_of(info, self._step.from_id)

    @strawberry.field(description="Where the step ends.")
    async def to(self, info: Info) -> Organization:
        return await organization_of(info, self._step.to_id)

    @strawberry.field(description="The investment the step follows.")
    async def investment(self, info: Info) -> Investment:
        return await investment_of(info, self._step.investment_id)


@strawberry.type(description="The shortest chain of investments between two organizations.")
class InvestmentPath:
    found: bool = strawberry.field(description="True if a path was found within `maxDepth`.")
    length: int | None = strawberry.field(description="Number of steps; null if none found.")
    truncated: bool = strawberry.field(
        description="True if a fan-out or frontier cap cut the search: a shorter path, or a "
        "path where none was found, may exist."
    )
    levels_searched: int = strawberry.field(description="Breadth-first levels expanded.")
    organizations_visited: int = strawberry.field(description="Organizations reached.")
    steps: list[PathStep] = strawberry.field(description="The steps, from `from` to `to`.")


@strawberry.type
class NetworkQuery:
    @strawberry.field(
        description="Who invests next to an organization: each co-investor with the number of "
        "rounds shared and the first and last shared dates. `first` (1-100, default 20) bounds "
        "`nodes`."
    )
    async def co_investors(
        self, info: Info, organization: str, first: int | None = None
    ) -> CoInvestors:
        limit = first_of(first, 20)
        found = await answer(lambda: n.co_investors(info.context.db, organization, limit))
        return CoInvestors(
            total_count=found.total,
            rounds_joined=found.rounds_joined,
            nodes=[
                CoInvestor(
                    shared_rounds=x.shared_rounds,
                    first_shared_on=partial(x.first_on, x.first_precision),
                    last_shared_on=partial(x.last_on, x.last_precision),
                    _pk=x.organization_id,
                )
                for x in found.entries
            ],
        )

    @strawberry.field(
        description="The shortest chain of investments between two organizations (by slug), "
        f"each step a real investment walked either way, at most `maxDepth` (1-{n.MAX_DEPTH}, "
        "default 4) steps. Searched breadth-first from both ends, one level at a time; to stay "
        f"interactive each organization contributes at most {n.FANOUT_CAP} investments per "
        f"direction (its newest) and a level keeps at most {n.FRONTIER_CAP} organizations, "
        "which caps the fan-out through the busiest investors; `truncated` tells when a cap cut "
        "the search."
    )
    async def investment_path(
        self,
        info: Info,
        from_: Annotated[
            str,
            strawberry.argument(name="from", description="Slug of the organization to start at."),
        ],
        to: Annotated[str, strawberry.argument(description="Slug of the organization to reach.")],
        max_depth: Annotated[
            int, strawberry.argument(description="Most steps allowed (1 to 4).")
        ] = n.MAX_DEPTH,
    ) -> InvestmentPath:
        found = await answer(lambda: n.shortest_path(info.context.db, from_, to, max_depth))
        return InvestmentPath(
            found=found.found,
            length=len(found.steps) if found.found else None,
            truncated=found.truncated,
            levels_searched=found.levels_searched,
            organizations_visited=found.organizations_visited,
            steps=[
                PathStep(
                    direction=PathDirection.INVESTED_IN
                    if step.investor_id == step.from_id
                    else PathDirection.RAISED_FROM,
                    _step=step,
                )
                for step in found.steps
            ],
        )
