"""The read model is the one description of every field: each column an entity's SELECT reads
is named by exactly one declaration (or listed below with why it is not shown), and every
field's declared weight reaches the query limits."""

from __future__ import annotations

from collections import Counter

from graphql import GraphQLObjectType

from service.repository import readmodel as m
from service.repository.registry import TYPE_MAPS
from service.schema import build_schema
from service.schema.costs import COST, FieldCost

# Columns every versioned table has for bookkeeping, not shown by the read API.
BOOKKEEPING = {"created_at", "updated_at", "recorded_by", "retired_at"}
# Columns read but not shown, by type, each with why.
NOT_SHOWN: dict[str, set[str]] = {
    # Natural keys that imports and merges match on; clients use the global ID.
    **{t: {"key"} for t in ("PersonRole", "Relationship")},
    **{t: {"key"} for t in ("ComputeAsset", "Claim", "ConsiderationComponent")},
    # Normalised forms that search and the name filters match on.
    "Name": {"normalized"},
    "Person": {"name_normalized", "native_name_normalized"},
    "Product": {"name_normalized"},
    "Fund": {"name_normalized"},
    # The date undated records sort on; the consideration kinds the kind filter matches
    # (kept by triggers from the components, which are shown).
    "FundingRound": {"key", "sort_on", "consideration_kinds"},
    "Investment": {"key", "consideration_kinds"},
    "Event": {"sort_on"},
    # The records of an investment's life: natural keys, and the date undated ones sort on.
    "Acquisition": {"key", "sort_on"},
    "AcquisitionComponent": {"key"},
    "Listing": {"key", "sort_on"},
    "Valuation": {"key", "sort_on"},
    "FundCommitment": {"key"},
    "Exit": {"key", "sort_on"},
    "InvestmentPerson": {"key"},
    # The summary's join key, and the date organizations without a dated round sort on.
    "Organization": {"organization_id", "last_round_sort"},
    # Link rows shown inside their parent, without versions of their own in the API.
    "ProductAlternative": {"version", "recorded_at"},
    "EventParticipant": {"version", "recorded_at"},
    "EventPerson": {"version", "recorded_at"},
}


def _named(declared: m.Field) -> list[str]:
    """The columns of its own row a declaration reads."""
    match declared:
        case m.Value() | m.Decimal() | m.Timestamp() | m.ToOne():
            return [declared.column]
        case m.PartialDate():
            return [f"{declared.prefix}_on", f"{declared.prefix}_precision"]
        case m.Share():
            return [f"{declared.prefix}_min", f"{declared.prefix}_max"]
        case m.UsdRange():
            return [f"{declared.prefix}_{p}" for p in ("min", "max", "estimated")]
        case m.Money():
            parts = ("amount", "currency", "estimated")
            return [f"{declared.prefix}_{p}" for p in parts] + [declared.dated_by]
    return []


def _parent_links() -> dict[str, Counter[str]]:
    """Columns of a child type named by its parent's list declarations (the link and order)."""
    named: dict[str, Counter[str]] = {name: Counter() for name in TYPE_MAPS}
    for type_map in TYPE_MAPS.values():
        for declared in type_map.all_fields.values():
            if isinstance(declared, m.Rows):
                named[declared.type_name].update({declared.parent_column, *declared.order})
    return named


def _selected(type_name: str) -> set[str]:
    """What the type's rows hold: its entity's SELECT, and any list's own SELECT of it."""
    selected = {c.name for c in TYPE_MAPS[type_name].entity.base().selected_columns}
    for type_map in TYPE_MAPS.values():
        for declared in type_map.all_fields.values():
            if not isinstance(declared, m.Rows) or declared.type_name != type_name:
                continue
            if declared.select is not None:
                selected |= {c.name for c in declared.select().selected_columns}
    return selected


def test_every_selected_column_is_declared_exactly_once() -> None:
    links = _parent_links()
    checked = 0
    for type_name, type_map in TYPE_MAPS.items():
        selected = _selected(type_name)
        own = Counter(c for d in type_map.all_fields.values() for c in _named(d))
        # A Money's dating column may also be shown on its own (a round's announced date).
        shared = {d.dated_by for d in type_map.all_fields.values() if isinstance(d, m.Money)}
        twice = {c for c, n in own.items() if n > 1 and c not in shared}
        assert twice == set(), f"{type_name}: {sorted(twice)} named by two declarations"
        unknown = set(own) - selected
        assert unknown == set(), f"{type_name}: declarations name unselected {sorted(unknown)}"
        covered = set(own) | set(links[type_name]) | {"id"}
        unshown = selected - covered - BOOKKEEPING - NOT_SHOWN.get(type_name, set())
        assert unshown == set(), f"{type_name}: {sorted(unshown)} read but never shown"
        stale = NOT_SHOWN.get(type_name, set()) & set(own)
        assert stale == set(), f"{type_name}: {sorted(stale)} listed as not shown but declared"
        checked += len(selected)
    assert checked > 200


def test_every_field_weight_reaches_the_query_limits() -> None:
    schema = build_schema()._schema
    checked = 0
    for type_name, type_map in TYPE_MAPS.items():
        gtype = schema.get_type(type_name)
        assert isinstance(gtype, GraphQLObjectType)
        for name, declared in type_map.all_fields.items():
            assert isinstance(declared.weight, int), name
            assert declared.weight >= 0, name
            if isinstance(declared, m.Children):
                continue  # a connection counts its page size
            extensions = gtype.fields[name].extensions or {}
            strawberry_field = extensions.get("strawberry-definition")
            metadata = getattr(strawberry_field, "metadata", None) or {}
            found: FieldCost | None = metadata.get(COST)
            assert (found.weight if found else 0) == declared.weight, f"{type_name}.{name}"
            checked += 1
    assert checked > 150
