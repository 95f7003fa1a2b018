"""``UserErrorCode``: what a mutation's user error is about, as an enum that generated client
types can narrow on. Its values are the codes service/mutations raises; a code raised there
but missing here fails the schema tests (tests/frontends/test_user_error_codes.py)."""

from __future__ import annotations

from enum import Enum

import strawberry

from service.mutations import checks, merge, writes


@strawberry.enum(description="What went wrong with a mutation's input.")
class UserErrorCode(Enum):
    NOT_FOUND = strawberry.enum_value(
        writes.NOT_FOUND,
        description="An ID names nothing, or nothing live: the record was retired or never "
        "existed.",
    )
    STALE_VERSION = strawberry.enum_value(
        writes.STALE_VERSION,
        description="`expectedVersion` is not the record's current version: someone changed "
        "it since it was read. Read it again and retry.",
    )
    INVALID = strawberry.enum_value(
        writes.INVALID,
        description="A value is out of range or malformed (an amount, a date, a slug, an ID "
        "of the wrong type).",
    )
    REQUIRED = strawberry.enum_value(
        writes.REQUIRED, description="A field that must have a value was given null."
    )
    DUPLICATE = strawberry.enum_value(
        writes.DUPLICATE,
        description="Another live record already has this unique value (a slug, a name).",
    )
    REFERENCED = strawberry.enum_value(
        writes.REFERENCED,
        description="The record cannot be retired while live records refer to it.",
    )
    SHARES_CANNOT_MAKE_A_WHOLE = strawberry.enum_value(
        checks.NOT_A_WHOLE,
        description="A consideration's components' share ranges cannot make a whole: their "
        "minimum shares add up to more than 1, or their maximum shares to less.",
    )
    COMPONENTS_EXCEED_AMOUNT = strawberry.enum_value(
        checks.EXCEEDS_AMOUNT,
        description="An investment's consideration components add up to more than its amount.",
    )
    LEAD_NOT_AN_INVESTOR = strawberry.enum_value(
        checks.LEAD_NOT_INVESTOR,
        description="A round's lead investors must be among its investors.",
    )
    MERGE_CONFLICT = strawberry.enum_value(
        merge.MERGE_CONFLICT,
        description="A merge, or its undoing, collides with other rows (a parent to change "
        "first, rows that cannot be combined): resolve them first.",
    )
    ALREADY_UNDONE = strawberry.enum_value(
        merge.ALREADY_UNDONE, description="The merge was undone already."
    )
