"""The worker's job queue and the notifiers' feed on a real Redis: nothing lost, nothing twice."""

from __future__ import annotations

import threading
import time

import pytest

from adapters.redis import RedisEventFeed, RedisJobQueue
from chatbot.ports import Changes, Job
from tests.redis.builders import ACCOUNT, at, event
from tests.redis.conftest import RECLAIM_MS

pytestmark = pytest.mark.redis


def enqueue(store, *subjects: str) -> None:
    store.commit(Changes(enqueue=[Job(op="publish", subject=s) for s in subjects]))


def test_a_claimed_job_is_gone_once_acknowledged(store, queue):
    enqueue(store, "P-0001")
    assert queue.counts()["queued"] == 1

    [claimed] = queue.claim("w1", block_ms=0)
    assert claimed.job == Job(op="publish", subject="P-0001")
    assert queue.counts()["queued"] == 1  # in progress still counts as queued
    queue.ack(claimed.entry_id)

    assert queue.counts() == {"queued": 0, "scheduled": 0, "held": 0}
    assert queue.claim("w1", block_ms=0) == []
    time.sleep(RECLAIM_MS * 1.5 / 1000)
    assert queue.claim("w2", block_ms=0) == []


def test_jobs_come_out_one_at_a_time_in_order(store, queue):
    enqueue(store, "P-0001", "P-0002", "P-0003")
    subjects = []
    for _ in range(3):
        [claimed] = queue.claim("w1", block_ms=0)
        subjects.append(claimed.job.subject)
        queue.ack(claimed.entry_id)
    assert subjects == ["P-0001", "P-0002", "P-0003"]


def test_jobs_committed_before_any_worker_started_are_delivered(store, redis_client):
    enqueue(store, "P-0001")
    late_worker = RedisJobQueue(redis_client, ACCOUNT)
    assert [c.job.subject for c in late_worker.claim("w1", block_ms=0)] == ["P-0001"]


def test_a_job_of_a_worker_that_died_is_taken_over_after_reclaim_after_ms(store, queue):
    enqueue(store, "P-0001")
    [taken] = queue.claim("dead-worker", block_ms=0)

    assert queue.claim("w2", block_ms=0) == []  # not yet: the first worker may be busy
    time.sleep(RECLAIM_MS * 1.5 / 1000)
    [reclaimed] = queue.claim("w2", block_ms=0)

    assert (reclaimed.entry_id, reclaimed.job) == (taken.entry_id, taken.job)
    queue.ack(reclaimed.entry_id)
    time.sleep(RECLAIM_MS * 1.5 / 1000)
    assert queue.claim("w3", block_ms=0) == []
    assert queue.counts()["queued"] == 0


def test_claim_waits_up_to_block_ms_for_a_new_job(store, queue):
    started = time.monotonic()
    assert queue.claim("w1", block_ms=300) == []
    assert time.monotonic() - started >= 0.25

    threading.Timer(0.1, enqueue, args=(store, "P-0001")).start()
    [claimed] = queue.claim("w1", block_ms=3000)
    assert claimed.job.subject == "P-0001"


def test_deferred_jobs_come_back_when_due_in_time_order(store, queue):
    enqueue(store, "P-0001", "P-0002")
    first, second = queue.claim("w1", block_ms=0)[0], queue.claim("w1", block_ms=0)[0]
    queue.defer(second.entry_id, second.job, at(10))
    queue.defer(first.entry_id, first.job, at(20))
    assert queue.counts() == {"queued": 0, "scheduled": 2, "held": 0}

    assert queue.release_due(at(5)) == 0
    assert queue.release_due(at(10)) == 1
    assert [c.job.subject for c in queue.claim("w1", block_ms=0)] == ["P-0002"]
    assert queue.release_due(at(30)) == 1
    assert [c.job.subject for c in queue.claim("w1", block_ms=0)] == ["P-0001"]
    assert queue.counts()["scheduled"] == 0


def test_two_workers_releasing_at_once_release_each_job_once(store, queue, redis_client):
    store.commit(Changes(schedule=[(Job(op="publish", subject=f"P-{n:04d}"), at(n % 7))
                                   for n in range(200)]))
    workers = [RedisJobQueue(redis_client, ACCOUNT) for _ in range(4)]
    released: list[int] = []
    start = threading.Barrier(len(workers))

    def release(worker: RedisJobQueue) -> None:
        start.wait()
        released.append(worker.release_due(at(60)))

    threads = [threading.Thread(target=release, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(released) == 200
    assert queue.counts() == {"queued": 200, "scheduled": 0, "held": 0}


def test_held_jobs_stay_until_released(store, queue):
    enqueue(store, "P-0001")
    [claimed] = queue.claim("w1", block_ms=0)
    queue.hold(claimed.entry_id, claimed.job)

    time.sleep(RECLAIM_MS * 1.5 / 1000)
    assert queue.claim("w2", block_ms=0) == []  # acknowledged: not reclaimed either
    assert queue.counts() == {"queued": 0, "scheduled": 0, "held": 1}

    store.commit(Changes(release_held=True))
    assert [c.job for c in queue.claim("w2", block_ms=0)] == [claimed.job]


def test_events_are_read_acknowledged_and_reclaimed_from_a_dead_notifier(store, feed):
    store.commit(Changes(events=[event("proposed", "P-0001"), event("approved", "P-0001")]))

    [(first_id, first)] = feed.read("n1", block_ms=0)
    assert (first.kind, first.subject) == ("proposed", "P-0001")
    feed.ack(first_id)
    [(second_id, second)] = feed.read("dead-notifier", block_ms=0)
    assert second.kind == "approved"

    assert feed.read("n2", block_ms=0) == []
    time.sleep(RECLAIM_MS * 1.5 / 1000)
    assert feed.read("n2", block_ms=0) == [(second_id, second)]
    feed.ack(second_id)
    time.sleep(RECLAIM_MS * 1.5 / 1000)
    assert feed.read("n3", block_ms=0) == []


def test_each_notifier_group_hears_every_event(store, redis_client):
    slack = RedisEventFeed(redis_client, ACCOUNT, group="slack")
    teams = RedisEventFeed(redis_client, ACCOUNT, group="teams")
    slack.read("s", block_ms=0), teams.read("t", block_ms=0)  # create both groups
    store.commit(Changes(events=[event("published", "P-0001")]))

    [(slack_id, _)] = slack.read("s", block_ms=0)
    slack.ack(slack_id)
    assert [e.kind for _, e in teams.read("t", block_ms=0)] == ["published"]


def test_a_worker_carries_on_when_redis_lost_its_group(store, queue, redis_client):
    assert queue.claim("w1", block_ms=0) == []  # the group exists now
    redis_client.flushdb()  # Redis restarted without its data
    enqueue(store, "P-0001")
    assert [c.job.subject for c in queue.claim("w1", block_ms=0)] == ["P-0001"]
