"""The address a request comes from, for the buckets of requests without an API key.

The peer's address, unless the peer is a trusted proxy (``STAKEGRAPH_TRUSTED_PROXIES``): then
``X-Forwarded-For`` is read from its end, skipping trusted proxies, and the first address that
is not one is the client. Anything before it was written by the client and proves nothing.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.types import Scope

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_proxies(setting: str) -> tuple[Network, ...]:
    networks = []
    for part in setting.split(","):
        part = part.strip()
        if part:
            try:
                networks.append(ipaddress.ip_network(part, strict=False))
            except ValueError as exc:
                raise ValueError(f"STAKEGRAPH_TRUSTED_PROXIES: {part!r} is not an address") from exc
    return tuple(networks)


def _trusted(address: str, proxies: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_address(scope: Scope, proxies: Sequence[Network]) -> str:
    client = scope.get("client")
    peer = client[0] if client else "unknown"
    if not proxies or not _trusted(peer, proxies):
        return peer
    forwarded: list[str] = []
    for name, value in scope.get("headers", ()):
        if name == b"x-forwarded-for":
            forwarded.extend(v.strip() for v in value.decode("latin-1").split(","))
    for hop in reversed([h for h in forwarded if h]):
        if not _trusted(hop, proxies):
            return hop
    return peer
