"""The committed SDL is the live schema: regenerate it with `make schema` when this fails."""

from __future__ import annotations

from pathlib import Path

from service.schema.export import sdl

COMMITTED = Path(__file__).resolve().parents[1] / "graphql" / "schema.graphql"


def test_committed_sdl_matches_live_schema() -> None:
    assert COMMITTED.read_text() == sdl(), "graphql/schema.graphql is stale: run `make schema`"
