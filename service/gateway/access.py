"""Who is asking, what they may run, and which recorded time they read — from the parsed
operation, once per request.

* API keys: ``Authorization: Bearer <key>``. Queries need a ``read`` key unless reads are
  public (``STAKEGRAPH_PUBLIC_READ``); mutations a ``write`` key; key and webhook management
  (its queries too) an ``admin`` key. A key that is given is always checked, even where none
  is needed; a request with two ``Authorization`` headers is refused rather than guessed at.
* ``asOf``: the one recorded time a query reads at, from the ``Stakegraph-As-Of`` header or
  the root fields' ``asOf``. The request reads through one transaction, so every root field
  must give the same ``asOf`` (or none does), and agree with the header when there is one.
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
from service.gateway.as_of_header import AS_OF_HEADER
from service.gateway.errors import BAD_USER_INPUT, Refusal
from service.repository.registry import ROOT_FIELDS

AS_OF = "asOf"
# Root mutation fields that manage keys and webhooks rather than data.
ADMIN_FIELDS = frozenset(
    {
        "apiKeyCreate",
        "apiKeyRevoke",
        "webhookEndpointCreate",
        "webhookEndpointUpdate",
        "webhookEndpointRotateSecret",
        "webhookEndpointDelete",
        "webhookDeliveryReplay",
    }
)
# Root query fields that only an admin may read: webhook endpoints and their deliveries.
ADMIN_QUERY_FIELDS = frozenset({"webhookEndpoints", "webhookDeadLetters"})


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
            require(principal, Scope.ADMIN, "Managing API keys and webhooks")
        else:
            require(principal, Scope.WRITE, "A mutation")
        return
    names = {f.name.value for f in root_fields(operation.selection_set, fragments)}
    if names & ADMIN_QUERY_FIELDS:
        require(principal, Scope.ADMIN, "Reading webhook endpoints")
    elif keyed or not public_read:
        require(principal, Scope.READ, "Reading")


def as_of(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    coerced_variables: VariableValues,
    header: dt.datetime | None = None,
) -> dt.datetime | None:
    """The operation's one recorded time: the ``Stakegraph-As-Of`` header's, or the ``asOf``
    its root fields give. Refuses operations whose root fields disagree on it (or with the
    header), and those that mix fields read as of a time with fields that cannot be."""
    root = schema.query_type
    if operation.operation != OperationType.QUERY:
        if header is not None:
            raise Refusal(
                BAD_USER_INPUT,
                f"The {AS_OF_HEADER} header applies to queries: "
                f"a {operation.operation.value} reads and writes the present. "
                "Send it without the header.",
            )
        return None
    if root is None:
        return header
    given: dict[str, dt.datetime] = {}
    without: list[str] = []
    unsupported: list[str] = []
    for node in root_fields(operation.selection_set, fragments):
        name = node.alias.value if node.alias else node.name.value
        definition = root.fields.get(node.name.value)
        if node.name.value.startswith("__") or definition is None:
            continue
        if AS_OF not in definition.args:
            # `node(id:)` takes no `asOf` (Relay allows it no other argument) but reads
            # recorded time like every other field of the read model, from the header.
            (without if node.name.value in ROOT_FIELDS else unsupported).append(name)
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
    if header is not None:
        return _agreeing_with(header, given, unsupported)
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
            else f"must give the same `asOf` (or send it once, as the {AS_OF_HEADER} "
            "header) or be in another request"
        )  # fmt: skip
        raise Refusal(BAD_USER_INPUT, f"`asOf` applies to the whole operation; {names} {reason}.")
    return next(iter(given.values()))


def _agreeing_with(
    header: dt.datetime, given: dict[str, dt.datetime], unsupported: list[str]
) -> dt.datetime:
    disagreeing = {name: value for name, value in given.items() if value != header}
    if disagreeing:
        got = ", ".join(f"{k}: {v.isoformat()}" for k, v in disagreeing.items())
        raise Refusal(
            BAD_USER_INPUT,
            f"`asOf` must agree with the {AS_OF_HEADER} header ({header.isoformat()}); got {got}.",
        )
    if unsupported:
        raise Refusal(
            BAD_USER_INPUT,
            f"{', '.join(unsupported)} cannot be read as of a time: send "
            f"{'it' if len(unsupported) == 1 else 'them'} without the {AS_OF_HEADER} header.",
        )
    return header
