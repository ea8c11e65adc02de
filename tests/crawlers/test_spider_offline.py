"""Spider callbacks and middlewares on saved responses, offline (no reactor, no network)."""

from __future__ import annotations

import gzip
import json

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse, XmlResponse
from scrapy.utils.test import get_crawler

from crawlers.items import CrawlFailure, PostItem, UnchangedPage
from crawlers.middlewares import CharsetSniffer, RecordSpiderErrors, RedirectLoopGuard
from crawlers.spiders.posts import PostsSpider, page_digest
from tests.crawlers.hostile_site import EN_TEXT, ZH_TEXT, _article


@pytest.fixture
def spider(tmp_path):
    path = tmp_path / "s.jsonl"
    rows = [{"id": "feed", "url": "http://news.test/feed.xml", "kind": "feed", "platform": "blog"},
            {"id": "home", "url": "http://news.test/index.html", "kind": "page", "depth": 1}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    crawler = get_crawler(PostsSpider, {"DOWNLOAD_MAXSIZE": 10_000})
    return PostsSpider.from_crawler(crawler, sources=str(path))


def _html(url: str, body: str, depth: int = 0, flags: list[str] | None = None) -> HtmlResponse:
    return HtmlResponse(url, body=body.encode(), encoding="utf-8",
                        request=Request(url, meta={"depth": depth}), flags=flags or [])


def test_feed_yields_one_request_per_article(spider):
    rss = ('<rss><channel><item><link>http://news.test/a.html</link></item>'
           '<item><link> /b.html </link></item><item><link>http://news.test/a.html</link>'
           '</item></channel></rss>')
    atom = ('<feed xmlns="http://www.w3.org/2005/Atom"><entry><link rel="self" href="/self"/>'
            '<link rel="alternate" href="/c.html"/></entry></feed>')
    source = spider.sources[0]
    urls = [r.url for r in spider.parse_feed(XmlResponse("http://news.test/feed.xml",
                                                         body=rss.encode()), source, False)]
    assert urls == ["http://news.test/a.html", "http://news.test/b.html"]
    urls = [r.url for r in spider.parse_feed(XmlResponse("http://news.test/atom.xml",
                                                         body=atom.encode()), source, False)]
    assert urls == ["http://news.test/c.html"]


def test_sitemap_index_and_gzipped_sitemap(spider):
    index = ('<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>'
             'http://news.test/s1.xml.gz</loc></sitemap></sitemapindex>')
    source = spider.sources[0]
    [req] = spider.parse_sitemap(XmlResponse("http://news.test/sm.xml", body=index.encode()),
                                 source, False)
    assert req.url.endswith("s1.xml.gz") and req.callback == spider.parse_sitemap
    urlset = ('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>'
              'http://news.test/p.html</loc></url></urlset>')
    gz = Response("http://news.test/s1.xml.gz", body=gzip.compress(urlset.encode()))
    [page] = spider.parse_sitemap(gz, source, False)
    assert page.url == "http://news.test/p.html" and page.callback == spider.parse_page
    bomb = Response("http://news.test/s2.xml.gz", body=gzip.compress(b" " * 100_000))
    with pytest.raises(Exception, match="max|size|exceed"):  # capped by DOWNLOAD_MAXSIZE
        list(spider.parse_sitemap(bomb, source, False))


def test_page_yields_post_with_canonical_url_and_follows_links_within_depth(spider):
    html = _article("Vaccines are safe", EN_TEXT).replace(
        "</head>", '<link rel="canonical" href="/a.html?utm_source=x"></head>').replace(
        "<footer>", '<a href="/next.html">next</a><a href="http://other.test/x">x</a><footer>')
    source = spider.sources[1]
    out = list(spider.parse_page(_html("http://news.test/a.html?spm=1", html), source, True))
    post = next(i for i in out if isinstance(i, PostItem))
    assert post["canonical_url"] == "http://news.test/a.html"
    assert post["lang"] == "en" and "immune system" in post["text"]
    followed = [r.url for r in out if isinstance(r, Request)]
    assert "http://news.test/next.html" in followed and not any("other.test" in u for u in followed)
    deep = list(spider.parse_page(_html("http://news.test/a.html", html, depth=1), source, True))
    assert not any(isinstance(r, Request) for r in deep)  # the source's depth is 1


def test_page_stored_from_this_body_is_unchanged_any_other_is_extracted(spider):
    page = _html("http://news.test/a.html", _article("T", EN_TEXT), flags=["cached"])
    # From the HTTP cache, but its post never reached the store (a killed crawl): extracted.
    [post] = spider.parse_page(page, spider.sources[1], False)
    assert isinstance(post, PostItem) and post["page_digest"] == page_digest(page.body)
    spider.known_pages = {"http://news.test/a.html": page_digest(page.body)}
    out = list(spider.parse_page(page, spider.sources[1], False))
    assert [type(i) for i in out] == [UnchangedPage]
    fresh = _html("http://news.test/a.html", _article("T", EN_TEXT + "<p>Edited.</p>"))
    [edited] = spider.parse_page(fresh, spider.sources[1], False)  # another body: read again
    assert isinstance(edited, PostItem) and "Edited." in edited["text"]


def test_page_over_the_size_cap_is_a_recorded_failure(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text('{"id": "home", "url": "http://news.test/", "kind": "page"}\n')
    crawler = get_crawler(PostsSpider, {"KEPU_MAX_POST_CHARS": 200})
    spider = PostsSpider.from_crawler(crawler, sources=str(path))
    [failure] = spider.parse_page(_html("http://news.test/long.html", _article("T", EN_TEXT)),
                                  spider.sources[0], False)
    assert isinstance(failure, CrawlFailure) and failure["url"].endswith("/long.html")
    assert "over the limit of 200 (KEPU_MAX_POST_CHARS)" in failure["reason"]


def test_binary_page_is_a_recorded_failure(spider):
    pdf = Response("http://news.test/x.pdf", body=b"%PDF-1.4",
                   headers={"Content-Type": "application/pdf"})
    [failure] = spider.parse_page(pdf, spider.sources[1], False)
    assert isinstance(failure, CrawlFailure) and "application/pdf" in failure["reason"]


def test_charset_sniffer_decodes_undeclared_gbk_and_leaves_declared_pages():
    body = _article("隔夜菜会致癌吗", ZH_TEXT, None).encode("gbk")
    raw = HtmlResponse("http://x.test/gbk", body=body, headers={"Content-Type": "text/html"})
    fixed = CharsetSniffer().process_response(Request(raw.url), raw)
    assert "隔夜菜" in fixed.text
    declared = HtmlResponse("http://x.test/u", body=b"<p>caf\xe9</p>",
                            headers={"Content-Type": "text/html; charset=latin-1"})
    assert CharsetSniffer().process_response(Request(declared.url), declared) is declared


def test_redirect_loop_guard_and_spider_errors_are_recorded():
    request = Request("http://x.test/b", meta={"redirect_urls": ["http://x.test/a"]})
    loop = Response("http://x.test/b", status=302, headers={"Location": "/a"})
    with pytest.raises(IgnoreRequest, match="redirect loop"):
        RedirectLoopGuard().process_response(request, loop)
    onward = Response("http://x.test/b", status=302, headers={"Location": "/c"})
    assert RedirectLoopGuard().process_response(request, onward) is onward
    [failure] = RecordSpiderErrors().process_spider_exception(
        TextResponse("http://x.test/p", body=b""), ValueError("boom"))
    assert failure["url"] == "http://x.test/p" and "ValueError" in failure["reason"]
