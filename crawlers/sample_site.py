"""Build the bundled sample site (data/site) from data/site_src/articles.jsonl.

Four page layouts (news, blog, Q&A, WeChat-style), an RSS feed, a sitemap index, robots.txt and
Chinese news pages served in GBK. XML files carry the placeholder __BASE__ that the sample server
replaces with its real address. All article text is escaped.
"""

from __future__ import annotations

import json
import shutil
from html import escape
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

BASE = "__BASE__"
_CSS = "body{font-family:sans-serif;max-width:46em;margin:auto;padding:1em}nav a{margin-right:1em}"


def _nav(lang: str) -> str:
    home = "首页" if lang == "zh" else "Home"
    return (f'<nav><a href="/index.html">{home}</a><a href="/about.html">About</a>'
            '<a href="/feed.xml">RSS</a></nav>')


def _paragraphs(article: dict) -> str:
    return "\n".join(f"<p>{escape(p)}</p>" for p in article["paragraphs"])


def _page(article: dict, charset: str) -> str:
    a, title = article, escape(article["title"])
    meta = (f'<meta name="author" content="{escape(a["author"])}">'
            f'<meta property="article:published_time" content="{escape(a["published"])}">')
    body = {
        "news": lambda: (f'<header>{_nav(a["lang"])}</header><main><article class="news">'
                         f'<h1>{title}</h1><p class="byline">{escape(a["author"])} · '
                         f'<time datetime="{escape(a["published"])}">{escape(a["published"][:10])}'
                         f'</time></p>{_paragraphs(a)}</article></main>'
                         '<aside><h3>Related</h3><ul><li><a href="/index.html">More news</a></li>'
                         '</ul></aside><footer>&copy; Sample News</footer>'),
        "blog": lambda: (f'<div class="wrap">{_nav(a["lang"])}<div class="post"><h2 class="entry-title">'
                         f'{title}</h2><div class="entry-content">{_paragraphs(a)}</div>'
                         f'<div class="meta">Posted by {escape(a["author"])}</div></div>'
                         '<div class="sidebar">Tags · Archive · Comments (0)</div></div>'),
        "qa": lambda: (f'{_nav(a["lang"])}<div class="question"><h1>{title}</h1>'
                       f'<div class="asker">{escape(a["author"])}</div></div>'
                       f'<div class="answer"><div class="answer-body">{_paragraphs(a)}</div>'
                       '<div class="votes">128 votes</div></div>'),
        "wechat": lambda: (f'<div id="js_article" class="rich_media"><h1 class="rich_media_title">'
                           f'{title}</h1><div class="rich_media_meta"><span>{escape(a["author"])}'
                           f'</span> <em>{escape(a["published"][:10])}</em></div>'
                           f'<div class="rich_media_content" id="js_content">{_paragraphs(a)}</div>'
                           '<div class="qr">长按识别二维码关注公众号</div></div>'),
    }[a["layout"]]()
    return (f'<!DOCTYPE html><html lang="{a["lang"]}"><head><meta charset="{charset}">'
            f'<title>{title}</title>{meta}<link rel="canonical" href="/articles/{a["slug"]}.html">'
            f'<style>{_CSS}</style></head><body>{body}</body></html>')


def _charset(article: dict) -> str:
    return "gbk" if article["lang"] == "zh" and article["layout"] == "news" else "utf-8"


def _feed(articles: list[dict]) -> str:
    items = "".join(
        f"<item><title>{xml_escape(a['title'])}</title><link>{BASE}/articles/{a['slug']}.html"
        f"</link><guid>{BASE}/articles/{a['slug']}.html</guid></item>" for a in articles)
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f'<title>Sample popular science</title><link>{BASE}/</link>{items}</channel></rss>')


def _sitemap(urls: list[str]) -> str:
    body = "".join(f"<url><loc>{BASE}{u}</loc></url>" for u in urls)
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>')


def build_site(source: Path, target: Path) -> int:
    """Write the site; returns the number of article pages."""
    articles = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines()
                if line.strip()]
    if target.exists():
        shutil.rmtree(target)
    (target / "articles").mkdir(parents=True)
    for a in articles:
        charset = _charset(a)
        (target / "articles" / f"{a['slug']}.html").write_bytes(_page(a, charset).encode(charset))
    links = "".join(f'<li><a href="/articles/{a["slug"]}.html">{escape(a["title"])}</a></li>'
                    for a in articles)
    (target / "index.html").write_text(
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Sample site</title></head>'
        f'<body><h1>Popular science sample site</h1><ul>{links}</ul></body></html>', "utf-8")
    (target / "about.html").write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>About</title></head><body>'
        '<p>A sample site bundled with kepu-review for demos and tests.</p></body></html>', "utf-8")
    half = len(articles) // 2
    (target / "feed.xml").write_text(_feed(articles[:half]), "utf-8")
    (target / "sitemap-articles.xml").write_text(
        _sitemap([f"/articles/{a['slug']}.html" for a in articles[half:]]), "utf-8")
    (target / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><sitemapindex '
        'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap>'
        f'<loc>{BASE}/sitemap-articles.xml</loc></sitemap></sitemapindex>', "utf-8")
    (target / "robots.txt").write_text(
        f"User-agent: *\nDisallow: /private/\nSitemap: {BASE}/sitemap.xml\n", "utf-8")
    (target / "private").mkdir()
    (target / "private" / "draft.html").write_text(
        "<html><body><p>Robots.txt forbids this page; it must never be stored.</p></body></html>",
        "utf-8")
    (target / "labels.json").write_text(json.dumps(
        {a["slug"]: {"kind": a["kind"], "lang": a["lang"], "myth": a.get("myth")} for a in articles},
        ensure_ascii=False, indent=1), "utf-8")
    return len(articles)
