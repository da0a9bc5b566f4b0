"""Hours, urgency and scheduled posts on a Redis with AOF, across restarts of everything."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.bootstrap import Container, build
from adapters.redis import connect
from adapters.settings import load_settings
from chatbot.model import Actor, State
from tests.fakes import FakeClock, FakeX

pytestmark = pytest.mark.redis

STAFF = Actor(platform="slack", user_id="U_STAFF", name="職員 狛江花子")
CHIEF = Actor(platform="slack", user_id="U_CHIEF", name="子ども若者政策課長")
TEXT = "12月6日（土）10時から、子ども食堂を市民センターで開きます。親子でどうぞ。"
TUESDAY_22_00 = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
WEDNESDAY_08_30 = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)


def container_on(url: str, clock: FakeClock, x: FakeX) -> Container:
    """What a restarted web server or worker builds: a new container on the same Redis."""
    settings = load_settings(redis_url=url, slack_chief_ids="U_CHIEF")
    return build(settings, clock=clock, redis_client=connect(url), x_gateway=x)


def work(container: Container) -> None:
    worker = container.worker("restarted-worker", block_ms=0)
    worker.tick()
    while worker.publish_round():
        pass


@pytest.fixture
def server(redis_server_factory):
    return redis_server_factory()


def test_approved_at_22_goes_out_at_8_30_after_every_restart(server):
    clock, x = FakeClock(TUESDAY_22_00), FakeX()
    web = container_on(server.url, clock, x)
    proposal, _ = web.workflow.propose(STAFF, TEXT, "event")
    web.workflow.approve(CHIEF, proposal.id, 1)
    work(container_on(server.url, clock, x))
    assert x.posts == []

    server.restart(crash=True)  # Redis, and with it a new web server and worker
    clock.current = WEDNESDAY_08_30
    work(container_on(server.url, clock, x))
    after = container_on(server.url, clock, x).store.get_proposal(proposal.id)
    assert after is not None and after.state is State.PUBLISHED and len(x.posts) == 1


def test_urgent_goes_out_at_once_at_22(server):
    clock, x = FakeClock(TUESDAY_22_00), FakeX()
    web = container_on(server.url, clock, x)
    proposal, _ = web.workflow.propose(STAFF, TEXT, "event")
    web.workflow.approve_urgent(CHIEF, proposal.id, 1, "大雨のため児童館を臨時休館")
    work(container_on(server.url, clock, x))
    assert [p.text for p in x.posts] == [TEXT]


def test_a_scheduled_post_goes_out_at_its_minute_after_restarts(server):
    clock, x = FakeClock(), FakeX()
    web = container_on(server.url, clock, x)
    web.commands.run(STAFF, "/xpost event 2026-12-01 09:00 " + TEXT)
    web.workflow.approve(CHIEF, "P-0001", 1)
    assert "⏰2026年12月1日 09:00" in web.commands.run(STAFF, "/xpost list").text
    server.restart(crash=True)
    clock.current = datetime(2026, 11, 30, 23, 59, tzinfo=UTC)  # 08:59 in Tokyo
    work(container_on(server.url, clock, x))
    assert x.posts == []
    server.restart()
    clock.advance(minutes=1)
    work(container_on(server.url, clock, x))
    assert [p.text for p in x.posts] == [TEXT]


def test_the_worker_tick_announces_the_head_once_a_day(server):
    clock, x = FakeClock(), FakeX()
    container = container_on(server.url, clock, x)
    container.workflow.propose(STAFF, TEXT, "event")
    head = container.store.audit_head()
    worker = container.worker("ticker", block_ms=0)
    worker.tick()
    worker.tick()
    events = []
    while batch := container.events.read("reader", block_ms=0):
        events += [event for _, event in batch]
    announced = [e for e in events if e.kind == "audit_head"]
    assert [(e.data["seq"], e.data["hash"]) for e in announced] == [head]
