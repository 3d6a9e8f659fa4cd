"""CloudEvents 1.0 over Kafka in binary content mode: the one place that encodes and decodes.

Headers `ce_specversion`, `ce_id`, `ce_source`, `ce_type`, `ce_time`, `ce_subject` and
`content-type: application/json`; the value is the JSON `data`; the key is the aggregate
id. kafka-python refuses a header whose value is None, so absent attributes are omitted.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from talent_contracts import EventPayload

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"
# Headers this module writes beyond the CloudEvents ones.
TRACEPARENT = "traceparent"


class EnvelopeError(ValueError):
    """A Kafka record that is not a valid CloudEvent in binary mode."""


@dataclass(frozen=True)
class Envelope:
    id: str
    source: str
    type: str
    time: dt.datetime
    subject: str | None
    data: bytes
    extra_headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_payload(
        cls, payload: EventPayload, *, service: str, event_id: uuid.UUID | None = None
    ) -> Envelope:
        return cls(
            id=str(event_id or uuid.uuid4()),
            source=f"/talent/{service}",
            type=payload.event_type,
            time=dt.datetime.now(dt.UTC),
            subject=payload.key(),
            data=payload.model_dump_json().encode(),
        )


@dataclass(frozen=True)
class KafkaRecord:
    key: bytes | None
    value: bytes
    headers: list[tuple[str, bytes]]


def format_time(time: dt.datetime) -> str:
    if time.tzinfo is None:
        raise EnvelopeError("ce_time must be timezone-aware")
    return time.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def encode(envelope: Envelope, *, key: str | None = None) -> KafkaRecord:
    headers: list[tuple[str, bytes]] = [
        ("ce_specversion", SPEC_VERSION.encode()),
        ("ce_id", envelope.id.encode()),
        ("ce_source", envelope.source.encode()),
        ("ce_type", envelope.type.encode()),
        ("ce_time", format_time(envelope.time).encode()),
    ]
    if envelope.subject is not None:
        headers.append(("ce_subject", envelope.subject.encode()))
    headers.append(("content-type", CONTENT_TYPE.encode()))
    headers.extend((name, value.encode()) for name, value in envelope.extra_headers.items())
    record_key = key if key is not None else envelope.subject
    return KafkaRecord(
        key=record_key.encode() if record_key is not None else None,
        value=envelope.data,
        headers=headers,
    )


def decode(value: bytes | None, headers: list[tuple[str, bytes | None]]) -> Envelope:
    found: dict[str, str] = {}
    for name, raw in headers:
        if raw is None:
            continue
        try:
            found[name.lower()] = raw.decode()
        except UnicodeDecodeError as exc:
            raise EnvelopeError(f"header {name} is not UTF-8") from exc
    for required in ("ce_specversion", "ce_id", "ce_source", "ce_type"):
        if not found.get(required):
            raise EnvelopeError(f"missing header {required}")
    if found["ce_specversion"] != SPEC_VERSION:
        raise EnvelopeError(f"unsupported ce_specversion {found['ce_specversion']!r}")
    content_type = found.get("content-type", CONTENT_TYPE)
    if not content_type.startswith(CONTENT_TYPE):
        raise EnvelopeError(f"unsupported content-type {content_type!r}")
    if value is None:
        raise EnvelopeError("record has no value")
    time_text = found.get("ce_time")
    try:
        time = (
            dt.datetime.fromisoformat(time_text.replace("Z", "+00:00"))
            if time_text
            else dt.datetime.now(dt.UTC)
        )
    except ValueError as exc:
        raise EnvelopeError(f"bad ce_time {time_text!r}") from exc
    known = {
        "ce_specversion",
        "ce_id",
        "ce_source",
        "ce_type",
        "ce_time",
        "ce_subject",
        "content-type",
    }
    return Envelope(
        id=found["ce_id"],
        source=found["ce_source"],
        type=found["ce_type"],
        time=time,
        subject=found.get("ce_subject"),
        data=value,
        extra_headers={k: v for k, v in found.items() if k not in known},
    )
