"""A least-recently-used cache bounded by the total weight (estimated bytes) of its entries.

Bounding entries alone lets a few huge documents hold memory for good; every cache of request
input here weighs its entries and is keyed by a digest, never by the client's text itself.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def digest(text: str) -> bytes:
    """A fixed-size key for a client's text (documents, operation names)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


class WeightedLru(Generic[K, V]):
    """Keeps entries while their weights sum to at most ``max_weight``; an entry heavier than
    that alone is not kept at all."""

    def __init__(self, max_weight: int, max_entries: int | None = None) -> None:
        self.max_weight = max_weight
        self.max_entries = max_entries
        self.weight = 0
        self._items: OrderedDict[K, tuple[V, int]] = OrderedDict()

    def get(self, key: K) -> tuple[bool, V | None]:
        found = self._items.get(key)
        if found is None:
            return False, None
        self._items.move_to_end(key)
        return True, found[0]

    def put(self, key: K, value: V, weight: int) -> None:
        old = self._items.pop(key, None)
        if old is not None:
            self.weight -= old[1]
        if weight > self.max_weight:
            return
        self._items[key] = (value, weight)
        self.weight += weight
        while self.weight > self.max_weight or (
            self.max_entries is not None and len(self._items) > self.max_entries
        ):
            _, (_, dropped) = self._items.popitem(last=False)
            self.weight -= dropped

    def __len__(self) -> int:
        return len(self._items)
