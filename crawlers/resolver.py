"""The crawler's name resolver: every address a host resolves to is vetted before any connection.

Installed as Scrapy's TWISTED_DNS_RESOLVER, it wraps the reactor's own resolver (getaddrinfo in
a thread, IPv4 and IPv6), which every HTTP(S) connection goes through, literal addresses
included. The downloader connects only to addresses that passed the check, taken from the same
lookup: there is no second lookup a hostile DNS server could answer differently (no rebinding
window). A host with any non-public address is refused whole; a lookup that fails yields no
address, so the download fails (fail closed) and is recorded with its URL.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any

import attr
from scrapy.crawler import Crawler
from scrapy.resolver import HostResolution
from scrapy.utils.datatypes import LocalCache
from twisted.internet.interfaces import IAddress, IHostnameResolver, IResolutionReceiver
from zope.interface import implementer

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def non_public_reason(address: str) -> str | None:
    """Why `address` must not be fetched, or None for a public (globally routable) unicast one.

    Anything that is not `is_global` is refused: private, loopback, link-local, shared
    100.64.0.0/10 (carrier NAT; 100.100.100.200 is a cloud metadata address), documentation,
    reserved; multicast too. IPv6 forms that embed an IPv4 address are judged by that address.
    """
    try:
        ip: Any = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"{address!r} is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo or (None, None))[1]
        if ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and non_public_reason(str(embedded)):
            return f"{address} embeds the non-public address {embedded}"
    if not ip.is_global or ip.is_multicast:
        return f"{address} is not a public address"
    return None


def _with_port(address: IAddress, port: int) -> IAddress:
    return attr.evolve(address, port=port) if getattr(address, "port", port) != port else address


@implementer(IResolutionReceiver)
class _VettingReceiver:
    """Holds a lookup's addresses back until all are in, then passes on only vetted ones."""

    def __init__(self, resolver: GuardedResolver, receiver: Any, host: str, port: int) -> None:
        self.resolver, self.receiver, self.host, self.port = resolver, receiver, host, port
        self.addresses: list[IAddress] = []

    def resolutionBegan(self, resolution: Any) -> None:  # Twisted's interface names
        self.receiver.resolutionBegan(resolution)

    def addressResolved(self, address: IAddress) -> None:
        self.addresses.append(address)

    def resolutionComplete(self) -> None:
        for address in self.resolver.settle(self.host, self.addresses):
            self.receiver.addressResolved(_with_port(address, self.port))
        self.receiver.resolutionComplete()


@implementer(IHostnameResolver)
class GuardedResolver:
    """Resolves through the reactor's resolver, caches per host, refuses non-public hosts
    (unless KEPU_ALLOW_PRIVATE_ADDRESSES) and remembers why, so the refusal can be recorded."""

    def __init__(self, reactor: Any, allow_private: bool, cache_size: int = 10_000,
                 original: Any = None) -> None:
        self.reactor = reactor
        self.allow_private = allow_private
        self.original = original if original is not None else reactor.nameResolver
        self.vetted: LocalCache[str, list[IAddress]] = LocalCache(cache_size)
        self.refusals: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> GuardedResolver:
        return cls(reactor, crawler.settings.getbool("KEPU_ALLOW_PRIVATE_ADDRESSES"),
                   crawler.settings.getint("DNSCACHE_SIZE", 10_000))

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    def settle(self, host: str, addresses: Sequence[IAddress]) -> list[IAddress]:
        """The addresses the crawler may connect to for `host` (none when any is refused)."""
        reasons = [] if self.allow_private else [
            r for a in addresses if (r := non_public_reason(getattr(a, "host", "")))]
        if reasons:
            self.refusals[host.lower()] = f"refused non-public address of {host}: {reasons[0]}"
            return []
        if addresses:
            self.vetted[host] = [_with_port(a, 0) for a in addresses]
        return list(addresses)

    def refusal(self, host: str) -> str | None:
        """Why `host` was refused, or None."""
        return self.refusals.get(host.lower())

    def resolveHostName(self, resolutionReceiver: Any, hostName: str,
                        portNumber: int = 0, addressTypes: Any = None,
                        transportSemantics: str = "TCP") -> Any:
        cached = self.vetted.get(hostName)
        if cached is None:
            return self.original.resolveHostName(
                _VettingReceiver(self, resolutionReceiver, hostName, portNumber), hostName,
                portNumber, addressTypes, transportSemantics)
        resolution = HostResolution(hostName)
        resolutionReceiver.resolutionBegan(resolution)
        for address in cached:
            resolutionReceiver.addressResolved(_with_port(address, portNumber))
        resolutionReceiver.resolutionComplete()
        return resolution


def refusal_for(host: str) -> str | None:
    """Why the installed resolver refused `host` (None when it did not, or is not installed)."""
    from twisted.internet import reactor

    resolver = getattr(reactor, "nameResolver", None)
    return resolver.refusal(host) if isinstance(resolver, GuardedResolver) else None
