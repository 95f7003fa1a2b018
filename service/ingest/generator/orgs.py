"""Organizations and their names: start-ups, VC firms, corporates, clouds, platforms, chipmakers.

Each organization has one primary name (equal to ``organization.name``) and aliases: Chinese
organizations a simplified-Chinese common and legal name and a pinyin transliteration, Arabic
ones an Arabic name (sometimes also vowelled), Latin ones a legal form or a former name. Slugs
end in ``-g<seed>-<n>``, a form no hand-written slug has, so generated organizations never
clash with the article's and several seeds can share one database.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from service.domain import NameKind, OrganizationKind
from service.ingest.generator import vocabulary as vocab
from service.ingest.generator.distributions import (
    FOUNDED_CUMULATIVE,
    choose_index,
    cumulative,
    partial_date,
    year_ordinal,
)
from service.ingest.generator.model import Dataset
from service.ingest.generator.namesakes import namesake_naming, reserved_keys

# Categories: what role an organization plays in the generated market (an int, for speed).
STARTUP, VC, CLOUD, PLATFORM, CHIP, CORPORATE, GROUP, GOVERNMENT, ANALYST, PUBLISHER = range(10)
CORPORATE_CATEGORIES = frozenset({CLOUD, PLATFORM, CHIP, CORPORATE, GROUP})

# (category, share of all organizations, minimum count); start-ups take the rest. With the
# occasional start-up that also invests, about 20% of organizations are investors.
CATEGORY_SHARES: tuple[tuple[int, float, int], ...] = (
    (GROUP, 0.002, 1),
    (CLOUD, 0.003, 2),
    (PLATFORM, 0.003, 2),
    (CHIP, 0.001, 1),
    (CORPORATE, 0.012, 2),
    (GOVERNMENT, 0.001, 1),
    (ANALYST, 0.001, 1),
    (VC, 0.17, 5),
)
MIN_ORGS = 50

K = OrganizationKind
KINDS: dict[int, list[str]] = {
    STARTUP: [K.STARTUP.value],
    VC: [K.VC_FIRM.value, K.INVESTOR.value],
    CLOUD: [K.CORPORATE.value, K.CLOUD_PROVIDER.value, K.INVESTOR.value],
    PLATFORM: [K.CORPORATE.value, K.PLATFORM.value, K.INVESTOR.value],
    CHIP: [K.CORPORATE.value, K.CHIPMAKER.value, K.INVESTOR.value],
    CORPORATE: [K.CORPORATE.value, K.INVESTOR.value],
    GROUP: [K.CORPORATE.value, K.INVESTOR.value],
    GOVERNMENT: [K.GOVERNMENT.value, K.INVESTOR.value],
    ANALYST: [K.ANALYST_FIRM.value],
    PUBLISHER: [K.PUBLISHER.value],
}
INVESTING_STARTUP = [K.STARTUP.value, K.INVESTOR.value]
PLAIN_INVESTOR = [K.INVESTOR.value]
DESCRIPTIONS: dict[int, str] = {
    VC: "Venture capital firm",
    CLOUD: "Cloud computing provider",
    PLATFORM: "Consumer internet platform",
    CHIP: "Semiconductor company",
    CORPORATE: "Corporation with a venture arm",
    GROUP: "Diversified technology group",
    GOVERNMENT: "State-owned investment fund",
    ANALYST: "Technology research and advisory firm",
    PUBLISHER: "News publisher",
}

# Regions drive names, currencies and which investors a start-up meets.
REGIONS: tuple[tuple[str, float, tuple[tuple[str, float], ...]], ...] = (
    (
        "WE",
        0.55,
        (("US", 0.68), ("GB", 0.09), ("DE", 0.07), ("FR", 0.06), ("IL", 0.04), ("CA", 0.06)),
    ),
    ("CN", 0.25, (("CN", 0.88), ("HK", 0.12))),
    ("AS", 0.12, (("SG", 0.25), ("JP", 0.25), ("KR", 0.25), ("IN", 0.25))),
    ("ME", 0.08, (("AE", 0.62), ("SA", 0.38))),
)
REGION_NAMES: tuple[str, ...] = tuple(name for name, _, _ in REGIONS)
REGION_CUMULATIVE = cumulative([share for _, share, _ in REGIONS])
COUNTRY_TABLES = tuple(
    (tuple(c for c, _ in countries), cumulative([w for _, w in countries]))
    for _, _, countries in REGIONS
)

LATIN, CHINESE, ARABIC = range(3)
SCRIPTS = {"en": "Latn", "zh": "Hans", "ar": "Arab"}
COMMON, LEGAL, FORMER = NameKind.COMMON.value, NameKind.LEGAL.value, NameKind.FORMER.value
TRANSLITERATION = NameKind.TRANSLITERATION.value
# Founding years of start-ups: few before 2008, most 2014-2022, fewer in the last years.
STARTUP_YEARS = tuple(range(2000, 2025))
STARTUP_YEAR_CUMULATIVE = cumulative(
    [1, 1, 1, 1, 2, 2, 3, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 12, 12, 12, 11, 10, 8, 6, 4]
)

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    return _NON_ALNUM.sub("-", text.lower()).strip("-")


@dataclass(slots=True)
class OrgFacts:
    """What later steps need to know about each organization, as parallel lists by position."""

    ids: list[int] = field(default_factory=list)
    slugs: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    brands: list[str] = field(default_factory=list)
    category: list[int] = field(default_factory=list)
    invests: list[bool] = field(default_factory=list)
    country: list[str] = field(default_factory=list)
    region: list[int] = field(default_factory=list)
    flavour: list[int] = field(default_factory=list)
    sector: list[int] = field(default_factory=list)
    founded: list[int] = field(default_factory=list)
    parent: list[int] = field(default_factory=list)  # position of the parent, or -1
    by_category: dict[int, list[int]] = field(default_factory=dict)


@dataclass(slots=True)
class _Naming:
    primary: tuple[str, str, str, str]  # value, language, script, kind
    latin: str  # the Latin spelling the slug is made from
    brand: str  # the Latin brand, for product names
    aliases: list[tuple[str, str, str, str]]


def _latin_brand(rng: random.Random) -> str:
    prefix = rng.choice(vocab.LATIN_PREFIXES)
    if rng.random() < 0.5:
        return prefix + rng.choice(vocab.LATIN_SUFFIXES)
    return f"{prefix} {rng.choice(vocab.LATIN_WORDS)}"


def _descriptor(rng: random.Random, category: int, sector: int) -> str:
    if category == STARTUP:
        return rng.choice(vocab.SECTOR_DESCRIPTORS[sector]) if rng.random() < 0.6 else ""
    if category == VC:
        return rng.choice(vocab.INVESTOR_DESCRIPTORS)
    if category == CLOUD:
        return "Cloud"
    if category == CHIP:
        return rng.choice(("Semiconductor", "Micro", "Silicon"))
    if category in (CORPORATE, GROUP):
        return rng.choice(vocab.CORPORATE_DESCRIPTORS)
    if category == GOVERNMENT:
        return rng.choice(("Sovereign Fund", "State Investment Authority"))
    if category == ANALYST:
        return rng.choice(("Research", "Insights", "Advisory"))
    return ""  # platforms are known by their brand alone


def _joined(brand: str, descriptor: str) -> str:
    return f"{brand} {descriptor}" if descriptor else brand


def _latin_naming(rng: random.Random, category: int, sector: int) -> _Naming:
    brand = _latin_brand(rng)
    name = _joined(brand, _descriptor(rng, category, sector))
    aliases: list[tuple[str, str, str, str]] = []
    if rng.random() < 0.4:
        aliases.append((f"{name} {rng.choice(vocab.LEGAL_FORMS)}", "en", "Latn", LEGAL))
    if rng.random() < 0.1:
        former = _joined(_latin_brand(rng), _descriptor(rng, category, sector))
        aliases.append((former, "en", "Latn", FORMER))
    return _Naming((name, "en", "Latn", COMMON), name, brand, aliases)


def _chinese_naming(rng: random.Random, category: int, sector: int) -> _Naming:
    chars = [rng.choice(vocab.HANZI) for _ in range(rng.choice((2, 2, 3)))]
    hanzi = "".join(c for c, _ in chars)
    pinyin = "".join(p for _, p in chars).capitalize()
    city, _ = rng.choice(vocab.CHINESE_CITIES)
    if category in (VC, GOVERNMENT):
        word, word_en = rng.choice(vocab.CHINESE_INVESTOR_WORDS)
        common, latin = hanzi + word, f"{pinyin} {word_en}"
        legal = city + hanzi + rng.choice(vocab.CHINESE_INVESTOR_FORMS)
    else:
        common, latin = hanzi, _joined(pinyin, _descriptor(rng, category, sector))
        legal = city + hanzi + rng.choice(vocab.CHINESE_STARTUP_FORMS)
    english = (latin, "en", "Latn", COMMON)
    chinese = (common, "zh", "Hans", COMMON)
    aliases = [
        (legal, "zh", "Hans", LEGAL),
        (pinyin, "zh-Latn", "Latn", TRANSLITERATION),
    ]
    # Most Chinese companies are listed under their English name; some only under the Chinese.
    if rng.random() < 0.1:
        return _Naming(chinese, latin, pinyin, [english, *aliases])
    return _Naming(english, latin, pinyin, [chinese, *aliases])


def _arabic_naming(rng: random.Random, category: int, sector: int) -> _Naming:
    words = [rng.randrange(len(vocab.ARABIC_WORDS)) for _ in range(rng.choice((1, 1, 2)))]
    arabic = " ".join(vocab.ARABIC_WORDS[w][0] for w in words)
    brand = " ".join(vocab.ARABIC_WORDS[w][1] for w in words)
    forms = (
        vocab.ARABIC_INVESTOR_FORMS if category in (VC, GOVERNMENT) else vocab.ARABIC_STARTUP_FORMS
    )
    form_ar, form_en = rng.choice(forms)
    english = (f"{brand} {form_en}", "en", "Latn", COMMON)
    native = (f"{arabic} {form_ar}", "ar", "Arab", COMMON)
    aliases = [(brand, "ar-Latn", "Latn", TRANSLITERATION)]
    if rng.random() < 0.2:
        vowelled = " ".join(vocab.ARABIC_VOWELLED[w][1] for w in words)
        aliases.append((f"{vowelled} {form_ar}", "ar", "Arab", COMMON))
    if rng.random() < 0.15:
        return _Naming(native, english[0], brand, [english, *aliases])
    return _Naming(english, english[0], brand, [native, *aliases])


def _naming(rng: random.Random, category: int, flavour: int, sector: int) -> _Naming:
    if flavour == CHINESE:
        return _chinese_naming(rng, category, sector)
    if flavour == ARABIC:
        return _arabic_naming(rng, category, sector)
    return _latin_naming(rng, category, sector)


def _flavour(rng: random.Random, country: str) -> int:
    if country == "CN" or (country == "HK" and rng.random() < 0.6):
        return CHINESE
    if country in ("AE", "SA") and rng.random() < 0.85:
        return ARABIC
    return LATIN


def _categories(rng: random.Random, count: int) -> list[int]:
    plan: list[int] = []
    for category, share, minimum in CATEGORY_SHARES:
        plan.extend([category] * max(minimum, round(count * share)))
    plan.extend([PUBLISHER] * len(vocab.PUBLISHERS))
    if len(plan) >= count:
        raise ValueError(f"--orgs must be at least {MIN_ORGS}")
    plan.extend([STARTUP] * (count - len(plan)))
    rng.shuffle(plan)
    return plan


def _founded(rng: random.Random, category: int) -> int:
    if category == STARTUP:
        year = STARTUP_YEARS[choose_index(rng, STARTUP_YEAR_CUMULATIVE)]
        return year_ordinal(rng, year, year)
    if category in (GROUP, GOVERNMENT, PUBLISHER):
        return year_ordinal(rng, 1950, 2005)
    return year_ordinal(rng, 1975, 2018)


# A namesake imitating a Chinese or Arabic name is placed where such names are at home.
NAMESAKE_COUNTRIES = {CHINESE: "CN", ARABIC: "AE"}
REGION_OF_COUNTRY = {
    country: region for region, (countries, _) in enumerate(COUNTRY_TABLES) for country in countries
}
_NAMESAKE_FLAVOURS = {"latin": LATIN, "chinese": CHINESE, "arabic": ARABIC}


def _namesake(
    rng: random.Random, ds: Dataset, position: int, category: int, reserved: frozenset[str]
) -> tuple[_Naming, int] | None:
    """The first ``len(bases) * each`` organizations are namesakes (publishers excepted: the
    generated sources name them)."""
    each = ds.namesakes_each
    if not each or category == PUBLISHER or position >= len(ds.namesake_bases) * each:
        return None
    base = ds.namesake_bases[position // each]
    made = namesake_naming(rng, base, position % each, reserved)
    naming = _Naming(made.primary, made.latin, made.brand, made.aliases)
    return naming, _NAMESAKE_FLAVOURS[made.flavour]


def generate_organizations(rng: random.Random, ds: Dataset) -> OrgFacts:
    orgs_table, names_table = ds["organization"], ds["organization_name"]
    org_rows, name_rows = orgs_table.rows, names_table.rows
    facts = OrgFacts()
    facts.by_category = {category: [] for category in range(10)}
    seed = ds.seed
    groups_so_far: list[int] = []
    publisher_names = iter(vocab.PUBLISHERS)
    reserved = reserved_keys(ds.namesake_bases)
    for position, category in enumerate(_categories(rng, ds.orgs)):
        org_id = orgs_table.next_id()
        region = choose_index(rng, REGION_CUMULATIVE)
        countries, table = COUNTRY_TABLES[region]
        country = countries[choose_index(rng, table)]
        flavour = _flavour(rng, country)
        sector = rng.randrange(len(vocab.SECTORS)) if category == STARTUP else -1
        namesake = _namesake(rng, ds, position, category, reserved)
        if namesake is not None:
            naming, flavour = namesake
            country = NAMESAKE_COUNTRIES.get(flavour, country)
            region = REGION_OF_COUNTRY.get(country, region)
        elif category == PUBLISHER:
            # The publishers of the generated sources exist as organizations under their own
            # names, so claims can point at them.
            title, language, domain = next(publisher_names)
            script = SCRIPTS[language]
            latin = domain.split(".")[0]
            naming = _Naming((title, language, script, COMMON), latin, latin, [])
        else:
            naming = _naming(rng, category, flavour, sector)
        slug = f"{slugify(naming.latin)}-g{seed}-{position + 1}"
        kinds = KINDS[category]
        if category == STARTUP and rng.random() < 0.01:
            kinds = INVESTING_STARTUP
        elif category == VC and rng.random() < 0.2:
            kinds = PLAIN_INVESTOR
        parent = -1
        subsidiary_rate = 0.5 if category in (CLOUD, PLATFORM) else 0.15
        if category in CORPORATE_CATEGORIES and category != GROUP and groups_so_far:
            if rng.random() < subsidiary_rate:
                parent = rng.choice(groups_so_far)
        elif category == STARTUP and groups_so_far and rng.random() < 0.002:
            parent = rng.choice(groups_so_far)  # a spun-out lab still owned by its group
        founded = _founded(rng, category)
        founded_on: object = None
        founded_precision: str | None = None
        if rng.random() < 0.95:
            founded_on, founded_precision = partial_date(rng, founded, FOUNDED_CUMULATIVE)
        description = (
            f"{vocab.SECTORS[sector].capitalize()} start-up"
            if category == STARTUP
            else DESCRIPTIONS[category]
        )
        website = f"https://{slug}.example" if rng.random() < 0.7 else None
        primary = naming.primary
        org_rows.append(
            (
                org_id,
                slug,
                primary[0],
                kinds,
                country,
                founded_on,
                founded_precision,
                orgs_table.id_base + 1 + parent if parent >= 0 else None,
                website,
                description,
            )
        )
        seen = {(primary[0], primary[1])}
        name_rows.append((names_table.next_id(), org_id, *primary, True))
        for alias in naming.aliases:
            if (alias[0], alias[1]) not in seen:
                seen.add((alias[0], alias[1]))
                name_rows.append((names_table.next_id(), org_id, *alias, False))
        facts.ids.append(org_id)
        facts.slugs.append(slug)
        facts.names.append(primary[0])
        facts.brands.append(naming.brand)
        facts.category.append(category)
        facts.invests.append(K.INVESTOR.value in kinds)
        facts.country.append(country)
        facts.region.append(region)
        facts.flavour.append(flavour)
        facts.sector.append(sector)
        facts.founded.append(founded)
        facts.parent.append(parent)
        facts.by_category[category].append(position)
        if category == GROUP:
            groups_so_far.append(position)
    return facts
