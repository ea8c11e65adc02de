from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest

from common.errors import InputError
from crawlers.dumps import read_dump
from crawlers.encoding import SNIFF_BYTES, sniff_encoding
from crawlers.extract import extract_article
from crawlers.middlewares import PrivateAddressGuard
from crawlers.neardup import NearDuplicateIndex, signature, similarity
from crawlers.schedule import due_sources
from crawlers.sources import Source, read_sources
from crawlers.urls import canonicalize_url
from tests.crawlers.hostile_site import EN_SENTENCES

SITE = Path(__file__).resolve().parents[2] / "data" / "site"


def test_canonical_url_strips_tracking_and_fragments():
    url = "HTTP://Example.COM:80/a/b?utm_source=x&b=2&a=1&fbclid=zz#top"
    assert canonicalize_url(url) == "http://example.com/a/b?a=1&b=2"
    assert canonicalize_url("https://x.cn/p?spm=1.2&id=5") == "https://x.cn/p?id=5"


def test_guard_refuses_loopback_unless_allowed():
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


# --- encodings -------------------------------------------------------------------------------



ZH = "隔夜菜会致癌吗？专家说冷藏保存的剩菜亚硝酸盐含量远低于危害水平，不必恐慌。健康科普。"
TW = "隔夜菜會致癌嗎？專家說冷藏保存的剩菜亞硝酸鹽含量遠低於危害水平，不必恐慌。健康科普。"


@pytest.mark.parametrize(("text", "encoding", "expected"), [
    (ZH, "gbk", "gb18030"), (ZH, "gb18030", "gb18030"), (TW, "big5", "big5"),
    (ZH, "utf-8", "utf-8"), ("plain ascii page", "utf-8", "utf-8"),
    ("café déjà vu, naïve résumé", "cp1252", "cp1252"),
])
def test_sniff_encoding_of_undeclared_pages(text, encoding, expected):
    body = f"<html><body><p>{text}</p></body></html>".encode(encoding)
    assert sniff_encoding(body) == expected
    assert text in body.decode(sniff_encoding(body))


def test_sniff_encoding_ignores_a_multibyte_character_cut_at_the_sniff_limit():
    body = ("a" * (SNIFF_BYTES - 1) + "致癌").encode("utf-8")  # cut inside the first character
    assert sniff_encoding(body) == "utf-8"


# --- near duplicates -------------------------------------------------------------------------



ARTICLE = " ".join(EN_SENTENCES)


def test_repost_with_small_edits_is_near_duplicate_other_text_is_not():
    repost = ARTICLE.replace("a sore arm", "an aching arm") + " Reposted from Health Daily."
    other = ("Solar panels still make electricity on cloudy days, only less of it. Batteries "
             "store the surplus from noon for the evening peak, and the grid balances the rest "
             "with wind, hydro and gas plants that can ramp up within minutes when needed.")
    a, b, c = signature(ARTICLE), signature(repost), signature(other)
    assert similarity(a, b) >= 0.8 > similarity(a, c)
    index = NearDuplicateIndex(0.8)
    index.add("first", a)
    index.add("other", c)
    index.add("second", b)  # a later copy must not win over the first one
    assert index.find(b, exclude="second") == "first"
    assert index.find(c, exclude="other") is None


def test_chinese_repost_is_near_duplicate_and_short_texts_get_no_signature():
    text = ("网上流传隔夜菜会致癌的说法。"
            "研究人员检测了冷藏一夜的剩菜，发现亚硝酸盐含量远低于国家标准。"
            "专家提醒，饭菜应在两小时内放入冰箱，第二天彻底加热后再吃。绿叶蔬菜最好现做现吃，"
            "肉类和豆制品隔夜保存问题不大。真正需要警惕的是变质食物中的细菌和霉菌毒素。")
    edited = text.replace("专家提醒", "营养师建议") + "本文转载自某公众号。"
    assert similarity(signature(text), signature(edited)) >= 0.8
    assert signature("too short to tell") is None


# --- dumps and schedule ----------------------------------------------------------------------



def test_read_dump_jsonl_and_csv(tmp_path):
    jsonl = tmp_path / "d.jsonl"
    jsonl.write_text('{"id": "1", "text": "隔夜菜会致癌吗？", "published": "2026-11-20T08:00:00"}\n'
                     '\n{"url": "https://w.test/p?utm_source=x&id=2", "text": "Hello there"}\n',
                     encoding="utf-8")
    rows = read_dump(jsonl, "src", "weibo")
    assert [r.canonical_url for r in rows] == ["dump://weibo/src/1", "https://w.test/p?id=2"]
    assert rows[0].post.lang == "zh" and rows[1].post.lang == "en"
    assert rows[0].post.published == datetime(2026, 11, 20, 8, tzinfo=UTC)
    csv_file = tmp_path / "d.csv"
    csv_file.write_text("id,title,text\n7,T,\"multi\nline text\"\n8,U,second\n", encoding="utf-8")
    assert [r.post.text for r in read_dump(csv_file, "s", "p")] == ["multi\nline text", "second"]


@pytest.mark.parametrize(("content", "suffix", "message"), [
    ('{"id": "1", "text": "ok"}\n{"id": "2"}\n', ".jsonl", r"d\.jsonl:2: empty 'text'"),
    ('{"id": "1", "text": "ok"}\nnot json\n', ".jsonl", r"d\.jsonl:2: invalid JSON"),
    ('{"text": "no id"}\n', ".jsonl", r"d\.jsonl:1: a row needs an 'id' or a 'url'"),
    ("id,text,published\n1,a,yesterday\n", ".csv", r"d\.csv:2: bad 'published' date"),
    ("id,text\n1,\"a\nb\"\n2,\n", ".csv", r"d\.csv:4: empty 'text'"),
])
def test_read_dump_errors_name_file_and_line(tmp_path, content, suffix, message):
    path = tmp_path / f"d{suffix}"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_dump(path, "s", "p")


def test_due_sources_respect_each_interval():
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    sources = [Source("a", "http://x.test/a", "feed", interval_minutes=60),
               Source("b", "http://x.test/b", "feed", interval_minutes=10),
               Source("c", "http://x.test/c", "feed")]
    last = {"a": now - timedelta(minutes=30), "b": now - timedelta(minutes=30)}
    assert [s.id for s in due_sources(sources, last, now)] == ["b", "c"]
