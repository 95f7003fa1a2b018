"""Prints the schema's SDL: ``python -m service.schema.export > graphql/schema.graphql``."""

from __future__ import annotations

from service.schema import build_schema


def sdl() -> str:
    return build_schema().as_str() + "\n"


if __name__ == "__main__":
    print(sdl(), end="")
