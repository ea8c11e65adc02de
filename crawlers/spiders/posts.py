"""One spider for declared sources: RSS/Atom feeds, sitemaps (and indexes), article pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response
from scrapy.linkextractors import LinkExtractor
from scrapy.utils.sitemap import Sitemap
from twisted.python.failure import Failure

from crawlers.extract import extract_article
from crawlers.items import CrawlFailure, PostItem
from crawlers.sources import Source, read_sources
from crawlers.urls import canonicalize_url


class PostsSpider(scrapy.Spider):
    name = "posts"

    def __init__(self, sources: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sources = read_sources(Path(sources))
        self.allowed_domains = sorted({urlsplit(s.url).hostname or "" for s in self.sources})

    async def start(self) -> Any:
        for source in self.sources:
            callback = {"feed": self.parse_feed, "sitemap": self.parse_sitemap,
                        "page": self.parse_page}[source.kind]
            yield self._request(source.url, callback, source, follow=source.kind == "page")

    def _request(self, url: str, callback: Any, source: Source, follow: bool = False) -> scrapy.Request:
        return scrapy.Request(url, callback=callback, errback=self.on_error,
                              cb_kwargs={"source": source, "follow": follow})

    def parse_feed(self, response: Response, source: Source, follow: bool) -> Iterator[Any]:
        response.selector.remove_namespaces()
        links = response.xpath("//item/link/text() | //entry/link/@href").getall()
        for link in links:
            yield self._request(response.urljoin(link.strip()), self.parse_page, source)

    def parse_sitemap(self, response: Response, source: Source, follow: bool) -> Iterator[Any]:
        sitemap = Sitemap(response.body)
        callback = self.parse_sitemap if sitemap.type == "sitemapindex" else self.parse_page
        for entry in sitemap:
            yield self._request(entry["loc"], callback, source)

    def parse_page(self, response: Response, source: Source, follow: bool) -> Iterator[Any]:
        if not hasattr(response, "text") or not isinstance(response, scrapy.http.TextResponse):
            yield CrawlFailure(url=response.url, reason="not a text page")
            return
        article = extract_article(response.text, response.url)
        if article is not None:
            yield PostItem(url=response.url, canonical_url=canonicalize_url(response.url),
                           title=article.title, text=article.text, author=article.author,
                           published=article.published, lang=article.lang or source.lang,
                           platform=source.platform, source_id=source.id)
        if follow:
            for link in LinkExtractor(allow_domains=self.allowed_domains).extract_links(response):
                yield self._request(link.url, self.parse_page, source, follow=True)

    def on_error(self, failure: Failure) -> Iterator[CrawlFailure]:
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        yield CrawlFailure(url=url, reason=f"{failure.type.__name__}: {failure.getErrorMessage()}")
