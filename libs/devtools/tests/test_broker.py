from __future__ import annotations

import socket
import time
import uuid
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer

from talent_devtools.broker import (
    TANSU_FAST_CONSUMER,
    BrokerError,
    TansuBroker,
    broker_command,
    create_topics,
    wait_until_ready,
)


def list_topics(bootstrap_servers: str) -> list[str]:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers)
    try:
        topics: list[str] = admin.list_topics()
    finally:
        admin.close()
    return topics


def consume_one(
    bootstrap_servers: str, topic: str, *, timeout: float = 20.0
) -> tuple[bytes, bytes]:
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        group_id=f"test-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        **TANSU_FAST_CONSUMER,
    )
    consumer.subscribe([topic])
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                for record in records:
                    return record.key, record.value
    finally:
        consumer.close()
    raise AssertionError(f"no message on {topic} within {timeout} s")


def test_broker_command_listens_and_advertises_on_loopback() -> None:
    command = broker_command(19092)

    assert command[1:] == [
        "broker",
        "--listener-url",
        "tcp://127.0.0.1:19092",
        "--advertised-listener-url",
        "tcp://127.0.0.1:19092",
        "--storage-engine",
        "memory://tansu/",
    ]
    assert Path(command[0]).is_file()


def test_produces_and_consumes_a_message(tmp_path: Path) -> None:
    with TansuBroker(log_path=tmp_path / "tansu.log") as broker:
        create_topics(broker.bootstrap_servers, ["orders.created"])
        producer = KafkaProducer(bootstrap_servers=broker.bootstrap_servers)
        producer.send("orders.created", key=b"order-1", value=b'{"total": 3}').get(timeout=10)
        producer.close()

        assert consume_one(broker.bootstrap_servers, "orders.created") == (
            b"order-1",
            b'{"total": 3}',
        )
    assert "listening on: tcp://127.0.0.1" in (tmp_path / "tansu.log").read_text()


def test_create_topics_leaves_existing_topics_alone() -> None:
    with TansuBroker() as broker:
        create_topics(broker.bootstrap_servers, ["a"])
        create_topics(broker.bootstrap_servers, ["a", "b"], partitions=3)
        create_topics(broker.bootstrap_servers, [])

        assert {"a", "b"} <= set(list_topics(broker.bootstrap_servers))


def test_restart_keeps_the_port_and_loses_the_topics() -> None:
    with TansuBroker() as broker:
        port = broker.port
        create_topics(broker.bootstrap_servers, ["before.restart"])
        assert "before.restart" in list_topics(broker.bootstrap_servers)

        broker.restart()

        assert broker.port == port
        assert broker.is_running()
        assert "before.restart" not in list_topics(broker.bootstrap_servers)
        create_topics(broker.bootstrap_servers, ["after.restart"])
        assert "after.restart" in list_topics(broker.bootstrap_servers)


def test_stop_closes_the_port() -> None:
    broker = TansuBroker()
    broker.start()
    broker.stop()
    broker.stop()  # already stopped: nothing happens

    assert not broker.is_running()
    with pytest.raises(BrokerError, match="no Kafka broker"):
        wait_until_ready(broker.bootstrap_servers, timeout=0.2)


def test_refuses_a_port_in_use() -> None:
    with socket.socket() as occupant:
        occupant.bind(("127.0.0.1", 0))
        occupant.listen()
        broker = TansuBroker(port=occupant.getsockname()[1])

        with pytest.raises(BrokerError, match="already in use"):
            broker.start()
