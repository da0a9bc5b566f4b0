"""X usage on real Redis: monthly counts added by the commit, rate limits kept per endpoint."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.redis import RedisStore, connect
from chatbot.ports import Changes, RateLimit
from chatbot.usage import MonthlyUsage, PostCharge
from tests.fakes import FakeStore
from tests.redis.builders import ACCOUNT, audit

pytestmark = pytest.mark.redis

RESET = datetime(2026, 11, 24, 1, 15, tzinfo=UTC)


@pytest.fixture(params=["redis", "fake"])
def any_store(request, redis_client):
    """The same promises from the Redis store and the fake the unit tests use."""
    return RedisStore(redis_client, ACCOUNT) if request.param == "redis" else FakeStore(ACCOUNT)


def test_usage_adds_up_per_month_with_the_commit(any_store):
    assert any_store.get_usage("2026-11") == MonthlyUsage("2026-11")
    any_store.commit(Changes(audit=[audit("x_published")],
                             usage=[PostCharge("2026-11", False, 15_000)]))
    any_store.commit(Changes(usage=[PostCharge("2026-11", True, 200_000),
                                    PostCharge("2026-12", False, 15_000)]))
    assert any_store.get_usage("2026-11") == MonthlyUsage("2026-11", 2, 1, 215_000)
    assert any_store.get_usage("2026-11").spend_usd == pytest.approx(0.215)
    assert any_store.get_usage("2026-12") == MonthlyUsage("2026-12", 1, 0, 15_000)


def test_rate_limits_keep_the_latest_per_endpoint(any_store):
    assert any_store.rate_limits() == []
    any_store.save_rate_limits([RateLimit("create", 100, 99, RESET),
                                RateLimit("delete", 50, 50, RESET)])
    any_store.save_rate_limits([RateLimit("create", 100, 98, RESET)])
    any_store.save_rate_limits([])
    assert any_store.rate_limits() == [RateLimit("create", 100, 98, RESET),
                                       RateLimit("delete", 50, 50, RESET)]


def test_usage_survives_a_redis_restart(redis_server_factory):
    server = redis_server_factory()
    store = RedisStore(connect(server.url), ACCOUNT)
    store.commit(Changes(usage=[PostCharge("2026-11", True, 200_000)]))
    store.save_rate_limits([RateLimit("create", 100, 7, RESET)])
    server.restart(crash=True)
    assert store.get_usage("2026-11") == MonthlyUsage("2026-11", 1, 1, 200_000)
    assert store.rate_limits() == [RateLimit("create", 100, 7, RESET)]
