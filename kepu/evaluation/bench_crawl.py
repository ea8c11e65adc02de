"""`kepu bench crawl`: crawl a generated local site on loopback and measure pages per second."""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from common.settings import Settings
from crawlers.sample_server import serve_site
from kepu.evaluation.bench_site import build_bench_site


@dataclass(frozen=True)
class BenchResult:
    """One benchmark pass: the crawl's counts and its wall time (subprocess start included)."""

    label: str
    counts: dict[str, int]
    seconds: float

    @property
    def pages_per_s(self) -> float:
        return self.counts.get("pages", 0) / self.seconds if self.seconds else 0.0


def bench_crawl(settings: Settings, pages: int, processes: int = 1) -> list[BenchResult]:
    """A first crawl (fetch + extract + store) and an immediate re-crawl (all unchanged);
    `processes` > 1 crawls with that many processes on the shared Redis frontier
    (settings.crawl_frontier_url)."""
    from kepu.screening.crawling import crawl

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        build_bench_site(root, pages)
        home = Path(tmp) / "home"
        bench_settings = settings.model_copy(update={
            "home": home, "db_path": None, "allow_private_addresses": True,
            "crawl_only_due": False, "crawl_processes": processes})
        results = []
        with serve_site(root) as base:
            sources = home / "bench-sources.jsonl"
            home.mkdir(parents=True)
            sources.write_text(json.dumps({"id": "bench", "url": f"{base}/sitemap.xml",
                                           "kind": "sitemap"}) + "\n", encoding="utf-8")
            for label in ("first crawl", "re-crawl"):
                started = time.perf_counter()
                counts = crawl(bench_settings, sources)
                results.append(BenchResult(label, counts, time.perf_counter() - started))
        return results
