"""The checks an operation passes before it runs, whichever transport brought it: who may run
it, the size of its inputs, its variables, and its cost. HTTP requests (the gateway) and
subscriptions take them in this one order, so that both refuse alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import GraphQLSchema, OperationDefinitionNode
from graphql.execution.values import VariableValues, get_variable_values

from service.auth.keys import AuthError, Principal
from service.config import Settings
from service.gateway import access
from service.gateway.cost import Cost, check_cost
from service.gateway.document import Document
from service.gateway.errors import BAD_USER_INPUT, Refusal
from service.gateway.inputs import check_inputs
from service.gateway.production import suggestions_enabled


@dataclass(frozen=True)
class Admitted:
    """The operation's variables coerced to their types, and its cost."""

    coerced: VariableValues
    cost: Cost


def admit(
    schema: GraphQLSchema,
    settings: Settings,
    principal: Principal,
    keyed: bool,
    document: Document,
    definition: OperationDefinitionNode,
    variables: dict[str, Any],
) -> Admitted:
    """The operation admitted, or the Refusal that says why not."""
    try:
        access.authorize(
            principal, keyed, definition, document.fragments, settings.reads_are_public
        )
    except AuthError as exc:
        raise Refusal(exc.code, exc.message, status=exc.http_status) from None
    check_inputs(document, definition, variables, settings)
    coerced = get_variable_values(
        schema,
        definition.variable_definitions or (),
        variables,
        hide_suggestions=not suggestions_enabled(settings),
    )
    if isinstance(coerced, list):
        raise Refusal(BAD_USER_INPUT, coerced[0].message)
    cost = check_cost(
        schema, definition, document.fragments, variables, settings, document.measured
    )
    return Admitted(coerced, cost)
