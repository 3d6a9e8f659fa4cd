"""Typed event payloads, event type names and topic names shared by every Talent service."""

from talent_contracts import (
    learning,
    notifier,
    people,
    performance,
    recommender,
    succession,
)
from talent_contracts.base import (
    EVENT_TYPES,
    EventPayload,
    dlq_topic,
    event,
    parse_payload,
    service_topic,
    topic_for,
)

__all__ = [
    "EVENT_TYPES",
    "EventPayload",
    "dlq_topic",
    "event",
    "learning",
    "notifier",
    "parse_payload",
    "people",
    "performance",
    "recommender",
    "service_topic",
    "succession",
    "topic_for",
]
