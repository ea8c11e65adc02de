"""The HTTP cache survives a crawl killed while writing an entry: entries appear whole or not
at all, and an entry that cannot be read is a miss, not a broken page."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawlers.httpcache import AtomicFilesystemCacheStorage
from crawlers.spiders.posts import PostsSpider


@pytest.fixture
def storage_and_spider(tmp_path):
    sources = tmp_path / "s.jsonl"
    sources.write_text('{"id": "a", "url": "http://a.test/", "kind": "page"}\n')
    crawler = get_crawler(PostsSpider, {"HTTPCACHE_DIR": str(tmp_path / "cache"),
                                        "HTTPCACHE_GZIP": True})
    spider = PostsSpider.from_crawler(crawler, sources=str(sources))
    storage = AtomicFilesystemCacheStorage(crawler.settings)
    storage.open_spider(spider)
    return storage, spider


def _page(url: str, text: str) -> HtmlResponse:
    return HtmlResponse(url, body=f"<p>{text}</p>".encode(), encoding="utf-8",
                        headers={"ETag": '"v1"'})


def test_entry_is_written_whole_and_replaced_whole(storage_and_spider, tmp_path):
    storage, spider = storage_and_spider
    request = Request("http://a.test/p.html")
    storage.store_response(spider, request, _page(request.url, "first"))
    storage.store_response(spider, request, _page(request.url, "second"))
    assert b"second" in storage.retrieve_response(spider, request).body
    leftovers = [p.name for p in (tmp_path / "cache").rglob("*") if "." in p.name]
    assert leftovers == []  # no scratch or old folders left behind


def test_entry_cut_off_by_a_kill_is_a_miss(storage_and_spider):
    storage, spider = storage_and_spider
    request = Request("http://a.test/q.html")
    storage.store_response(spider, request, _page(request.url, "whole"))
    entry = storage._get_request_path(spider, request)
    body = gzip.compress(b"<p>cut off in the middle of the page</p>")
    with open(f"{entry}/response_body", "wb") as out:
        out.write(body[: len(body) // 2])  # what Scrapy's storage leaves when killed mid-write
    assert storage.retrieve_response(spider, request) is None


def test_scratch_folder_of_a_killed_write_is_never_read(storage_and_spider):
    storage, spider = storage_and_spider
    request = Request("http://a.test/r.html")
    entry = storage._get_request_path(spider, request)
    scratch = Path(f"{entry}.writing-1")  # a write killed before its rename
    scratch.mkdir(parents=True)
    (scratch / "pickled_meta").write_bytes(b"")
    assert storage.retrieve_response(spider, request) is None
    storage.store_response(spider, request, _page(request.url, "later"))
    assert b"later" in storage.retrieve_response(spider, request).body
