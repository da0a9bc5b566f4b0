"""The workflow on a real Redis, publishing through real tweepy to the X stand-in over HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from adapters.bootstrap import Container, build
from adapters.settings import load_settings
from adapters.x_gateway import TweepyXGateway
from adapters.x_standin import XStandIn
from chatbot.model import Actor
from tests.fakes import FakeClock
from tests.open_hours import open_posting_hours  # noqa: F401 (autouse: real-clock tests)

STAFF = Actor(platform="slack", user_id="U_STAFF", name="職員 狛江花子")
CHIEF = Actor(platform="slack", user_id="U_CHIEF", name="子ども若者政策課長")


@pytest.fixture
def x_standin() -> Iterator[XStandIn]:
    with XStandIn() as standin:
        yield standin



def settings_for(**overrides: object):
    base = {"slack_chief_ids": "U_CHIEF", "redis_url": "redis://unused", "reclaim_after_ms": 500}
    return load_settings(**{**base, **overrides})


@pytest.fixture
def container(redis_client, x_standin) -> Container:
    gateway = TweepyXGateway.from_credentials(x_standin.credentials, api_url=x_standin.url)
    # A working-day morning: posting hours (art. 10) must not make the test depend on
    # the hour it runs at.
    return build(settings_for(), clock=FakeClock(), redis_client=redis_client,
                 x_gateway=gateway)


def wait_until(condition: Callable[[], object], timeout: float = 15.0,
               explain: Callable[[], str] | None = None) -> object:
    """Poll a condition the way a person watching would; fail clearly if it never holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.05)
    detail = f"\n{explain()}" if explain else ""
    raise AssertionError(f"still not true after {timeout} s: {condition}{detail}")
