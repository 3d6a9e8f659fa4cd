"""Base class and registry of event payloads.

Every event is one past-tense fact, named `talent.<service>.<subject>.<action>.v<major>`,
published on the topic `talent.<service>.v<major>`. Payloads are frozen and
self-contained: a consumer never has to call the publisher back to understand one.
Within a major version only additive changes are allowed (new optional fields).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

_EVENT_TYPE = re.compile(r"^talent\.(?P<service>[a-z]+)\.[a-z_]+\.[a-z_]+\.v(?P<major>\d+)$")


class EventPayload(BaseModel):
    """Data of one event. Subclasses set `event_type` and the aggregate id field."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str]
    # Name of the field whose value is the Kafka key, so one aggregate's events stay in order.
    key_field: ClassVar[str] = "employee_id"

    def key(self) -> str:
        return str(getattr(self, self.key_field))


EVENT_TYPES: dict[str, type[EventPayload]] = {}

P = TypeVar("P", bound=EventPayload)


def event(event_type: str, *, key_field: str = "employee_id") -> Callable[[type[P]], type[P]]:
    """Class decorator that names a payload's event type and registers it."""
    match = _EVENT_TYPE.match(event_type)
    if match is None:
        raise ValueError(
            f"event type {event_type!r} does not follow talent.<svc>.<subject>.<action>.v<n>"
        )

    def register(cls: type[P]) -> type[P]:
        if event_type in EVENT_TYPES:
            raise ValueError(f"event type {event_type!r} registered twice")
        cls.event_type = event_type
        cls.key_field = key_field
        EVENT_TYPES[event_type] = cls
        return cls

    return register


def topic_for(event_type: str, *, prefix: str = "") -> str:
    """The topic an event type is published on: one per service and major version."""
    match = _EVENT_TYPE.match(event_type)
    if match is None:
        raise ValueError(f"unknown event type format {event_type!r}")
    return f"{prefix}talent.{match['service']}.v{match['major']}"


def service_topic(service: str, *, major: int = 1, prefix: str = "") -> str:
    return f"{prefix}talent.{service}.v{major}"


def dlq_topic(topic: str) -> str:
    return f"{topic}.dlq"


def parse_payload(event_type: str, data: bytes | str | dict[str, object]) -> EventPayload:
    """Parse an event's data into its registered payload class.

    Raises KeyError for an unknown event type and pydantic.ValidationError for bad data.
    """
    cls = EVENT_TYPES[event_type]
    if isinstance(data, dict):
        return cls.model_validate(data)
    return cls.model_validate_json(data)
