from __future__ import annotations

from pathlib import Path

from talent_notifier.schema import schema

SDL = Path(__file__).resolve().parents[1] / "schema.graphql"


def test_the_checked_in_sdl_is_what_the_service_serves() -> None:
    # Regenerate with: make schema
    assert SDL.read_text() == schema.as_str() + "\n"
