"""One ranked search over organizations, people, products and funding rounds.

Every name is matched through its normalised column (``sg_normalize``: case, accents, Arabic
vowel marks and letter variants folded) and that column's trigram index, so a query in any
script finds names stored in that script, and Latin typos still match.

Ranking, highest first:

* the text score: the better of trigram similarity (whole name) and word similarity (the query
  against the best-matching part of the name), in [0, 1];
* plus ``EXACT_BONUS`` when a name equals the query once both are normalised, so an exact name
  always outranks any fuzzy one (the other terms add at most ``PREFIX_BONUS`` +
  ``POPULARITY_WEIGHT`` < ``EXACT_BONUS``);
* plus ``PREFIX_BONUS`` when a name starts with the query;
* plus up to ``POPULARITY_WEIGHT`` for how connected an organization is (investments made,
  rounds raised, relationships; log-scaled and capped at ``POPULARITY_CAP`` each), so an
  active organization outranks an obscure namesake; people likewise by their roles.

A funding round is found through the name of the organization that raised it and ranks at
``ROUND_FACTOR`` of that organization's text score, below the organization itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from service.analytics.common import AnalyticsInputError
from service.repository.conditions import like_pattern
from service.repository.db import Db

EXACT_BONUS = 1.0
PREFIX_BONUS = 0.15
POPULARITY_WEIGHT = 0.2
POPULARITY_CAP = 1000
ROUND_FACTOR = 0.9
# Trigram thresholds of pg_trgm's `%` and `<%` operators, set for the search's transaction so
# that results do not depend on a server's configuration.
SIMILARITY_THRESHOLD = 0.3
WORD_SIMILARITY_THRESHOLD = 0.5
# How many of the best text matches per kind are ranked further; popularity is computed only
# for these, which keeps a query matching thousands of names ("capital") interactive.
CANDIDATES = 50
ROUNDS_PER_ORGANIZATION = 3
ROUND_ORGANIZATIONS = 10
MIN_QUERY_LENGTH = 2
MAX_QUERY_LENGTH = 200
MAX_RESULTS = 50
DEFAULT_RESULTS = 10


class SearchKind(StrEnum):
    ORGANIZATION = "ORGANIZATION"
    PERSON = "PERSON"
    PRODUCT = "PRODUCT"
    FUNDING_ROUND = "FUNDING_ROUND"


@dataclass(frozen=True, slots=True)
class SearchHit:
    kind: SearchKind
    pk: int
    score: float
    matched_name: str


def _popularity(count: str) -> str:
    return f"{POPULARITY_WEIGHT} * ln(1 + {count}) / ln(1 + {POPULARITY_CAP}.0)"


def _capped_count(table: str, column: str, outer: str) -> str:
    return (
        f"(SELECT count(*) FROM (SELECT 1 FROM {table} x WHERE x.{column} = {outer} "
        f"LIMIT {POPULARITY_CAP}) c)"
    )


def _text_score(column: str) -> str:
    return f"greatest(similarity({column}, q.q), word_similarity(q.q, {column}))"


def _matches(column: str) -> str:
    # Each alternative can use the column's trigram GIN index (a BitmapOr of three scans).
    return f"({column} % q.q OR q.q <% {column} OR {column} LIKE q.pattern)"


def _bonus(column: str) -> str:
    return (
        f"CASE WHEN {column} = q.q THEN {EXACT_BONUS} "
        f"WHEN {column} LIKE q.prefix THEN {PREFIX_BONUS} ELSE 0 END"
    )


ORG_DEGREE = " + ".join(
    (
        _capped_count("investment", "investor_id", "o.id"),
        _capped_count("funding_round", "organization_id", "o.id"),
        _capped_count("relationship", "source_id", "o.id"),
        _capped_count("relationship", "target_id", "o.id"),
    )
)

SEARCH_SQL = f"""
WITH q AS (
    SELECT sg_normalize($1) AS q, sg_normalize($2) AS pattern,
           replace(replace(replace(sg_normalize($1), '\\', '\\\\'), '%', '\\%'), '_', '\\_')
               || '%' AS prefix
),
org_names AS (
    SELECT DISTINCT ON (n.organization_id)
           n.organization_id AS id, n.value AS matched,
           {_text_score("n.normalized")} AS text_score,
           {_bonus("n.normalized")} AS bonus
    FROM organization_name n, q
    WHERE ('ORGANIZATION' = ANY($3::text[]) OR 'FUNDING_ROUND' = ANY($3::text[]))
      AND {_matches("n.normalized")}
    ORDER BY n.organization_id, {_text_score("n.normalized")} + {_bonus("n.normalized")} DESC,
             n.is_primary DESC, n.id
),
org_matches AS (
    SELECT * FROM org_names ORDER BY text_score + bonus DESC, id LIMIT {CANDIDATES}
),
org_hits AS (
    SELECT 'ORGANIZATION' AS kind, m.id, m.matched,
           m.text_score + m.bonus + {_popularity(ORG_DEGREE)} AS score
    FROM org_matches m JOIN organization o ON o.id = m.id
    WHERE 'ORGANIZATION' = ANY($3::text[])
),
round_hits AS (
    SELECT 'FUNDING_ROUND' AS kind, r.id,
           m.matched || ' · ' || r.round_type || ' · '
               || coalesce(to_char(r.announced_on, 'YYYY-MM-DD'), 'undated') AS matched,
           {ROUND_FACTOR} * m.text_score AS score
    FROM (SELECT * FROM org_matches ORDER BY text_score + bonus DESC, id
          LIMIT {ROUND_ORGANIZATIONS}) m
    CROSS JOIN LATERAL (
        SELECT * FROM funding_round fr WHERE fr.organization_id = m.id
        ORDER BY fr.sort_on DESC, fr.id DESC LIMIT {ROUNDS_PER_ORGANIZATION}
    ) r
    WHERE 'FUNDING_ROUND' = ANY($3::text[])
),
person_matches AS (
    SELECT p.id,
           CASE WHEN {_text_score("p.name_normalized")} + {_bonus("p.name_normalized")}
                     >= coalesce({_text_score("p.native_name_normalized")}
                                 + {_bonus("p.native_name_normalized")}, 0)
                THEN p.name ELSE p.native_name END AS matched,
           greatest({_text_score("p.name_normalized")} + {_bonus("p.name_normalized")},
                    coalesce({_text_score("p.native_name_normalized")}
                             + {_bonus("p.native_name_normalized")}, 0)) AS text_score
    FROM person p, q
    WHERE 'PERSON' = ANY($3::text[])
      AND ({_matches("p.name_normalized")} OR {_matches("p.native_name_normalized")})
    ORDER BY 3 DESC, p.id LIMIT {CANDIDATES}
),
person_hits AS (
    SELECT 'PERSON' AS kind, m.id, m.matched,
           m.text_score + {_popularity(_capped_count("person_role", "person_id", "m.id"))}
               AS score
    FROM person_matches m
),
product_hits AS (
    SELECT 'PRODUCT' AS kind, p.id, p.name AS matched,
           {_text_score("p.name_normalized")} + {_bonus("p.name_normalized")} AS score
    FROM product p, q
    WHERE 'PRODUCT' = ANY($3::text[]) AND {_matches("p.name_normalized")}
    ORDER BY 4 DESC, p.id LIMIT {CANDIDATES}
)
SELECT kind, id, matched, score::float8 AS score FROM (
    SELECT * FROM org_hits UNION ALL SELECT * FROM round_hits
    UNION ALL SELECT * FROM person_hits UNION ALL SELECT * FROM product_hits
) hits
ORDER BY score DESC, kind, id
LIMIT $4
"""


def normalized_query(query: str) -> str:
    """The query as given, checked: the search itself folds it in SQL."""
    text = query.strip()
    if len(text) < MIN_QUERY_LENGTH:
        raise AnalyticsInputError(
            f"`query` must have at least {MIN_QUERY_LENGTH} characters besides spaces."
        )
    if len(text) > MAX_QUERY_LENGTH:
        raise AnalyticsInputError(f"`query` takes at most {MAX_QUERY_LENGTH} characters.")
    return text


async def search(db: Db, query: str, kinds: list[SearchKind] | None, first: int) -> list[SearchHit]:
    text = normalized_query(query)
    if not 1 <= first <= MAX_RESULTS:
        raise AnalyticsInputError(f"`first` must be between 1 and {MAX_RESULTS}; got {first}.")
    chosen = [k.value for k in SearchKind] if kinds is None else sorted({k.value for k in kinds})
    if not chosen:
        raise AnalyticsInputError("`kinds` must name at least one kind.")
    # The planner prices trigram matching as cheap and may read a whole table rather than its
    # trigram index (45,000 products: 190 ms instead of 2); sequential scans are off for the
    # search statement and put back as they were for the rest of the request.
    before = await db.fetch_sql(
        "SELECT current_setting('enable_seqscan') AS seqscan, "
        "set_config('pg_trgm.similarity_threshold', $1, true), "
        "set_config('pg_trgm.word_similarity_threshold', $2, true), "
        "set_config('jit', 'off', true), set_config('enable_seqscan', 'off', true)",
        [str(SIMILARITY_THRESHOLD), str(WORD_SIMILARITY_THRESHOLD)],
    )
    rows = await db.fetch_sql(SEARCH_SQL, [text, like_pattern(text), chosen, first])
    await db.fetch_sql("SELECT set_config('enable_seqscan', $1, true)", [before[0]["seqscan"]])
    return [
        SearchHit(SearchKind(r["kind"]), r["id"], _rounded(r["score"]), r["matched"]) for r in rows
    ]


def _rounded(score: float) -> float:
    # Six decimals: enough to order, and stable across PostgreSQL versions' float output.
    return math.floor(score * 1e6 + 0.5) / 1e6
