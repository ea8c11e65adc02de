"""Serve the sample site on 127.0.0.1 on a free port (demo and tests), replacing __BASE__."""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from crawlers.sample_site import BASE


class _Handler(SimpleHTTPRequestHandler):
    base_url = ""
    hits: Counter[str] | None = None

    def send_head(self):  # type: ignore[no-untyped-def]
        if self.hits is not None:
            self.hits[self.path] += 1
        path = Path(self.translate_path(self.path))
        if path.suffix in (".xml", ".txt") and path.is_file():
            body = path.read_bytes().replace(BASE.encode(), self.base_url.encode())
            self.send_response(200)
            self.send_header("Content-Type", "application/xml" if path.suffix == ".xml"
                             else "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            import io
            return io.BytesIO(body)
        return super().send_head()

    def guess_type(self, path):  # type: ignore[no-untyped-def]
        # No charset in the header: pages declare their own (the GBK ones in a meta tag).
        return "text/html" if str(path).endswith(".html") else super().guess_type(path)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve_site(root: Path, port: int = 0, hits: Counter[str] | None = None) -> Iterator[str]:
    """Yield the base URL of `root` served on loopback until the block ends: on `port` when it
    is free (a stable port keeps canonical URLs stable across demo runs), else on any free port.
    `hits`, when given, counts the requests per path (benchmarks watch a crawl's progress)."""
    handler = type("Handler", (_Handler,), {"hits": hits})
    serve = partial(handler, directory=str(root))
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), serve)
    except OSError:
        server = ThreadingHTTPServer(("127.0.0.1", 0), serve)
    handler.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield handler.base_url
    finally:
        server.shutdown()
        server.server_close()
