"""Who may run an operation, which snapshot it reads, and how a mutation request ends — decided
before any resolver runs.

* API keys: ``Authorization: Bearer <key>``. Queries need a ``read`` key unless reads are
  public (``STAKEGRAPH_PUBLIC_READ``); mutations a ``write`` key; key management an ``admin``
  key. A key that is given is always checked, even where none is needed. Refusals are the
  operation's only error, coded ``UNAUTHENTICATED`` or ``FORBIDDEN``, with no data; the HTTP
  status stays 200, as for every GraphQL error (REST answers 401/403).
* ``asOf``: the one recorded time a query reads at. The request reads through one
  transaction, so every root field must give the same ``asOf`` (or none does).
* Mutations: the request runs in one read-write transaction (each mutation field in a savepoint
  of it, see service/schema/mutations.py), committed here after execution together with the
  ``Idempotency-Key`` record and its response, so that a retried request either replays that
  response or finds nothing written.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any, ClassVar

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)
from graphql.execution.values import get_argument_values, get_variable_values
from strawberry.extensions import SchemaExtension

from service.auth.keys import AuthError, authenticate, bearer_token, require
from service.domain import Scope
from service.mutations import idempotency
from service.schema.context import Context
from service.schema.errors import SafeErrors, _unexpected

log = logging.getLogger(__name__)

BAD_USER_INPUT = "BAD_USER_INPUT"
AS_OF = "asOf"


class Permissions(SchemaExtension):
    """Authenticates and authorises each operation, and prepares its transaction."""

    public_read: ClassVar[bool] = True
    # Root mutation fields that manage keys rather than data.
    admin_fields: ClassVar[frozenset[str]] = frozenset({"apiKeyCreate", "apiKeyRevoke"})

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        context = execution.context
        document = execution.graphql_document
        operation = None
        if document is not None and execution.result is None and isinstance(context, Context):
            operation = _chosen(document.definitions, execution.operation_name)
        if operation is None or not isinstance(context, Context):
            yield
            return
        assert document is not None
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        mutation = operation.operation == OperationType.MUTATION
        claimed: tuple[int, str, str] | None = None
        try:
            await self._authorise(context, operation, fragments, mutation)
            if mutation:
                claimed = await self._begin_mutation(context)
            else:
                schema = execution.schema._schema
                context.db.as_of = _as_of(schema, operation, fragments, execution.variables or {})
        except AuthError as exc:
            execution.result = _refusal(exc.message, exc.code)
        except idempotency.Replay as replay:
            execution.result = replay.result
        except GraphQLError as exc:
            execution.result = ExecutionResult(data=None, errors=[exc])
        yield
        if mutation and context.db.writing and context.db.opened:
            await self._end_mutation(context, claimed)

    async def _authorise(
        self,
        context: Context,
        operation: OperationDefinitionNode,
        fragments: Mapping[str, FragmentDefinitionNode],
        mutation: bool,
    ) -> None:
        request = context.request
        header = request.headers.get("authorization") if request is not None else None
        token = bearer_token(header)
        principal = await authenticate(context.db.pool, token)
        context.principal = principal
        if mutation:
            names = {f.name.value for f in _root_fields(operation.selection_set, fragments)}
            if names & self.admin_fields:
                require(principal, Scope.ADMIN, "Managing API keys")
            else:
                require(principal, Scope.WRITE, "A mutation")
        elif token is not None or not self.public_read:
            require(principal, Scope.READ, "Reading")

    async def _begin_mutation(self, context: Context) -> tuple[int, str, str] | None:
        db = context.db
        db.writing = True
        db.key_id = context.principal.key_id
        request = context.request
        header = request.headers.get(idempotency.HEADER) if request is not None else None
        if header is None:
            return None
        key = idempotency.check_key(header)
        assert db.key_id is not None  # a mutation got here only with a write key
        execution = self.execution_context
        fingerprint = idempotency.fingerprint(
            execution.query or "", execution.operation_name, execution.variables or {}
        )
        await idempotency.claim(db, db.key_id, key, fingerprint)
        return db.key_id, key, fingerprint

    async def _end_mutation(self, context: Context, claimed: tuple[int, str, str] | None) -> None:
        execution = self.execution_context
        result = execution.result
        try:
            if claimed is not None and isinstance(result, ExecutionResult):
                await idempotency.store(context.db, claimed[0], claimed[1], _stored(result))
            await context.db.commit()
        except Exception:  # nothing was committed: say so rather than report the writes
            log.exception("a mutation request's commit failed")
            execution.result = _refusal(
                "The mutation could not be committed; nothing was written. Retry the request.",
                "COMMIT_FAILED",
            )


def _refusal(message: str, code: str) -> ExecutionResult:
    return ExecutionResult(data=None, errors=[GraphQLError(message, extensions={"code": code})])


def _stored(result: ExecutionResult) -> dict[str, Any]:
    """The response as the client receives it: unexpected errors masked as SafeErrors does."""
    masker = SafeErrors()
    errors = [
        (masker.anonymise_error(e) if _unexpected(e) else e).formatted for e in result.errors or ()
    ]
    stored: dict[str, Any] = {"data": result.data}
    if errors:
        stored["errors"] = errors
    return stored


def _chosen(definitions: Any, operation_name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        op for op in operations
        if operation_name is None or (op.name is not None and op.name.value == operation_name)
    ]  # fmt: skip
    return chosen[0] if len(chosen) == 1 else None  # graphql-core reports the rest


def _root_fields(
    selection_set: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    seen: frozenset[str] = frozenset(),
) -> Iterator[FieldNode]:
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _root_fields(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in seen:
                yield from _root_fields(fragment.selection_set, fragments, seen | {name})


def _as_of(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    raw_variables: Mapping[str, Any],
) -> dt.datetime | None:
    """The operation's one ``asOf``; refuses operations whose root fields disagree on it."""
    root = schema.query_type
    if root is None:
        return None
    coerced = get_variable_values(schema, operation.variable_definitions or (), dict(raw_variables))
    if isinstance(coerced, list):
        return None  # graphql-core reports bad variables when it executes
    given: dict[str, dt.datetime] = {}
    without: list[str] = []
    unsupported: list[str] = []
    for node in _root_fields(operation.selection_set, fragments):
        name = node.alias.value if node.alias else node.name.value
        definition = root.fields.get(node.name.value)
        if node.name.value.startswith("__") or definition is None:
            continue
        if AS_OF not in definition.args:
            unsupported.append(name)
            continue
        try:
            arguments = get_argument_values(definition, node, coerced)
            value = arguments.get("as_of", arguments.get(AS_OF))
        except GraphQLError:
            return None  # graphql-core reports the bad argument when it executes
        if value is None:
            without.append(name)
        else:
            given[name] = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if not given:
        return None
    if len(set(given.values())) > 1:
        raise GraphQLError(
            "Every root field of an operation reads the same snapshot: give them one `asOf`. "
            f"Got {', '.join(f'{k}: {v.isoformat()}' for k, v in given.items())}.",
            extensions={"code": BAD_USER_INPUT},
        )
    if without or unsupported:
        names = ", ".join(without + unsupported)
        reason = (
            "cannot be read as of a time" if unsupported and not without
            else "must give the same `asOf` or be in another request"
        )  # fmt: skip
        raise GraphQLError(
            f"`asOf` applies to the whole operation; {names} {reason}.",
            extensions={"code": BAD_USER_INPUT},
        )
    return next(iter(given.values()))


def permissions(*, public_read: bool) -> type[Permissions]:
    """The extension class with the configured read policy."""
    return type("ConfiguredPermissions", (Permissions,), {"public_read": public_read})
