"""The two executors, and the one place a request's transaction is opened and ended.

A read the compiler can plan is one statement on a pooled connection (inside a read-only
transaction on the as-of views when the operation reads ``asOf``). Everything else runs through
the strawberry resolvers in the request's transaction (``LazyDb``: opened on its first
statement), which this module closes: rolled back for reads, and for mutations committed
together with the ``Idempotency-Key`` record and its response — so a retried request either
replays that response or finds nothing written.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import asyncpg
import strawberry
from graphql import ExecutionResult, GraphQLError, OperationDefinitionNode, OperationType
from starlette.requests import Request
from strawberry.types import ExecutionResult as StrawberryResult

from service.auth.keys import Principal
from service.compiler.plan import Compiler, answer
from service.config import Settings
from service.db.pool import mark_stateless, read_transaction
from service.gateway.document import Document
from service.mutations import idempotency
from service.repository.session import LazyDb
from service.schema.context import Context
from service.schema.errors import SafeErrors, _unexpected

log = logging.getLogger(__name__)

COMMIT_FAILED = "COMMIT_FAILED"

# Strawberry's result, or graphql-core's for answers made without executing (a replay).
Result = ExecutionResult | StrawberryResult


@dataclass(frozen=True)
class Operation:
    """A request ready to execute: its text, parsed document, chosen operation and inputs."""

    key: bytes
    query: str
    document: Document
    definition: OperationDefinitionNode
    name: str | None
    variables: dict[str, Any]
    as_of: dt.datetime | None

    @property
    def is_mutation(self) -> bool:
        return self.definition.operation == OperationType.MUTATION


async def compiled(
    compiler: Compiler, pool: asyncpg.Pool, operation: Operation, settings: Settings
) -> bytes | None:
    """The response body from one statement, or None when the resolvers must serve it."""
    if operation.definition.operation != OperationType.QUERY:
        return None
    planned = compiler.plan_operation(
        operation.key,
        operation.document.node,
        operation.definition,
        operation.variables,
        len(operation.query),
    )
    if planned is None:
        return None
    plan, arguments = planned
    acquire = settings.pool_acquire_timeout_ms / 1000
    if operation.as_of is None:
        async with pool.acquire(timeout=acquire) as conn:
            body = await answer(conn, plan, arguments)
            mark_stateless(conn)
            return body
    async with read_transaction(
        pool,
        statement_timeout_ms=settings.statement_timeout_ms,
        as_of=operation.as_of,
        acquire_timeout_s=acquire,
    ) as conn:
        return await answer(conn, plan, arguments)


async def resolved(
    schema: strawberry.Schema,
    request: Request,
    settings: Settings,
    principal: Principal,
    operation: Operation,
) -> Result:
    """The strawberry resolvers' result, in the request's transaction."""
    state = request.app.state
    db = LazyDb(state.pool, settings, state.statement_log)
    db.as_of = operation.as_of
    db.writing = operation.is_mutation
    db.key_id = principal.key_id
    context = Context(db, settings)
    context.request = request
    context.principal = principal
    context.document = operation.document.node
    try:
        claimed = None
        if operation.is_mutation:
            try:
                claimed = await _claim(request, db, operation)
            except idempotency.Replay as replay:
                return replay.result
            except GraphQLError as exc:
                return ExecutionResult(data=None, errors=[exc])
        result: Result = await schema.execute(
            operation.query,
            variable_values=operation.variables,
            context_value=context,
            operation_name=operation.name,
        )
        if operation.is_mutation and db.opened:
            result = await _commit(db, claimed, result)
        return result
    finally:
        await db.close()


async def _claim(request: Request, db: LazyDb, operation: Operation) -> tuple[int, str] | None:
    header = request.headers.get(idempotency.HEADER)
    if header is None:
        return None
    key = idempotency.check_key(header)
    assert db.key_id is not None  # a mutation got here only with a write key
    fingerprint = idempotency.fingerprint(operation.query, operation.name, operation.variables)
    await idempotency.claim(db, db.key_id, key, fingerprint)
    return db.key_id, key


async def _commit(db: LazyDb, claimed: tuple[int, str] | None, result: Result) -> Result:
    try:
        if claimed is not None:
            await idempotency.store(db, claimed[0], claimed[1], _stored(result))
        await db.commit()
    except Exception:  # nothing was committed: say so rather than report the writes
        log.exception("a mutation request's commit failed")
        return ExecutionResult(
            data=None,
            errors=[
                GraphQLError(
                    "The mutation could not be committed; nothing was written. Retry the request.",
                    extensions={"code": COMMIT_FAILED},
                )
            ],
        )
    return result


def _stored(result: Result) -> dict[str, Any]:
    """The response as the client receives it: unexpected errors masked as SafeErrors does."""
    masker = SafeErrors()
    errors = [
        (masker.anonymise_error(e) if _unexpected(e) else e).formatted for e in result.errors or ()
    ]
    stored: dict[str, Any] = {"data": result.data}
    if errors:
        stored["errors"] = errors
    return stored
