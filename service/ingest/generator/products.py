"""Products made by start-ups, and the "local alternative to" links between them (F2: a Chinese
assistant built as the local alternative to an American one)."""

from __future__ import annotations

import random

from service.ingest.generator import vocabulary as vocab
from service.ingest.generator.distributions import END_ORDINAL, partial_date
from service.ingest.generator.model import Dataset
from service.ingest.generator.orgs import STARTUP, OrgFacts, slugify

WESTERN = 0  # index of the "WE" region in orgs.REGIONS


def generate_products(rng: random.Random, ds: Dataset, orgs: OrgFacts) -> None:
    table, alternatives = ds["product"], ds["product_alternative"]
    western_by_sector: list[list[int]] = [[] for _ in vocab.SECTORS]
    seed = ds.seed
    for position in orgs.by_category[STARTUP]:
        r = rng.random()
        count = 1 if r < 0.4 else (2 if r < 0.48 else 0)
        sector = orgs.sector[position]
        for _ in range(count):
            product_id = table.next_id()
            name = f"{orgs.brands[position]} {rng.choice(vocab.PRODUCT_WORDS)}"
            slug = f"{slugify(name)}-g{seed}-{len(table.rows) + 1}"
            launched = min(END_ORDINAL, orgs.founded[position] + rng.randint(120, 1800))
            table.rows.append(
                (product_id, slug, name, orgs.ids[position], vocab.SECTORS[sector],
                 *partial_date(rng, launched), None)
            )  # fmt: skip
            western = western_by_sector[sector]
            if orgs.region[position] == WESTERN:
                western.append(product_id)
            elif western and rng.random() < 0.15:
                market = orgs.country[position]
                alternatives.rows.append((product_id, rng.choice(western), market))
