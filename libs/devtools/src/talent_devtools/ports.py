"""Local TCP ports for the servers the platform starts (always on 127.0.0.1)."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # Like a server's own listener: connections in TIME_WAIT must not count as in use.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_base(offsets: int) -> int:
    """A port `base` such that base + 1 ... base + offsets are all free (the dev stack
    puts service N's API on base + N)."""
    for _ in range(100):
        base = free_port()
        if base + offsets < 65536 and all(port_is_free(base + i) for i in range(1, offsets + 1)):
            return base
    raise RuntimeError(f"no {offsets} consecutive free ports found")
