"""Downloader and spider middlewares: address guard, charset sniffing, retry back-off, failures.

Each owns one concern of fetching safely; none touches storage.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.task import deferLater
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

from crawlers.encoding import sniff_encoding
from crawlers.items import CrawlFailure


class RefusedAddress(IgnoreRequest):
    """A request to a non-public address, refused by policy."""


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
    """Drops requests to non-public addresses unless KEPU_ALLOW_PRIVATE_ADDRESSES is set.

    Redirects come back through here as new requests, so a public page cannot redirect the
    crawler into the private network either.
    """

    def __init__(self, allow: bool) -> None:
        self.allow = allow
        self._verdicts: dict[str, bool] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateAddressGuard:
        return cls(crawler.settings.getbool("KEPU_ALLOW_PRIVATE_ADDRESSES"))

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if self.allow:
            return
        host = urlsplit(request.url).hostname or ""
        if host not in self._verdicts:
            self._verdicts[host] = is_public_host(host)
        if not self._verdicts[host]:
            raise RefusedAddress(f"refused non-public address {host} ({request.url})")


class CharsetSniffer:
    """Gives undeclared HTML pages a sniffed encoding (utf-8, gb18030, big5 or cp1252)."""

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Response:
        if not isinstance(response, HtmlResponse):
            return response
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        body = response.body
        if (http_content_type_encoding(content_type) or read_bom(body)[0]
                or html_body_declared_encoding(body)):
            return response
        return response.replace(encoding=sniff_encoding(body))


class RedirectLoopGuard:
    """Ends a redirect cycle (a -> b -> a) at once with a recorded reason; Scrapy would otherwise
    drop the repeated URL silently as a duplicate request."""

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Response:
        location = response.headers.get(b"Location")
        if response.status in (301, 302, 303, 307, 308) and location:
            target = urljoin(request.url, location.decode("latin-1").strip())
            seen = [*request.meta.get("redirect_urls", []), request.url]
            if target in seen:
                raise IgnoreRequest(f"redirect loop: {' -> '.join([*seen, target])}")
        return response


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries (5xx, time-outs, dropped connections) with exponential back-off."""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.base_delay = settings.getfloat("KEPU_RETRY_BACKOFF_S", 0.5)

    async def _after_backoff(self, result: Any) -> Any:
        if isinstance(result, Request):
            attempt = int(result.meta.get("retry_times", 1))
            delay = self.base_delay * 2 ** (attempt - 1)
            if delay > 0:
                from twisted.internet import reactor  # the one Scrapy installed, not a default

                await maybe_deferred_to_future(deferLater(reactor, delay, lambda: None))
        return result

    async def process_response(self, request: Request, response: Response,  # type: ignore[override]
                               spider: Spider | None = None) -> Request | Response:
        return await self._after_backoff(super().process_response(request, response))

    async def process_exception(self, request: Request, exception: Exception,  # type: ignore[override]
                                spider: Spider | None = None) -> Request | Response | None:
        return await self._after_backoff(super().process_exception(request, exception))


class RecordSpiderErrors:
    """One broken page never stops a crawl: a callback's exception becomes a recorded failure."""

    def process_spider_exception(self, response: Response, exception: Exception,
                                 spider: Spider | None = None) -> Iterable[CrawlFailure]:
        return [CrawlFailure(url=response.url, kind="error",
                             reason=f"{type(exception).__name__} while parsing: {exception}")]
