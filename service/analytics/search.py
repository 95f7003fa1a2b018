"""One ranked search over organizations, people, products, funds, funding rounds and listings.

Every name is matched in its normalised form (``sg_normalize``: case, accents, Arabic vowel
marks and letter variants folded) through a trigram index: organization names through their
compact key (``sg_compact``: the normalised name without spaces or punctuation, migration
0007), people's, products' and funds' names through their normalised columns. So a query in any
script finds names stored in that script, "open ai" finds "OpenAI", and typos still match.

Ranking: how well a name matches comes first, in tiers, and prominence only breaks near-ties.

* The tier (``TIER_*``): the name equals the query once both are normalised (3); their compact
  keys are equal, i.e. they differ only in spaces and punctuation (2); the name starts with
  the query, normalised or compact (1); otherwise the name is only similar (0).
* Within a tier, the typo distance as a similarity in [0, 1] (``_similarity``): trigram
  similarity (the better of the normalised names' and the compact keys') averaged with the
  edit distance of the compact keys relative to their length, weighted ``SIMILARITY_WEIGHT``.
* Prominence in [0, 1], weighted ``PROMINENCE_WEIGHT``, so it can reorder two names only when
  their similarities differ by less than ``PROMINENCE_WEIGHT / SIMILARITY_WEIGHT`` (about
  0.05): for an organization, what a searcher is likely to mean (``_ORG_PROMINENCE``): money
  raised (USD at each round's date), investments made, rounds raised, and how recent its last
  round or investment is; for a person, the roles held.

A score is therefore ``tier + 0.95 * similarity + 0.05 * prominence``: its integer part is the
tier, and no name of a lower tier outranks one of a higher tier. A funding round is found
through the name of the organization that raised it and scores ``tier + ROUND_FACTOR * 0.95 *
similarity`` of that name, right below the organization itself. A listing is found by its
ticker alone, equal to the query in any case ("acme" → ACME), and scores as a round of an
organization of that exact name.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from service.analytics.common import AnalyticsInputError
from service.repository.conditions import like_pattern
from service.repository.db import Db

TIER_EXACT = 3
TIER_COMPACT = 2
TIER_PREFIX = 1
SIMILARITY_WEIGHT = 0.95
PROMINENCE_WEIGHT = 0.05
ROUND_FACTOR = 0.9
# Prominence parts, each log-scaled to [0, 1] and capped so that counting stays an index
# range of bounded length: investments made, rounds raised, USD raised, and recency (1 for
# activity today, falling linearly to 0 over RECENCY_DAYS).
INVESTMENTS_CAP = 200
ROUNDS_CAP = 20
RAISED_USD_CAP = 1e11
RECENCY_DAYS = 3653
ROLES_CAP = 50
# The word-similarity threshold of pg_trgm's `<%`, set for the search's transaction so that
# results do not depend on a server's configuration: low enough that a transposition in a
# six-letter name ("amaozn") or a letter dropped from a five-letter one ("zhpu") still finds
# it. Queries with fewer letters than TYPO_QUERY_LENGTH get SHORT_THRESHOLD: "ai" at 0.3
# would match every name starting with "a".
WORD_SIMILARITY_THRESHOLD = 0.3
TYPO_QUERY_LENGTH = 4
SHORT_THRESHOLD = 0.6
# The strict word-similarity threshold (`<<%`) for people's names: "eddei wu" finds
# "Eddie Wu" (0.5); "alibba" shares too few trigrams with "Ali Kim" for the index to return it.
WORD_THRESHOLD = 0.5
# Queries this short are also matched as substrings (LIKE), which word similarity misses
# ("ali" in "Khalid"); longer ones have enough trigrams, and skip that scan. Below
# MIN_SUBSTRING_LENGTH a pattern has no trigram at all and would read the whole index.
SUBSTRING_QUERY_LENGTH = 4
MIN_SUBSTRING_LENGTH = 3
# levenshtein() takes at most 255 characters; longer names are ranked by trigrams alone.
MAX_EDIT_LENGTH = 255
# How many of the best text matches per kind are ranked further; prominence is computed only
# for these, which keeps a query matching thousands of names ("capital") interactive.
CANDIDATES = 50
# How many similar names per kind are scored at most: a query matching more ("capital" is
# in 6,000 organization names at 100,000) is answered from the first ones found, besides
# every name equal to it and the shortest that start with it. Keeps a broad query's cost
# bounded; the price is that among thousands of fuzzy matches, the best may go unseen.
RETRIEVAL_CAP = 2000
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
    FUND = "FUND"
    LISTING = "LISTING"


@dataclass(frozen=True, slots=True)
class SearchHit:
    kind: SearchKind
    pk: int
    score: float
    matched_name: str


def _tier(name: str, key: str) -> str:
    # A NULL key (a query without letters or digits) equals and prefixes nothing.
    return (
        f"CASE WHEN {name} = q.q THEN {TIER_EXACT} WHEN {key} = q.k THEN {TIER_COMPACT} "
        f"WHEN {name} LIKE q.prefix OR {key} LIKE q.kprefix THEN {TIER_PREFIX} ELSE 0 END"
    )


def _similarity(name: str, key: str) -> str:
    """Typo distance as a similarity in [0, 1]: trigrams (of the names and of their keys)
    averaged with the edit distance of the keys, which tells apart what trigram sets cannot
    ("Moonshot AI" and "Moonshot AI AI" have the same trigrams)."""
    edits = (
        f"CASE WHEN length({key}) <= {MAX_EDIT_LENGTH} THEN 1 - levenshtein({key}, q.k)::float8 "
        f"/ greatest(length({key}), length(q.k)) END"
    )
    return (
        f"(0.5 * coalesce(greatest(similarity({name}, q.q), similarity({key}, q.k)), 0) "
        f"+ 0.5 * coalesce({edits}, 0))"
    )


def _text_score(name: str, key: str) -> str:
    """Tier plus weighted similarity: the part of a score that prominence cannot overturn."""
    return f"({_tier(name, key)} + {SIMILARITY_WEIGHT} * {_similarity(name, key)})"


def _matches(column: str, *, whole_words: bool = False) -> str:
    # `q.pattern` (a contains-pattern) is NULL, and its scan skipped, unless the query is
    # short enough for substrings to matter. People's names match by whole words (`<<%`,
    # strict word similarity): a part of a word would match thousands of first names
    # ("alibba" → every "Ali"), each read from the heap only to be rejected.
    operator = "<<%" if whole_words else "<%"
    return f"(q.q {operator} {column} OR {column} LIKE q.pattern)"


def _matches_compact(column: str) -> str:
    # The trigram index on the compact key (migration 0007) finds every tier's candidates:
    # "open ai" → "OpenAI", "alibaba clod" → "Alibaba Cloud", "cloud" → "Alibaba Cloud".
    return f"(q.k <% sg_compact({column}) OR {column} LIKE q.pattern)"


def _log_share(value: str, cap: float) -> str:
    return f"ln(1 + least({value}, {cap})) / ln(1 + {cap})"


def _capped_count(table: str, column: str, outer: str, cap: int) -> str:
    return (
        f"(SELECT count(*) FROM (SELECT 1 FROM {table} x WHERE x.{column} = {outer} LIMIT {cap}) c)"
    )


_FX = """(
    SELECT f.usd_per_unit FROM fx_rate f
    WHERE f.currency = r.raised_currency AND f.rate_on <= coalesce(r.announced_on, 'infinity')
    ORDER BY f.rate_on DESC LIMIT 1
)"""

# Raised money and rounds come from the organization's newest ROUNDS_CAP rounds; the newest
# investment is the one with the highest id, whose round gives its date.
_ORG_PROMINENCE = f"""(
    0.3 * {_log_share("a.investments", INVESTMENTS_CAP)}
  + 0.2 * {_log_share("a.rounds", ROUNDS_CAP)}
  + 0.3 * {_log_share("a.raised_usd", RAISED_USD_CAP)}
  + 0.2 * coalesce(greatest(0, 1 - (current_date - a.latest) / {RECENCY_DAYS}.0), 0)
)"""

_ORG_ACTIVITY = f"""
    CROSS JOIN LATERAL (
        SELECT {_capped_count("investment", "investor_id", "m.id", INVESTMENTS_CAP)}
                   AS investments,
               own.rounds, own.raised_usd,
               greatest(own.latest, (
                   SELECT r.announced_on FROM investment i
                   JOIN funding_round r ON r.id = i.round_id
                   WHERE i.investor_id = m.id ORDER BY i.id DESC LIMIT 1
               )) AS latest
        FROM (
            SELECT count(*) AS rounds, max(r.announced_on) AS latest,
                   coalesce(sum(r.raised_amount * {_FX}), 0) AS raised_usd
            FROM (SELECT * FROM funding_round fr WHERE fr.organization_id = m.id
                  ORDER BY fr.sort_on DESC, fr.id DESC LIMIT {ROUNDS_CAP}) r
        ) own
    ) a"""


_ORG_NAME_COLUMNS = (
    "n.organization_id AS id, n.value AS matched, n.is_primary, n.id AS name_id, "
    "n.normalized AS name, sg_compact(n.normalized) AS key"
)

SEARCH_SQL = f"""
WITH q AS (
    SELECT q.q, q.k, sg_normalize($2) AS pattern,
           CASE WHEN length(q.k) >= {MIN_SUBSTRING_LENGTH} THEN q.k || '%' END AS kprefix,
           replace(replace(replace(q.q, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%' AS prefix
    FROM (SELECT sg_normalize($1) AS q, nullif(sg_compact(sg_normalize($1)), '') AS k) q
),
org_names AS (
    SELECT DISTINCT ON (s.id) s.id, s.matched, s.tier, s.sim FROM (
        SELECT c.*, {_tier("c.name", "c.key")} AS tier, {_similarity("c.name", "c.key")} AS sim
        FROM (
            -- Every name equal to the query once spaces and punctuation are ignored, however
            -- many; the RETRIEVAL_CAP shortest that start with it; and up to RETRIEVAL_CAP
            -- similar ones. The limits make the subqueries materialise, so each key is
            -- computed once per name.
            (SELECT {_ORG_NAME_COLUMNS} FROM organization_name n, q
             WHERE sg_compact(n.normalized) = q.k LIMIT ALL)
            UNION
            (SELECT {_ORG_NAME_COLUMNS} FROM organization_name n, q
             WHERE sg_compact(n.normalized) LIKE q.kprefix
             ORDER BY length(n.normalized), n.id LIMIT {RETRIEVAL_CAP})
            UNION
            (SELECT {_ORG_NAME_COLUMNS} FROM organization_name n, q
             WHERE {_matches_compact("n.normalized")} LIMIT {RETRIEVAL_CAP})
        ) c, q
        WHERE 'ORGANIZATION' = ANY($3::text[]) OR 'FUNDING_ROUND' = ANY($3::text[])
    ) s
    ORDER BY s.id, s.tier DESC, s.sim DESC, s.is_primary DESC, s.name_id
),
org_matches AS (
    SELECT *, tier + {SIMILARITY_WEIGHT} * sim AS text_score
    FROM org_names ORDER BY tier DESC, sim DESC, id LIMIT {CANDIDATES}
),
-- Prominence adds at most PROMINENCE_WEIGHT: a candidate whose text score is lower than that
-- below the $4-th best cannot reach the first $4 hits, and its activity is not read.
org_reach AS (
    SELECT min(t.text_score) - {PROMINENCE_WEIGHT} AS floor
    FROM (SELECT text_score FROM org_matches ORDER BY text_score DESC LIMIT $4) t
),
org_hits AS (
    SELECT 'ORGANIZATION' AS kind, m.id, m.matched,
           m.text_score + {PROMINENCE_WEIGHT} * {_ORG_PROMINENCE} AS score
    FROM (SELECT m.* FROM org_matches m, org_reach WHERE m.text_score >= org_reach.floor) m
    {_ORG_ACTIVITY}
    WHERE 'ORGANIZATION' = ANY($3::text[])
),
round_hits AS (
    SELECT 'FUNDING_ROUND' AS kind, r.id,
           m.matched || ' · ' || r.round_type || ' · '
               || coalesce(to_char(r.announced_on, 'YYYY-MM-DD'), 'undated') AS matched,
           m.tier + {ROUND_FACTOR * SIMILARITY_WEIGHT} * m.sim AS score
    FROM (SELECT * FROM org_matches ORDER BY tier DESC, sim DESC, id
          LIMIT {ROUND_ORGANIZATIONS}) m
    CROSS JOIN LATERAL (
        SELECT * FROM funding_round fr WHERE fr.organization_id = m.id
        ORDER BY fr.sort_on DESC, fr.id DESC LIMIT {ROUNDS_PER_ORGANIZATION}
    ) r
    WHERE 'FUNDING_ROUND' = ANY($3::text[])
),
person_matches AS (
    SELECT s.id,
           CASE WHEN s.own >= coalesce(s.native, 0) THEN s.name ELSE s.native_name END
               AS matched,
           greatest(s.own, coalesce(s.native, 0)) AS text_score
    FROM (
        SELECT c.id, c.name, c.native_name, {_text_score("c.n1", "c.k1")} AS own,
               {_text_score("c.n2", "c.k2")} AS native
        FROM (
            SELECT p.id, p.name, p.native_name,
                   p.name_normalized AS n1, sg_compact(p.name_normalized) AS k1,
                   p.native_name_normalized AS n2, sg_compact(p.native_name_normalized) AS k2
            FROM person p, q
            WHERE 'PERSON' = ANY($3::text[])
              AND ({_matches("p.name_normalized", whole_words=True)}
                   OR {_matches("p.native_name_normalized", whole_words=True)})
            LIMIT {RETRIEVAL_CAP}
        ) c, q
    ) s
    ORDER BY 3 DESC, s.id LIMIT {CANDIDATES}
),
person_hits AS (
    SELECT 'PERSON' AS kind, m.id, m.matched,
           m.text_score + {PROMINENCE_WEIGHT} * {
    _log_share(_capped_count("person_role", "person_id", "m.id", ROLES_CAP), ROLES_CAP)
} AS score
    FROM person_matches m
),
product_hits AS (
    SELECT 'PRODUCT' AS kind, c.id, c.matched, {_text_score("c.name", "c.key")} AS score
    FROM (
        SELECT p.id, p.name AS matched, p.name_normalized AS name,
               sg_compact(p.name_normalized) AS key
        FROM product p, q
        WHERE 'PRODUCT' = ANY($3::text[]) AND {_matches("p.name_normalized")}
        LIMIT {RETRIEVAL_CAP}
    ) c, q
    ORDER BY 4 DESC, c.id LIMIT {CANDIDATES}
),
-- Funds as products: by name alone ("Cobalt Fund I"), through ix_fund_name_normalized_trgm.
fund_hits AS (
    SELECT 'FUND' AS kind, c.id, c.matched, {_text_score("c.name", "c.key")} AS score
    FROM (
        SELECT f.id, f.name AS matched, f.name_normalized AS name,
               sg_compact(f.name_normalized) AS key
        FROM fund f, q
        WHERE 'FUND' = ANY($3::text[]) AND {_matches("f.name_normalized")}
        LIMIT {RETRIEVAL_CAP}
    ) c, q
    ORDER BY 4 DESC, c.id LIMIT {CANDIDATES}
),
-- A ticker is a code, not a name: only an equal one (in any case) matches, through
-- ix_listing_ticker_upper.
listing_hits AS (
    SELECT 'LISTING' AS kind, l.id, l.ticker || coalesce(' · ' || l.exchange, '') AS matched,
           {TIER_EXACT + ROUND_FACTOR * SIMILARITY_WEIGHT} AS score
    FROM listing l
    WHERE 'LISTING' = ANY($3::text[]) AND upper(l.ticker) = upper($1)
    ORDER BY l.id LIMIT {CANDIDATES}
)
SELECT kind, id, matched, score::float8 AS score FROM (
    SELECT * FROM org_hits UNION ALL SELECT * FROM round_hits
    UNION ALL SELECT * FROM person_hits UNION ALL SELECT * FROM product_hits
    UNION ALL SELECT * FROM fund_hits UNION ALL SELECT * FROM listing_hits
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


def matching(text: str) -> tuple[str | None, float, float]:
    """The substring pattern (or None), and the word-similarity and strict word-similarity
    thresholds, for a query."""
    letters = sum(c.isalnum() for c in text)
    substring = MIN_SUBSTRING_LENGTH <= letters <= SUBSTRING_QUERY_LENGTH
    short = letters < TYPO_QUERY_LENGTH
    pattern = like_pattern(text) if substring else None
    return (
        pattern,
        SHORT_THRESHOLD if short else WORD_SIMILARITY_THRESHOLD,
        SHORT_THRESHOLD if short else WORD_THRESHOLD,
    )


async def search(db: Db, query: str, kinds: list[SearchKind] | None, first: int) -> list[SearchHit]:
    text = normalized_query(query)
    if not 1 <= first <= MAX_RESULTS:
        raise AnalyticsInputError(f"`first` must be between 1 and {MAX_RESULTS}; got {first}.")
    chosen = [k.value for k in SearchKind] if kinds is None else sorted({k.value for k in kinds})
    if not chosen:
        raise AnalyticsInputError("`kinds` must name at least one kind.")
    pattern, threshold, strict = matching(text)
    # The planner prices trigram matching as cheap and may read a whole table rather than its
    # trigram index (45,000 products: 190 ms instead of 2); sequential scans are off for the
    # search statement and put back as they were for the rest of the request.
    before = await db.fetch_sql(
        "SELECT current_setting('enable_seqscan') AS seqscan, "
        "set_config('pg_trgm.word_similarity_threshold', $1, true), "
        "set_config('pg_trgm.strict_word_similarity_threshold', $2, true), "
        "set_config('jit', 'off', true), set_config('enable_seqscan', 'off', true)",
        [str(threshold), str(strict)],
    )
    rows = await db.fetch_sql(SEARCH_SQL, [text, pattern, chosen, first])
    await db.fetch_sql("SELECT set_config('enable_seqscan', $1, true)", [before[0]["seqscan"]])
    return [
        SearchHit(SearchKind(r["kind"]), r["id"], _rounded(r["score"]), r["matched"]) for r in rows
    ]


def _rounded(score: float) -> float:
    # Six decimals: enough to order, and stable across PostgreSQL versions' float output.
    return math.floor(score * 1e6 + 0.5) / 1e6
