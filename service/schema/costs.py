"""What a field costs in the query limits' node count, declared beside the field.

Connections need no declaration: they count their page size (``first``/``last`` or the
default) times the page sizes above them, as GitHub counts. Every other field that returns
many things, or does much work for one answer, declares its ``FieldCost`` in its strawberry
``metadata``; fields without one count nothing of their own (root fields count at least one).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

COST = "cost"

Arguments = Mapping[str, Any]


@dataclass(frozen=True)
class FieldCost:
    """``weight`` nodes per item the field returns; ``items`` says how many it may return: the
    value of an integer argument (``first``), the length of a list argument (``ids``), or a
    function of the arguments, with ``default_items`` when the argument is not given. Fields
    below it are counted once per item."""

    weight: int = 1
    items: str | Callable[[Arguments], int] | None = None
    default_items: int = 1

    def count(self, arguments: Arguments) -> int:
        if self.items is None:
            return 1
        if callable(self.items):
            return max(1, self.items(arguments))
        value = arguments.get(self.items)
        if isinstance(value, bool) or value is None:
            return self.default_items
        if isinstance(value, int):
            return max(1, value)
        if isinstance(value, list):
            return max(1, len(value))
        return self.default_items


def cost(
    weight: int = 1,
    items: str | Callable[[Arguments], int] | None = None,
    default_items: int = 1,
) -> dict[str, Any]:
    """The ``metadata`` of a strawberry field that declares its cost."""
    return {COST: FieldCost(weight, items, default_items)}
