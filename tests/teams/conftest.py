"""The whole Teams stack on 127.0.0.1: the real `xpost web` app on a free port, the Bot
Connector stand-in as serviceUrl, the X stand-in behind the real tweepy gateway, a
real Redis, and the worker (publisher and chat notifiers) in background threads."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import redis

from adapters.bootstrap import Container, build, chat_notifiers
from adapters.settings import load_settings
from adapters.teams_standin import BotConnectorStandIn, Recorded
from adapters.web import build_web_app
from adapters.x_standin import XStandIn
from chatbot.ports import Clock
from chatbot.worker import Worker
from tests.open_hours import open_posting_hours  # noqa: F401 (autouse: real-clock tests)
from tests.teams.harness import Person, ServerThread, TeamsClient

CHIEF = Person("aad-chief", "課長 山田")
DELEGATE = Person("aad-delegate", "係長 佐藤")
STAFF = Person("aad-staff", "職員 鈴木")
OTHER_STAFF = Person("aad-staff-2", "職員 田中")
STAFF_CHANNEL = "19:staff@thread.tacv2"
APPROVALS = "19:approvals@thread.tacv2"
NOTIFY = "19:notify@thread.tacv2"


@dataclass
class TeamsStack:
    container: Container
    teams: TeamsClient
    connector: BotConnectorStandIn
    x: XStandIn
    worker: Worker

    def approval_card(self, proposal_id: str, timeout: float = 10.0) -> Recorded:
        """The newest approval card for a proposal posted to the approval conversation."""

        def posted(calls: list[Recorded]) -> bool:
            return any(self._is_card_of(c, proposal_id) for c in calls)

        calls = self.connector.wait_for(posted, timeout)
        return [c for c in calls if self._is_card_of(c, proposal_id)][-1]

    @staticmethod
    def _is_card_of(call: Recorded, proposal_id: str) -> bool:
        title = call.card_text.split("\n", 1)[0]
        return (call.kind == "send" and call.conversation_id == APPROVALS
                and "承認依頼" in title and title.endswith(f" {proposal_id}"))

    def wait_message(self, conversation: str, contains: str, timeout: float = 10.0) -> Recorded:
        def found(calls: list[Recorded]) -> bool:
            return any(self._says(c, conversation, contains) for c in calls)

        calls = self.connector.wait_for(found, timeout)
        return next(c for c in calls if self._says(c, conversation, contains))

    @staticmethod
    def _says(call: Recorded, conversation: str, contains: str) -> bool:
        return (call.kind in ("send", "reply") and call.conversation_id.split(";")[0]
                == conversation and (contains in call.text or contains in call.card_text))

    def wait_card_update(self, activity_id: str, contains: str, timeout: float = 10.0
                         ) -> Recorded:
        def updated(calls: list[Recorded]) -> bool:
            return any(c.kind == "update" and c.activity_id == activity_id
                       and contains in c.card_text for c in calls)

        calls = self.connector.wait_for(updated, timeout)
        return [c for c in calls if c.kind == "update" and c.activity_id == activity_id
                and contains in c.card_text][-1]

    def approve(self, card: Recorded, person: Person = CHIEF, **data: Any) -> dict[str, Any]:
        return self.click(card, "xpost_approve", person, **data)

    def click(self, card: Recorded, verb: str, person: Person = CHIEF, **inputs: Any
              ) -> dict[str, Any]:
        action = _action(card, verb)
        response = self.teams.click(person, verb, action["data"], card.conversation_id,
                                    card.activity_id, **inputs)
        assert response.status_code == 200, response.text
        return response.json()

    def published(self, count: int = 1, timeout: float = 15.0) -> list[Any]:
        """Wait until X shows `count` posts."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            posts = self.x.posts
            if len(posts) >= count:
                return posts
            time.sleep(0.05)
        raise TimeoutError(f"X has {len(self.x.posts)} posts, expected {count}")


def _action(card: Recorded, verb: str) -> dict[str, Any]:
    def walk(node: Any) -> Iterator[dict[str, Any]]:
        if isinstance(node, dict):
            if node.get("type") == "Action.Execute":
                yield node
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item)

    for action in walk(card.card):
        if action["verb"] == verb:
            return action
    raise AssertionError(f"no {verb} button on the card: {card.card_text}")


@pytest.fixture
def connector() -> Iterator[BotConnectorStandIn]:
    with BotConnectorStandIn() as running:
        yield running


@pytest.fixture
def x_standin() -> Iterator[XStandIn]:
    with XStandIn() as running:
        yield running


def teams_settings(connector: BotConnectorStandIn, x: XStandIn, **overrides: Any) -> Any:
    creds = x.credentials
    values: dict[str, Any] = {
        "teams_enabled": True,
        "teams_chief_ids": CHIEF.aad, "teams_delegate_ids": DELEGATE.aad,
        "teams_staff_conversation": STAFF_CHANNEL,
        "teams_approval_conversation": APPROVALS, "teams_notify_conversation": NOTIFY,
        "teams_service_url": connector.url,
        "teams_app_id": "", "teams_app_password": None, "teams_app_tenant_id": "",
        "slack_bot_token": None, "slack_signing_secret": None,
        "x_api_key": creds.api_key, "x_api_secret": creds.api_secret,
        "x_access_token": creds.access_token, "x_access_token_secret": creds.access_token_secret,
        "x_api_url": x.url, "language": "ja",
    }
    values.update(overrides)
    return load_settings(**values)


@pytest.fixture
def stack_factory(redis_client: redis.Redis, connector: BotConnectorStandIn,
                  x_standin: XStandIn) -> Iterator[Callable[..., TeamsStack]]:
    started: list[tuple[ServerThread, Worker]] = []

    def start(clock: Clock | None = None, **overrides: Any) -> TeamsStack:
        """`clock`: a clock of the test's own (posting hours), for web and worker alike."""
        settings = teams_settings(connector, x_standin, **overrides)
        container = build(settings, clock=clock, redis_client=redis_client)
        container.notifiers = chat_notifiers(container)
        server = ServerThread(build_web_app(container)).start()
        worker = container.worker("teams-test", block_ms=100, tick_seconds=3600)
        worker.start()
        started.append((server, worker))
        return TeamsStack(container, TeamsClient(server.url, connector.url), connector,
                          x_standin, worker)

    yield start
    for server, worker in started:
        worker.stop()
        server.stop()


@pytest.fixture
def stack(stack_factory: Callable[..., TeamsStack]) -> TeamsStack:
    return stack_factory()
