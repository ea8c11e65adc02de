"""Run one crawl in this process (flows start it as a subprocess: Scrapy's reactor can't restart).

    python -m crawlers.run --sources sources.jsonl --db .kepu/kepu.duckdb --stats stats.json
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

from crawlers.parent_watch import die_with_parent
from crawlers.sources import read_sources
from crawlers.storage import known_pages
from kepu.errors import KepuError
from kepu.store import Database


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sources", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--stats", default="")
    parser.add_argument("--allow-private", action="store_true")
    parser.add_argument("--max-bytes", type=int, default=5_000_000)
    parser.add_argument("--timeout", type=int, default=20)
    parser.add_argument("--cache-dir", default="", help="HTTP cache folder; empty: no cache")
    parser.add_argument("--delay", type=float, default=0.0, help="Minimum delay per domain (s)")
    parser.add_argument("--per-domain", type=int, default=4, help="Concurrent requests per domain")
    parser.add_argument("--retries", type=int, default=2)
    parser.add_argument("--backoff", type=float, default=0.5, help="First retry back-off (s)")
    parser.add_argument("--depth", type=int, default=4, help="Global depth limit")
    parser.add_argument("--near-threshold", type=float, default=0.8)
    parser.add_argument("--no-throttle", action="store_true", help="Disable AutoThrottle")
    parser.add_argument("--parent-pid", type=int, default=0,
                        help="Die when this process (kepu crawl) dies; 0: do not watch")
    parser.add_argument("--max-post-chars", type=int, default=100_000,
                        help="Longest main text stored; longer pages are recorded as errors")
    parser.add_argument("--lock-wait", type=float, default=60.0,
                        help="Seconds to wait for the DuckDB file another process holds")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.parent_pid:
        die_with_parent(args.parent_pid)
    Database.lock_wait_s = args.lock_wait
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawlers.settings")
    settings = get_project_settings()
    settings.setdict({
        "KEPU_DB_PATH": args.db, "KEPU_STATS_PATH": args.stats,
        "KEPU_ALLOW_PRIVATE_ADDRESSES": args.allow_private,
        "KEPU_NEAR_DUPLICATE_THRESHOLD": args.near_threshold,
        "KEPU_MAX_POST_CHARS": args.max_post_chars,
        "DOWNLOAD_MAXSIZE": args.max_bytes, "DOWNLOAD_WARNSIZE": args.max_bytes // 2,
        "DOWNLOAD_TIMEOUT": args.timeout, "DOWNLOAD_DELAY": args.delay,
        "CONCURRENT_REQUESTS_PER_DOMAIN": args.per_domain, "RETRY_TIMES": args.retries,
        "KEPU_RETRY_BACKOFF_S": args.backoff, "DEPTH_LIMIT": args.depth,
        "HTTPCACHE_ENABLED": bool(args.cache_dir), "HTTPCACHE_DIR": args.cache_dir or "httpcache",
        "AUTOTHROTTLE_ENABLED": not args.no_throttle,
    }, priority="cmdline")
    sources = read_sources(Path(args.sources))
    hosts = {urlsplit(s.url).hostname or "" for s in sources}
    process = CrawlerProcess(settings)
    process.crawl("posts", sources=args.sources, known_pages=known_pages(args.db, hosts))
    process.start()


if __name__ == "__main__":
    try:
        main()
    except KepuError as exc:  # one line for the parent to show, not a traceback
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
