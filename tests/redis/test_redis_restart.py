"""A Redis restart, as on a server reboot: the same clients carry on and nothing is lost."""

from __future__ import annotations

import threading

import pytest

from adapters.redis import RedisEventFeed, RedisJobQueue, RedisStore, connect
from chatbot.audit import verify
from chatbot.model import State
from chatbot.ports import Changes, Job
from tests.redis.builders import ACCOUNT, approve, at, audit, event, proposal

pytestmark = pytest.mark.redis


def commit_a_day_of_work(store: RedisStore) -> None:
    for n in (1, 2, 3):
        store.commit(Changes(proposals=[proposal(f"P-000{n}", created=at(n))],
                             audit=[audit("propose", f"P-000{n}")],
                             events=[event("proposed", f"P-000{n}")]))
    approved = store.get_proposal("P-0001")
    assert approved is not None
    approve(approved)
    store.commit(Changes(proposals=[approved], audit=[audit("approve", "P-0001")],
                         enqueue=[Job(op="publish", subject="P-0001")],
                         schedule=[(Job(op="publish", subject="P-0002"), at(600))]))


@pytest.mark.parametrize("crash", [False, True], ids=["shutdown", "crash"])
def test_the_same_client_keeps_working_after_a_restart_and_nothing_is_lost(
        redis_server_factory, crash):
    server = redis_server_factory()
    client = connect(server.url)
    store = RedisStore(client, ACCOUNT)
    queue = RedisJobQueue(client, ACCOUNT)
    feed = RedisEventFeed(client, ACCOUNT)
    commit_a_day_of_work(store)
    [(first_event_id, _)] = feed.read("notifier", block_ms=0)
    feed.ack(first_event_id)
    head = store.audit_head()

    server.restart(crash=crash)

    assert [p.id for p in store.list_proposals()] == ["P-0003", "P-0002", "P-0001"]
    assert store.get_proposal("P-0001").state is State.APPROVED  # type: ignore[union-attr]
    assert store.audit_head() == head
    assert verify(store.audit_entries(), head=head).ok
    assert queue.counts() == {"queued": 1, "scheduled": 1, "held": 0}
    assert [c.job.subject for c in queue.claim("worker", block_ms=0)] == ["P-0001"]
    assert [e.subject for _, e in feed.read("notifier", block_ms=0)] == ["P-0002"]
    assert store.next_id("P") == "P-0001"  # ids handed out so far: none via next_id

    store.commit(Changes(proposals=[proposal("P-0004", created=at(4))],
                         audit=[audit("propose", "P-0004")]))
    assert store.audit_head()[0] == head[0] + 1


def test_a_commit_waits_for_redis_to_come_back(redis_server_factory):
    server = redis_server_factory()
    store = RedisStore(connect(server.url), ACCOUNT)
    store.commit(Changes(audit=[audit("propose", "P-0001")]))
    server.stop()
    # Redis is down when the commit starts; it returns within the client's retries.
    threading.Timer(0.5, server.start).start()
    store.commit(Changes(proposals=[proposal("P-0001")], audit=[audit("submit", "P-0001")]))

    assert [e.action for e in store.audit_entries()] == ["propose", "submit"]
    assert verify(store.audit_entries(), head=store.audit_head()).ok
