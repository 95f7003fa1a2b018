"""The `claims` field every fact-bearing type offers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry

from service.schema.context import Context

if TYPE_CHECKING:
    from service.schema.sources import Claim


async def claims_of(info: strawberry.Info[Context, None], column: str, pk: int) -> list[Claim]:
    from service.schema.sources import Claim

    rows = await info.context.loaders.claims(column).load(pk)
    return [Claim.from_row(r) for r in rows]
