"""What kind of change an audit row records, as the feed names it."""

from __future__ import annotations

from enum import StrEnum


class ChangeOperation(StrEnum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    RETIRED = "RETIRED"
    MERGED = "MERGED"
    RESTORED = "RESTORED"
    DELETED = "DELETED"


def operation_of(
    action: str, retired_before: bool, retired_after: bool, merged_into: int | None
) -> ChangeOperation:
    """A retirement is a merge when the same transaction merged the row away (its
    ``organization_merge`` row); a row is made current again by undoing a merge or by linking
    again what was unlinked."""
    if action == "INSERT":
        return ChangeOperation.CREATED
    if action == "DELETE":
        return ChangeOperation.DELETED
    if retired_after and not retired_before:
        return ChangeOperation.MERGED if merged_into is not None else ChangeOperation.RETIRED
    if retired_before and not retired_after:
        return ChangeOperation.RESTORED
    return ChangeOperation.UPDATED
