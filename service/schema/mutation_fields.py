"""The Mutation type: create, update and retire for every entity, merges, and API keys.

The per-entity fields, payloads and update inputs are generated from the entity specs
(service/mutations/spec.py) and the explicit create inputs (service/schema/mutation_inputs.py),
so every entity gets the same contract:

* ``<noun>Create(input)``, ``<noun>Update(input: {id, expectedVersion, …})`` → ``<Type>Payload
  { <noun> userErrors }``; ``<noun>Retire(input: {id, expectedVersion})`` → ``RetirePayload``.
* Each mutation field runs in a savepoint of the request's write transaction: a user error or
  any failure rolls back everything it wrote. Its payload reads its own writes.
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Any, TypeVar

import strawberry
from strawberry.types.base import get_object_definition
from strawberry.types.unset import UNSET

from service.auth import keys as api_keys
from service.domain import Scope
from service.ids import GlobalIdError, decode_id_of, encode_id
from service.mutations import checks, links, merge
from service.mutations.spec import CLAIM_SUBJECT_COLUMNS, SPECS, EntitySpec
from service.mutations.writes import (
    INVALID,
    NOT_FOUND,
    Rejected,
    create,
    reject,
    resolve_id,
    retire_row,
    retire_where,
    to_columns,
    update_row,
)
from service.mutations.writes import (
    UserError as UserErrorValue,
)
from service.repository.db import Db
from service.schema import deal_inputs as di
from service.schema import mutation_inputs as mi
from service.schema.context import Info
from service.schema.nodes import load_node_by_pk
from service.schema.objects import object_class
from service.schema.organizations import Organization
from service.schema.user_error_codes import UserErrorCode

T = TypeVar("T")


@strawberry.type(
    description="A problem with a mutation's input. When a payload has any, the mutation wrote "
    "nothing."
)
class UserError:
    field: str | None = strawberry.field(
        description="The input field at fault (`amount.currency`), or null for the whole input."
    )
    code: UserErrorCode = strawberry.field(description="What went wrong.")
    message: str = strawberry.field(description="A sentence saying what to change.")


def _errors(values: list[UserErrorValue]) -> list[UserError]:
    return [UserError(field=v.field, code=UserErrorCode(v.code), message=v.message) for v in values]


@strawberry.type(description="The result of retiring (soft-deleting) a record.")
class RetirePayload:
    retired_id: strawberry.ID | None = strawberry.field(
        description="The ID of the retired record; null if nothing was retired."
    )
    version: int | None = strawberry.field(
        description="Its version after retiring; its history keeps every version."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was retired.")


@strawberry.input(description="Which record to retire, at which version.")
class RetireInput:
    id: strawberry.ID = strawberry.field(description="The record's ID.")
    expected_version: int = strawberry.field(
        description="The version you read; if the record changed since, nothing is retired "
        "and the error is STALE_VERSION."
    )


async def _in_savepoint(info: Info, work: Callable[[Db], Awaitable[T]]) -> T | list[UserError]:
    """Runs one mutation's writes; on a user error none of them stays."""
    context = info.context
    context.forget_loaded()
    try:
        async with context.db.savepoint():
            return await work(context.db)
    except Rejected as exc:
        return _errors(exc.errors)
    finally:
        context.forget_loaded()


# For the other modules of mutations (service/schema/webhooks.py).
in_savepoint = _in_savepoint


def _pk(value: strawberry.ID, type_name: str, field: str = "id") -> int:
    try:
        return decode_id_of(str(value), type_name)
    except GlobalIdError as exc:
        raise reject(field, INVALID, f"`{field}`: {exc}.") from None


def _given(spec: EntitySpec, data: object, *, update: bool) -> dict[str, Any]:
    """The input's fields that map onto columns; an update leaves out what was not given."""
    values = {}
    for name in spec.fields:
        value = getattr(data, name, UNSET)
        if value is UNSET or (update and name in spec.fixed):
            continue
        values[name] = value
    return values


# -- nested writes ------------------------------------------------------------------------------


async def _components(
    db: Db, investment_id: int, items: list[mi.ConsiderationComponentInput]
) -> None:
    spec = SPECS["ConsiderationComponent"]
    position = await links.next_position(db, investment_id)
    for offset, item in enumerate(items):
        columns = await to_columns(db, spec, _given(spec, item, update=False))
        columns.update(investment_id=investment_id, position=position + offset)
        await create(db, spec, columns)


