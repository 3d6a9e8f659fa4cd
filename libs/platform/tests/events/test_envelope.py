"""The envelope module against the CloudEvents SDK's own Kafka binary-mode conversion."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from cloudevents.core.bindings import kafka as ce_kafka
from cloudevents.core.v1.event import CloudEvent

from talent_platform.events.envelope import Envelope, EnvelopeError, decode, encode

from .conftest import WidgetCreated


def test_encoded_record_is_a_cloudevent_for_the_sdk() -> None:
    payload = WidgetCreated(widget_id="w-1", name="Sprocket")
    envelope = Envelope.for_payload(payload, service="platformtest")
    record = encode(envelope)

    message = ce_kafka.KafkaMessage(
        headers=dict(record.headers), key=record.key, value=record.value
    )
    event = ce_kafka.from_binary_event(message)

    assert event.get_specversion() == "1.0"
    assert event.get_id() == envelope.id
    assert event.get_type() == "talent.platformtest.widget.created.v1"
    assert event.get_source() == "/talent/platformtest"
    assert event.get_subject() == "w-1"
    assert event.get_datacontenttype() == "application/json"
    assert event.get_time() == envelope.time
    assert event.get_data() == {"widget_id": "w-1", "name": "Sprocket"}
    assert record.key == b"w-1"


def test_sdk_encoded_record_decodes() -> None:
    sent = CloudEvent(
        attributes={
            "id": "abc-123",
            "type": "talent.platformtest.widget.created.v1",
            "source": "/elsewhere",
            "subject": "w-9",
            "time": dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
            "datacontenttype": "application/json",
        },
        data={"widget_id": "w-9", "name": "Gear"},
    )
    message = ce_kafka.to_binary_event(sent)

    received = decode(message.value, list(message.headers.items()))

    assert received.id == "abc-123"
    assert received.source == "/elsewhere"
    assert received.subject == "w-9"
    assert received.time == dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert json.loads(received.data) == {"widget_id": "w-9", "name": "Gear"}


def test_round_trip_keeps_every_attribute_and_extra_header() -> None:
    envelope = Envelope.for_payload(
        WidgetCreated(widget_id="w-2", name="Cog"), service="platformtest"
    )
    envelope = Envelope(**{**envelope.__dict__, "extra_headers": {"traceparent": "00-abc-def-01"}})
    record = encode(envelope)
    assert decode(record.value, list(record.headers)) == envelope


@pytest.mark.parametrize(
    ("headers", "problem"),
    [
        ([("ce_specversion", b"1.0"), ("ce_source", b"/s"), ("ce_type", b"t")], "ce_id"),
        (
            [("ce_specversion", b"0.3"), ("ce_id", b"1"), ("ce_source", b"/s"), ("ce_type", b"t")],
            "specversion",
        ),
        (
            [
                ("ce_specversion", b"1.0"),
                ("ce_id", b"1"),
                ("ce_source", b"/s"),
                ("ce_type", b"t"),
                ("content-type", b"application/xml"),
            ],
            "content-type",
        ),
    ],
)
def test_invalid_records_are_rejected_with_the_reason(
    headers: list[tuple[str, bytes]], problem: str
) -> None:
    with pytest.raises(EnvelopeError, match=problem):
        decode(b"{}", headers)  # type: ignore[arg-type]


def test_naive_time_is_refused() -> None:
    envelope = Envelope(
        id="1", source="/s", type="t", time=dt.datetime(2026, 1, 1), subject=None, data=b"{}"
    )
    with pytest.raises(EnvelopeError):
        encode(envelope)
