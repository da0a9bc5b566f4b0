"""Fixtures shared by the whole suite; the real-Redis ones are documented in redis_fixtures."""

pytest_plugins = ["tests.redis_fixtures"]
