"""Who is asking, what they may run, and which recorded time they read — from the parsed
operation, once per request.

* API keys: ``Authorization: Bearer <key>``. Queries need a ``read`` key unless reads are
  public (``STAKEGRAPH_PUBLIC_READ``); mutations a ``write`` key; key management an ``admin``
  key. A key that is given is always checked, even where none is needed; a request with two
  ``Authorization`` headers is refused rather than guessed at.
* ``asOf``: the one recorded time a query reads at. The request reads through one
  transaction, so every root field must give the same ``asOf`` (or none does).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
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
from graphql.execution.values import VariableValues, get_argument_values
from starlette.datastructures import Headers

from service.auth.keys import (
    UNAUTHENTICATED,
    AuthError,
    Principal,
    authenticate,
    bearer_token,
    require,
)
from service.domain import Scope
from service.gateway.errors import BAD_USER_INPUT, Refusal

AS_OF = "asOf"
# Root mutation fields that manage keys rather than data.
ADMIN_FIELDS = frozenset({"apiKeyCreate", "apiKeyRevoke"})


def authorization_header(headers: Headers) -> str | None:
    values = headers.getlist("authorization")
    if len(values) > 1:
        raise AuthError(UNAUTHENTICATED, "Send one Authorization header, not several.")
    return values[0] if values else None


async def principal_of(headers: Headers, conn: Any) -> tuple[Principal, bool]:
    """The request's principal, and whether it presented a key at all."""
    token = bearer_token(authorization_header(headers))
    return await authenticate(conn, token), token is not None


def root_fields(
    selection_set: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    seen: frozenset[str] = frozenset(),
) -> Iterator[FieldNode]:
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from root_fields(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in seen:
                yield from root_fields(fragment.selection_set, fragments, seen | {name})


def authorize(
    principal: Principal,
    keyed: bool,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    public_read: bool,
) -> None:
    """Raises AuthError unless ``principal`` may run ``operation``."""
    if operation.operation == OperationType.MUTATION:
        names = {f.name.value for f in root_fields(operation.selection_set, fragments)}
        if names & ADMIN_FIELDS:
            require(principal, Scope.ADMIN, "Managing API keys")
        else:
            require(principal, Scope.WRITE, "A mutation")
    elif keyed or not public_read:
        require(principal, Scope.READ, "Reading")


def as_of(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    coerced_variables: VariableValues,
) -> dt.datetime | None:
    """The operation's one ``asOf``; refuses operations whose root fields disagree on it."""
    root = schema.query_type
    if root is None or operation.operation != OperationType.QUERY:
        return None
    given: dict[str, dt.datetime] = {}
    without: list[str] = []
    unsupported: list[str] = []
    for node in root_fields(operation.selection_set, fragments):
        name = node.alias.value if node.alias else node.name.value
        definition = root.fields.get(node.name.value)
        if node.name.value.startswith("__") or definition is None:
            continue
        if AS_OF not in definition.args:
            unsupported.append(name)
            continue
        try:
            arguments = get_argument_values(definition, node, coerced_variables)
        except GraphQLError as exc:
            raise Refusal(BAD_USER_INPUT, exc.message) from None
        value = arguments.get("as_of", arguments.get(AS_OF))
        if value is None:
            without.append(name)
        else:
            given[name] = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if not given:
        return None
    if len(set(given.values())) > 1:
        raise Refusal(
            BAD_USER_INPUT,
            "Every root field of an operation reads the same snapshot: give them one `asOf`. "
            f"Got {', '.join(f'{k}: {v.isoformat()}' for k, v in given.items())}.",
        )
    if without or unsupported:
        names = ", ".join(without + unsupported)
        reason = (
            "cannot be read as of a time" if unsupported and not without
            else "must give the same `asOf` or be in another request"
        )  # fmt: skip
        raise Refusal(BAD_USER_INPUT, f"`asOf` applies to the whole operation; {names} {reason}.")
    return next(iter(given.values()))
