"""Plans: one per document, operation and variable shape; values only ever as parameters."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLNonNull, GraphQLObjectType
from sqlalchemy import Case, ScalarSelect

from service.compiler.plan import Compiler
from service.config import Settings
from service.repository import readmodel as m
from service.repository.registry import TYPE_MAPS
from service.schema import build_schema

SCHEMA = build_schema()

BY_SLUG = """query($slug: String!, $first: Int, $after: String, $names: Boolean!) {
  organization(slug: $slug) {
    name
    names @include(if: $names) { value }
    fundingRounds(first: $first, after: $after) { nodes { id } pageInfo { endCursor } }
  }
}"""


def test_values_stay_parameters_and_share_one_plan() -> None:
    compiler = Compiler(SCHEMA, Settings())
    planned = [
        compiler.plan(BY_SLUG, None, {"slug": slug, "first": n, "names": False})
        for slug, n in (("moonshot-ai", 3), ("o'brien; drop table x", 7), ("alibaba", 100))
    ]
    assert len(compiler.plans) == 1
    plans = {id(p[0]) for p in planned if p is not None}
    assert len(plans) == 1
    (plan,) = {p[0] for p in planned if p is not None}
    assert "moonshot" not in plan.sql
    assert "brien" not in plan.sql
    arguments = [p[1] for p in planned if p is not None]
    assert {"moonshot-ai", 3, 4} <= set(arguments[0])
    assert "o'brien; drop table x" in arguments[1]


def test_the_shape_of_the_variables_picks_the_plan() -> None:
    compiler = Compiler(SCHEMA, Settings())
    for names in (True, False):
        for after in (None, "WyJBTk5PVU5DRURfT046RCxJRDpEIiwiMjAyNC0wMi0wMSIsMV0"):
            assert compiler.plan(BY_SLUG, None, {"slug": "x", "names": names, "after": after})
    assert len(compiler.plans) == 4


def test_a_bad_cursor_in_a_variable_falls_back_without_a_new_plan() -> None:
    compiler = Compiler(SCHEMA, Settings())
    assert compiler.plan(BY_SLUG, None, {"slug": "x", "names": True, "after": "WyJ4Il0"}) is None
    good = "WyJBTk5PVU5DRURfT046RCxJRDpEIiwiMjAyNC0wMi0wMSIsMV0"
    assert compiler.plan(BY_SLUG, None, {"slug": "x", "names": True, "after": good})
    assert len(compiler.plans) == 1


def test_out_of_range_page_sizes_fall_back() -> None:
    compiler = Compiler(SCHEMA, Settings())
    assert compiler.plan(BY_SLUG, None, {"slug": "x", "names": True, "first": 0}) is None
    assert compiler.plan(BY_SLUG, None, {"slug": "x", "names": True, "first": 101}) is None
    assert compiler.plan(BY_SLUG, None, {"slug": "x", "names": True, "first": 100})


def test_the_plan_cache_is_bounded() -> None:
    compiler = Compiler(SCHEMA, Settings(), max_plans=2)
    for n in range(1, 6):
        assert compiler.plan(f"{{ organizations(first: {n}) {{ totalCount }} }}", None, {})
    assert len(compiler.plans) == 2


def _nullable(selected: Any) -> bool:
    # Columns joined into an entity's SELECT are labels of the joined table's columns.
    element = getattr(selected, "element", selected)
    if isinstance(element, ScalarSelect):
        # A scalar subquery of an aggregate without GROUP BY always yields its one row: it is
        # as nullable as the expression it selects.
        (inner,) = element.element.selected_columns
        return _nullable(inner)
    if isinstance(element, Case):
        # A CASE of literals (an investment's status) is NULL only without an ELSE.
        return element.else_ is None
    nullable: bool = element.nullable
    return nullable


def test_non_null_fields_come_from_not_null_columns() -> None:
    """Null propagation is the same on both paths only if a non-null field is never NULL."""
    schema = SCHEMA._schema
    checked = 0
    for type_name, type_map in TYPE_MAPS.items():
        gtype = schema.get_type(type_name)
        assert isinstance(gtype, GraphQLObjectType)
        table = type_map.entity.base().selected_columns
        for field_name, declared in type_map.all_fields.items():
            if not isinstance(gtype.fields[field_name].type, GraphQLNonNull):
                continue
            if isinstance(declared, m.Value | m.Decimal | m.Timestamp | m.ToOne):
                if declared.column not in table:
                    continue  # a column of the list's own SELECT (see m.Rows.select)
                assert not _nullable(table[declared.column]), f"{type_name}.{field_name}"
                checked += 1
    assert checked > 40
