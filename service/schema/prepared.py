"""Hands strawberry the document the gateway already parsed, measured and validated.

Strawberry parses and validates each request itself; for requests the gateway prepared, both
were done (within the request limits, cached by digest), so the operation starts from the
prepared document and skips validation.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import DocumentNode
from strawberry.extensions import SchemaExtension


class PreparedDocument(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        execution = self.execution_context
        document = getattr(execution.context, "document", None)
        if isinstance(document, DocumentNode):
            execution.graphql_document = document
            execution.pre_execution_errors = []
        yield
