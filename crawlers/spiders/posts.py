"""One spider for declared sources: RSS/Atom feeds, sitemaps (and indexes), article pages.

Page sources follow links inside their own host down to the source's depth. A page whose body
is the one the store's post was extracted from (`known_pages`: canonical URL -> page digest,
read from the store when the crawl starts) is reported unchanged instead of being re-extracted;
any other page is extracted, whether it came from the network or the HTTP cache, so a page
cached by a crawl that died before storing it is still stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap
from twisted.python.failure import Failure

from crawlers.extract import extract_article
from crawlers.items import CrawlFailure, PostItem, UnchangedPage
from crawlers.middlewares import RefusedAddress
from crawlers.sources import Source, read_sources
from crawlers.urls import canonicalize_url

_SILENT = {"DownloadCancelledError": "download cancelled: body over DOWNLOAD_MAXSIZE, or aborted"}
_FEED_LINKS = ("//item/link/text() | //entry/link[not(@rel) or @rel='alternate']/@href"
               " | //item/guid[@isPermaLink='true']/text()")


class PostsSpider(scrapy.Spider):
    name = "posts"

    def __init__(self, sources: str = "", known_pages: Mapping[str, str] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sources = read_sources(Path(sources))
        self.known_pages = known_pages or {}
        self.allowed_domains = sorted({_host(s.url) for s in self.sources})

    async def start(self) -> Any:
        for source in self.sources:
            callback = {"feed": self.parse_feed, "sitemap": self.parse_sitemap,
                        "page": self.parse_page}[source.kind]
            yield self._request(source.url, callback, source, follow=source.kind == "page")

    def _request(self, url: str, callback: Any, source: Source,
                 follow: bool = False) -> scrapy.Request:
        return scrapy.Request(url, callback=callback, errback=self.on_error,
                              cb_kwargs={"source": source, "follow": follow})

    def parse_feed(self, response: Response, source: Source, follow: bool) -> Iterator[Any]:
        response.selector.remove_namespaces()
        seen = set()
        for link in response.xpath(_FEED_LINKS).getall():
            url = response.urljoin(link.strip())
            if url not in seen:
                seen.add(url)
                yield self._request(url, self.parse_page, source)

    def parse_sitemap(self, response: Response, source: Source, follow: bool) -> Iterator[Any]:
        body = response.body
        if body[:2] == b"\x1f\x8b":  # .xml.gz sitemaps: decompressed under the same size cap
            body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
        sitemap = Sitemap(body)
        callback = self.parse_sitemap if sitemap.type == "sitemapindex" else self.parse_page
        for entry in sitemap:
            yield self._request(response.urljoin(entry["loc"].strip()), callback, source)

    def parse_page(self, response: Response, source: Source, follow: bool) -> Iterator[Any]:
        if not isinstance(response, TextResponse):
            content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
            yield CrawlFailure(url=response.url, kind="error",
                               reason=f"not a text page ({content_type or 'no content type'})")
            return
        canonical, digest = _canonical(response), page_digest(response.body)
        if self.known_pages.get(canonical) == digest:
            yield UnchangedPage(url=response.url, canonical_url=canonical)
        else:
            yield from self._parse_article(response, source, canonical, digest)
        if follow and response.meta.get("depth", 0) < source.depth:
            extractor = LinkExtractor(allow_domains=[_host(source.url)])
            for link in extractor.extract_links(response):
                yield self._request(link.url, self.parse_page, source, follow=True)

    def _parse_article(self, response: TextResponse, source: Source, canonical: str,
                       digest: str) -> Iterator[PostItem | CrawlFailure]:
        article = extract_article(response.text, response.url)
        if article is None:
            return
        limit = self.settings.getint("KEPU_MAX_POST_CHARS", 100_000)
        if max(len(article.text), len(article.title)) > limit:
            yield CrawlFailure(url=response.url, kind="error", reason=(
                f"main text of {len(article.text):,} characters, over the limit of {limit:,} "
                "(KEPU_MAX_POST_CHARS)"))
            return
        yield PostItem(url=response.url, canonical_url=canonical, title=article.title,
                       text=article.text, author=article.author, published=article.published,
                       lang=article.lang or source.lang, platform=source.platform,
                       source_id=source.id, page_digest=digest)

    def on_error(self, failure: Failure) -> Iterator[CrawlFailure]:
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        message = failure.getErrorMessage() or _SILENT.get(failure.type.__name__, "no detail")
        refused = failure.check(RefusedAddress) or (
            failure.check(IgnoreRequest) and "robots.txt" in message)
        yield CrawlFailure(url=url, kind="refused" if refused else "error",
                           reason=f"{failure.type.__name__}: {message}")


def page_digest(body: bytes) -> str:
    """What identifies a page body: equal digests, equal bytes."""
    return hashlib.sha256(body).hexdigest()[:32]


def _host(url: str) -> str:
    return urlsplit(url).hostname or ""


def _canonical(response: TextResponse) -> str:
    """The page's declared canonical URL when it stays on the same host, else its own URL."""
    declared = response.css('link[rel="canonical"]::attr(href)').get()
    if declared:
        absolute = response.urljoin(declared.strip())
        if _host(absolute) == _host(response.url):
            return canonicalize_url(absolute)
    return canonicalize_url(response.url)