async def _investment(
    db: Db, round_id: int, item: mi.RoundInvestmentInput, leads: set[tuple[str, int]]
) -> int:
    spec = SPECS["Investment"]
    columns = await to_columns(db, spec, _given(spec, item, update=False))
    investor = checks.one_investor(columns, "investments.")
    columns.update(round_id=round_id, is_lead=investor in leads)
    pk = await create(db, spec, columns)
    if item.consideration:
        await _components(db, pk, item.consideration)
    return pk


async def _lead_ids(db: Db, ids: list[strawberry.ID]) -> list[tuple[str, int]]:
    """The leads named: organizations, or people who invested as angels."""
    return [await resolve_id(db, "leadInvestors", i, ["Organization", "Person"]) for i in ids]


async def _participants(db: Db, event_id: int, items: list[mi.EventParticipantInput]) -> None:
    """Makes ``items`` the event's participants: others are retired, earlier ones revived."""
    ids = [
        (await resolve_id(db, "participants", p.organization, ["Organization"]))[1] for p in items
    ]
    roles = [(pk, item.role) for pk, item in zip(ids, items, strict=True)]
    await links.set_participants(db, event_id, roles)


async def _event_people(db: Db, event_id: int, items: list[mi.EventPersonInput]) -> None:
    """Makes ``items`` the people in the event: others are retired, earlier ones revived."""
    ids = [(await resolve_id(db, "people", p.person, ["Person"]))[1] for p in items]
    roles = [(pk, item.role) for pk, item in zip(ids, items, strict=True)]
    await links.set_event_people(db, event_id, roles)


async def _alternatives(db: Db, product_id: int, items: list[mi.ProductAlternativeInput]) -> None:
    """Makes ``items`` the products this one is an alternative to: others are retired."""
    ids = [(await resolve_id(db, "alternativeTo", p.product, ["Product"]))[1] for p in items]
    markets = [(pk, item.market) for pk, item in zip(ids, items, strict=True)]
    await links.set_alternatives(db, product_id, markets)


async def _after_create(spec: EntitySpec, db: Db, pk: int, data: Any) -> None:
    match spec.type_name:
        case "FundingRound":
            leads = set(await _lead_ids(db, data.lead_investors or []))
            for item in data.investments or []:
                await _investment(db, pk, item, leads)
            await checks.set_leads(db, pk, sorted(leads), "leadInvestors")
            await checks.check_round(db, pk)
        case "Investment":
            if data.consideration:
                await _components(db, pk, data.consideration)
            await checks.check_investment(db, pk)
        case "ConsiderationComponent":
            await checks.check_investment(db, await links.investment_of_component(db, pk))
        case "Event":
            await _participants(db, pk, data.participants or [])
            await _event_people(db, pk, data.people or [])
        case "Product":
            await _alternatives(db, pk, data.alternative_to or [])
        case "Claim":
            type_name, subject = await resolve_id(
                db, "subject", data.subject, list(CLAIM_SUBJECT_COLUMNS)
            )
            column = CLAIM_SUBJECT_COLUMNS[type_name]
            await links.add_claim_subject(db, pk, column, subject)


async def _extra_columns(spec: EntitySpec, db: Db, columns: dict[str, Any]) -> None:
    if spec.type_name == "Investment":
        checks.one_investor(columns)
    if spec.type_name == "ConsiderationComponent" and "investment_id" in columns:
        columns["position"] = await links.next_position(db, columns["investment_id"])


async def _after_update(spec: EntitySpec, db: Db, pk: int, data: Any) -> None:
    match spec.type_name:
        case "FundingRound":
            if data.lead_investors is not UNSET and data.lead_investors is not None:
                await checks.set_leads(
                    db, pk, await _lead_ids(db, data.lead_investors), "leadInvestors"
                )
            await checks.check_round(db, pk)
        case "Investment":
            if data.consideration is not UNSET:
                await retire_where(db, SPECS["ConsiderationComponent"].table, {"investment_id": pk})
                await _components(db, pk, data.consideration or [])
            await checks.check_investment(db, pk)
        case "ConsiderationComponent":
            await _after_create(spec, db, pk, data)
        case "Event":
            if data.participants is not UNSET:
                await _participants(db, pk, data.participants or [])
            if data.people is not UNSET:
                await _event_people(db, pk, data.people or [])
        case "Product":
            if data.alternative_to is not UNSET:
                await _alternatives(db, pk, data.alternative_to or [])


async def _after_retire(spec: EntitySpec, db: Db, pk: int) -> None:
    if spec.type_name == "ConsiderationComponent":
        await checks.check_investment(db, await links.investment_of_component(db, pk))


# -- generated types and resolvers ------------------------------------------------------------


