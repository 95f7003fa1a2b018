"""The `search` root field: one ranked search over every kind of named thing."""

from __future__ import annotations

from typing import Annotated

import asyncpg
import strawberry

from service.analytics import search as s
from service.analytics.common import AnalyticsInputError
from service.repository.registry import entity_of
from service.schema.context import Info
from service.schema.funds import Fund
from service.schema.listings import Listing
from service.schema.mapped import make
from service.schema.organizations import Organization
from service.schema.people import Person
from service.schema.products import Product
from service.schema.relay import user_error
from service.schema.rounds import FundingRound

SearchKind = s.SearchKind
strawberry.enum(SearchKind, description="What kind of thing a search hit is.")

SearchResult = Annotated[
    Organization | Person | Product | FundingRound | Fund | Listing,
    strawberry.union("SearchResult", description="Anything `search` can find."),
]

Found = Organization | Person | Product | FundingRound | Fund | Listing

_TYPES: dict[SearchKind, str] = {
    SearchKind.ORGANIZATION: "Organization",
    SearchKind.PERSON: "Person",
    SearchKind.PRODUCT: "Product",
    SearchKind.FUNDING_ROUND: "FundingRound",
    SearchKind.FUND: "Fund",
    SearchKind.LISTING: "Listing",
}


@strawberry.type(description="One search result: what was found, which name matched, and why.")
class SearchHit:
    kind: SearchKind = strawberry.field(description="What kind of thing was found.")
    score: float = strawberry.field(
        description="Relevance, higher first. The integer part is how the name matched: 3 "
        "equal to the query (ignoring case, accents and Arabic marks), 2 equal but for spaces "
        "and punctuation, 1 starting with the query, 0 similar (a typo). Within it, 0.95 times "
        "the name's similarity (trigrams and edit distance, in [0, 1]) plus 0.05 times the "
        "prominence of the organization (money raised, investments made, rounds, recency) or "
        "person (roles), in [0, 1], so prominence only breaks near-ties. A funding round "
        "scores its raiser's tier plus 0.9 times its raiser's similarity part; a product or "
        "a fund its text part alone; a listing, found by a ticker equal to the query in any "
        "case, 3 + 0.9 times 0.95, as a round of an organization of that exact name."
    )
    matched_name: str = strawberry.field(
        description="The stored name that matched, in its own script (for a round: the "
        "raiser's name, the round type and the date; for a listing: its ticker and exchange)."
    )
    node: SearchResult = strawberry.field(
        description="The organization, person, product, round, fund or listing."
    )


@strawberry.type
class SearchQuery:
    @strawberry.field(
        description="Ranked search over organizations, people, products, funds and funding "
        "rounds by any stored name in any script (e.g. `月之暗面`, `علي بابا`, `ALIBABA`), "
        "ignoring case and accents, spaces and punctuation (`open ai`), and tolerating typos "
        "(`alibba`), and over listings by ticker (`acme`). "
        "Exact names rank above space variants, prefixes and typos, closer names above "
        "farther ones, and prominent organizations above obscure namesakes only when the "
        "names match about equally well. `query` needs "
        f"{s.MIN_QUERY_LENGTH} to {s.MAX_QUERY_LENGTH} characters; `first` is 1 to "
        f"{s.MAX_RESULTS} (default 10); `kinds` limits the kinds searched (default all)."
    )
    async def search(
        self,
        info: Info,
        query: str,
        kinds: list[SearchKind] | None = None,
        first: int | None = None,
    ) -> list[SearchHit]:
        try:
            hits = await s.search(
                info.context.db, query, kinds, s.DEFAULT_RESULTS if first is None else first
            )
        except AnalyticsInputError as exc:
            raise user_error(str(exc)) from exc
        loaded: dict[tuple[SearchKind, int], asyncpg.Record | None] = {}
        for kind, type_name in _TYPES.items():
            pks = [h.pk for h in hits if h.kind is kind]
            if pks:
                # One batched statement per kind found, through the request's loaders.
                rows = await info.context.loaders.row(entity_of(type_name)).load_many(pks)
                loaded.update({(kind, pk): row for pk, row in zip(pks, rows, strict=True)})
        out: list[SearchHit] = []
        for hit in hits:
            row = loaded.get((hit.kind, hit.pk))
            if row is None:
                continue
            out.append(
                SearchHit(kind=hit.kind, score=hit.score, matched_name=hit.matched_name,
                          node=make(_TYPES[hit.kind], row))
            )  # fmt: skip
        return out
