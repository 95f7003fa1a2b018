"""The bulk format: JSON Lines (and CSV of rounds or investments) written by ``stakegraph
export`` and the generator and read by ``stakegraph import``, ``POST /api/v1/import`` and the
article loader. ``format`` is the one definition of the record types, their fields and
canonical lines; ``read`` streams JSON Lines or CSV into records; ``validate`` checks one
record and turns it into staging rows; ``stages`` names the staging tables; ``stage`` files
checked records by staging table, as COPY text for blocks of JSON Lines; ``pipeline`` stages
those blocks in worker processes; ``importer`` loads records all or nothing; ``export``
writes the whole database back out. Entry points: ``import_file(url, stream, name=)``,
``import_stream(conn, chunks, csv=)`` and ``import_items(conn, items)``, each answering with an
``ImportReport``; ``export_to(url, out)`` and ``export_lines(conn)``.
"""

from service.ingest.bulk.export import export_lines, export_to
from service.ingest.bulk.importer import (
    ImportOptions,
    ImportReport,
    import_file,
    import_items,
    import_stream,
)

__all__ = [
    "ImportOptions",
    "ImportReport",
    "export_lines",
    "export_to",
    "import_file",
    "import_items",
    "import_stream",
]
