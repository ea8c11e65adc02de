"""A site on 127.0.0.1 for crawls on the shared frontier: N article pages listed in a sitemap
next to a page robots.txt forbids; it counts requests per path and the most it served at once
(each article answered after `latency_s`, so concurrent requests overlap)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from tests.crawlers.counting_site import _article
from tests.loopback import serve_handler

PRIVATE = "/private/page.html"


@dataclass
class SiteLog:
    hits: Counter[str] = field(default_factory=Counter)
    active: int = 0
    most_at_once: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def articles(self) -> int:
        with self.lock:
            return sum(n for path, n in self.hits.items() if path.startswith("/a/"))


class _Handler(BaseHTTPRequestHandler):
    pages: int
    latency_s: float
    site: SiteLog

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _body(self) -> tuple[int, bytes, str]:
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        if self.path == "/robots.txt":
            return 200, b"User-agent: *\nDisallow: /private/\n", "text/plain"
        if self.path == "/sitemap.xml":
            paths = [f"/a/{i}.html" for i in range(self.pages)] + [PRIVATE]
            urls = "".join(f"<url><loc>{base}{p}</loc></url>" for p in paths)
            return 200, (f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/'
                         f'sitemap/0.9">{urls}</urlset>').encode(), "application/xml"
        if self.path.startswith("/a/") or self.path == PRIVATE:
            time.sleep(self.latency_s)
            return 200, _article(f"Article {self.path}"), "text/html; charset=utf-8"
        return 404, b"not here", "text/plain"

    def do_GET(self) -> None:
        site = self.site
        with site.lock:
            site.hits[self.path] += 1
            site.active += 1
            site.most_at_once = max(site.most_at_once, site.active)
        try:
            status, body, ctype = self._body()
        finally:
            with site.lock:
                site.active -= 1
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextlib.contextmanager
def serve_frontier_site(pages: int, latency_s: float = 0.0) -> Iterator[tuple[str, SiteLog]]:
    """Yield (base URL, request log) of the site on a free loopback port."""
    site = SiteLog()
    handler = type("Handler", (_Handler,), {"pages": pages, "latency_s": latency_s,
                                            "site": site})
    with serve_handler(handler) as base:
        yield base, site
