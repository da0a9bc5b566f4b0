"""End to end: the real `xpost web` server, the Slack and X stand-ins, Redis and the worker.

Every request reaches the bot signed over real HTTP, the bot calls the Slack
stand-in's Web API over real HTTP, the worker publishes through tweepy to the X
stand-in. Asynchronous outcomes are waited for with `eventually` (bounded polling).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
import redis

from adapters.bootstrap import Container, build, chat_notifiers
from adapters.settings import load_settings
from adapters.slack_standin import SlackStandIn
from adapters.web import build_web_app
from adapters.x_gateway import TweepyXGateway
from adapters.x_standin import XStandIn
from chatbot.ports import Clock
from chatbot.worker import Worker
from tests.open_hours import open_posting_hours  # noqa: F401 (autouse: real-clock tests)
from tests.web_thread import ServerThread

SIGNING_SECRET = "test-signing-secret-0123456789"
BOT_TOKEN = "xoxb-test-0000-token"
CHIEF, DELEGATE, STAFF, OTHER = "U_CHIEF", "U_DELEGATE", "U_STAFF", "U_OTHER"
STAFF_CHANNEL, APPROVAL, NOTIFY = "C_STAFF", "C_APPROVAL", "C_NOTIFY"
AUDIT_HEAD = "🔏 監査ログの先頭"

T = TypeVar("T")


def eventually(check: Callable[[], T], timeout: float = 10.0, what: str = "") -> T:
    """The first truthy result of `check`, polled until `timeout` (then the test fails)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what or check}")
        time.sleep(0.05)


@dataclass
class World:
    slack: SlackStandIn
    x: XStandIn
    container: Container
    worker: Worker
    server: ServerThread | None

    def proposal(self, proposal_id: str) -> Any:
        return self.container.workflow.get(proposal_id)

    def card(self, proposal_id: str) -> dict[str, Any]:
        """The approval card of a proposal, as the approval channel shows it now."""
        cards = [m for m in self.slack.messages(APPROVAL) if proposal_id in m.get("text", "")]
        assert len(cards) == 1, f"{len(cards)} cards for {proposal_id}"
        return cards[0]

    def wait_card(self, proposal_id: str) -> dict[str, Any]:
        eventually(lambda: any(proposal_id in m.get("text", "")
                               for m in self.slack.messages(APPROVAL)),
                   what=f"the card of {proposal_id}")
        return self.card(proposal_id)

    def notices(self) -> list[str]:
        return [m.get("text", "") for m in self.slack.messages(NOTIFY)]

    def calls_but_the_daily_head(self, method: str | None = None) -> list[dict[str, Any]]:
        """Web API calls, less the audit head the worker announces on its first tick."""
        return [c for c in self.slack.calls(method)
                if not str(c["args"].get("text", "")).startswith(AUDIT_HEAD)]

    def ephemeral_texts(self, user: str) -> list[str]:
        return [m.get("text", "") for m in self.slack.ephemerals(user)]


def settings_for(slack: SlackStandIn, x: XStandIn, **extra: Any) -> Any:
    return load_settings(
        slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.api_url, slack_chief_ids=CHIEF, slack_delegate_ids=DELEGATE,
        slack_staff_channel=STAFF_CHANNEL, slack_approval_channel=APPROVAL,
        slack_notify_channel=NOTIFY, x_api_url=x.url, language="ja", **extra)


@pytest.fixture
def x_standin() -> Iterator[XStandIn]:
    with XStandIn() as running:
        yield running


@pytest.fixture
def slack_standin() -> Iterator[SlackStandIn]:
    with SlackStandIn(SIGNING_SECRET, bot_token=BOT_TOKEN) as running:
        for user, name in ((CHIEF, "課長 狛江"), (DELEGATE, "代理 和泉"), (STAFF, "職員 多摩"),
                           (OTHER, "職員 岩戸")):
            running.add_user(user, name)
        yield running


def start_world(slack: SlackStandIn, x: XStandIn, redis_client: redis.Redis,
                serve_http: bool = True, clock: Clock | None = None, **extra: Any) -> World:
    """`clock`: a clock of the test's own (posting hours), shared by web and worker."""
    settings = settings_for(slack, x, **extra)
    gateway = TweepyXGateway.from_credentials(x.credentials, api_url=x.url, timeout=5.0)
    container = build(settings, clock=clock, redis_client=redis_client, x_gateway=gateway)
    container.notifiers = chat_notifiers(container)
    worker = container.worker("test-worker", block_ms=100, tick_seconds=3600)
    server = None
    if serve_http:
        server = ServerThread(build_web_app(container)).start()
        slack.bot_url = server.url
    worker.start()
    return World(slack, x, container, worker, server)


@pytest.fixture
def world(slack_standin: SlackStandIn, x_standin: XStandIn, redis_client: redis.Redis
          ) -> Iterator[World]:
    running = start_world(slack_standin, x_standin, redis_client)
    try:
        yield running
    finally:
        running.worker.stop()
        if running.server is not None:
            running.server.stop()
