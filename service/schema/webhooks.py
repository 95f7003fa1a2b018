"""Webhook endpoints, their dead letters and replays (docs/webhooks.md). Every field here needs
an `admin` key (service/gateway/access.py)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry.types.unset import UNSET

from service.changes.operations import ChangeOperation
from service.ids import GlobalIdError, decode_id_of, encode_id
from service.mutations.writes import INVALID, NOT_FOUND, reject
from service.repository.db import Db
from service.schema.context import Info
from service.schema.costs import cost
from service.schema.mutation_fields import UserError, in_savepoint
from service.schema.relay import user_error
from service.webhooks import store
from service.webhooks.urls import AllowList, UrlRefused, check_url

ENDPOINT_TYPE, DELIVERY_TYPE = "WebhookEndpoint", "WebhookDelivery"
DEFAULT_DEAD_LETTERS = 100


@strawberry.type(description="Where changes are posted, which ones, and whether it is on.")
class WebhookEndpoint:
    id: strawberry.ID = strawberry.field(description="The endpoint's ID.")
    url: str = strawberry.field(description="The http(s) URL deliveries are POSTed to.")
    entity_types: list[str] | None = strawberry.field(
        description="The entity types it receives changes of (as the change feed names them); "
        "null: every type."
    )
    operations: list[ChangeOperation] | None = strawberry.field(
        description="The operations it receives; null: every operation."
    )
    enabled: bool = strawberry.field(
        description="Whether changes are queued for it and delivered. While disabled, no new "
        "deliveries are queued and those already queued wait."
    )
    description: str | None = strawberry.field(description="What the endpoint is for.")
    created_at: dt.datetime = strawberry.field(description="When it was registered.")
    updated_at: dt.datetime = strawberry.field(description="When it was last changed.")
    pending_deliveries: int = strawberry.field(
        description="Deliveries queued and not yet delivered (including those awaiting a retry)."
    )
    dead_letters: int = strawberry.field(
        description="Deliveries parked after their last attempt failed; see `webhookDeadLetters`."
    )

    @staticmethod
    def of(endpoint: store.Endpoint) -> WebhookEndpoint:
        return WebhookEndpoint(
            id=strawberry.ID(encode_id(ENDPOINT_TYPE, endpoint.id)),
            url=endpoint.url,
            entity_types=endpoint.entity_types,
            operations=endpoint.operations,
            enabled=endpoint.enabled,
            description=endpoint.description,
            created_at=endpoint.created_at,
            updated_at=endpoint.updated_at,
            pending_deliveries=endpoint.pending,
            dead_letters=endpoint.dead,
        )


@strawberry.type(description="A delivery that failed every attempt, parked until replayed.")
class WebhookDeadLetter:
    id: strawberry.ID = strawberry.field(description="The delivery's ID; replay it with it.")
    endpoint_id: strawberry.ID = strawberry.field(description="The endpoint's ID.")
    cursor: str | None = strawberry.field(
        description="The change-feed cursor of the change it carried (a bulk import's: its "
        "first change)."
    )
    import_id: int | None = strawberry.field(
        description="For a bulk import's batched event: the import."
    )
    attempts: int = strawberry.field(description="How many attempts were made.")
    last_status: int | None = strawberry.field(
        description="The HTTP status of the last attempt; null when it got no answer."
    )
    last_error: str | None = strawberry.field(description="What went wrong the last time.")
    created_at: dt.datetime = strawberry.field(description="When the change was queued.")
    dead_at: dt.datetime | None = strawberry.field(description="When it was parked.")

    @staticmethod
    def of(letter: store.DeadLetter) -> WebhookDeadLetter:
        return WebhookDeadLetter(
            id=strawberry.ID(encode_id(DELIVERY_TYPE, letter.id)),
            endpoint_id=strawberry.ID(encode_id(ENDPOINT_TYPE, letter.endpoint_id)),
            cursor=letter.cursor,
            import_id=letter.import_id,
            attempts=letter.attempts,
            last_status=letter.last_status,
            last_error=letter.last_error,
            created_at=letter.created_at,
            dead_at=letter.dead_at,
        )


@strawberry.input(description="A new webhook endpoint.")
class WebhookEndpointCreateInput:
    url: str = strawberry.field(
        description="An http(s) URL on a public address (STAKEGRAPH_WEBHOOK_ALLOWED_HOSTS "
        "allows others)."
    )
    entity_types: list[str] | None = strawberry.field(
        default=None, description="Only changes to these entity types; all if omitted."
    )
    operations: list[ChangeOperation] | None = strawberry.field(
        default=None, description="Only these operations; all if omitted."
    )
    enabled: bool = strawberry.field(default=True, description="Deliver to it (default true).")
    description: str | None = strawberry.field(default=None, description="What it is for.")


@strawberry.input(description="Changes to a webhook endpoint: only the fields given change.")
class WebhookEndpointUpdateInput:
    id: strawberry.ID = strawberry.field(description="The endpoint's ID.")
    url: str | None = strawberry.field(default=UNSET, description="A new URL.")
    entity_types: list[str] | None = strawberry.field(
        default=UNSET, description="Only changes to these entity types; null: every type."
    )
    operations: list[ChangeOperation] | None = strawberry.field(
        default=UNSET, description="Only these operations; null: every operation."
    )
    enabled: bool | None = strawberry.field(
        default=UNSET, description="Pause (false) or resume (true) deliveries."
    )
    description: str | None = strawberry.field(
        default=UNSET, description="What it is for; null to clear."
    )


@strawberry.input(description="A webhook endpoint, by ID.")
class WebhookEndpointIdInput:
    id: strawberry.ID = strawberry.field(description="The endpoint's ID.")


@strawberry.input(description="Dead letters to deliver again.")
class WebhookDeliveryReplayInput:
    endpoint: strawberry.ID = strawberry.field(description="The endpoint's ID.")
    delivery: strawberry.ID | None = strawberry.field(
        default=None, description="One dead letter's ID; all of the endpoint's if omitted."
    )


@strawberry.type(description="A webhook endpoint as written.")
class WebhookEndpointPayload:
    webhook_endpoint: WebhookEndpoint | None = strawberry.field(
        description="The endpoint; null if nothing was written."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was written.")


@strawberry.type(description="A webhook endpoint and its signing secret, shown this once.")
class WebhookEndpointSecretPayload:
    webhook_endpoint: WebhookEndpoint | None = strawberry.field(description="The endpoint.")
    secret: str | None = strawberry.field(
        description="`whsec_<base64>`: verify deliveries' `webhook-signature` with it. It is "
        "not shown again; rotate it to get a new one."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was written.")


@strawberry.type(description="The result of deleting a webhook endpoint.")
class WebhookEndpointDeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(
        description="The deleted endpoint's ID; its queued deliveries went with it."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was deleted.")


@strawberry.type(description="The result of replaying dead letters.")
class WebhookDeliveryReplayPayload:
    replayed: int | None = strawberry.field(
        description="How many dead letters were queued again, with fresh attempts."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was replayed.")


def _pk(value: strawberry.ID, type_name: str, field: str) -> int:
    try:
        return decode_id_of(str(value), type_name)
    except GlobalIdError as exc:
        raise reject(field, INVALID, f"`{field}`: {exc}.") from None


def _tables(types: list[str] | None) -> list[str] | None:
    try:
        return store.tables_of(types)
    except store.UnknownTypes as exc:
        raise reject("entityTypes", INVALID, str(exc)) from None


async def _url(info: Info, url: str) -> str:
    try:
        return await check_url(url, AllowList.parse(info.context.settings.webhook_allowed_hosts))
    except UrlRefused as exc:
        raise reject("url", INVALID, str(exc)) from None


def _operations(values: list[ChangeOperation] | None) -> list[ChangeOperation] | None:
    if values is not None and not values:
        raise reject("operations", INVALID, "Give at least one operation, or null for all.")
    return None if values is None else sorted(set(values))


def _missing() -> Exception:
    return reject("id", NOT_FOUND, "No webhook endpoint has this ID.")


@strawberry.type(description="Webhook management; every field needs an `admin` key.")
class WebhookMutation:
    @strawberry.mutation(
        description="Registers a webhook endpoint; its signing secret is in the payload, once. "
        "Needs an `admin` key."
    )
    async def webhook_endpoint_create(
        self, info: Info, input: WebhookEndpointCreateInput
    ) -> WebhookEndpointSecretPayload:
        async def work(db: Db) -> tuple[store.Endpoint, str]:
            url = await _url(info, input.url)
            if input.entity_types is not None and not input.entity_types:
                raise reject("entityTypes", INVALID, "Give at least one type, or null for all.")
            return await store.create_endpoint(
                db,
                url,
                _tables(input.entity_types),
                _operations(input.operations),
                input.enabled,
                input.description,
            )

        result = await in_savepoint(info, work)
        if isinstance(result, list):
            return WebhookEndpointSecretPayload(
                webhook_endpoint=None, secret=None, user_errors=result
            )
        made, secret = result
        return WebhookEndpointSecretPayload(
            webhook_endpoint=WebhookEndpoint.of(made), secret=secret, user_errors=[]
        )

    @strawberry.mutation(
        description="Changes a webhook endpoint's URL, filters, description, or pauses and "
        "resumes it. Needs an `admin` key."
    )
    async def webhook_endpoint_update(
        self, info: Info, input: WebhookEndpointUpdateInput
    ) -> WebhookEndpointPayload:
        async def work(db: Db) -> store.Endpoint:
            pk = _pk(input.id, ENDPOINT_TYPE, "id")
            if input.url is None:
                raise reject("url", INVALID, "An endpoint needs a URL.")
            if input.enabled is None:
                raise reject("enabled", INVALID, "`enabled` is true or false.")
            if input.entity_types is not UNSET and input.entity_types == []:
                raise reject("entityTypes", INVALID, "Give at least one type, or null for all.")
            changes = store.EndpointChanges(
                url=None if input.url is UNSET else await _url(info, input.url),
                tables=None if input.entity_types in (UNSET, None) else _tables(input.entity_types),
                clear_tables=input.entity_types is None,
                operations=(
                    None if input.operations in (UNSET, None) else _operations(input.operations)
                ),
                clear_operations=input.operations is None,
                enabled=None if input.enabled is UNSET else input.enabled,
                description=None if input.description in (UNSET, None) else input.description,
                clear_description=input.description is None,
            )
            updated = await store.update_endpoint(db, pk, changes)
            if updated is None:
                raise _missing()
            return updated

        result = await in_savepoint(info, work)
        if isinstance(result, list):
            return WebhookEndpointPayload(webhook_endpoint=None, user_errors=result)
        return WebhookEndpointPayload(webhook_endpoint=WebhookEndpoint.of(result), user_errors=[])

    @strawberry.mutation(
        description="Gives a webhook endpoint a new signing secret, shown once in the payload. "
        "For STAKEGRAPH_WEBHOOK_SECRET_OVERLAP_S after it, deliveries carry a signature by "
        "the old secret too, so that receivers can switch without losing any. Needs an "
        "`admin` key."
    )
    async def webhook_endpoint_rotate_secret(
        self, info: Info, input: WebhookEndpointIdInput
    ) -> WebhookEndpointSecretPayload:
        async def work(db: Db) -> tuple[store.Endpoint, str]:
            pk = _pk(input.id, ENDPOINT_TYPE, "id")
            overlap = info.context.settings.webhook_secret_overlap_s
            rotated = await store.rotate_secret(db, pk, overlap)
            if rotated is None:
                raise _missing()
            return rotated

        result = await in_savepoint(info, work)
        if isinstance(result, list):
            return WebhookEndpointSecretPayload(
                webhook_endpoint=None, secret=None, user_errors=result
            )
        endpoint, secret = result
        return WebhookEndpointSecretPayload(
            webhook_endpoint=WebhookEndpoint.of(endpoint), secret=secret, user_errors=[]
        )

    @strawberry.mutation(
        description="Deletes a webhook endpoint and every delivery still queued for it. "
        "Needs an `admin` key."
    )
    async def webhook_endpoint_delete(
        self, info: Info, input: WebhookEndpointIdInput
    ) -> WebhookEndpointDeletePayload:
        async def work(db: Db) -> store.Endpoint:
            deleted = await store.delete_endpoint(db, _pk(input.id, ENDPOINT_TYPE, "id"))
            if deleted is None:
                raise _missing()
            return deleted

        result = await in_savepoint(info, work)
        if isinstance(result, list):
            return WebhookEndpointDeletePayload(deleted_id=None, user_errors=result)
        return WebhookEndpointDeletePayload(deleted_id=input.id, user_errors=[])

    @strawberry.mutation(
        description="Queues dead letters again with fresh attempts: one, or all of an "
        "endpoint's. A replayed change may arrive after later changes to the same record that "
        "were delivered meanwhile: compare `version`. Needs an `admin` key."
    )
    async def webhook_delivery_replay(
        self, info: Info, input: WebhookDeliveryReplayInput
    ) -> WebhookDeliveryReplayPayload:
        async def work(db: Db) -> int:
            endpoint = _pk(input.endpoint, ENDPOINT_TYPE, "endpoint")
            delivery = (
                None if input.delivery is None else _pk(input.delivery, DELIVERY_TYPE, "delivery")
            )
            if await store.get_endpoint(db, endpoint) is None:
                raise reject("endpoint", NOT_FOUND, "No webhook endpoint has this ID.")
            replayed = await store.replay(db, endpoint, delivery)
            if delivery is not None and replayed == 0:
                raise reject("delivery", NOT_FOUND, "The endpoint has no dead letter with this ID.")
            return replayed

        result = await in_savepoint(info, work)
        if isinstance(result, list):
            return WebhookDeliveryReplayPayload(replayed=None, user_errors=result)
        return WebhookDeliveryReplayPayload(replayed=result, user_errors=[])


async def _endpoints(info: Info) -> list[WebhookEndpoint]:
    return [WebhookEndpoint.of(e) for e in await store.list_endpoints(info.context.db)]


async def _dead_letters(
    info: Info,
    endpoint: Annotated[strawberry.ID, strawberry.argument(description="The endpoint's ID.")],
    first: Annotated[
        int,
        strawberry.argument(description=f"How many, 1 to {store.MAX_DEAD_LETTERS}, oldest first."),
    ] = DEFAULT_DEAD_LETTERS,
) -> list[WebhookDeadLetter]:
    if not 1 <= first <= store.MAX_DEAD_LETTERS:
        raise user_error(f"`first` must be between 1 and {store.MAX_DEAD_LETTERS}, not {first}.")
    try:
        pk = decode_id_of(str(endpoint), ENDPOINT_TYPE)
    except GlobalIdError as exc:
        raise user_error(f"`endpoint`: {exc}.") from exc
    if await store.get_endpoint(info.context.db, pk) is None:
        raise user_error("No webhook endpoint has this ID.")
    return [WebhookDeadLetter.of(d) for d in await store.dead_letters(info.context.db, pk, first)]


@strawberry.type(description="Webhook management reads; every field needs an `admin` key.")
class WebhookQuery:
    webhook_endpoints: list[WebhookEndpoint] = strawberry.field(
        resolver=_endpoints,
        description="Every webhook endpoint, oldest first. Needs an `admin` key.",
    )
    webhook_dead_letters: list[WebhookDeadLetter] = strawberry.field(
        resolver=_dead_letters,
        description="An endpoint's dead letters, oldest first. Needs an `admin` key.",
        metadata=cost(items="first", default_items=DEFAULT_DEAD_LETTERS),
    )
