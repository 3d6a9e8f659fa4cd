"""Ports for the servers the dev stack and tests start."""

from __future__ import annotations

import socket

from talent_devtools import ports


def test_ports_are_drawn_free_and_below_the_ephemeral_range() -> None:
    """Outgoing connections take local ports from the ephemeral range; a server's port
    chosen there could be taken before the server binds it."""
    start = ports._ephemeral_start()
    base = ports.free_port_base(5)
    assert base >= ports.LOWEST and base + 5 < start
    assert all(ports.port_is_free(base + i) for i in range(6))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", ports.free_port()))
        taken.listen()
        port = taken.getsockname()[1]
        assert port < start
        assert not ports.port_is_free(port)
