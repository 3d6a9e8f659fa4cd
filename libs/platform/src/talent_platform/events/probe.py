"""Is a Kafka broker there? One ApiVersions request over a plain socket, no Kafka client:
the readiness probe of the dev stack's broker."""

from __future__ import annotations

import socket
import struct
from typing import Final

_API_VERSIONS_KEY: Final = 18
_PROBE_CORRELATION_ID: Final = 0x7A1E


def broker_answers(host: str, port: int) -> bool:
    """True when the broker at host:port answers an ApiVersions request within a second."""
    client_id = b"talent-probe"
    # Request header v1 (api key, api version 0, correlation id, client id); empty v0 body.
    payload = (
        struct.pack(">hhih", _API_VERSIONS_KEY, 0, _PROBE_CORRELATION_ID, len(client_id))
        + client_id
    )
    try:
        with socket.create_connection((host, port), timeout=1.0) as connection:
            connection.sendall(struct.pack(">i", len(payload)) + payload)
            # Response: size, correlation id, error code.
            header = _receive_exactly(connection, 10)
    except OSError:
        return False
    correlation_id: int
    error_code: int
    _size, correlation_id, error_code = struct.unpack(">iih", header)
    return correlation_id == _PROBE_CORRELATION_ID and error_code == 0


def _receive_exactly(connection: socket.socket, size: int) -> bytes:
    received = b""
    while len(received) < size:
        chunk = connection.recv(size - len(received))
        if not chunk:
            raise ConnectionResetError("connection closed")
        received += chunk
    return received
