"""robots.txt for every request of a host, however many arrive while robots.txt is fetched.

Scrapy's RobotsTxtMiddleware (2.19) lets the requests that wait for a host's robots.txt share
one Deferred; under the asyncio reactor the first waiter's callback returns None, so the second
and later waiters see "no robots.txt" and are let through (a disallowed page declared as a
source next to the same host's sitemap and feed was fetched). Here each waiter reads the parser
the middleware stored once the download ended.

A robots.txt answered with a server error (5xx) means "disallow everything" (RFC 9309,
2.3.1.4); Scrapy would read the error page as rules and allow everything. Not found (4xx)
still allows everything, as the RFC says.
"""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Response
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

log = logging.getLogger(__name__)
DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"


class RobotsTxtForEveryRequest(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with the parser read afresh after waiting for it and a
    server error read as "disallow everything"."""

    async def robot_parser(self, request: Request) -> RobotParser | None:
        waited = await super().robot_parser(request)
        stored = self._parsers.get(urlparse_cached(request).netloc)
        return waited if isinstance(stored, Deferred) else stored

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if 500 <= response.status < 600:
            log.warning("%s answered %s: nothing on %s is crawled in this run (RFC 9309)",
                        response.url, response.status, netloc)
            response = response.replace(body=DISALLOW_ALL)
        await super()._parse_robots(response, netloc, request)
