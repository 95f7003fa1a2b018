"""Namesakes: generated organizations named after organizations already in the database.

A real catalogue holds many organizations whose names resemble a famous one ("OpenAI Labs",
"Open AI Robotics", "上海月之暗面", "月之光面"): the noise a search must rank below the
organization a user means. With ``namesakes_each=K`` the generator names K of its organizations
after each base name: the base's Latin name with a word before or after it, split by a space
and extended, or joined to a suffix; its Chinese name with a suffix or a city, with one
character replaced, or its first characters and new ones; its Arabic name with a legal form.
No namesake's name equals a base name once case, spaces and punctuation are ignored, so that
which organization a base name means stays decidable; everything else about a namesake (its
category, rounds, investments) is generated as for any other organization.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import asyncpg

from service.domain import NameKind
from service.ingest.generator import vocabulary as vocab

# value, language, script, kind: the name rows the organization generator writes.
NameRow = tuple[str, str, str, str]


@dataclass(frozen=True, slots=True)
class NamesakeBase:
    """A name to give namesakes to: its Latin form and, if known, its Chinese and Arabic ones."""

    latin: str
    chinese: str | None = None
    arabic: str | None = None


@dataclass(frozen=True, slots=True)
class NamesakeNaming:
    primary: NameRow
    latin: str  # the Latin spelling the slug is made from
    brand: str  # the Latin brand, for product names
    aliases: list[NameRow]
    flavour: str  # "latin", "chinese" or "arabic": which script the name imitates


def compact(value: str) -> str:
    """Lower case, letters and digits only: the key under which two names are the same."""
    return "".join(c for c in value.lower() if c.isalnum())


_WORDS_AFTER = (
    *vocab.INVESTOR_DESCRIPTORS,
    *vocab.CORPORATE_DESCRIPTORS,
    *(word for words in vocab.SECTOR_DESCRIPTORS for word in words if len(word) > 2),
)
_WORDS_BEFORE = (*vocab.LATIN_PREFIXES, *vocab.LATIN_WORDS)
_SUFFIXES = tuple(s for s in vocab.LATIN_SUFFIXES if len(s) >= 3)
_CHINESE_SUFFIXES = ("科技", "智能", "资本", "网络", "数据", "信息", "创投", "控股")


def _latin_after(rng: random.Random, base: str) -> str:
    return f"{base} {rng.choice(_WORDS_AFTER)}"


def _latin_before(rng: random.Random, base: str) -> str:
    return f"{rng.choice(_WORDS_BEFORE)} {base}"


def _latin_split(rng: random.Random, base: str) -> str:
    # "Open AI Robotics": the base cut by a space inside a word, then extended.
    words = base.split()
    w = rng.randrange(len(words))
    word = words[w]
    if len(word) >= 4:
        cut = rng.randrange(2, len(word) - 1)
        words[w] = f"{word[:cut]} {word[cut:]}"
    return f"{' '.join(words)} {rng.choice(_WORDS_AFTER)}"


def _latin_joined(rng: random.Random, base: str) -> str:
    words = base.split()
    if len(words) > 1:
        return f"{words[0]} {rng.choice(_WORDS_AFTER)}"  # "Tiger Ventures" for "Tiger Global"
    return base + rng.choice(_SUFFIXES)  # "Tencentwave"


def _chinese_suffixed(rng: random.Random, base: str) -> str:
    return base + rng.choice(_CHINESE_SUFFIXES)


def _chinese_city(rng: random.Random, base: str) -> str:
    return rng.choice(vocab.CHINESE_CITIES)[0] + base


def _chinese_replaced(rng: random.Random, base: str) -> str:
    at = rng.randrange(len(base))
    return base[:at] + rng.choice(vocab.HANZI)[0] + base[at + 1 :]


def _chinese_sharing(rng: random.Random, base: str) -> str:
    keep = max(1, len(base) // 2)
    return base[:keep] + "".join(rng.choice(vocab.HANZI)[0] for _ in range(rng.choice((1, 2))))


_LATIN_MAKERS: tuple[Callable[[random.Random, str], str], ...] = (
    _latin_after,
    _latin_before,
    _latin_split,
    _latin_joined,
)
_CHINESE_MAKERS: tuple[Callable[[random.Random, str], str], ...] = (
    _chinese_suffixed,
    _chinese_city,
    _chinese_replaced,
    _chinese_sharing,
)

COMMON, LEGAL = NameKind.COMMON.value, NameKind.LEGAL.value
# A base's namesakes cycle through these forms: (script imitated, which maker).
_FORMS = (
    *(("latin", i) for i in range(len(_LATIN_MAKERS))),
    *(("chinese", i) for i in range(len(_CHINESE_MAKERS))),
    ("arabic", 0),
)


def namesake_naming(
    rng: random.Random, base: NamesakeBase, variant: int, reserved: frozenset[str]
) -> NamesakeNaming:
    """The ``variant``-th namesake of ``base``: cycles through the Latin, Chinese and Arabic
    forms the base has; ``reserved`` holds the compact keys no namesake may take."""
    forms = [
        (script, maker)
        for script, maker in _FORMS
        if script == "latin" or (base.chinese if script == "chinese" else base.arabic)
    ]
    script, maker = forms[variant % len(forms)]
    for _ in range(20):
        naming = _draw(rng, base, script, maker)
        if not {compact(v) for v, *_ in (naming.primary, *naming.aliases)} & reserved:
            return naming
    # Twenty draws all hitting a reserved key would take a base list of thousands of names
    # sharing one stem; the plain extension below cannot be one of them.
    suffix = f"{rng.choice(_WORDS_AFTER)} {rng.choice(_WORDS_AFTER)} {variant}"
    latin = f"{base.latin} {suffix}"
    return NamesakeNaming((latin, "en", "Latn", COMMON), latin, base.latin, [], "latin")


def _draw(rng: random.Random, base: NamesakeBase, script: str, maker: int) -> NamesakeNaming:
    if script == "chinese" and base.chinese:
        chinese = _CHINESE_MAKERS[maker](rng, base.chinese)
        english = _latin_after(rng, base.latin)
        legal = rng.choice(vocab.CHINESE_CITIES)[0] + chinese + vocab.CHINESE_STARTUP_FORMS[0]
        return NamesakeNaming(
            (chinese, "zh", "Hans", COMMON),
            english,
            base.latin.split()[0],
            [(english, "en", "Latn", COMMON), (legal, "zh", "Hans", LEGAL)],
            "chinese",
        )
    if script == "arabic" and base.arabic:
        form_ar, form_en = rng.choice((*vocab.ARABIC_STARTUP_FORMS, *vocab.ARABIC_INVESTOR_FORMS))
        english = f"{base.latin} {form_en}"
        return NamesakeNaming(
            (f"{base.arabic} {form_ar}", "ar", "Arab", COMMON),
            english,
            base.latin.split()[0],
            [(english, "en", "Latn", COMMON)],
            "arabic",
        )
    latin = _LATIN_MAKERS[maker](rng, base.latin)
    return NamesakeNaming((latin, "en", "Latn", COMMON), latin, latin.split()[0], [], "latin")


def reserved_keys(bases: Sequence[NamesakeBase]) -> frozenset[str]:
    return frozenset(
        compact(name)
        for base in bases
        for name in (base.latin, base.chinese, base.arabic)
        if name and compact(name)
    )


# The slugs the generator writes (see ``orgs``): their organizations are no bases.
GENERATED_SLUG = r"-g[0-9]+-[0-9]+$"


async def bases_in_database(conn: asyncpg.Connection) -> list[NamesakeBase]:
    """Every organization in the database that the generator did not write, by its first
    Latin name (the primary one if Latin) and its first Chinese and Arabic names, in id
    order."""
    rows = await conn.fetch(
        """
        SELECT o.id,
               coalesce((SELECT n.value FROM organization_name n
                         WHERE n.organization_id = o.id AND n.script = 'Latn'
                         ORDER BY n.is_primary DESC, n.id LIMIT 1), o.name) AS latin,
               (SELECT n.value FROM organization_name n
                WHERE n.organization_id = o.id AND n.script = 'Hans'
                ORDER BY n.is_primary DESC, n.id LIMIT 1) AS chinese,
               (SELECT n.value FROM organization_name n
                WHERE n.organization_id = o.id AND n.script = 'Arab'
                ORDER BY n.is_primary DESC, n.id LIMIT 1) AS arabic
        FROM organization o WHERE o.slug !~ $1 ORDER BY o.id
        """,
        GENERATED_SLUG,
    )
    return [NamesakeBase(r["latin"], r["chinese"], r["arabic"]) for r in rows]
