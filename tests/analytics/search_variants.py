"""Generated search checks: the ways a new user misnames an organization, and who they mean.

For every name an organization has: its space variants (spaces dropped, a word cut by a space,
punctuation as a space or dropped), one-letter typos at several positions (a letter replaced,
dropped, or swapped with the next one), and, for a Chinese or Arabic name, the name itself. The
positions are fixed fractions of the name, so the checks are the same on every run.

Which organization such a query means is decided here without the search's SQL: the one whose
name it was made from, provided no other organization has a name that matches the query at
least as well by the search's own rule (equal once normalised; equal without spaces and
punctuation; starting with the query; for a typo, any other name within one edit of the query).
Queries that another organization could claim are left out as undecidable.
"""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Where typos go, as fractions of the name's length: its first quarter, middle and last quarter.
TYPO_POSITIONS = (0.25, 0.5, 0.75)
MIN_TYPO_LETTERS = 5
# Alef with hamza or madda, alef wasla, alef maqsura and teh marbuta, folded as sg_normalize does.
_ARABIC_LETTERS = str.maketrans(
    "\u0623\u0625\u0622\u0671\u0649\u0629", "\u0627\u0627\u0627\u0627\u064a\u0647"
)


@dataclass(frozen=True, slots=True)
class Check:
    query: str
    how: str  # "space", "typo" or "native"
    expected: str  # the slug of the organization meant
    name: str  # the stored name the query was made from


def normalize(value: str) -> str:
    """What ``sg_normalize`` does, for the names these checks see: case, accents and Arabic
    marks folded, Arabic letter variants unified."""
    decomposed = unicodedata.normalize("NFKD", value.translate(_ARABIC_LETTERS))
    kept = "".join(c for c in decomposed if not unicodedata.combining(c) and c != "\u0640")
    return unicodedata.normalize("NFC", kept).lower().translate(_ARABIC_LETTERS)


def compact(value: str) -> str:
    return "".join(c for c in normalize(value) if c.isalnum())


def _is_latin(name: str) -> bool:
    return all(c.isascii() for c in name)


def space_variants(name: str) -> list[str]:
    words = name.split()
    out: list[str] = []
    if len(words) > 1:
        out.append("".join(words))
    for i, word in enumerate(words):
        if len(word) >= 4 and word.isalpha():
            # Where a reader would split it ("Open AI"), and in the middle.
            cuts = {j for j in range(1, len(word)) if word[j - 1].islower() and word[j].isupper()}
            for cut in sorted(cuts | {len(word) // 2}):
                split = [*words[:i], word[:cut], word[cut:], *words[i + 1 :]]
                out.append(" ".join(split))
    if any(not c.isalnum() and not c.isspace() for c in name):
        spaced = "".join(c if c.isalnum() else " " for c in name)
        out.append(" ".join(spaced.split()))
        out.append("".join(c for c in name if c.isalnum()))
    return [v for v in dict.fromkeys(out) if v != name and len(v.strip()) >= 2]


def _next_letter(c: str) -> str:
    lower = c.lower()
    shifted = chr((ord(lower) - ord("a") + 1) % 26 + ord("a"))
    return shifted.upper() if c.isupper() else shifted


def typo_variants(name: str) -> list[str]:
    letters = [i for i, c in enumerate(name) if c.isascii() and c.isalpha()]
    if len(letters) < MIN_TYPO_LETTERS:
        return []
    out: list[str] = []
    for n, fraction in enumerate(TYPO_POSITIONS):
        at = letters[int(fraction * (len(letters) - 1))]
        kind = n % 3
        if kind == 0:
            out.append(name[:at] + _next_letter(name[at]) + name[at + 1 :])
        elif kind == 1:
            out.append(name[:at] + name[at + 1 :])
        elif at + 1 < len(name) and name[at + 1].isalpha():
            out.append(name[:at] + name[at + 1] + name[at] + name[at + 2 :])
    return [v for v in dict.fromkeys(out) if normalize(v) != normalize(name)]


def _edits_within_one(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) <= 1 or (
            len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )  # fmt: skip
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _tier(query: str, name: str) -> int:
    q, n = normalize(query), normalize(name)
    qk, nk = compact(query), compact(name)
    if q == n:
        return 3
    if qk and qk == nk:
        return 2
    if n.startswith(q) or (qk and nk.startswith(qk)):
        return 1
    return 0


def _starting_with(ordered: list[tuple[str, str]], prefix: str) -> set[str]:
    if not prefix:
        return set()
    start = bisect.bisect_left(ordered, (prefix, ""))
    out: set[str] = set()
    for key, slug in ordered[start:]:
        if not key.startswith(prefix):
            break
        out.add(slug)
    return out


class Catalogue:
    """Every organization's names, to tell which queries only one organization can claim."""

    def __init__(self, names: Iterable[tuple[str, str]]) -> None:
        self.names: dict[str, list[str]] = {}
        self._normalized: list[tuple[str, str]] = []
        self._compact: list[tuple[str, str]] = []
        # Two keys within one edit share their first two or their last two characters (for
        # keys of four characters or more): the buckets the typo test looks through.
        self._ends: dict[str, list[tuple[str, str]]] = {}
        for slug, value in names:
            self.names.setdefault(slug, []).append(value)
            key = compact(value)
            self._normalized.append((normalize(value), slug))
            self._compact.append((key, slug))
            for end in {"^" + key[:2], key[-2:] + "$"}:
                self._ends.setdefault(end, []).append((key, slug))
        self._normalized.sort()
        self._compact.sort()

    def _rivals_at_least(self, query: str, tier: int) -> set[str]:
        q, qk = normalize(query), compact(query)
        out = {slug for key, slug in self._exact(self._normalized, q)}
        if tier <= 2:
            out |= {slug for key, slug in self._exact(self._compact, qk)}
        if tier <= 1:
            out |= _starting_with(self._normalized, q) | _starting_with(self._compact, qk)
        return out

    @staticmethod
    def _exact(ordered: list[tuple[str, str]], key: str) -> list[tuple[str, str]]:
        start = bisect.bisect_left(ordered, (key, ""))
        end = bisect.bisect_right(ordered, (key, "\U0010ffff"))
        return ordered[start:end] if key else []

    def _within_one_edit(self, query: str) -> set[str]:
        qk = compact(query)
        pool = self._ends.get("^" + qk[:2], []) + self._ends.get(qk[-2:] + "$", [])
        return {slug for key, slug in pool if _edits_within_one(qk, key)}

    def decidable(self, check: Check) -> bool:
        own = max(_tier(check.query, n) for n in self.names[check.expected])
        # Another organization claims the query if one of its names matches in a better tier,
        # in the same tier when that is a name tier, or, for a typo, within one edit.
        rivals = self._rivals_at_least(check.query, max(own, 1))
        if own == 0:
            rivals |= self._within_one_edit(check.query)
        return not rivals - {check.expected}


def checks_for(slug: str, names: Sequence[str]) -> list[Check]:
    out: list[Check] = []
    for name in names:
        out += [Check(v, "space", slug, name) for v in space_variants(name)]
        if _is_latin(name):
            out += [Check(v, "typo", slug, name) for v in typo_variants(name)]
        else:
            out.append(Check(name, "native", slug, name))
    seen: set[str] = set()
    unique = []
    for check in out:
        if check.query not in seen:
            seen.add(check.query)
            unique.append(check)
    return unique
