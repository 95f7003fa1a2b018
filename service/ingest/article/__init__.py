"""The article dataset: the news report this project starts from, fact by fact, in
``data/article.yaml`` (shipped as package data). ``model`` parses and checks the file into
typed records, raising ``DataError`` naming the record at fault before a connection is opened;
``loader`` turns them into records of the bulk format and loads them through the bulk import
(``service.ingest.bulk``) in one transaction. Entry points: ``seed_article(url)`` loads the
dataset into the database at ``url`` unless it is already there (``stakegraph seed``, and
``stakegraph serve`` on an empty database); ``load_article(conn)`` loads it inside the caller's
transaction; ``DATA_FILE`` is the data file.
"""

from service.ingest.article.loader import DATA_FILE, DataError, load_article, seed_article

__all__ = ["DATA_FILE", "DataError", "load_article", "seed_article"]
