"""robots.txt for every request of a host, however many arrive while robots.txt is fetched.

Scrapy's RobotsTxtMiddleware (2.19) lets the requests that wait for a host's robots.txt share
one Deferred; under the asyncio reactor the first waiter's callback returns None, so the second
and later waiters see "no robots.txt" and are let through (a disallowed page declared as a
source next to the same host's sitemap and feed was fetched). Here each waiter reads the parser
the middleware stored once the download ended.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


class RobotsTxtForEveryRequest(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with the parser read afresh after waiting for it."""

    async def robot_parser(self, request: Request) -> RobotParser | None:
        waited = await super().robot_parser(request)
        stored = self._parsers.get(urlparse_cached(request).netloc)
        return waited if isinstance(stored, Deferred) else stored
