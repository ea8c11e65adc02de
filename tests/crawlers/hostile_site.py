"""A hostile little site served on 127.0.0.1 by the tests: broken pages next to good ones."""

from __future__ import annotations

import contextlib
import gzip
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from tests.loopback import serve_handler

BIG = 50 * 1024 * 1024
CHUNK = 64 * 1024


def _article(title: str, body: str, charset: str | None = "utf-8") -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return (f"<!DOCTYPE html><html><head>{meta}<title>{title}</title></head><body>"
            f'<nav><a href="/index.html">Home</a></nav><article><h1>{title}</h1>{body}'
            "</article><footer>Hostile Test Site</footer></body></html>")


EN_SENTENCES = [
    "Vaccines train the immune system to recognise a pathogen without causing the illness.",
    "Large cohort studies in Denmark followed more than half a million children for years.",
    "Researchers compared vaccinated and unvaccinated groups and found no difference in autism.",
    "The original paper that claimed a link was retracted after its data were shown to be false.",
    "Side effects such as a sore arm or a mild fever usually pass within a day or two.",
    "Serious allergic reactions are rare, around one case in a million doses given.",
    "Herd immunity protects babies who are too young to be vaccinated themselves.",
    "When coverage drops, measles outbreaks return quickly, as several countries have seen.",
    "Doctors recommend following the national schedule rather than spacing doses out.",
    "Ask a paediatrician when in doubt, and check claims against public health agencies.",
]
EN_TEXT = "".join(f"<p>{s}</p>" for s in EN_SENTENCES)
ZH_TEXT = ("<p>隔夜菜会不会致癌？专家表示，冷藏保存的剩菜中亚硝酸盐含量远低于危害水平。</p>"
           "<p>只要及时放入冰箱冷藏，并在一两天内吃完，隔夜菜可以放心食用。</p>"
           "<p>营养学会提醒，反复加热的绿叶蔬菜口感和营养会变差，建议适量烹饪。</p>")
TW_TEXT = ("<p>隔夜菜會不會致癌？專家表示，冷藏保存的剩菜中亞硝酸鹽含量遠低於危害水平。</p>"
           "<p>只要及時放入冰箱冷藏，並在一兩天內吃完，隔夜菜可以放心食用。</p>"
           "<p>營養學會提醒，反覆加熱的綠葉蔬菜口感和營養會變差，建議適量烹飪。</p>")

GOOD = ["/good-en.html", "/gbk.html", "/big5.html", "/malformed.html", "/script.html",
        "/flaky.html", "/etag.html", "/changing.html", "/copy.html"]
FAILING = ["/big.html", "/big-stream.html", "/loop/a", "/loop/step?n=1", "/bomb.html",
           "/slow.html", "/missing.html"]
FORBIDDEN = ["/forbidden/secret.html"]


@dataclass
class SiteState:
    """What the server saw and what it serves now (the tests change `phase`)."""

    hits: Counter[str] = field(default_factory=Counter)
    not_modified: int = 0
    big_bytes_sent: int = 0
    phase: int = 1


