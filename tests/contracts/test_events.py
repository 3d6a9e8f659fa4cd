"""Event contracts: names, topics, and payloads that round-trip through the envelope."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid

import pytest
from pydantic import ValidationError

from talent_contracts import EVENT_TYPES, parse_payload, topic_for
from talent_contracts.people import EmployeeHired, EmployeeSnapshot

# Only the contracts package's own events (tests register throwaway ones).
CONTRACT_EVENTS = sorted(
    t for t, c in EVENT_TYPES.items() if c.__module__.startswith("talent_contracts.")
)
NAME = re.compile(
    r"^talent\.(people|learning|performance|succession|recommender|notifier)"
    r"\.[a-z_]+\.[a-z_]+\.v\d+$"
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
def test_payloads_ignore_fields_they_do_not_know(event_type: str) -> None:
    """Additive changes within a major version: a consumer built against an older payload
    must accept a newer one with extra fields."""
    assert EVENT_TYPES[event_type].model_config.get("extra") == "ignore"


def test_a_newer_payload_with_an_extra_field_still_parses() -> None:
    employee_id = uuid.uuid4()
    snapshot = EmployeeSnapshot(
        employee_id=employee_id,
        employee_number="E1",
        name="Ada",
        email="ada@example.com",
        hire_date=dt.date(2020, 1, 1),
        status="active",
        job_profile_code=None,
        org_unit_code=None,
        location=None,
        manager_id=None,
    )
    newer = EmployeeHired(employee_id=employee_id, employee=snapshot).model_dump(mode="json")
    newer["preferred_name"] = "Ada L."
    parsed = parse_payload("talent.people.employee.hired.v1", json.dumps(newer).encode())
    assert parsed == EmployeeHired(employee_id=employee_id, employee=snapshot)
    with pytest.raises(ValidationError):
        parse_payload("talent.people.employee.hired.v1", b'{"preferred_name": "Ada L."}')