def _payload(spec: EntitySpec) -> type:
    node_type = _node_class(spec)
    namespace: dict[str, Any] = {
        "__annotations__": {spec.noun: node_type | None, "user_errors": list[UserError]},
        spec.noun: strawberry.field(
            description=f"The {spec.type_name} as written; null if the mutation wrote nothing."
        ),
        "user_errors": strawberry.field(description="Why nothing was written; empty on success."),
        "__module__": __name__,
    }
    cls = type(f"{spec.type_name}Payload", (), namespace)
    return strawberry.type(
        cls, description=f"The result of creating or updating a {spec.type_name}."
    )


def _node_class(spec: EntitySpec) -> type:
    node: type = object_class(spec.id_type)
    return node


def _update_input(spec: EntitySpec, create_input: type) -> type:
    """The create input's fields, all optional and left unchanged when not given, plus the
    record's ID and the version the change applies to."""
    definition = get_object_definition(create_input, strict=True)
    hints = typing.get_type_hints(create_input)
    annotations: dict[str, Any] = {"id": strawberry.ID, "expected_version": int}
    namespace: dict[str, Any] = {
        "id": strawberry.field(description=f"ID of the {spec.type_name} to change."),
        "expected_version": strawberry.field(
            description="The version you read; if the record changed since, nothing is written "
            "and the error is STALE_VERSION."
        ),
    }
    skip = {"investments"} | spec.fixed
    for field in definition.fields:
        if field.python_name in skip:
            continue
        annotations[field.python_name] = hints[field.python_name] | None
        namespace[field.python_name] = strawberry.field(
            default=UNSET, description=f"{field.description} Leave out to keep; null to clear."
        )
    namespace["__annotations__"] = annotations
    namespace["__module__"] = __name__
    cls = type(f"{spec.type_name}UpdateInput", (), namespace)
    return strawberry.input(
        cls, description=f"Changes to a {spec.type_name}: only the fields given are changed."
    )


CREATE_INPUTS: dict[str, type] = {
    "Organization": mi.OrganizationCreateInput,
    "OrganizationName": mi.OrganizationNameCreateInput,
    "Person": mi.PersonCreateInput,
    "PersonRole": mi.PersonRoleCreateInput,
    "Product": mi.ProductCreateInput,
    "FundingRound": mi.FundingRoundCreateInput,
    "Investment": mi.InvestmentCreateInput,
    "ConsiderationComponent": mi.ConsiderationComponentCreateInput,
    "CreditType": mi.CreditTypeCreateInput,
    "CreditProgram": mi.CreditProgramCreateInput,
    "Relationship": mi.RelationshipCreateInput,
    "ComputeAsset": mi.ComputeAssetCreateInput,
    "Event": mi.EventCreateInput,
    "Source": mi.SourceCreateInput,
    "Claim": mi.ClaimCreateInput,
    "Acquisition": di.AcquisitionCreateInput,
    "AcquisitionComponent": di.AcquisitionComponentCreateInput,
    "Listing": di.ListingCreateInput,
    "Valuation": di.ValuationCreateInput,
    "Fund": di.FundCreateInput,
    "FundCommitment": di.FundCommitmentCreateInput,
    "FundInvestment": di.FundInvestmentCreateInput,
    "Exit": di.ExitCreateInput,
    "InvestmentPerson": di.InvestmentPersonCreateInput,
}


