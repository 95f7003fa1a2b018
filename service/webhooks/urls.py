"""Which URLs an endpoint may have: http or https, on a host that resolves to public addresses
only, so that a webhook cannot be aimed at the service's own network (loopback, RFC 1918 and
unique-local, link-local, unspecified and other non-global addresses), unless the host is in
``STAKEGRAPH_WEBHOOK_ALLOWED_HOSTS``. Host names are resolved: a public name that points at a
private address is refused like the address. The deliverer checks again before each attempt.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_URL_LENGTH = 2_000


class UrlRefused(ValueError):
    """A URL an endpoint may not have; the message says why."""


@dataclass(frozen=True)
class AllowList:
    """Host names and networks allowed whatever their addresses."""

    names: frozenset[str]
    networks: tuple[Network, ...]

    @staticmethod
    def parse(text: str) -> AllowList:
        names: set[str] = set()
        networks: list[Network] = []
        for item in (i.strip() for i in text.split(",")):
            if not item:
                continue
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                names.add(item.lower().rstrip("."))
        return AllowList(frozenset(names), tuple(networks))

    def allows_name(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.names

    def allows_address(self, address: IPAddress) -> bool:
        return any(address in n for n in self.networks if n.version == address.version)


def _refusal(address: IPAddress) -> str | None:
    """Why an address is not a public one; None when it is."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return _refusal(address.ipv4_mapped)
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_private:
        return "a private address"
    if address.is_multicast or address.is_reserved or not address.is_global:
        return "not a public address"
    return None


async def _resolve(host: str, port: int) -> list[IPAddress]:
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UrlRefused(f"The host {host!r} does not resolve ({exc}).") from None
    addresses: list[IPAddress] = []
    for info in infos:
        text = str(info[4][0]).split("%", 1)[0]  # an IPv6 zone index is not part of it
        addresses.append(ipaddress.ip_address(text))
    return addresses


async def check_url(url: str, allowed: AllowList) -> str:
    """The URL, normalised (no surrounding blanks); UrlRefused with the reason otherwise."""
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise UrlRefused(f"The URL is longer than {MAX_URL_LENGTH} characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UrlRefused(f"{url[:100]!r} is not a URL ({exc}).") from None
    if parts.scheme not in ("http", "https"):
        raise UrlRefused(f"The URL must be http or https, not {parts.scheme or 'scheme-less'}.")
    host = parts.hostname
    if not host:
        raise UrlRefused("The URL names no host.")
    if parts.username is not None or parts.password is not None:
        raise UrlRefused("The URL must not carry a user name or password.")
    if parts.fragment:
        raise UrlRefused("The URL must not have a fragment (#…).")
    if allowed.allows_name(host):
        return url
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        addresses = await _resolve(host, port or (443 if parts.scheme == "https" else 80))
    for address in addresses:
        if allowed.allows_address(address):
            continue
        reason = _refusal(address)
        if reason is not None:
            shown = host if str(address) == host else f"{host} ({address})"
            raise UrlRefused(
                f"The URL's host {shown} is {reason}: webhooks go to public addresses only "
                "(STAKEGRAPH_WEBHOOK_ALLOWED_HOSTS allows named hosts and networks)."
            )
    return url
