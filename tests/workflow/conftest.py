from __future__ import annotations

from dataclasses import dataclass

import pytest

from chatbot.model import Actor
from chatbot.publishing import Publisher, RetryPolicy
from chatbot.roles import RoleDirectory
from chatbot.workflow import Workflow
from policies import PolicyChecker, load_policy
from tests.fakes import FakeClock, FakeQueue, FakeStore, FakeX

STAFF = Actor(platform="slack", user_id="U_STAFF", name="職員 狛江花子")
OTHER_STAFF = Actor(platform="slack", user_id="U_OTHER", name="職員 和泉太郎")
CHIEF = Actor(platform="slack", user_id="U_CHIEF", name="子ども若者政策課長")
DELEGATE = Actor(platform="slack", user_id="U_DEPUTY", name="課長補佐")
TEAMS_CHIEF = Actor(platform="teams", user_id="aad-chief", name="子ども若者政策課長")

GOOD_TEXT = "12月6日（土）10時から、子ども食堂を市民センターで開きます。親子でどうぞ。"


@dataclass
class World:
    workflow: Workflow
    store: FakeStore
    queue: FakeQueue
    x: FakeX
    clock: FakeClock
    publisher: Publisher

    def run_worker(self) -> int:
        """Everything the worker would do now: release due jobs, then handle the queue."""
        self.queue.release_due(self.clock.now())
        handled = 0
        while claimed := self.queue.claim("test"):
            for item in claimed:
                self.publisher.handle(item)
                handled += 1
        return handled


@pytest.fixture
def policy():
    return load_policy()


@pytest.fixture
def world(policy) -> World:
    store = FakeStore()
    queue = FakeQueue(store)
    clock = FakeClock()
    x = FakeX()
    roles = RoleDirectory({"slack": ["U_CHIEF"], "teams": ["aad-chief"]},
                          {"slack": ["U_DEPUTY"]})
    workflow = Workflow(store, PolicyChecker(policy), policy, roles, clock, queue=queue)
    publisher = Publisher(store, queue, x, clock, "komae_kosodate",
                          retry=RetryPolicy(max_attempts=3, base_seconds=1, cap_seconds=4),
                          costs=policy.costs, posting_hours=policy.posting_hours)
    return World(workflow, store, queue, x, clock, publisher)