class HostileHandler(BaseHTTPRequestHandler):
    state: SiteState
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes = b"", ctype: str = "text/html",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: C901 - one route table, read top to bottom
        path = self.path
        self.state.hits[path] += 1
        routes = {
            "/robots.txt": lambda: self._send(200, b"User-agent: *\nDisallow: /forbidden/\n",
                                              "text/plain"),
            "/sitemap.xml": self._sitemap,
            "/index.html": self._index,
            "/good-en.html": lambda: self._send(200, _article("Vaccines are safe", EN_TEXT)
                                                .encode()),
            "/copy.html": lambda: self._send(200, _article("Vaccines are safe", EN_TEXT)
                                             .encode()),
            "/repost.html": self._repost,
            "/gbk.html": lambda: self._send(200, _article("隔夜菜会致癌吗", ZH_TEXT, None)
                                            .encode("gbk")),
            "/big5.html": lambda: self._send(200, _article("隔夜菜會致癌嗎", TW_TEXT, None)
                                             .encode("big5")),
            "/malformed.html": self._malformed,
            "/script.html": self._script,
            "/flaky.html": self._flaky,
            "/etag.html": self._etag,
            "/changing.html": self._changing,
            "/big.html": lambda: self._big(with_length=True),
            "/big-stream.html": lambda: self._big(with_length=False),
            "/bomb.html": self._bomb,
            "/slow.html": self._slow,
            "/forbidden/secret.html": lambda: self._send(200, _article("Secret", EN_TEXT)
                                                         .encode()),
        }
        if path in ("/loop/a", "/loop/b"):
            return self._send(302, headers={"Location": "/loop/b" if path == "/loop/a"
                                            else "/loop/a"})
        if path.startswith("/loop/step"):
            n = int(path.rsplit("=", 1)[-1])
            return self._send(302, headers={"Location": f"/loop/step?n={n + 1}"})
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            routes.get(path, lambda: self._send(404, b"not here"))()

    def _sitemap(self) -> None:
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        paths = GOOD + FAILING + FORBIDDEN + (["/repost.html"] if self.state.phase >= 2 else [])
        urls = "".join(f"<url><loc>{base}{p.replace('&', '&amp;')}</loc></url>" for p in paths)
        body = ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns='
                f'"http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>')
        self._send(200, body.encode(), "application/xml")

    def _index(self) -> None:
        links = "".join(f'<a href="{p}">{p}</a> ' for p in GOOD[:3])
        self._send(200, f"<html><body>{links}<a href='http://example.com/x'>out</a>"
                        "</body></html>".encode())

    def _repost(self) -> None:
        edited = EN_TEXT.replace("a sore arm", "an aching arm") + "<p>Reposted from Daily.</p>"
        self._send(200, _article("Vaccines are safe (repost)", edited).encode())

    def _malformed(self) -> None:
        body = ("<html><head><title>Broken <b>page</title><body><div><p>Unclosed paragraph "
                "<table><tr><td>cell<p>" + "Solar panels still make power on cloudy days, "
                "only less of it. " * 6 + "</div></span></i>\x00\xff<<<>>>&&&;&#xZZ;"
                "<p>More text about solar energy output in winter months follows here.")
        self._send(200, body.encode("utf-8", "replace"))

    def _script(self) -> None:
        body = ("<p>This article explains why microwaves do not make food radioactive; they "
                "only heat the water molecules in it. Microwave ovens are safe to use daily.</p>"
                "<script>document.cookie='stolen='+1;alert('x')</script>"
                "<p>Quoted payload: &lt;script&gt;alert('quoted')&lt;/script&gt; is just text "
                "here, and it stays text when we store it for review.</p>"
                '<img src=x onerror="alert(1)">')
        self._send(200, _article("Microwaves and radiation", body).encode())

    def _flaky(self) -> None:
        if self.state.hits["/flaky.html"] <= 2:
            return self._send(500, b"try again")
        text = "".join(f"<p>Antibiotics and colds, note {i}: {s[::-1]}</p>"
                       for i, s in enumerate(EN_SENTENCES))
        self._send(200, _article("Antibiotics do not cure colds", text).encode())

    def _etag(self) -> None:
        if self.headers.get("If-None-Match") == '"v1"':
            self.state.not_modified += 1
            return self._send(304, headers={"ETag": '"v1"'})
        text = "".join(f"<p>Crop rotation note {i}: {' '.join(sorted(s.split()))}</p>"
                       for i, s in enumerate(EN_SENTENCES))
        self._send(200, _article("Crop rotation", text).encode(), headers={"ETag": '"v1"'})

    def _changing(self) -> None:
        text = "".join(f"<p>Climate notes, edition {self.state.phase}, item {i}: "
                       f"{' '.join(reversed(s.split()))}</p>" for i, s in enumerate(EN_SENTENCES))
        self._send(200, _article("Climate notes", text).encode())

    def _big(self, with_length: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        if with_length:
            self.send_header("Content-Length", str(BIG))
        self.end_headers()
        chunk = b"<p>" + b"x" * (CHUNK - 3)
        for _ in range(BIG // CHUNK):
            self.wfile.write(chunk)
            self.state.big_bytes_sent += len(chunk)

    def _bomb(self) -> None:
        payload = gzip.compress(b"<html><body>" + b" " * (20 * 1024 * 1024), compresslevel=9)
        self._send(200, payload, headers={"Content-Encoding": "gzip"})

    def _slow(self) -> None:
        import time

        time.sleep(3)
        self._send(200, _article("Too slow", EN_TEXT).encode())


@contextlib.contextmanager
def serve_hostile() -> Iterator[tuple[str, SiteState]]:
    """Yield (base URL, state) of the hostile site on a free loopback port."""
    state = SiteState()
    handler = type("Handler", (HostileHandler,), {"state": state})
    with serve_handler(handler) as base:
        yield base, state
