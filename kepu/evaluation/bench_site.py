"""A generated local site for the crawl benchmark: N article pages, a sitemap index, robots.txt.

Text is varied (seeded) English and Chinese so extraction, language detection and the
near-duplicate index do real work; XML carries the __BASE__ placeholder the sample server fills.
"""

from __future__ import annotations

import random
from html import escape
from pathlib import Path

from crawlers.sample_site import BASE

_EN = ("vaccine immune study children measles dose doctor risk cancer diet sugar salt water "
       "climate carbon energy solar battery grid physics orbit rocket moon soil crop gene cell "
       "protein virus bacteria antibiotic evidence trial sample review expert claim myth "
       "data").split()
_ZH = list("疫苗免疫研究儿童麻疹剂量医生风险癌症饮食糖盐水气候碳能源太阳电池电网"
           "物理轨道火箭月球土壤作物基因细胞蛋白病毒细菌抗生素证据试验样本综述专家说法谣言数据")
SITEMAP_SIZE = 500


def _sentence(rng: random.Random, zh: bool) -> str:
    if zh:
        return "".join(rng.choices(_ZH, k=rng.randint(14, 28))) + "。"
    words = rng.choices(_EN, k=rng.randint(10, 18))
    return " ".join(words).capitalize() + "."


def _page(index: int, rng: random.Random) -> str:
    zh = index % 3 == 0
    title = f"{'科普文章' if zh else 'Science article'} {index}"
    paragraphs = "".join(f"<p>{escape(' '.join(_sentence(rng, zh) for _ in range(4)))}</p>"
                         for _ in range(5))
    return (f'<!DOCTYPE html><html lang="{"zh" if zh else "en"}"><head><meta charset="utf-8">'
            f"<title>{title}</title></head><body><nav><a href=\"/index.html\">Home</a></nav>"
            f"<article><h1>{title}</h1>{paragraphs}</article><footer>Bench site</footer>"
            "</body></html>")


def build_bench_site(root: Path, pages: int, seed: int = 7) -> int:
    """Write `pages` article pages plus sitemaps under root; returns the number of pages."""
    rng = random.Random(seed)
    (root / "a").mkdir(parents=True, exist_ok=True)
    urls = []
    for i in range(pages):
        (root / "a" / f"{i}.html").write_text(_page(i, rng), encoding="utf-8")
        urls.append(f"{BASE}/a/{i}.html")
    maps = []
    for n, start in enumerate(range(0, pages, SITEMAP_SIZE)):
        entries = "".join(f"<url><loc>{u}</loc></url>" for u in urls[start:start + SITEMAP_SIZE])
        (root / f"sitemap-{n}.xml").write_text(
            '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/'
            f'schemas/sitemap/0.9">{entries}</urlset>', encoding="utf-8")
        maps.append(f"<sitemap><loc>{BASE}/sitemap-{n}.xml</loc></sitemap>")
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/'
        f'schemas/sitemap/0.9">{"".join(maps)}</sitemapindex>', encoding="utf-8")
    robots = f"User-agent: *\nDisallow: /private/\nSitemap: {BASE}/sitemap.xml\n"
    (root / "robots.txt").write_text(robots, encoding="utf-8")
    return pages
