"""A small site on 127.0.0.1 that counts the requests it gets: robots.txt forbidding /private/,
a sitemap and an RSS feed that both list a private page next to the public ones."""

from __future__ import annotations

import contextlib
import random
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

from tests.loopback import serve_handler

PUBLIC = [f"/a/{i}.html" for i in range(3)]
PRIVATE = "/private/page.html"


_WORDS = ("vaccine immune study children measles dose doctor risk diet sugar climate carbon "
          "energy solar battery orbit rocket soil crop gene cell protein virus evidence trial "
          "review expert claim data water salt").split()


def _article(title: str) -> bytes:
    rng = random.Random(title)
    paragraphs = "".join(
        "<p>" + " ".join(" ".join(rng.choices(_WORDS, k=12)).capitalize() + "."
                         for _ in range(3)) + "</p>" for _ in range(5))
    return (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
            f"<article><h1>{title}</h1>{paragraphs}</article></body></html>").encode()


class CountingHandler(BaseHTTPRequestHandler):
    hits: Counter[str]
    robots_status = 200

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.hits[self.path] += 1
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        listed = [*PUBLIC, PRIVATE]
        if self.path == "/robots.txt" and self.robots_status != 200:
            self.send_response(self.robots_status)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html><body>Service unavailable</body></html>")
            return
        if self.path == "/robots.txt":
            body, ctype = b"User-agent: *\nDisallow: /private/\n", "text/plain"
        elif self.path == "/sitemap.xml":
            urls = "".join(f"<url><loc>{base}{p}</loc></url>" for p in listed)
            body = (f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/'
                    f'sitemap/0.9">{urls}</urlset>').encode()
            ctype = "application/xml"
        elif self.path == "/feed.xml":
            items = "".join(f"<item><title>{p}</title><link>{base}{p}</link></item>"
                            for p in listed)
            body = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>{items}'
                    "</channel></rss>").encode()
            ctype = "application/rss+xml"
        elif self.path in listed:
            body, ctype = _article(f"Page {self.path}"), "text/html; charset=utf-8"
        else:
            body, ctype = b"not here", "text/plain"
        self.send_response(200 if body != b"not here" else 404)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextlib.contextmanager
def serve_counting(robots_status: int = 200) -> Iterator[tuple[str, Counter[str]]]:
    """Yield (base URL, hits per path) of the site on a free loopback port; robots.txt answers
    `robots_status` (with an error page unless 200)."""
    hits: Counter[str] = Counter()
    handler = type("Handler", (CountingHandler,), {"hits": hits, "robots_status": robots_status})
    with serve_handler(handler) as base:
        yield base, hits
