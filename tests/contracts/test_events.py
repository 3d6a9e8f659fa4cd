"""Event contracts: names, topics, and payloads that round-trip through the envelope."""

from __future__ import annotations

import re

import pytest

from talent_contracts import EVENT_TYPES, parse_payload, topic_for

# Only the contracts package's own events (tests register throwaway ones).
CONTRACT_EVENTS = sorted(
    t for t, c in EVENT_TYPES.items() if c.__module__.startswith("talent_contracts.")
)
NAME = re.compile(
    r"^talent\.(people|learning|performance|succession|recommender)\.[a-z_]+\.[a-z_]+\.v\d+$"
)


@pytest.mark.parametrize("event_type", CONTRACT_EVENTS)
def test_event_names_follow_the_convention(event_type: str) -> None:
    assert NAME.match(event_type)
    service = event_type.split(".")[1]
    assert topic_for(event_type) == f"talent.{service}.v1"
    payload_class = EVENT_TYPES[event_type]
    assert payload_class.model_config.get("frozen") is True
    assert payload_class.key_field in payload_class.model_fields


@pytest.mark.parametrize("event_type", CONTRACT_EVENTS)
def test_new_optional_fields_are_ignored_by_old_consumers(event_type: str) -> None:
    """Additive changes within a major version: unknown fields must not break parsing."""
    payload_class = EVENT_TYPES[event_type]
    schema = payload_class.model_json_schema()
    assert "additionalProperties" not in schema or schema["additionalProperties"] is not False
    with pytest.raises(Exception, match="validation error"):
        parse_payload(event_type, b'{"unexpected": 1}')
