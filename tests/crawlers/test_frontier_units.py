"""The frontier's parts on a real Redis server, without a crawl: requests as JSON (never
pickle), dead processes' pending requests put back, and the store writer's reliable drain."""

from __future__ import annotations

import time

import pytest
from redis import Redis
from scrapy import Request
from scrapy.utils.request import request_from_dict

from crawlers.frontier import _POP, FrontierKeys, outstanding, requeue_dead
from crawlers.frontier_codec import decode_item, dumps, encode_item, loads
from crawlers.frontier_crawl import _recover, ingest
from crawlers.run_recorder import RunRecorder
from crawlers.sources import Source
from store import Database


class _Spider:
    name = "posts"

    def parse_page(self, response, source, follow):  # pragma: no cover - never called
        return []

    def on_error(self, failure):  # pragma: no cover - never called
        return []


def test_requests_round_trip_as_json_with_their_source_and_bytes():
    spider = _Spider()
    source = Source("s1", "http://a.test/feed.xml", "feed", lang="zh", depth=1)
    request = Request("http://a.test/1", callback=spider.parse_page, errback=spider.on_error,
                      cb_kwargs={"source": source, "follow": True},
                      headers={"Accept": "text/html"}, meta={"depth": 2}, priority=-1)
    data = dumps(request.to_dict(spider=spider))
    assert b"a.test" in data and not data.startswith(b"\x80")  # JSON, not a pickle
    back = request_from_dict(loads(data), spider=spider)
    assert back.cb_kwargs == {"source": source, "follow": True}
    assert back.headers[b"Accept"] == b"text/html" and back.meta["depth"] == 2
    assert back.callback == spider.parse_page and back.priority == -1


def test_anything_else_is_refused_rather_than_pickled():
    with pytest.raises(TypeError, match="cannot share a object"):
        dumps({"meta": {"x": object()}})
    with pytest.raises(ValueError, match="not a crawl item"):
        decode_item(b'{"kind": "exec", "fields": {}}')
    assert decode_item(encode_item("failure", {"url": "u", "reason": "r", "kind": "error"})) \
        == ("failure", {"url": "u", "reason": "r", "kind": "error"})


def test_only_a_dead_process_loses_its_pending_requests_to_the_queue(redis_url):
    server, keys = Redis.from_url(redis_url), FrontierKeys("kepu:frontier:t")
    for n, owner in enumerate(("alive", "dead")):
        server.sadd(keys.owners, owner)
        server.zadd(keys.queue, {f"req-{owner}": n})
        assert server.eval(_POP, 2, keys.queue, keys.pending(owner)) == f"req-{owner}".encode()
    server.set(keys.alive("alive"), "1", px=60_000)
    server.set(keys.alive("dead"), "1", px=50)
    assert server.zcard(keys.queue) == 0 and outstanding(server, keys) == 2
    time.sleep(0.1)
    assert requeue_dead(server, keys, me="someone") == 1
    assert server.zrange(keys.queue, 0, -1) == [b"req-dead"]
    assert server.hkeys(keys.pending("alive")) == [b"req-alive"]
    assert server.smembers(keys.owners) == {b"alive"} and outstanding(server, keys) == 2


def _post(n: int) -> bytes:
    words = " ".join(f"word{n}x{i} alpha beta gamma" for i in range(30))
    return encode_item("post", {"url": f"http://a.test/{n}", "canonical_url":
                                f"http://a.test/{n}", "title": f"T{n}", "text": words,
                                "lang": "en", "source_id": "s", "page_digest": f"d{n}"})


def test_items_a_killed_writer_had_taken_are_stored_once_by_the_next(redis_url, tmp_path):
    server, keys = Redis.from_url(redis_url), FrontierKeys("kepu:frontier:w")
    server.rpush(keys.ingesting, _post(1), _post(2))  # taken, never committed: writer died
    server.rpush(keys.items, _post(2), _post(3))  # 2 again: its crawler was re-run
    recorder = RunRecorder(str(tmp_path / "k.duckdb"), 0.8)
    assert _recover(server, keys, recorder) == 2
    assert ingest(server, keys, recorder) == 2
    counts = recorder.finish("finished", [])
    assert (counts["new"], counts["unchanged"]) == (3, 1)
    assert server.llen(keys.items) == 0 and server.llen(keys.ingesting) == 0
    with Database(tmp_path / "k.duckdb") as db:
        assert db.scalar("SELECT count(*) FROM posts") == 3
