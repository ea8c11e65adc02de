"""A crawl frontier several crawl processes share: scrapy-redis's queue and dupefilter on a Redis
server, made safe against a crawl process dying mid-run.

scrapy-redis gives one request queue (a sorted set) and one dedup set (request fingerprints) to
every process. What it does not give: a request popped from the queue is gone from Redis while
its page is fetched and parsed, and it is already in the dedup set, so a process killed then
loses it for good. Here a pop moves the request, in one Redis script, into the process's own
`pending` hash; it leaves that hash only when Scrapy's engine has finished with it (its items
pushed, its links queued: the request has left the engine's in-progress set). Each process keeps
an `alive` key with a time-to-live; another process finding a pending hash whose owner's key
has expired moves those requests back into the queue. A process closing down puts back what it
had not finished. The crawl ends when the queue and every pending hash are empty, so a process
that runs out of work waits while another may still queue links.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy_redis.scheduler import Scheduler
from twisted.internet.task import LoopingCall

from common.errors import CrawlError

log = logging.getLogger(__name__)
POLL_S = 0.5

# Pop the best request and keep it in the caller's pending hash, in one step.
_POP = """
local top = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #top == 0 then return false end
redis.call('ZREM', KEYS[1], top[1])
redis.call('HSET', KEYS[2], top[1], top[2])
return top[1]
"""
# Put a pending hash back into the queue, unless its owner is alive (KEYS[3], '' = no check).
_REQUEUE = """
if KEYS[3] ~= '' and redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
local all = redis.call('HGETALL', KEYS[2])
for i = 1, #all, 2 do redis.call('ZADD', KEYS[1], all[i + 1], all[i]) end
redis.call('DEL', KEYS[2])
return #all / 2
"""
# Requests queued or pending anywhere (ARGV[1]: the pending-hash prefix).
_OUTSTANDING = """
local n = redis.call('ZCARD', KEYS[1])
for _, owner in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  n = n + redis.call('HLEN', ARGV[1] .. owner)
end
return n
"""


@dataclass(frozen=True)
class FrontierKeys:
    """The Redis keys of one frontier (all under `name`)."""

    name: str

    @property
    def queue(self) -> str:
        return f"{self.name}:requests"

    @property
    def dupefilter(self) -> str:
        return f"{self.name}:dupefilter"

    @property
    def owners(self) -> str:
        return f"{self.name}:owners"

    def pending(self, owner: str) -> str:
        return f"{self.name}:pending:{owner}"

    def alive(self, owner: str) -> str:
        return f"{self.name}:alive:{owner}"

    @property
    def items(self) -> str:
        return f"{self.name}:items"

    @property
    def ingesting(self) -> str:
        return f"{self.name}:ingesting"

    @property
    def known_pages(self) -> str:
        return f"{self.name}:known-pages"


def outstanding(server: Any, keys: FrontierKeys) -> int:
    """Requests still queued or pending in any process of the frontier."""
    return int(server.eval(_OUTSTANDING, 2, keys.queue, keys.owners, keys.pending("")))


def requeue_dead(server: Any, keys: FrontierKeys, me: str = "") -> int:
    """Move the pending requests of every process whose alive key has expired back into the
    queue; returns how many."""
    moved = 0
    for raw in server.smembers(keys.owners):
        owner = raw.decode() if isinstance(raw, bytes) else raw
        if owner == me:
            continue
        n = int(server.eval(_REQUEUE, 3, keys.queue, keys.pending(owner), keys.alive(owner)))
        if n >= 0:
            server.srem(keys.owners, owner)
            moved += n
            if n:
                log.warning("crawl process %s stopped answering: %d requests back in the "
                            "frontier", owner, n)
    return moved


def _in_progress(crawler: Crawler) -> set[Request]:
    """The requests Scrapy's engine is still working on (downloading, parsing, storing).

    Read from the engine's slot (Scrapy 2.19; `scrapy>=2.19,<3` is pinned): the one place that
    knows when a request is finished on every path, redirects and retries included."""
    slot = getattr(crawler.engine, "_slot", None)
    found = getattr(slot, "inprogress", None)
    if slot is not None and not isinstance(found, set):
        raise CrawlError("this Scrapy version hides the engine's in-progress requests; the "
                         "Redis frontier cannot tell finished requests apart")
    return found or set()


class FrontierScheduler(Scheduler):
    """scrapy-redis's scheduler with pending requests kept until done, and given back when the
    process that held them dies (see the module docstring)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierScheduler:
        scheduler = super().from_crawler(crawler)
        s = crawler.settings
        scheduler.crawler = crawler
        scheduler.keys = FrontierKeys(s.get("KEPU_FRONTIER_NAME"))
        scheduler.owner = s.get("KEPU_FRONTIER_OWNER")
        scheduler.ttl_s = s.getfloat("KEPU_FRONTIER_HEARTBEAT_S", 30.0)
        scheduler.inflight = {}
        scheduler.last_check = 0.0
        return scheduler

    def open(self, spider: Any) -> None:
        super().open(spider)
        self._beat()
        self.server.sadd(self.keys.owners, self.owner)
        self.heartbeat = LoopingCall(self._beat)
        self.heartbeat.start(self.ttl_s / 3, now=False)
        self.starved = False
        self.poll = LoopingCall(self._wake)
        self.poll.start(POLL_S, now=False)

    def _beat(self) -> None:
        self.server.set(self.keys.alive(self.owner), "1", px=int(self.ttl_s * 1000))

    def _wake(self) -> None:
        """Scrapy asks an empty scheduler again only every 5 s: a process that ran out of work
        while others may still queue links asks every POLL_S instead."""
        slot = getattr(self.crawler.engine, "_slot", None)
        if self.starved and slot is not None:
            slot.nextcall.schedule()

    def next_request(self) -> Request | None:
        self._settle()
        data = self.server.eval(_POP, 2, self.keys.queue, self.keys.pending(self.owner))
        self.starved = not data
        if not data:
            return None
        request = self.queue._decode_request(data)
        self.inflight[request] = data
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis", spider=self.spider)
        return request

    def has_pending_requests(self) -> bool:
        self._settle()
        return outstanding(self.server, self.keys) > 0

    def close(self, reason: str) -> None:
        """Acknowledge what the engine finished; put back what it had not."""
        for loop in (getattr(self, "heartbeat", None), getattr(self, "poll", None)):
            if loop is not None and loop.running:
                loop.stop()
        self._ack_finished()
        back = int(self.server.eval(_REQUEUE, 3, self.keys.queue,
                                    self.keys.pending(self.owner), ""))
        if back:
            log.warning("crawl closing (%s): %d unfinished requests back in the frontier",
                        reason, back)
            self._count("frontier/requeued_on_close", back)
        self.server.delete(self.keys.alive(self.owner))
        self.server.srem(self.keys.owners, self.owner)
        super().close(reason)

    def _settle(self) -> None:
        self._ack_finished()
        now = time.monotonic()
        if now - self.last_check >= self.ttl_s / 3:
            self.last_check = now
            self._count("frontier/reclaimed", requeue_dead(self.server, self.keys, self.owner))

    def _ack_finished(self) -> None:
        if not self.inflight:
            return
        busy = _in_progress(self.crawler)
        done = [r for r in self.inflight if r not in busy]
        if done:
            self.server.hdel(self.keys.pending(self.owner), *(self.inflight.pop(r) for r in done))

    def _count(self, key: str, n: int) -> None:
        if n and self.stats:
            self.stats.inc_value(key, n, spider=self.spider)
