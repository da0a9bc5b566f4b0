"""The adapters under test, on a database of the test's own (see tests/redis_fixtures.py)."""

from __future__ import annotations

import pytest
import redis

from adapters.redis import RedisEventFeed, RedisJobQueue, RedisStore
from tests.redis.builders import ACCOUNT

# Short, so a "dead" consumer's entries come back within a test.
RECLAIM_MS = 200


@pytest.fixture
def store(redis_client: redis.Redis) -> RedisStore:
    return RedisStore(redis_client, ACCOUNT)


@pytest.fixture
def queue(redis_client: redis.Redis) -> RedisJobQueue:
    return RedisJobQueue(redis_client, ACCOUNT, reclaim_after_ms=RECLAIM_MS)


@pytest.fixture
def feed(redis_client: redis.Redis) -> RedisEventFeed:
    return RedisEventFeed(redis_client, ACCOUNT, reclaim_after_ms=RECLAIM_MS)
