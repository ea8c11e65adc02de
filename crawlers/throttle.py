"""AutoThrottle that lets a 304 Not Modified lower the delay like a 200 does.

Scrapy's AutoThrottle ignores fast non-200 answers (error pages are cheap and would lure it into
hammering a failing server), but a re-crawl of an unchanged site is almost all 304s: treated as
errors they keep the start delay and make incremental re-crawls slower than the first crawl.
"""

from __future__ import annotations

from scrapy.extensions.throttle import AutoThrottle
from scrapy.http import Response


class NotModifiedAwareThrottle(AutoThrottle):
    def _adjust_delay(self, slot: object, latency: float, response: Response) -> None:
        if response.status == 304:
            response = response.replace(status=200)
        super()._adjust_delay(slot, latency, response)  # type: ignore[arg-type]
