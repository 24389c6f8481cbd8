"""The one way every motcua process learns who its client is.

``X-Forwarded-For`` is written by whoever sends the request, so it is believed only when the
process's immediate peer is a proxy we run: the peer's address must be in ``TRUSTED_PROXIES``
(a comma-separated list of addresses or CIDR ranges). The header is then read right to left,
skipping our own proxies, and the first address that is not one of them is the client. With
``TRUSTED_PROXIES`` empty (the default) nobody is trusted and the client is the socket's peer.

:class:`TrustedProxies` is WSGI middleware: it rewrites ``REMOTE_ADDR`` (so Flask's
``request.remote_addr`` and the rate limiters see the client) and, from a trusted peer only,
the scheme from ``X-Forwarded-Proto``. The socket's own peer stays under ``motcua.peer``.
"""
from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

PEER_KEY = "motcua.peer"
MAX_HOPS = 16  # more entries than any real chain of our proxies: the rest is not read


def parse_networks(spec: str | Iterable[str]) -> tuple[Network, ...]:
    """``"127.0.0.1/32, 10.0.0.0/8, ::1"`` → networks; raises ``ValueError`` on a bad entry."""
    items = spec.split(",") if isinstance(spec, str) else spec
    return tuple(ipaddress.ip_network(item.strip(), strict=False)
                 for item in items if item and item.strip())


def parse_address(text: str) -> Address | None:
    """One ``X-Forwarded-For`` entry (``1.2.3.4``, ``1.2.3.4:5678``, ``[::1]:80``, ``::1``)."""
    text = text.strip()
    if text.startswith("["):  # [IPv6]:port
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:  # IPv4:port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _trusted(address: Address | None, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def client_address(peer: str | None, forwarded_for: str | None,
                   trusted: tuple[Network, ...]) -> str | None:
    """The client's address: ``peer``, or the nearest untrusted hop of ``forwarded_for`` when
    ``peer`` and every hop after that one are trusted proxies."""
    current = peer
    if not trusted or not forwarded_for or not _trusted(parse_address(peer or ""), trusted):
        return current
    hops = [hop for hop in forwarded_for.split(",") if hop.strip()][-MAX_HOPS:]
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:
            break  # garbage from someone: nothing to its left can be believed
        current = str(address)
        if not _trusted(address, trusted):
            break
    return current


class TrustedProxies:
    """WSGI middleware: ``REMOTE_ADDR`` becomes the client address (see module docstring)."""

    def __init__(self, app: Callable, trusted: tuple[Network, ...]) -> None:
        self.app = app
        self.trusted = trusted

    def __call__(self, environ: dict, start_response: Callable):
        peer = environ.get("REMOTE_ADDR")
        environ[PEER_KEY] = peer
        if self.trusted and _trusted(parse_address(peer or ""), self.trusted):
            environ["REMOTE_ADDR"] = client_address(
                peer, environ.get("HTTP_X_FORWARDED_FOR"), self.trusted)
            proto = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[-1].strip().lower()
            if proto in ("http", "https"):
                environ["wsgi.url_scheme"] = proto
        return self.app(environ, start_response)
