from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest

from crawlers.extract import extract_article
from crawlers.middlewares import PrivateAddressGuard, is_public_host
from crawlers.sources import read_sources
from crawlers.urls import canonicalize_url
from kepu.errors import InputError

SITE = Path(__file__).resolve().parents[2] / "data" / "site"


def test_canonical_url_strips_tracking_and_fragments():
    url = "HTTP://Example.COM:80/a/b?utm_source=x&b=2&a=1&fbclid=zz#top"
    assert canonicalize_url(url) == "http://example.com/a/b?a=1&b=2"
    assert canonicalize_url("https://x.cn/p?spm=1.2&id=5") == "https://x.cn/p?id=5"


def test_guard_refuses_loopback_unless_allowed():
    assert not is_public_host("127.0.0.1")
    assert not is_public_host("10.1.2.3")
    assert not is_public_host("169.254.169.254")
    with pytest.raises(IgnoreRequest, match="refused non-public address"):
        PrivateAddressGuard(allow=False).process_request(Request("http://127.0.0.1:9/x"))
    assert PrivateAddressGuard(allow=True).process_request(Request("http://127.0.0.1:9/x")) is None


def test_extracts_main_text_from_saved_gbk_page():
    page = next(p for p in sorted((SITE / "articles").glob("*.html"))
                if b'charset="gbk"' in p.read_bytes())
    html = page.read_bytes().decode("gbk")
    article = extract_article(html, f"http://site.test/{page.name}")
    assert article is not None and article.lang == "zh"
    assert article.title and article.title in html
    assert "Related" not in article.text and "Sample News" not in article.text


def test_extract_escapes_nothing_and_keeps_entities_decoded():
    html = ("<html><head><title>T</title></head><body><article><h1>Heading</h1>"
            "<p>Fish &amp; chips contain no magic. " + "Plain sentences about food. " * 5
            + "</p></article></body></html>")
    article = extract_article(html, "http://site.test/a")
    assert article is not None and "Fish & chips" in article.text


def test_sources_file_errors_name_the_line(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text('{"id": "a", "url": "http://x.test/feed", "kind": "feed"}\n'
                    '{"id": "b", "url": "ftp://x.test/", "kind": "feed"}\n')
    with pytest.raises(InputError, match=r"s\.jsonl:2: not an http\(s\) URL"):
        read_sources(path)
