"""The worker against X's failure modes: never two posts, never a retry storm."""

from __future__ import annotations

from datetime import timedelta

from chatbot.model import State
from chatbot.ports import XRateLimited, XRejected, XTransient
from tests.workflow.conftest import CHIEF, GOOD_TEXT, STAFF


def approved(world, text=GOOD_TEXT):
    proposal, _ = world.workflow.propose(STAFF, text, "event")
    world.workflow.approve(CHIEF, proposal.id, 1)
    return proposal.id


def test_a_timeout_after_x_created_the_post_is_reconciled_not_posted_twice(world):
    proposal_id = approved(world)
    world.x.fail_next = [XTransient("read timed out")]
    world.x.create_after_fail = True
    world.run_worker()
    assert world.store.proposals[proposal_id].state is State.PUBLISHING
    world.clock.advance(minutes=5)
    world.run_worker()
    proposal = world.store.proposals[proposal_id]
    assert proposal.state is State.PUBLISHED
    assert len(world.x.posts) == 1
    assert proposal.x_post_id == world.x.posts[0].id
    assert world.store.audit[-1].details["reconciled"] is True


def test_a_worker_that_died_after_posting_is_reconciled_by_the_next(world):
    proposal_id = approved(world)
    # The first worker marked it publishing, X created the post, then the worker died.
    claimed = world.queue.claim("dead-worker")[0]
    proposal = world.store.get_proposal(proposal_id)
    proposal.start_publishing(world.clock.now())
    from chatbot.ports import Changes

    world.store.commit(Changes(proposals=[proposal]))
    world.x.create_post(GOOD_TEXT)
    world.store.jobs.append(claimed.job)  # redelivered to another worker
    world.run_worker()
    assert world.store.proposals[proposal_id].state is State.PUBLISHED
    assert len(world.x.posts) == 1


def test_rate_limited_posts_wait_for_the_reset_and_go_out_then(world):
    proposal_id = approved(world)
    reset = world.clock.now() + timedelta(minutes=15)
    world.x.fail_next = [XRateLimited(reset)]
    world.run_worker()
    waiting = world.store.proposals[proposal_id]
    assert waiting.state is State.APPROVED and waiting.release_at == reset
    assert world.store.events[-1].kind == "publish_postponed"
    world.clock.advance(minutes=14)
    world.run_worker()
    assert world.x.posts == []
    world.clock.advance(minutes=1)
    world.run_worker()
    assert world.store.proposals[proposal_id].state is State.PUBLISHED


def test_x_unavailable_is_retried_a_bounded_number_of_times_then_failed(world):
    proposal_id = approved(world)
    world.x.fail_next = [XTransient("503")] * 10
    for _ in range(10):
        world.run_worker()
        world.clock.advance(minutes=10)
    failed = world.store.proposals[proposal_id]
    assert failed.state is State.FAILED
    assert failed.attempts == 3  # the retry policy's bound, not ten
    assert world.store.events[-1].kind == "publish_failed"


def test_a_rejection_fails_at_once_without_retrying(world):
    proposal_id = approved(world)
    world.x.fail_next = [XRejected("401 Unauthorized")]
    world.run_worker()
    failed = world.store.proposals[proposal_id]
    assert failed.state is State.FAILED and failed.attempts == 1
    world.clock.advance(hours=1)
    assert world.run_worker() == 0


def test_the_worker_refuses_to_publish_from_another_account(world):
    world.x.username = "someone_else"
    assert world.publisher.check_identity() is False
    state = world.store.get_account_state()
    assert state.identity_ok is False and state.identity_username == "someone_else"
    assert world.store.events[-1].kind == "identity_mismatch"
    world.x.username = "komae_kosodate"
    assert world.publisher.check_identity() is True


def test_a_withdrawn_or_published_proposal_is_never_published_again(world):
    proposal_id = approved(world)
    world.run_worker()
    from chatbot.ports import Job

    world.store.jobs.append(Job(op="publish", subject=proposal_id))  # a stray duplicate job
    world.run_worker()
    assert len(world.x.posts) == 1


def test_x_unreachable_while_reconciling_waits_instead_of_crashing_the_worker(world):
    proposal_id = approved(world)
    world.x.fail_next = [XTransient("read timed out")]
    world.x.create_after_fail = True
    world.run_worker()  # uncertain now: the next attempt must look on X first
    calls = {"n": 0}
    real_recent = world.x.recent_posts

    def recent_posts_down_once(limit=20):
        calls["n"] += 1
        if calls["n"] == 1:
            raise XTransient("503")
        return real_recent(limit)

    world.x.recent_posts = recent_posts_down_once
    world.clock.advance(minutes=5)
    world.run_worker()  # X is down while reconciling: deferred, not lost, not posted again
    assert world.store.proposals[proposal_id].state is State.PUBLISHING
    assert len(world.x.posts) == 1
    world.clock.advance(minutes=10)
    world.run_worker()
    assert world.store.proposals[proposal_id].state is State.PUBLISHED
    assert len(world.x.posts) == 1


def test_a_postponement_says_why_and_when_in_tokyo_time(world):
    from chatbot.model import Event
    from chatbot.views import event_summary

    hours = Event(kind="publish_postponed", account="komae_kosodate", at=world.clock.now(),
                  subject="P-0001",
                  data={"reason": "posting_hours", "until": "2026-11-24T23:30:00+00:00"})
    text = event_summary(hours, "ja")
    assert "投稿時間外" in text and "2026年11月25日 08:30" in text
    limited = hours.model_copy(update={"data": {**hours.data, "reason": "rate_limited"}})
    assert "上限" in event_summary(limited, "ja")


def test_small_amounts_of_money_keep_their_tenth_of_a_cent():
    from chatbot.usage import usd

    assert usd(0.015) == "0.015"
    assert usd(30) == "30.00"
    assert usd(1234.5) == "1,234.50"
    assert usd(0) == "0.00"
    assert usd(0.8) == "0.80"
    assert usd(1.215) == "1.215"


def test_a_job_claimed_while_the_worker_stops_is_handed_back_not_published(world):
    from chatbot.worker import Worker

    proposal_id = approved(world)
    worker = Worker(world.workflow, world.publisher, world.queue, world.queue, [], world.clock)
    worker.identity_ok = True
    worker.stopping.set()
    assert worker.publish_round() == 0
    assert world.x.posts == []
    assert world.store.proposals[proposal_id].state is State.APPROVED
    world.run_worker()  # another worker takes it at once
    assert world.store.proposals[proposal_id].state is State.PUBLISHED
