"""The benchmark's named operations, as Stakegraph, PostGraphile and the hand-written ceiling ask.

Each operation asks the three servers for the same rows and fields in their own vocabulary:
Stakegraph's GraphQL, PostGraphile v5's generated schema (amber preset plus connection-filter),
and one hand-written SQL statement per operation that builds Stakegraph's `data` exactly.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import asyncpg


@dataclass(frozen=True)
class Params:
    """Rows the operations ask for, picked from the database being measured."""

    slug: str  # an organization with several rounds
    investor: str  # the organization with the most investments
    round_id: int  # a dated round with an amount
    deals_investor: str  # a mid-sized investor: the first with at least 100 investments

    @property
    def stakegraph_round(self) -> str:
        return base64.b64encode(f"FundingRound:{self.round_id}".encode()).decode()

    @property
    def postgraphile_round(self) -> str:
        return base64.b64encode(f'["FundingRound","{self.round_id}"]'.encode()).decode()


async def pick_params(conn: asyncpg.Connection) -> Params:
    slug = await conn.fetchval(
        "SELECT o.slug FROM organization o JOIN funding_round r ON r.organization_id = o.id "
        "GROUP BY o.id ORDER BY count(*) DESC, o.id LIMIT 1"
    )
    investor = await conn.fetchval(
        "SELECT o.slug FROM organization o JOIN investment i ON i.investor_id = o.id "
        "GROUP BY o.id ORDER BY count(*) DESC, o.id LIMIT 1"
    )
    round_id = await conn.fetchval(
        "SELECT id FROM funding_round WHERE raised_amount IS NOT NULL AND announced_on IS NOT NULL "
        "ORDER BY id OFFSET (SELECT count(*) / 2 FROM funding_round) LIMIT 1"
    )
    deals_investor = await conn.fetchval(
        "SELECT o.slug FROM organization o JOIN investment i ON i.investor_id = o.id "
        "GROUP BY o.id HAVING count(*) >= 100 ORDER BY count(*), o.id LIMIT 1"
    )
    return Params(slug, investor, round_id, deals_investor or investor)


@dataclass(frozen=True)
class Operation:
    name: str
    many: bool  # returns many objects (the 2x-PostGraphile target) or one
    stakegraph: str
    postgraphile: str
    ceiling_sql: str
    variables: Callable[[Params], dict[str, Any]]
    postgraphile_variables: Callable[[Params], dict[str, Any]]
    ceiling_args: Callable[[Params], list[Any]]


def _id(type_name: str, column: str) -> str:
    return f"encode(convert_to('{type_name}:' || {column}, 'UTF8'), 'base64')"


_ROUND_DATE = (
    "CASE WHEN r.announced_on IS NOT NULL THEN json_build_object("
    "'date', r.announced_on, 'precision', r.announced_precision) END"
)
_ROUND_AMOUNT = (
    "CASE WHEN r.raised_amount IS NOT NULL THEN json_build_object("
    "'amount', trim_scale(r.raised_amount)::text, 'currency', r.raised_currency) END"
)

ORG_BY_SLUG = Operation(
    "org_by_slug",
    False,
    """query OrgBySlug($slug: String!) { organization(slug: $slug) {
      id slug name country kinds
      fundingRounds(first: 10) { nodes {
        id roundType status announcedOn { date precision } amount { amount currency } } } } }""",
    """query OrgBySlug($slug: String!) { organizationBySlug(slug: $slug) {
      id slug name country kinds
      fundingRoundsByOrganizationId(first: 10, orderBy: [SORT_ON_DESC, PRIMARY_KEY_DESC]) {
        nodes { id roundType status announcedOn announcedPrecision raisedAmount raisedCurrency }
      } } }""",
    f"""SELECT json_build_object('organization', (
      SELECT json_build_object('id', {_id("Organization", "o.id")}, 'slug', o.slug, 'name', o.name,
        'country', o.country, 'kinds', o.kinds, 'fundingRounds', json_build_object('nodes',
          coalesce((SELECT json_agg(json_build_object('id', {_id("FundingRound", "r.id")},
            'roundType', r.round_type, 'status', r.status, 'announcedOn', {_ROUND_DATE},
            'amount', {_ROUND_AMOUNT}) ORDER BY r.sort_on DESC, r.id DESC)
          FROM (SELECT * FROM funding_round WHERE organization_id = o.id
                ORDER BY sort_on DESC, id DESC LIMIT 10) r), '[]')))
      FROM organization o WHERE o.slug = $1))::text""",
    lambda p: {"slug": p.slug},
    lambda p: {"slug": p.slug},
    lambda p: [p.slug],
)

ORGS_PAGE = Operation(
    "orgs_100x10",
    True,
    """{ organizations(first: 100) { nodes { slug name
      fundingRounds(first: 10) { nodes {
        id roundType announcedOn { date } amount { amount currency } } } } } }""",
    """{ allOrganizations(first: 100, orderBy: [NAME_ASC, PRIMARY_KEY_ASC]) { nodes { slug name
      fundingRoundsByOrganizationId(first: 10, orderBy: [SORT_ON_DESC, PRIMARY_KEY_DESC]) {
        nodes { id roundType announcedOn raisedAmount raisedCurrency } } } } }""",
    f"""SELECT json_build_object('organizations', json_build_object('nodes', coalesce((
      SELECT json_agg(json_build_object('slug', o.slug, 'name', o.name,
        'fundingRounds', json_build_object('nodes', coalesce((
          SELECT json_agg(json_build_object('id', {_id("FundingRound", "r.id")},
            'roundType', r.round_type,
            'announcedOn', CASE WHEN r.announced_on IS NOT NULL
              THEN json_build_object('date', r.announced_on) END,
            'amount', {_ROUND_AMOUNT}) ORDER BY r.sort_on DESC, r.id DESC)
          FROM (SELECT * FROM funding_round WHERE organization_id = o.id
                ORDER BY sort_on DESC, id DESC LIMIT 10) r), '[]'))) ORDER BY o.name, o.id)
      FROM (SELECT * FROM organization ORDER BY name, id LIMIT 100) o), '[]')))::text""",
    lambda p: {},
    lambda p: {},
    lambda p: [],
)

PORTFOLIO = Operation(
    "portfolio",
    True,
    """query Portfolio($slug: String!) { organization(slug: $slug) { name
      investments(first: 100) { totalCount nodes {
        isLead amount { amount currency }
        organization { slug name }
        round { roundType announcedOn { date } }
        consideration { kind amount { amount currency } share { min max } estimated } } } } }""",
    """query Portfolio($slug: String!) { organizationBySlug(slug: $slug) { name
      investmentsByInvestorId(first: 100, orderBy: [PRIMARY_KEY_DESC]) { totalCount nodes {
        isLead committedAmount committedCurrency
        fundingRoundByRoundId { roundType announcedOn organizationByOrganizationId { slug name } }
        considerationComponentsByInvestmentId(orderBy: [PRIMARY_KEY_ASC]) { nodes {
          kind valueAmount valueCurrency shareMin shareMax estimated } } } } } }""",
    """SELECT json_build_object('organization', (
      SELECT json_build_object('name', o.name, 'investments', json_build_object(
        'totalCount', (SELECT count(*) FROM investment WHERE investor_id = o.id),
        'nodes', coalesce((SELECT json_agg(json_build_object(
          'isLead', i.is_lead,
          'amount', CASE WHEN i.committed_amount IS NOT NULL THEN json_build_object(
            'amount', trim_scale(i.committed_amount)::text,
            'currency', i.committed_currency) END,
          'organization', json_build_object('slug', ro.slug, 'name', ro.name),
          'round', json_build_object('roundType', r.round_type, 'announcedOn',
            CASE WHEN r.announced_on IS NOT NULL
              THEN json_build_object('date', r.announced_on) END),
          'consideration', coalesce((SELECT json_agg(json_build_object(
            'kind', c.kind,
            'amount', CASE WHEN c.value_amount IS NOT NULL THEN json_build_object(
              'amount', trim_scale(c.value_amount)::text, 'currency', c.value_currency) END,
            'share', CASE WHEN c.share_min IS NOT NULL THEN json_build_object(
              'min', trim_scale(c.share_min)::text, 'max', trim_scale(c.share_max)::text) END,
            'estimated', c.estimated) ORDER BY c.position)
            FROM consideration_component c WHERE c.investment_id = i.id), '[]'))
          ORDER BY i.is_lead DESC, i.id DESC)
        FROM (SELECT * FROM investment WHERE investor_id = o.id
              ORDER BY is_lead DESC, id DESC LIMIT 100) i
        JOIN funding_round r ON r.id = i.round_id
        JOIN organization ro ON ro.id = r.organization_id), '[]')))
      FROM organization o WHERE o.slug = $1))::text""",
    lambda p: {"slug": p.investor},
    lambda p: {"slug": p.investor},
    lambda p: [p.investor],
)

FILTERED_ROUNDS = Operation(
    "filtered_rounds",
    True,
    """{ fundingRounds(first: 100, filter: {announced: {gte: "2022-01-01", lte: "2023-12-31"},
        considerationKind: {eq: CLOUD_CREDITS}}) { nodes {
      id roundType announcedOn { date precision } amount { amount currency }
      organization { slug name } } } }""",
    """{ allFundingRounds(first: 100, orderBy: [SORT_ON_DESC, PRIMARY_KEY_DESC], filter: {
        sortOn: {greaterThanOrEqualTo: "2022-01-01", lessThanOrEqualTo: "2023-12-31"},
        investmentsByRoundId: {some: {considerationComponentsByInvestmentId: {
          some: {kind: {equalTo: "CLOUD_CREDITS"}}}}}}) { nodes {
      id roundType announcedOn announcedPrecision raisedAmount raisedCurrency
      organizationByOrganizationId { slug name } } } }""",
    f"""SELECT json_build_object('fundingRounds', json_build_object('nodes', coalesce((
      SELECT json_agg(json_build_object('id', {_id("FundingRound", "r.id")},
        'roundType', r.round_type, 'announcedOn', {_ROUND_DATE}, 'amount', {_ROUND_AMOUNT},
        'organization', json_build_object('slug', o.slug, 'name', o.name))
        ORDER BY r.sort_on DESC, r.id DESC)
      FROM (SELECT * FROM funding_round f
            WHERE f.announced_on IS NOT NULL
              AND f.sort_on >= '2022-01-01' AND f.sort_on <= '2023-12-31'
              AND EXISTS (SELECT 1 FROM investment i JOIN consideration_component c
                          ON c.investment_id = i.id
                          WHERE i.round_id = f.id AND c.kind = 'CLOUD_CREDITS')
            ORDER BY sort_on DESC, id DESC LIMIT 100) r
      JOIN organization o ON o.id = r.organization_id), '[]')))::text""",
    lambda p: {},
    lambda p: {},
    lambda p: [],
)

INVESTOR_DEALS = Operation(
    "investor_deals",
    True,
    """query InvestorDeals($slug: String!) {
      investments(first: 100, filter: {investor: {slugs: [$slug]}}) { nodes {
        isLead amount { amount currency }
        round { roundType announcedOn { date } amount { amount currency }
          organization { slug name } }
        consideration { kind amount { amount currency } share { min max } estimated } } } }""",
    """query InvestorDeals($slug: String!) {
      allInvestments(first: 100, orderBy: [IS_LEAD_DESC, PRIMARY_KEY_DESC],
        filter: {organizationByInvestorId: {slug: {equalTo: $slug}}}) { nodes {
        isLead committedAmount committedCurrency
        fundingRoundByRoundId { roundType announcedOn raisedAmount raisedCurrency
          organizationByOrganizationId { slug name } }
        considerationComponentsByInvestmentId(orderBy: [PRIMARY_KEY_ASC]) { nodes {
          kind valueAmount valueCurrency shareMin shareMax estimated } } } } }""",
    f"""SELECT json_build_object('investments', json_build_object('nodes', coalesce((
      SELECT json_agg(json_build_object(
        'isLead', i.is_lead,
        'amount', CASE WHEN i.committed_amount IS NOT NULL THEN json_build_object(
          'amount', trim_scale(i.committed_amount)::text, 'currency', i.committed_currency) END,
        'round', json_build_object('roundType', r.round_type,
          'announcedOn', CASE WHEN r.announced_on IS NOT NULL
            THEN json_build_object('date', r.announced_on) END,
          'amount', {_ROUND_AMOUNT},
          'organization', json_build_object('slug', ro.slug, 'name', ro.name)),
        'consideration', coalesce((SELECT json_agg(json_build_object(
          'kind', c.kind,
          'amount', CASE WHEN c.value_amount IS NOT NULL THEN json_build_object(
            'amount', trim_scale(c.value_amount)::text, 'currency', c.value_currency) END,
          'share', CASE WHEN c.share_min IS NOT NULL THEN json_build_object(
            'min', trim_scale(c.share_min)::text, 'max', trim_scale(c.share_max)::text) END,
          'estimated', c.estimated) ORDER BY c.position)
          FROM consideration_component c WHERE c.investment_id = i.id), '[]'))
        ORDER BY i.is_lead DESC, i.id DESC)
      FROM (SELECT * FROM investment
            WHERE investor_id = (SELECT id FROM organization WHERE slug = $1)
            ORDER BY is_lead DESC, id DESC LIMIT 100) i
      JOIN funding_round r ON r.id = i.round_id
      JOIN organization ro ON ro.id = r.organization_id), '[]')))::text""",
    lambda p: {"slug": p.deals_investor},
    lambda p: {"slug": p.deals_investor},
    lambda p: [p.deals_investor],
)

FOUR_LEVELS = Operation(
    "four_levels",
    True,
    """{ organizations(first: 20) { nodes { slug
      fundingRounds(first: 5) { nodes { roundType
        investments(first: 5) { nodes { isLead investor { slug name }
          consideration { kind estimated } } } } } } } }""",
    """{ allOrganizations(first: 20, orderBy: [NAME_ASC, PRIMARY_KEY_ASC]) { nodes { slug
      fundingRoundsByOrganizationId(first: 5, orderBy: [SORT_ON_DESC, PRIMARY_KEY_DESC]) {
        nodes { roundType
          investmentsByRoundId(first: 5, orderBy: [PRIMARY_KEY_DESC]) { nodes { isLead
            organizationByInvestorId { slug name }
            considerationComponentsByInvestmentId(orderBy: [PRIMARY_KEY_ASC]) {
              nodes { kind estimated } } } } } } } } }""",
    """SELECT json_build_object('organizations', json_build_object('nodes', coalesce((
      SELECT json_agg(json_build_object('slug', o.slug, 'fundingRounds', json_build_object(
        'nodes', coalesce((SELECT json_agg(json_build_object('roundType', r.round_type,
          'investments', json_build_object('nodes', coalesce((
            SELECT json_agg(json_build_object('isLead', i.is_lead,
              'investor', json_build_object('slug', v.slug, 'name', v.name),
              'consideration', coalesce((SELECT json_agg(json_build_object(
                'kind', c.kind, 'estimated', c.estimated) ORDER BY c.position)
                FROM consideration_component c WHERE c.investment_id = i.id), '[]'))
              ORDER BY i.is_lead DESC, i.id DESC)
            FROM (SELECT * FROM investment WHERE round_id = r.id
                  ORDER BY is_lead DESC, id DESC LIMIT 5) i
            JOIN organization v ON v.id = i.investor_id), '[]')))
          ORDER BY r.sort_on DESC, r.id DESC)
        FROM (SELECT * FROM funding_round WHERE organization_id = o.id
              ORDER BY sort_on DESC, id DESC LIMIT 5) r), '[]'))) ORDER BY o.name, o.id)
      FROM (SELECT * FROM organization ORDER BY name, id LIMIT 20) o), '[]')))::text""",
    lambda p: {},
    lambda p: {},
    lambda p: [],
)

NODE = Operation(
    "node",
    False,
    """query Node($id: ID!) { node(id: $id) { id ... on FundingRound {
      roundType status announcedOn { date precision } amount { amount currency }
      organization { slug name } } } }""",
    """query Node($id: ID!) { node(id: $id) { id ... on FundingRound {
      roundType status announcedOn announcedPrecision raisedAmount raisedCurrency
      organizationByOrganizationId { slug name } } } }""",
    f"""SELECT json_build_object('node', (
      SELECT json_build_object('id', {_id("FundingRound", "r.id")}, 'roundType', r.round_type,
        'status', r.status, 'announcedOn', {_ROUND_DATE}, 'amount', {_ROUND_AMOUNT},
        'organization', (SELECT json_build_object('slug', o.slug, 'name', o.name)
                         FROM organization o WHERE o.id = r.organization_id))
      FROM funding_round r WHERE r.id = $1))::text""",
    lambda p: {"id": p.stakegraph_round},
    lambda p: {"id": p.postgraphile_round},
    lambda p: [p.round_id],
)

OPERATIONS: dict[str, Operation] = {
    op.name: op
    for op in (
        ORG_BY_SLUG,
        ORGS_PAGE,
        PORTFOLIO,
        FILTERED_ROUNDS,
        INVESTOR_DEALS,
        FOUR_LEVELS,
        NODE,
    )
}
