"""Search and the analytics: SQL that answers analysts' questions, returning typed dataclasses.

Every function takes the request's ``Db`` and computes its answer in a bounded number of
statements, whatever the size of the graph; resolvers in ``service.schema.search`` and
``service.schema.analytics`` only shape the results.
"""
