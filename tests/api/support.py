"""Shared by the API tests: the client protocol, response helpers and dataset constants."""

from __future__ import annotations

import base64
from collections.abc import Awaitable
from typing import Any, Protocol


class Gql(Protocol):
    """POSTs a GraphQL document (and its variables) to /graphql; returns the decoded JSON body."""

    def __call__(
        self, query: str, variables: dict[str, Any] | None = None
    ) -> Awaitable[dict[str, Any]]: ...


def data_of(body: dict[str, Any]) -> dict[str, Any]:
    """The `data` of a response that must have no errors."""
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


def only_error(body: dict[str, Any]) -> dict[str, Any]:
    """The single error of a response that must have exactly one."""
    errors: list[dict[str, Any]] = body.get("errors") or []
    assert len(errors) == 1, body
    return errors[0]


def error_code(body: dict[str, Any]) -> str:
    code: str = only_error(body)["extensions"]["code"]
    return code


def global_id(type_name: str, pk: int) -> str:
    """An ID as the API issues it; the tests build some to name rows the dataset inserts."""
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


# The article dataset's 23 organizations in the default order (name, byte-wise: the test
# databases are created with the C.UTF-8 collation).
ORGANIZATIONS_BY_NAME = [
    "01-ai",
    "alibaba",
    "alibaba-cloud",
    "amazon",
    "amazon-web-services",
    "bytedance",
    "character-ai",
    "financial-times",
    "forrester",
    "megvii",
    "meituan",
    "microsoft",
    "minimax",
    "moonshot-ai",
    "nvidia",
    "openai",
    "pdd-holdings",
    "sensetime",
    "softbank",
    "tencent",
    "tiger-global",
    "xiaohongshu",
    "zhipu-ai",
]

INVESTORS = {
    "alibaba",
    "amazon",
    "meituan",
    "microsoft",
    "softbank",
    "tencent",
    "tiger-global",
    "xiaohongshu",
}

STARTUPS = {"01-ai", "character-ai", "minimax", "moonshot-ai", "openai", "zhipu-ai"}
