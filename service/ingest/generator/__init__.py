"""The synthetic data generator (``stakegraph generate``): a whole market of organizations,
people, products, rounds, investments, credit programs, relationships, compute, events and
claims, drawn deterministically from one seed. ``run`` builds the dataset part by part
(``orgs``, ``people``, ``products``, ``consideration``, ``rounds``, ``fx``, ``graph``,
``claims``, drawing on ``distributions`` and ``vocabulary``) into the rows of ``model``, then
hands it to a writer: ``copy`` (COPY into PostgreSQL) or ``jsonl`` (the bulk format of
``service.ingest.bulk``). Entry points: ``generate_into_database(url, orgs=, seed=)`` and
``generate_jsonl(path, orgs=, seed=)``, each answering with a ``GenerateReport`` and raising
``GenerateError`` for bad arguments (or, into a database, a seed it already holds);
``build_dataset(orgs=, seed=)`` for the rows in memory.
"""

from service.ingest.generator.run import (
    GenerateError,
    GenerateReport,
    build_dataset,
    generate_into_database,
    generate_jsonl,
)

__all__ = [
    "GenerateError",
    "GenerateReport",
    "build_dataset",
    "generate_into_database",
    "generate_jsonl",
]
