"""Downloader middleware that refuses private, loopback and link-local addresses (SSRF guard)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest


def is_public_host(host: str) -> bool:
    """True when every address the host resolves to is a public one."""
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror:
        return True  # let the download fail with its own DNS error, recorded with the URL
    for info in infos:
        addr = ipaddress.ip_address(info[4][0])
        if (addr.is_private or addr.is_loopback or addr.is_link_local or addr.is_reserved
                or addr.is_multicast or addr.is_unspecified):
            return False
    return True


class PrivateAddressGuard:
    """Drops requests to non-public addresses unless KEPU_ALLOW_PRIVATE_ADDRESSES is set."""

    def __init__(self, allow: bool) -> None:
        self.allow = allow

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateAddressGuard:
        return cls(crawler.settings.getbool("KEPU_ALLOW_PRIVATE_ADDRESSES"))

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        host = urlsplit(request.url).hostname or ""
        if not self.allow and not is_public_host(host):
            raise IgnoreRequest(f"refused non-public address {host} ({request.url})")