def _fields_for(spec: EntitySpec) -> dict[str, Any]:
    payload = _payload(spec)
    create_input = CREATE_INPUTS[spec.type_name]
    update_input = _update_input(spec, create_input)

    async def respond(info: Info, result: int | list[UserError]) -> Any:
        if isinstance(result, list):
            return payload(**{spec.noun: None, "user_errors": result})
        node = await load_node_by_pk(info.context, spec.table.name, result)
        return payload(**{spec.noun: node, "user_errors": []})

    async def create_resolver(info: Info, input: Any) -> Any:
        async def work(db: Db) -> int:
            columns = await to_columns(db, spec, _given(spec, input, update=False))
            await _extra_columns(spec, db, columns)
            pk = await create(db, spec, columns)
            await _after_create(spec, db, pk, input)
            return pk

        return await respond(info, await _in_savepoint(info, work))

    async def update_resolver(info: Info, input: Any) -> Any:
        async def work(db: Db) -> int:
            pk = _pk(input.id, spec.id_type)
            columns = await to_columns(db, spec, _given(spec, input, update=True))
            await update_row(db, spec, pk, input.expected_version, columns)
            await _after_update(spec, db, pk, input)
            return pk

        return await respond(info, await _in_savepoint(info, work))

    async def retire_resolver(info: Info, input: RetireInput) -> RetirePayload:
        async def work(db: Db) -> int:
            pk = _pk(input.id, spec.id_type)
            version = await retire_row(db, spec, pk, input.expected_version)
            await _after_retire(spec, db, pk)
            return version

        result = await _in_savepoint(info, work)
        if isinstance(result, list):
            return RetirePayload(retired_id=None, version=None, user_errors=result)
        return RetirePayload(retired_id=input.id, version=result, user_errors=[])

    create_resolver.__annotations__ = {"info": Info, "input": create_input, "return": payload}
    update_resolver.__annotations__ = {"info": Info, "input": update_input, "return": payload}
    retire_resolver.__annotations__ = {"info": Info, "input": RetireInput, "return": RetirePayload}
    article = "an" if spec.type_name[0] in "AEIOU" else "a"
    return {
        f"{spec.noun}_create": strawberry.mutation(
            resolver=create_resolver,
            name=f"{spec.noun}Create",
            description=f"Creates {article} {spec.type_name}. Needs a `write` key.",
        ),
        f"{spec.noun}_update": strawberry.mutation(
            resolver=update_resolver,
            name=f"{spec.noun}Update",
            description=f"Changes {article} {spec.type_name} at `expectedVersion`; its previous "
            "version stays in its history. Needs a `write` key.",
        ),
        f"{spec.noun}_retire": strawberry.mutation(
            resolver=retire_resolver,
            name=f"{spec.noun}Retire",
            description=f"Retires {article} {spec.type_name}: normal reads no longer show it; "
            "`asOf` reads before now and its history still do. Needs a `write` key.",
        ),
    }


# -- merges and keys ----------------------------------------------------------------------------


@strawberry.input(
    description="Two organizations that are one: the duplicate goes into the survivor."
)
class OrganizationMergeInput:
    survivor: strawberry.ID = strawberry.field(description="ID of the organization that stays.")
    merged: strawberry.ID = strawberry.field(
        description="ID of the duplicate: its references move to the survivor and it is retired."
    )


@strawberry.type(description="The result of merging or un-merging organizations.")
class OrganizationMergePayload:
    merge_id: strawberry.ID | None = strawberry.field(
        description="ID of the recorded merge; pass it to `organizationMergeUndo`."
    )
    survivor: Organization | None = strawberry.field(description="The organization that stays.")
    merged_id: strawberry.ID | None = strawberry.field(description="ID of the duplicate.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was written.")


@strawberry.input(description="A merge to revert.")
class OrganizationMergeUndoInput:
    merge_id: strawberry.ID = strawberry.field(description="The `mergeId` of the merge.")


@strawberry.enum(description="What an API key may do; each scope includes the ones before it.")
class ApiKeyScope(Enum):
    READ = "read"
    WRITE = "write"
    ADMIN = "admin"


@strawberry.type(description="An API key, without its secret.")
class ApiKey:
    id: strawberry.ID = strawberry.field(description="The key's ID.")
    name: str = strawberry.field(description="What the key is for.")
    prefix: str = strawberry.field(description="The non-secret part of the key, after `sg_`.")
    scope: ApiKeyScope = strawberry.field(description="What it may do.")
    created_at: dt.datetime = strawberry.field(description="When it was created.")
    revoked_at: dt.datetime | None = strawberry.field(description="When it was revoked.")

    @staticmethod
    def of(info: api_keys.KeyInfo) -> ApiKey:
        return ApiKey(
            id=strawberry.ID(encode_id("ApiKey", info.id)),
            name=info.name,
            prefix=info.prefix,
            scope=ApiKeyScope(info.scope.value),
            created_at=info.created_at,
            revoked_at=info.revoked_at,
        )


@strawberry.input(description="A new API key.")
class ApiKeyCreateInput:
    name: str = strawberry.field(description="What the key is for, e.g. `deal-desk pipeline`.")
    scope: ApiKeyScope = strawberry.field(description="What it may do.")


@strawberry.type(description="A new API key and its secret, shown this once.")
class ApiKeyCreatePayload:
    api_key: ApiKey | None = strawberry.field(description="The key.")
    secret: str | None = strawberry.field(
        description="The key to send as `Authorization: Bearer <secret>`; only a salted hash is "
        "stored, so it cannot be shown again."
    )
    user_errors: list[UserError] = strawberry.field(description="Why no key was created.")


@strawberry.input(description="An API key to revoke.")
class ApiKeyRevokeInput:
    id: strawberry.ID = strawberry.field(description="The key's ID.")


@strawberry.type(description="The result of revoking an API key.")
class ApiKeyRevokePayload:
    api_key: ApiKey | None = strawberry.field(description="The revoked key.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was revoked.")


