"""Downloader and spider middlewares: address guard, charset sniffing, retry back-off, failures.

Each owns one concern of fetching safely; none touches storage.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import CannotResolveHostError, IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.error import DNSLookupError
from twisted.internet.task import deferLater
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

from crawlers.encoding import sniff_encoding
from crawlers.items import CrawlFailure
from crawlers.resolver import non_public_reason, refusal_for


class RefusedAddress(IgnoreRequest):
    """A request to a non-public address, refused by policy."""


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class PrivateAddressGuard:
    """Refuses a URL whose host is a literal non-public IP address before anything is asked of
    it (robots.txt included), unless KEPU_ALLOW_PRIVATE_ADDRESSES is set.

    Host names are vetted where they are looked up (crawlers.resolver), so the address checked
    is the one connected to. Redirects come back through here and through the resolver as new
    requests, so a public page cannot redirect the crawler into the private network either.
    """

    def __init__(self, allow: bool) -> None:
        self.allow = allow

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateAddressGuard:
        return cls(crawler.settings.getbool("KEPU_ALLOW_PRIVATE_ADDRESSES"))

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        host = urlsplit(request.url).hostname or ""
        if not self.allow and _is_ip_literal(host) and non_public_reason(host):
            raise RefusedAddress(f"refused non-public address {host} ({request.url})")


class ResolverRefusals:
    """A lookup the resolver refused fails as a plain DNS error; this names it as a refusal
    (with the address) before the retry and cache middlewares see it: not retried, no stale
    cached copy served."""

    def __init__(self, refusal: Callable[[str], str | None] = refusal_for) -> None:
        self.refusal = refusal

    def process_exception(self, request: Request, exception: Exception,
                          spider: Spider | None = None) -> None:
        if isinstance(exception, (CannotResolveHostError, DNSLookupError)):
            reason = self.refusal(urlsplit(request.url).hostname or "")
            if reason:
                raise RefusedAddress(f"{reason} ({request.url})")


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
