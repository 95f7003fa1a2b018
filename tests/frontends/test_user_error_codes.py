"""``UserError.code`` is an enum: every code the mutations raise is one of its values, and
every value is described."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from graphql import GraphQLEnumType, GraphQLObjectType

from service.schema import build_schema
from service.schema.user_error_codes import UserErrorCode

SERVICE = Path(__file__).resolve().parents[2] / "service"
# Where user errors are made: reject(field, CODE, message) and UserError(field, CODE, message).
SOURCES = [*sorted((SERVICE / "mutations").glob("*.py")), SERVICE / "schema" / "mutation_fields.py"]


def _raised_codes() -> dict[str, str]:
    """Each code passed to reject() or UserError(), by where it is raised."""
    raised: dict[str, str] = {}
    for path in SOURCES:
        module_name = ".".join(path.relative_to(SERVICE.parent).with_suffix("").parts)
        module = importlib.import_module(module_name)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and len(node.args) >= 2):
                continue
            callee = node.func.id if isinstance(node.func, ast.Name) else None
            if callee not in ("reject", "UserError", "UserErrorValue"):
                continue
            code = node.args[1]
            where = f"{path.name}:{node.lineno}"
            if isinstance(code, ast.Constant) and isinstance(code.value, str):
                raised[where] = code.value
            elif isinstance(code, ast.Name) and code.id.isupper():  # not a parameter
                raised[where] = getattr(module, code.id)
            elif isinstance(code, ast.Attribute) and isinstance(code.value, ast.Name):
                raised[where] = getattr(getattr(module, code.value.id), code.attr)
    return raised


def test_every_code_the_mutations_raise_is_a_value_of_the_enum() -> None:
    raised = _raised_codes()
    assert len(raised) > 20  # the walk found the calls
    # The enum's names are the codes' strings (its values as graphql-core sees them).
    values = {code.name for code in UserErrorCode}
    assert all(str(code.value) == code.name for code in UserErrorCode)
    assert {where: code for where, code in raised.items() if code not in values} == {}
    assert set(raised.values()) == values  # and no value is never raised


def test_the_enum_is_in_the_schema_with_every_value_described() -> None:
    schema = build_schema()._schema
    user_error = schema.get_type("UserError")
    code_type = schema.get_type("UserErrorCode")
    assert isinstance(user_error, GraphQLObjectType)
    assert isinstance(code_type, GraphQLEnumType)
    assert str(user_error.fields["code"].type) == "UserErrorCode!"
    for name, value in code_type.values.items():
        assert value.description, name
