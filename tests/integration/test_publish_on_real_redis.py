"""Exactly one X post per approved proposal, with real Redis, real tweepy and the X stand-in."""

from __future__ import annotations

import threading

from chatbot.errors import WorkflowError
from chatbot.model import State
from tests.integration.conftest import CHIEF, STAFF

TEXT = "12月6日（土）10時から、子ども食堂を市民センターで開きます。親子でどうぞ。"


def test_an_approved_proposal_is_published_once_through_tweepy(container, x_standin):
    proposal, _ = container.workflow.propose(STAFF, TEXT, "event")
    container.workflow.approve(CHIEF, proposal.id, 1)
    worker = container.worker("test-worker", block_ms=50)
    worker.publish_round()
    published = container.store.get_proposal(proposal.id)
    assert published.state is State.PUBLISHED
    assert [p.text for p in x_standin.posts] == [TEXT]
    assert published.x_url.endswith(f"/komae_kosodate/status/{x_standin.posts[0].id}")


def test_fifty_concurrent_approvals_make_exactly_one_post(container, x_standin):
    proposal, _ = container.workflow.propose(STAFF, TEXT, "event")
    outcomes: list[str] = []
    start = threading.Barrier(50)

    def approve() -> None:
        start.wait()
        try:
            container.workflow.approve(CHIEF, proposal.id, 1)
            outcomes.append("approved")
        except WorkflowError as refused:
            outcomes.append(refused.key)

    threads = [threading.Thread(target=approve) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("approved") == 1
    assert set(outcomes) == {"approved", "already_decided"}
    assert container.queue.counts()["queued"] == 1
    worker = container.worker("test-worker", block_ms=50)
    for _ in range(3):
        worker.publish_round()
    assert len(x_standin.posts) == 1
    approvals = [e for e in container.store.audit_entries() if e.action == "approved"]
    assert len(approvals) == 1


def test_x_timing_out_after_creating_the_post_is_reconciled(container, x_standin):
    proposal, _ = container.workflow.propose(STAFF, TEXT, "event")
    container.workflow.approve(CHIEF, proposal.id, 1)
    x_standin.inject("create", "drop_after")
    worker = container.worker("test-worker", block_ms=50)
    worker.publish_round()
    assert container.store.get_proposal(proposal.id).state is State.PUBLISHING
    assert len(x_standin.posts) == 1  # X has it, though the answer was lost
    # The retry is deferred; bring its time forward instead of waiting.
    container.queue.release_due(container.clock.now().replace(year=2100))
    worker.publish_round()
    published = container.store.get_proposal(proposal.id)
    assert published.state is State.PUBLISHED
    assert len(x_standin.posts) == 1
    assert published.x_post_id == x_standin.posts[0].id


def test_the_worker_publishes_nothing_from_the_wrong_account(redis_client):
    from adapters.bootstrap import build
    from adapters.x_gateway import TweepyXGateway
    from adapters.x_standin import XStandIn
    from tests.integration.conftest import settings_for

    with XStandIn(username="komae_kosodate_old") as wrong:
        gateway = TweepyXGateway.from_credentials(wrong.credentials, api_url=wrong.url)
        container = build(settings_for(), redis_client=redis_client, x_gateway=gateway)
        proposal, _ = container.workflow.propose(STAFF, TEXT, "event")
        container.workflow.approve(CHIEF, proposal.id, 1)
        worker = container.worker("test-worker", block_ms=50)
        worker.stopping.set()  # don't sit out the back-off pause in this test
        assert worker.publish_round() == 0
        assert wrong.posts == []
        state = container.store.get_account_state()
        assert state.identity_ok is False and state.identity_username == "komae_kosodate_old"
        assert container.store.get_proposal(proposal.id).state is State.APPROVED
