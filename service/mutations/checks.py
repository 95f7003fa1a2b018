"""Cross-record invariants, checked after a mutation's writes and before its savepoint ends, so
that a violation rolls everything back and comes back as user errors."""

from __future__ import annotations

from decimal import Decimal

from service.mutations.writes import Rejected, UserError
from service.repository.db import Db

NOT_A_WHOLE = "SHARES_CANNOT_MAKE_A_WHOLE"
EXCEEDS_AMOUNT = "COMPONENTS_EXCEED_AMOUNT"
LEAD_NOT_INVESTOR = "LEAD_NOT_AN_INVESTOR"


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


async def set_leads(db: Db, round_id: int, lead_ids: list[int], field: str) -> None:
    """Makes exactly ``lead_ids`` the round's leads; each must be one of its investors."""
    rows = await db.fetch_sql(
        "SELECT investor_id FROM public.investment WHERE round_id = $1 AND retired_at IS NULL",
        [round_id],
    )
    investors = {r["investor_id"] for r in rows}
    strangers = [i for i in lead_ids if i not in investors]
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
    await db.fetch_sql(
        "UPDATE public.investment SET is_lead = (investor_id = ANY($2::bigint[])),"
        " updated_at = now()"
        " WHERE round_id = $1 AND retired_at IS NULL"
        " AND is_lead IS DISTINCT FROM (investor_id = ANY($2::bigint[]))",
        [round_id, lead_ids],
    )
