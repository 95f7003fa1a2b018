"""Every object type of the read API, by GraphQL name, once all type modules are loaded.

Type modules register their classes with ``mapped.reads`` as they are imported; code that
looks a class up by name (mutation payloads, global IDs) imports this module so that the
registry is complete whatever was imported first.
"""

from __future__ import annotations

from typing import Any

from service.schema import (  # noqa: F401  (imported for their registrations)
    acquisitions,
    compute,
    credits,
    deal_people,
    events,
    exits,
    funds,
    listings,
    organizations,
    people,
    products,
    relationships,
    rounds,
    sources,
    valuations,
)
from service.schema.mapped import CLASSES


def object_class(type_name: str) -> Any:
    """The strawberry class of ``type_name``'s rows."""
    return CLASSES[type_name]
