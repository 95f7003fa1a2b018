"""Data into and out of the database in bulk: ``article`` (the article dataset), ``generator``
(synthetic data at scale) and ``bulk`` (the JSON Lines/CSV format with its import and export,
which the other two write through or to). ``progress`` is the terminal progress bar they share.
"""
