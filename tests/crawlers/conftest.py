"""A real Redis server for the shared-frontier tests (one per session, emptied per test)."""

from __future__ import annotations

import pytest

from tests.redis_server import redis_server


@pytest.fixture(scope="session")
def redis_server_url(tmp_path_factory):
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
def redis_url(redis_server_url):
    from redis import Redis

    Redis.from_url(redis_server_url).flushdb()
    return redis_server_url
