"""Run one crawl in this process (flows start it as a subprocess: Scrapy's reactor can't restart).

    python -m crawlers.run --sources sources.jsonl --db .kepu/kepu.duckdb --stats stats.json

On a shared Redis frontier (`--frontier`, see crawlers.frontier) the process opens no database:
its items go to the frontier's store writer (crawlers.frontier_crawl), and it takes its share of
the per-domain politeness budget (`--share`: how many processes crawl the same sources).

    python -m crawlers.run --sources sources.jsonl --frontier redis://127.0.0.1:6379/0 \
        --frontier-name kepu:frontier:NAME --owner host-1 --share 2
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

from common.errors import KepuError
from crawlers.parent_watch import die_with_parent
from crawlers.sources import read_sources
from crawlers.storage import known_pages
from store import Database


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sources", required=True)
    parser.add_argument("--db", default="", help="DuckDB file (not with --frontier)")
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
    parser.add_argument("--frontier", default="", help="Redis URL of a shared crawl frontier")
    parser.add_argument("--frontier-name", default="", help="The frontier's Redis key prefix")
    parser.add_argument("--owner", default="", help="This process's name in the frontier")
    parser.add_argument("--share", type=int, default=1,
                        help="Crawl processes sharing the per-domain politeness budget")
    parser.add_argument("--heartbeat", type=float, default=30.0,
                        help="Seconds without a heartbeat after which a process is presumed "
                        "dead and its unfinished requests are crawled by the others")
    return parser


def _frontier_settings(args: argparse.Namespace, target: float) -> dict[str, object]:
    """Scrapy settings of a process on a shared frontier: scrapy-redis's queue and dedup set
    (JSON, never pickle), items to Redis, and its share of the politeness budget: the
    per-domain concurrency, the delay and AutoThrottle's target are divided between `share`
    processes, so together they ask each domain no more than one process would."""
    share = max(1, args.share)
    return {
        "SCHEDULER": "crawlers.frontier.FrontierScheduler",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_SERIALIZER": "crawlers.frontier_codec",
        "SCHEDULER_PERSIST": True,  # the frontier outlives any one process; the writer clears it
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_KEY": f"{args.frontier_name}:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{args.frontier_name}:dupefilter",
        "REDIS_URL": args.frontier, "KEPU_FRONTIER_NAME": args.frontier_name,
        "KEPU_FRONTIER_OWNER": args.owner, "KEPU_FRONTIER_HEARTBEAT_S": args.heartbeat,
        "ITEM_PIPELINES": {"crawlers.pipelines.ValidatePostPipeline": 100,
                           "crawlers.pipelines.RedisItemsPipeline": 300},
        "CONCURRENT_REQUESTS_PER_DOMAIN": max(1, args.per_domain // share),
        "DOWNLOAD_DELAY": args.delay * share,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": target / share,
    }


def _known_pages(args: argparse.Namespace, hosts: set[str]) -> dict[str, str]:
    """canonical URL -> page digest: from the store, or from the frontier (its writer put them
    there when the crawl started)."""
    if not args.frontier:
        return known_pages(args.db, hosts)
    from redis import Redis

    from crawlers.frontier import FrontierKeys

    server = Redis.from_url(args.frontier)
    found = server.hgetall(FrontierKeys(args.frontier_name).known_pages)
    return {k.decode(): v.decode() for k, v in found.items()}


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
    if args.frontier:
        target = settings.getfloat("AUTOTHROTTLE_TARGET_CONCURRENCY")
        settings.setdict(_frontier_settings(args, target), priority="cmdline")
    sources = read_sources(Path(args.sources))
    hosts = {urlsplit(s.url).hostname or "" for s in sources}
    process = CrawlerProcess(settings)
    process.crawl("posts", sources=args.sources, known_pages=_known_pages(args, hosts))
    process.start()


if __name__ == "__main__":
    try:
        main()
    except KepuError as exc:  # one line for the parent to show, not a traceback
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
