"""The investment network: co-investors, and the shortest investment path between two
organizations.

The path search is a breadth-first search from both ends at once, one SQL statement per
level: an edge is one investment, joining its investor and the organization that raised the
round, walked in either direction. Each level expands the smaller frontier. A busy investor has
thousands of investments, so each organization contributes at most ``FANOUT_CAP`` edges per
direction (its most recent investments first) and a frontier holds at most ``FRONTIER_CAP``
organizations; when a cap cut anything the answer says so (``truncated``), since a shorter
path may then have been missed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from service.analytics.common import AnalyticsInputError, organization_ids
from service.repository.db import Db

MAX_DEPTH = 4
FANOUT_CAP = 200
FRONTIER_CAP = 5000


@dataclass(frozen=True, slots=True)
class CoInvestor:
    organization_id: int
    shared_rounds: int
    first_on: dt.date | None
    first_precision: str | None
    last_on: dt.date | None
    last_precision: str | None


@dataclass(frozen=True, slots=True)
class CoInvestors:
    total: int
    rounds_joined: int
    entries: list[CoInvestor]


CO_INVESTORS_SQL = """
WITH mine AS (
    SELECT i.round_id FROM investment i WHERE i.investor_id = $1
),
shared AS (
    SELECT o.investor_id, r.id AS round_id, r.announced_on, r.announced_precision
    FROM mine
    JOIN investment o ON o.round_id = mine.round_id AND o.investor_id <> $1
    JOIN funding_round r ON r.id = mine.round_id
),
grouped AS (
    SELECT investor_id, count(*) AS rounds,
           min(announced_on) AS first_on, max(announced_on) AS last_on,
           (array_agg(announced_precision ORDER BY announced_on, round_id)
               FILTER (WHERE announced_on IS NOT NULL))[1] AS first_precision,
           (array_agg(announced_precision ORDER BY announced_on DESC, round_id)
               FILTER (WHERE announced_on IS NOT NULL))[1] AS last_precision
    FROM shared GROUP BY investor_id
)
SELECT g.*, count(*) OVER () AS total, (SELECT count(*) FROM mine) AS joined
FROM grouped g
ORDER BY rounds DESC, last_on DESC NULLS LAST, investor_id
LIMIT $2
"""


async def co_investors(db: Db, organization: str, first: int) -> CoInvestors:
    """Who invested in the same rounds as an organization: shared rounds, first and last."""
    (org_id,) = await organization_ids(db, [organization])
    rows = await db.fetch_sql(CO_INVESTORS_SQL, [org_id, first])
    if not rows:
        joined = await db.fetch_sql(
            "SELECT count(*) AS n FROM investment WHERE investor_id = $1", [org_id]
        )
        return CoInvestors(0, joined[0]["n"], [])
    return CoInvestors(
        total=rows[0]["total"],
        rounds_joined=rows[0]["joined"],
        entries=[
            CoInvestor(
                r["investor_id"],
                r["rounds"],
                r["first_on"],
                r["first_precision"],
                r["last_on"],
                r["last_precision"],
            )
            for r in rows
        ],
    )


# The edges of every organization in $1: as investor (to the raiser) and as raiser (to its
# investors), each direction capped per organization, newest investments first.
EXPAND_SQL = f"""
SELECT f.id AS from_id, e.to_id, e.investment_id, e.outgoing
FROM unnest($1::bigint[]) AS f(id)
CROSS JOIN LATERAL (
    (SELECT r.organization_id AS to_id, i.id AS investment_id, true AS outgoing
     FROM investment i JOIN funding_round r ON r.id = i.round_id
     WHERE i.investor_id = f.id
     ORDER BY i.id DESC LIMIT {FANOUT_CAP + 1})
    UNION ALL
    (SELECT i.investor_id, i.id, false
     FROM funding_round r JOIN investment i ON i.round_id = r.id
     WHERE r.organization_id = f.id AND i.investor_id IS NOT NULL  -- angels are no organization
     ORDER BY i.id DESC LIMIT {FANOUT_CAP + 1})
) e
ORDER BY f.id, e.investment_id
"""


@dataclass(frozen=True, slots=True)
class PathStep:
    """One investment on the path: ``investor_id`` invested in ``organization_id``."""

    from_id: int
    to_id: int
    investment_id: int
    investor_id: int
    organization_id: int


@dataclass(frozen=True, slots=True)
class InvestmentPath:
    found: bool
    steps: list[PathStep]
    truncated: bool
    levels_searched: int
    organizations_visited: int


# parent pointer: organization -> (previous organization, investment id, edge is outgoing)
Parents = dict[int, tuple[int, int, bool] | None]


async def shortest_path(db: Db, source: str, target: str, max_depth: int) -> InvestmentPath:
    if not 1 <= max_depth <= MAX_DEPTH:
        raise AnalyticsInputError(f"`maxDepth` must be between 1 and {MAX_DEPTH}; got {max_depth}.")
    start, goal = await organization_ids(db, [source, target])
    if start == goal:
        return InvestmentPath(True, [], False, 0, 1)
    sides: list[Parents] = [{start: None}, {goal: None}]
    # Each organization's distance from the end whose search reached it.
    depths: list[dict[int, int]] = [{start: 0}, {goal: 0}]
    levels = [0, 0]
    frontiers: list[list[int]] = [[start], [goal]]
    truncated = False
    depth = 0
    meeting: int | None = None
    while depth < max_depth and frontiers[0] and frontiers[1]:
        side = 0 if len(frontiers[0]) <= len(frontiers[1]) else 1
        parents, other = sides[side], sides[1 - side]
        rows = await db.fetch_sql(EXPAND_SQL, [frontiers[side]])
        depth += 1
        levels[side] += 1
        per_direction: dict[tuple[int, bool], int] = {}
        next_frontier: list[int] = []
        for row in rows:
            key = (row["from_id"], row["outgoing"])
            per_direction[key] = per_direction.get(key, 0) + 1
            if per_direction[key] > FANOUT_CAP:
                truncated = True  # the (FANOUT_CAP + 1)th edge only tells that more exist
                continue
            to_id = row["to_id"]
            if to_id in parents:
                continue
            parents[to_id] = (row["from_id"], row["investment_id"], row["outgoing"])
            depths[side][to_id] = levels[side]
            next_frontier.append(to_id)
        # Every new organization is equally far from this end; the nearest to the other end
        # makes the shortest path (ties: the lowest id, so answers are deterministic).
        found = sorted((depths[1 - side][n], n) for n in next_frontier if n in other)
        if found:
            meeting = found[0][1]
            break
        if len(next_frontier) > FRONTIER_CAP:
            truncated = True
            next_frontier = sorted(next_frontier)[:FRONTIER_CAP]
        frontiers[side] = next_frontier
    visited = len(sides[0]) + len(sides[1])
    if meeting is None:
        return InvestmentPath(False, [], truncated, depth, visited)
    return InvestmentPath(True, _steps(sides, meeting), truncated, depth, visited)


def _steps(sides: list[Parents], meeting: int) -> list[PathStep]:
    steps: list[PathStep] = []
    node = meeting
    # Walk back to the source; each pointer is an edge walked from `previous` to `node`.
    while (link := sides[0][node]) is not None:
        previous, investment, outgoing = link
        investor, raiser = (previous, node) if outgoing else (node, previous)
        steps.append(PathStep(previous, node, investment, investor, raiser))
        node = previous
    steps.reverse()
    node = meeting
    # Then forward to the target; here the pointers were walked from the target's side.
    while (link := sides[1][node]) is not None:
        following, investment, outgoing = link
        investor, raiser = (following, node) if outgoing else (node, following)
        steps.append(PathStep(node, following, investment, investor, raiser))
        node = following
    return steps
