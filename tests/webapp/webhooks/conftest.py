"""Webhook tests: providers configured, jobs run in the request that enqueues them."""

import pytest

from tests.fakes.provider_server import FakeProviderServer
from tests.webapp.services.delivery_support import provider_settings
from webapp.settings import Settings


@pytest.fixture
def settings(settings: Settings, provider_server: FakeProviderServer) -> Settings:
    return provider_settings(settings, provider_server, is_queue_synchronous=True)
