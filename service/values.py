"""How values leave the service: decimals, dates and USD conversions, formatted in one place."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def format_decimal(value: Decimal) -> str:
    """Plain notation, no exponent, no trailing zeros (PostgreSQL's ``trim_scale(x)::text``)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def to_usd(amount: Decimal, usd_per_unit: Decimal) -> Decimal:
    """USD equivalent to the cent, rounding half away from zero as PostgreSQL's round() does."""
    return (amount * usd_per_unit).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
