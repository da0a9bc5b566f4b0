"""Corrections, deletion, suspension, follows, impersonation: art. 5.2, 6.1, 7.2, 9."""

from __future__ import annotations

import pytest

from chatbot.errors import PermissionDenied, WorkflowError
from chatbot.model import FollowState, State
from chatbot.ports import XRejected
from tests.workflow.conftest import CHIEF, GOOD_TEXT, STAFF

CORRECTED = GOOD_TEXT.replace("10時", "13時")
MARKED = "【訂正】" + CORRECTED  # nearly the same text: the bot marks it


def published(world, text=GOOD_TEXT):
    proposal, _ = world.workflow.propose(STAFF, text, "event")
    world.workflow.approve(CHIEF, proposal.id, 1)
    world.run_worker()
    return world.store.proposals[proposal.id]


def test_a_correction_deletes_the_wrong_post_and_publishes_the_corrected_one(world):
    wrong = published(world)
    correction, _ = world.workflow.correct(CHIEF, wrong.id, CORRECTED)
    assert correction.state is State.PENDING and correction.corrects == wrong.id
    world.workflow.approve(CHIEF, correction.id, 1)
    world.run_worker()
    assert world.x.deleted == [wrong.x_post_id]
    assert [p.text for p in world.x.posts] == [MARKED]
    assert world.store.proposals[wrong.id].state is State.CORRECTED
    assert world.store.proposals[wrong.id].corrected_by == correction.id
    assert world.store.proposals[correction.id].state is State.PUBLISHED
    steps = [(e.action, e.subject) for e in world.store.audit
             if e.action in ("x_deleted_for_correction", "x_published")]
    assert steps[-2:] == [("x_deleted_for_correction", wrong.id), ("x_published", correction.id)]
    assert "correction_published" in world.store.event_kinds()


def test_a_correction_whose_publication_fails_is_visible_and_retryable(world):
    wrong = published(world)
    correction, _ = world.workflow.correct(CHIEF, wrong.id, CORRECTED)
    world.x.fail_next = [XRejected("403 forbidden")]
    world.workflow.approve(CHIEF, correction.id, 1)
    world.run_worker()
    failed = world.store.proposals[correction.id]
    assert failed.state is State.FAILED and "403" in (failed.failure or "")
    assert world.store.proposals[wrong.id].state is State.CORRECTED  # deletion is on record
    assert world.store.events[-1].kind == "publish_failed"
    world.workflow.retry(CHIEF, correction.id)
    world.run_worker()
    assert world.store.proposals[correction.id].state is State.PUBLISHED
    assert world.x.deleted == [wrong.x_post_id]  # the original is not deleted twice
    assert [p.text for p in world.x.posts] == [MARKED]


def test_only_the_chief_corrects_and_only_published_posts(world):
    pending, _ = world.workflow.propose(STAFF, GOOD_TEXT, "event")
    with pytest.raises(PermissionDenied):
        world.workflow.correct(STAFF, pending.id, CORRECTED)
    with pytest.raises(WorkflowError) as refused:
        world.workflow.correct(CHIEF, pending.id, CORRECTED)
    assert refused.value.key == "not_published"


def test_a_correction_must_change_the_text(world):
    wrong = published(world)
    with pytest.raises(WorkflowError) as refused:
        world.workflow.correct(CHIEF, wrong.id, GOOD_TEXT)
    assert refused.value.key == "correction_same_text"


def test_the_chief_deletes_a_published_post_with_a_reason(world):
    post = published(world)
    with pytest.raises(WorkflowError):
        world.workflow.delete(CHIEF, post.id, "")
    with pytest.raises(PermissionDenied):
        world.workflow.delete(STAFF, post.id, "誤り")
    world.workflow.delete(CHIEF, post.id, "日付の誤り")
    world.run_worker()
    deleted = world.store.proposals[post.id]
    assert deleted.state is State.DELETED and deleted.delete_reason == "日付の誤り"
    assert world.x.posts == []
    assert world.store.events[-1].kind == "post_deleted"


def test_while_suspended_approved_posts_wait_and_resume_releases_them(world):
    world.workflow.suspend(CHIEF, "システム障害のため")
    proposal, _ = world.workflow.propose(STAFF, GOOD_TEXT, "event")
    world.workflow.approve(CHIEF, proposal.id, 1)
    world.run_worker()
    assert world.x.posts == []
    assert world.store.proposals[proposal.id].state is State.APPROVED
    assert len(world.store.held) == 1
    suspended = next(e for e in world.store.events if e.kind == "account_suspended")
    assert "システム障害のため" in suspended.data["notice_homepage"]
    assert "子育てねっと" in suspended.data["notice_portal"] or suspended.data["notice_portal"]
    world.workflow.resume(CHIEF)
    world.run_worker()
    assert world.store.proposals[proposal.id].state is State.PUBLISHED


def test_suspend_and_resume_are_the_chiefs_and_need_a_reason(world):
    with pytest.raises(PermissionDenied):
        world.workflow.suspend(STAFF, "理由")
    with pytest.raises(WorkflowError):
        world.workflow.suspend(CHIEF, " ")
    with pytest.raises(WorkflowError) as refused:
        world.workflow.resume(CHIEF)
    assert refused.value.key == "not_suspended"
    world.workflow.suspend(CHIEF, "点検")
    with pytest.raises(WorkflowError) as twice:
        world.workflow.suspend(CHIEF, "点検")
    assert twice.value.key == "already_suspended"


def test_a_follow_request_is_approved_by_the_chief_then_followed_by_hand(world):
    request = world.workflow.request_follow(STAFF, "@komae_city", "市の公式アカウントのため")
    assert request.state is FollowState.PENDING
    with pytest.raises(PermissionDenied):
        world.workflow.decide_follow(STAFF, request.id, approve=True)
    world.workflow.decide_follow(CHIEF, request.id, approve=True)
    assert world.store.follows[request.id].state is FollowState.APPROVED
    world.workflow.confirm_follow(CHIEF, request.id)
    assert world.store.follows[request.id].state is FollowState.FOLLOWED
    assert [f.handle for f in world.workflow.status().followed] == ["komae_city"]


def test_a_bad_account_name_is_refused(world):
    with pytest.raises(WorkflowError) as refused:
        world.workflow.request_follow(STAFF, "not an account!", "理由")
    assert refused.value.key == "bad_handle"


def test_an_impersonation_report_is_recorded_and_announced_with_draft_notices(world):
    report = world.workflow.report_impersonation(STAFF, "＠komae_kosodate_", "https://x.com/komae_kosodate_")
    assert report.handle == "komae_kosodate_"
    event = world.store.events[-1]
    assert event.kind == "impersonation_reported"
    assert "@komae_kosodate_" in event.data["notice_homepage"]
    assert "@komae_kosodate のみ" in event.data["notice_portal"]
    assert world.store.audit[-1].action == "impersonation_reported"


def test_a_deletion_while_x_is_down_waits_and_then_goes_through(world):
    from chatbot.ports import XTransient

    post = published(world)
    world.workflow.delete(CHIEF, post.id, "日付の誤り")
    real_delete = world.x.delete_post
    calls = {"n": 0}

    def down_once(post_id):
        calls["n"] += 1
        if calls["n"] == 1:
            raise XTransient("503")
        real_delete(post_id)

    world.x.delete_post = down_once
    world.run_worker()
    assert world.store.proposals[post.id].state is State.DELETING  # waiting, not failed
    world.clock.advance(minutes=10)
    world.run_worker()
    assert world.store.proposals[post.id].state is State.DELETED
    assert world.x.posts == []
