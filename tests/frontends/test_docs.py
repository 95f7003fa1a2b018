"""docs/frontends.md lists every top-level ``extensions.code`` and every ``UserErrorCode``."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

from service.auth import keys
from service.gateway import errors, execute
from service.mutations import idempotency
from service.schema import errors as schema_errors
from service.schema.user_error_codes import UserErrorCode

DOC = Path(__file__).resolve().parents[2] / "docs" / "frontends.md"
MODULES: tuple[ModuleType, ...] = (errors, execute, keys, idempotency, schema_errors)


def _codes(module: ModuleType) -> set[str]:
    return {
        value
        for name, value in vars(module).items()
        if name.isupper() and isinstance(value, str) and re.fullmatch(r"[A-Z][A-Z_]+", value)
    }


def test_every_error_code_is_documented() -> None:
    listed = set(re.findall(r"`([A-Z][A-Z_]+)`", DOC.read_text(encoding="utf-8")))
    codes = set().union(*map(_codes, MODULES)) | {code.name for code in UserErrorCode}
    assert codes - listed == set()