class _DbConnection:
    """The request's write transaction, offered to the key functions as a connection."""

    def __init__(self, db: Db) -> None:
        self.db = db

    async def fetchrow(self, sql: str, *args: Any) -> Any:
        rows = await self.db.fetch_sql(sql, args)
        return rows[0] if rows else None

    async def fetch(self, sql: str, *args: Any) -> Any:
        return await self.db.fetch_sql(sql, args)


@strawberry.type(description="The mutations that are not one entity's create, update or retire.")
class BaseMutation:
    @strawberry.mutation(
        description="Merges a duplicate organization into a survivor: every reference moves to "
        "the survivor (rows the survivor already has are retired as duplicates), the duplicate "
        "is retired, and the merge is recorded so that `organizationMergeUndo` can revert it."
    )
    async def organization_merge(
        self, info: Info, input: OrganizationMergeInput
    ) -> OrganizationMergePayload:
        async def work(db: Db) -> tuple[int, int, int]:
            survivor = _pk(input.survivor, "Organization", "survivor")
            merged = _pk(input.merged, "Organization", "merged")
            merge_id = await merge.merge(db, survivor, merged, info.context.principal.key_id)
            return merge_id, survivor, merged

        result = await _in_savepoint(info, work)
        if isinstance(result, list):
            return OrganizationMergePayload(
                merge_id=None, survivor=None, merged_id=None, user_errors=result
            )
        merge_id, survivor, _ = result
        node = await load_node_by_pk(info.context, "organization", survivor)
        assert isinstance(node, Organization)
        return OrganizationMergePayload(
            merge_id=strawberry.ID(encode_id("OrganizationMerge", merge_id)),
            survivor=node,
            merged_id=input.merged,
            user_errors=[],
        )

    @strawberry.mutation(
        description="Reverts a merge: the duplicate is live again with every reference it had."
    )
    async def organization_merge_undo(
        self, info: Info, input: OrganizationMergeUndoInput
    ) -> OrganizationMergePayload:
        async def work(db: Db) -> tuple[int, int]:
            return await merge.undo(db, _pk(input.merge_id, "OrganizationMerge"))

        result = await _in_savepoint(info, work)
        if isinstance(result, list):
            return OrganizationMergePayload(
                merge_id=None, survivor=None, merged_id=None, user_errors=result
            )
        survivor, merged = result
        node = await load_node_by_pk(info.context, "organization", survivor)
        assert isinstance(node, Organization)
        return OrganizationMergePayload(
            merge_id=input.merge_id,
            survivor=node,
            merged_id=strawberry.ID(encode_id("Organization", merged)),
            user_errors=[],
        )

    @strawberry.mutation(
        description="Creates an API key; its secret is in the payload, once. Needs an `admin` key."
    )
    async def api_key_create(self, info: Info, input: ApiKeyCreateInput) -> ApiKeyCreatePayload:
        async def work(db: Db) -> tuple[api_keys.KeyInfo, str]:
            if not input.name.strip():
                raise reject("name", INVALID, "A key needs a name.")
            return await api_keys.create_key(
                _DbConnection(db), input.name, Scope(input.scope.value)
            )

        result = await _in_savepoint(info, work)
        if isinstance(result, list):
            return ApiKeyCreatePayload(api_key=None, secret=None, user_errors=result)
        made, secret = result
        return ApiKeyCreatePayload(api_key=ApiKey.of(made), secret=secret, user_errors=[])

    @strawberry.mutation(description="Revokes an API key at once. Needs an `admin` key.")
    async def api_key_revoke(self, info: Info, input: ApiKeyRevokeInput) -> ApiKeyRevokePayload:
        async def work(db: Db) -> api_keys.KeyInfo:
            pk = _pk(input.id, "ApiKey")
            revoked = await api_keys.revoke_key(_DbConnection(db), str(pk))
            if revoked is None:
                raise reject("id", NOT_FOUND, "No API key has this ID.")
            return revoked

        result = await _in_savepoint(info, work)
        if isinstance(result, list):
            return ApiKeyRevokePayload(api_key=None, user_errors=result)
        return ApiKeyRevokePayload(api_key=ApiKey.of(result), user_errors=[])


def _build() -> type:
    fields: dict[str, Any] = {}
    for spec in SPECS.values():
        fields.update(_fields_for(spec))
    cls = type("Mutation", (BaseMutation,), {**fields, "__module__": __name__})
    return strawberry.type(
        cls,
        description="Changes to the graph. Every mutation needs an API key with the `write` "
        "scope (key management: `admin`); each runs in one transaction and writes nothing when "
        "it returns `userErrors`.",
    )


Mutation = _build()
