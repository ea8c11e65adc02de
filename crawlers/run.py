"""Run one crawl in this process (flows start it as a subprocess: Scrapy's reactor can't restart).

    python -m crawlers.run --sources sources.jsonl --db .kepu/kepu.duckdb --stats stats.json
"""

from __future__ import annotations

import argparse
import os

from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sources", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--stats", default="")
    parser.add_argument("--allow-private", action="store_true")
    parser.add_argument("--max-bytes", type=int, default=5_000_000)
    parser.add_argument("--timeout", type=int, default=20)
    args = parser.parse_args(argv)
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawlers.settings")
    settings = get_project_settings()
    settings.setdict({
        "KEPU_DB_PATH": args.db, "KEPU_STATS_PATH": args.stats,
        "KEPU_ALLOW_PRIVATE_ADDRESSES": args.allow_private,
        "DOWNLOAD_MAXSIZE": args.max_bytes, "DOWNLOAD_TIMEOUT": args.timeout,
    }, priority="cmdline")
    process = CrawlerProcess(settings)
    process.crawl("posts", sources=args.sources)
    process.start()


if __name__ == "__main__":
    main()
