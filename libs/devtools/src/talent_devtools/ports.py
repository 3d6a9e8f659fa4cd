"""Local TCP ports for the servers the platform starts (always on 127.0.0.1).

Ports are drawn below the kernel's ephemeral range: the OS gives every outgoing
connection (to PostgreSQL, the broker, another service) a local port from that range,
so a port chosen there can be taken by a connection between the moment it is chosen
and the moment a server binds it (a whole `talent dev up` start later)."""

from __future__ import annotations

import random
import socket
from pathlib import Path

LOWEST = 10_000
EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
DEFAULT_EPHEMERAL_START = 32_768
# Not the random module's shared generator: test runners reseed that one per test, and
# every test would then draw the same ports.
_DRAW = random.SystemRandom()


def _ephemeral_start() -> int:
    try:
        return int(EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return DEFAULT_EPHEMERAL_START


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
    """A port `base` such that base ... base + offsets are all free (the dev stack puts
    service N's API on base + N), below the ephemeral range."""
    highest = _ephemeral_start() - 1 - offsets
    if highest <= LOWEST:
        raise RuntimeError("no room for ports below the ephemeral range")
    for _ in range(200):
        base = _DRAW.randint(LOWEST, highest)
        if all(port_is_free(base + i) for i in range(offsets + 1)):
            return base
    raise RuntimeError(f"no {offsets + 1} consecutive free ports found")


def free_port() -> int:
    """A port nothing listens on right now, below the ephemeral range."""
    return free_port_base(0)
