"""Fixtures that turn the rate limits on, counted in a Redis database emptied around each test.

A test module binds both to module names; its `settings` then replaces the shared one.
"""

from collections.abc import Iterator
from dataclasses import replace

import pytest
import redis

from tests.redis_urls import LIMITS_REDIS_URL
from webapp.settings import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The test settings with the rate limits on."""
    return replace(settings, is_rate_limit_enabled=True, redis_url=LIMITS_REDIS_URL)


@pytest.fixture(autouse=True)
def limits_store() -> Iterator[redis.Redis]:
    store = redis.Redis.from_url(LIMITS_REDIS_URL)
    store.flushdb()
    yield store
    store.flushdb()
    store.close()
