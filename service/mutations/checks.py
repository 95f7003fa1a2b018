"""Cross-record invariants, checked after a mutation's writes and before its savepoint ends, so
that a violation rolls everything back and comes back as user errors."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from service.mutations.writes import INVALID, REQUIRED, Rejected, UserError, reject
from service.repository.db import Db

NOT_A_WHOLE = "SHARES_CANNOT_MAKE_A_WHOLE"
EXCEEDS_AMOUNT = "COMPONENTS_EXCEED_AMOUNT"
LEAD_NOT_INVESTOR = "LEAD_NOT_AN_INVESTOR"


def one_investor(columns: Mapping[str, Any], prefix: str = "") -> tuple[str, int]:
    """A new investment's investor, ("Organization" | "Person", id): exactly one of
    ``investor`` and ``investorPerson`` must be given (``prefix`` places the fields in a
    nested input)."""
    organization, person = columns.get("investor_id"), columns.get("investor_person_id")
    if organization is not None and person is not None:
        raise reject(
            f"{prefix}investorPerson",
            INVALID,
            "Both `investor` and `investorPerson` are given: an investment has one investor, "
            "an organization or a person investing as an angel. Give only one.",
        )
    if organization is not None:
        return "Organization", int(organization)
    if person is not None:
        return "Person", int(person)
    raise reject(
        f"{prefix}investor",
        REQUIRED,
        "No investor is given: give `investor` (an organization's ID) or `investorPerson` "
        "(the ID of a person investing as an angel).",
    )


async def check_investment(db: Db, investment_id: int, field: str = "consideration") -> None:
    """An investment's consideration: its share ranges must be able to make a whole (Σmin ≤ 1,
    and Σmax ≥ 1 once every component is given as a share), and its known amounts in the
    investment's currency cannot add up to more than the investment's amount."""
    rows = await db.fetch_sql(
        "SELECT c.share_min, c.share_max, c.value_amount, c.value_currency,"
        " i.committed_amount, i.committed_currency"
        " FROM public.investment i"
        " LEFT JOIN public.consideration_component c"
        "   ON c.investment_id = i.id AND c.retired_at IS NULL"
        " WHERE i.id = $1",
        [investment_id],
    )
    components = [r for r in rows if r["share_min"] is not None or r["value_amount"] is not None]
    errors: list[UserError] = []
    shares = [r for r in components if r["share_min"] is not None]
    low = sum((r["share_min"] for r in shares), Decimal(0))
    high = sum((r["share_max"] for r in shares), Decimal(0))
    if low > 1:
        errors.append(
            UserError(
                field,
                NOT_A_WHOLE,
                f"The components' minimum shares add up to {low}, more than the whole (1).",
            )
        )
    if shares and len(shares) == len(components) and high < 1:
        errors.append(
            UserError(
                field,
                NOT_A_WHOLE,
                f"The components' maximum shares add up to {high}, less than the whole (1); "
                "widen a range or give the rest as another component.",
            )
        )
    if rows and rows[0]["committed_amount"] is not None:
        total, currency = rows[0]["committed_amount"], rows[0]["committed_currency"]
        known = sum(
            (r["value_amount"] for r in components if r["value_currency"] == currency),
            Decimal(0),
        )
        if known > total:
            errors.append(
                UserError(
                    field,
                    EXCEEDS_AMOUNT,
                    f"The components' amounts add up to {known} {currency}, more than the "
                    f"investment's {total} {currency}.",
                )
            )
    if errors:
        raise Rejected(errors)


async def check_round(db: Db, round_id: int) -> None:
    """Every live investment of a round: the consideration rules above."""
    rows = await db.fetch_sql(
        "SELECT id FROM public.investment WHERE round_id = $1 AND retired_at IS NULL",
        [round_id],
    )
    errors: list[UserError] = []
    for row in rows:
        try:
            await check_investment(db, row["id"], "investments")
        except Rejected as exc:
            errors.extend(exc.errors)
    if errors:
        raise Rejected(errors)


async def set_leads(db: Db, round_id: int, leads: list[tuple[str, int]], field: str) -> None:
    """Makes exactly ``leads`` (("Organization" | "Person", id), organizations and angels) the
    round's leads; each must be one of its investors."""
    rows = await db.fetch_sql(
        "SELECT investor_id, investor_person_id FROM public.investment"
        " WHERE round_id = $1 AND retired_at IS NULL",
        [round_id],
    )
    investors = {
        ("Organization", r["investor_id"])
        if r["investor_id"] is not None
        else ("Person", r["investor_person_id"])
        for r in rows
    }
    strangers = [lead for lead in leads if lead not in investors]
    if strangers:
        raise Rejected(
            [
                UserError(
                    field,
                    LEAD_NOT_INVESTOR,
                    f"{len(strangers)} of the lead investors did not invest in the round; a "
                    "round's leads must be among its investors.",
                )
            ]
        )
    organizations = sorted(pk for kind, pk in leads if kind == "Organization")
    people = sorted(pk for kind, pk in leads if kind == "Person")
    # IS TRUE: the other investor column is null, and null OR false is null.
    leading = (
        "((investor_id = ANY($2::bigint[]) OR investor_person_id = ANY($3::bigint[])) IS TRUE)"
    )
    await db.fetch_sql(
        f"UPDATE public.investment SET is_lead = {leading}, updated_at = now()"
        " WHERE round_id = $1 AND retired_at IS NULL"
        f" AND is_lead IS DISTINCT FROM {leading}",
        [round_id, organizations, people],
    )
