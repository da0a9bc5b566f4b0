"""The proposal lifecycle with in-memory fakes: every transition and every refusal."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chatbot.errors import PermissionDenied, PolicyViolation, WorkflowError
from chatbot.model import State
from tests.workflow.conftest import CHIEF, DELEGATE, GOOD_TEXT, OTHER_STAFF, STAFF, TEAMS_CHIEF


def propose(world, text=GOOD_TEXT, category="event", actor=STAFF, **kw):
    proposal, _ = world.workflow.propose(actor, text, category, **kw)
    return proposal


def test_a_proposal_with_policy_errors_is_refused_and_nothing_is_saved(world):
    with pytest.raises(PolicyViolation) as refused:
        world.workflow.propose(STAFF, "@someone 子育て相談はDMでどうぞ", "info")
    rules = {v.rule for v in refused.value.violations}
    assert {"reply", "contact"} <= rules
    assert world.store.proposals == {}
    assert world.store.audit == []
    assert world.store.events == []


def test_a_good_proposal_waits_for_the_chief_with_its_warnings(world):
    proposal, _ = world.workflow.propose(STAFF, GOOD_TEXT, "other")
    assert proposal.id == "P-0001"
    assert proposal.state is State.PENDING
    assert [w.rule for w in proposal.current.warnings] == ["category"]  # 'other' needs judgement
    assert world.store.event_kinds() == ["proposal_submitted"]
    assert world.store.audit[0].action == "proposed"
    assert world.store.audit[0].rules == ["category"]


def test_the_chief_approves_and_the_worker_publishes_exactly_once(world):
    proposal = propose(world)
    world.workflow.approve(CHIEF, proposal.id, 1)
    assert world.store.proposals[proposal.id].state is State.APPROVED
    world.run_worker()
    published = world.store.proposals[proposal.id]
    assert published.state is State.PUBLISHED
    assert [p.text for p in world.x.posts] == [GOOD_TEXT]
    assert published.x_url == world.x.posts[0].url
    assert "post_published" in world.store.event_kinds()


def test_staff_cannot_decide_and_nothing_changes(world):
    proposal = propose(world)
    for kind, comment in (("approve", ""), ("reject", "だめ"), ("request_changes", "直して")):
        with pytest.raises(PermissionDenied) as refused:
            world.workflow.decide(OTHER_STAFF, proposal.id, 1, kind, comment)
        assert "権限がありません" in refused.value.render("ja")
    assert world.store.proposals[proposal.id].state is State.PENDING
    assert world.store.jobs == []


def test_a_delegate_decides_on_the_chiefs_behalf_and_it_is_recorded(world):
    proposal = propose(world)
    world.workflow.approve(DELEGATE, proposal.id, 1)
    decision = world.store.proposals[proposal.id].decisions[0]
    assert decision.on_behalf_of_chief
    assert world.store.audit[-1].details["on_behalf_of_chief"] is True
    assert world.store.audit[-1].role == "delegate"


def test_the_chief_from_teams_decides_a_proposal_made_in_slack(world):
    proposal = propose(world)
    world.workflow.approve(TEAMS_CHIEF, proposal.id, 1)
    assert world.store.proposals[proposal.id].state is State.APPROVED


def test_nobody_but_the_chief_approves_their_own_proposal(world, policy):
    own = propose(world, actor=DELEGATE)
    with pytest.raises(PermissionDenied) as refused:
        world.workflow.approve(DELEGATE, own.id, 1)
    assert refused.value.key == "self_approval"
    chiefs_own = propose(world, text=GOOD_TEXT + "（再掲）", actor=CHIEF)
    world.workflow.approve(CHIEF, chiefs_own.id, 1)
    assert world.store.proposals[chiefs_own.id].state is State.APPROVED


def test_the_policy_file_can_require_a_second_person_even_for_the_chief(world, policy):
    strict = policy.model_copy(update={
        "workflow": policy.workflow.model_copy(update={"require_second_person": True})})
    world.workflow.policy = strict
    own = propose(world, actor=CHIEF)
    with pytest.raises(PermissionDenied):
        world.workflow.approve(CHIEF, own.id, 1)


def test_a_second_decision_is_refused_and_changes_nothing(world):
    proposal = propose(world)
    world.workflow.approve(CHIEF, proposal.id, 1)
    with pytest.raises(WorkflowError) as refused:
        world.workflow.reject(CHIEF, proposal.id, 1, "やはり却下")
    assert refused.value.key == "already_decided"
    assert world.store.proposals[proposal.id].state is State.APPROVED
    assert len(world.store.jobs) == 1


def test_request_changes_edit_and_a_stale_decision_is_refused(world):
    proposal = propose(world)
    world.workflow.request_changes(CHIEF, proposal.id, 1, "会場名を正式名称にしてください")
    assert world.store.proposals[proposal.id].state is State.CHANGES_REQUESTED
    edited, _ = world.workflow.edit(STAFF, proposal.id, text=GOOD_TEXT.replace("市民センター",
                                                                                "狛江市中央公民館"))
    assert edited.state is State.PENDING
    assert edited.current.number == 2
    with pytest.raises(WorkflowError) as refused:
        world.workflow.approve(CHIEF, proposal.id, 1)
    assert refused.value.key == "stale_version"
    assert "第2版" in refused.value.render("ja")
    world.workflow.approve(CHIEF, proposal.id, 2)
    world.run_worker()
    assert "狛江市中央公民館" in world.x.posts[0].text


def test_reject_needs_a_reason_and_request_changes_a_comment(world):
    proposal = propose(world)
    with pytest.raises(WorkflowError) as no_reason:
        world.workflow.reject(CHIEF, proposal.id, 1, "  ")
    assert no_reason.value.key == "reason_required"
    with pytest.raises(WorkflowError) as no_comment:
        world.workflow.request_changes(CHIEF, proposal.id, 1, "")
    assert no_comment.value.key == "comment_required"
    world.workflow.reject(CHIEF, proposal.id, 1, "対象が市外のイベントのため")
    rejected = world.store.proposals[proposal.id]
    assert rejected.state is State.REJECTED
    assert rejected.decisions[-1].comment == "対象が市外のイベントのため"


def test_only_the_author_or_the_chief_withdraws(world):
    proposal = propose(world)
    with pytest.raises(PermissionDenied):
        world.workflow.withdraw(OTHER_STAFF, proposal.id)
    world.workflow.withdraw(STAFF, proposal.id)
    assert world.store.proposals[proposal.id].state is State.WITHDRAWN
    with pytest.raises(WorkflowError) as refused:
        world.workflow.edit(STAFF, proposal.id, text=GOOD_TEXT + "!")
    assert refused.value.key == "illegal_transition"


def test_the_same_text_as_a_recent_post_is_refused_as_duplicate(world):
    proposal = propose(world)
    world.workflow.approve(CHIEF, proposal.id, 1)
    world.run_worker()
    with pytest.raises(PolicyViolation) as refused:
        propose(world, text=GOOD_TEXT.replace("。", "。 "))  # whitespace does not make it new
    assert [v.rule for v in refused.value.violations] == ["duplicate"]
    world.clock.advance(days=31)
    assert propose(world).state is State.PENDING  # outside the window


def test_an_unknown_id_is_a_clear_error(world):
    with pytest.raises(WorkflowError) as refused:
        world.workflow.get("P-9999")
    assert "P-9999 は見つかりません" in refused.value.render("ja")
    assert world.workflow.get("p-1") if world.store.proposals else True


def test_ids_are_accepted_in_every_way_people_write_them(world):
    proposal = propose(world)
    for spelling in ("P-0001", "p-1", "1", "Ｐ－０００１"):
        assert world.workflow.get(spelling).id == proposal.id


def test_a_draft_from_a_chat_message_is_submitted_later(world):
    proposal, _ = world.workflow.propose(STAFF, GOOD_TEXT, "event", submit=False)
    assert proposal.state is State.DRAFT
    assert world.store.events == []
    world.workflow.submit(STAFF, proposal.id)
    assert world.store.proposals[proposal.id].state is State.PENDING
    assert world.store.event_kinds() == ["proposal_submitted"]


def test_a_missing_category_keeps_a_draft_until_it_is_chosen(world):
    proposal, _ = world.workflow.propose(STAFF, GOOD_TEXT, None, allow_missing_category=True)
    assert proposal.state is State.DRAFT
    edited, _ = world.workflow.edit(STAFF, proposal.id, category="event")
    world.workflow.submit(STAFF, edited.id)
    assert world.store.proposals[proposal.id].current.category == "event"
    assert world.store.proposals[proposal.id].state is State.PENDING


def test_a_scheduled_post_waits_for_its_time(world):
    at = world.clock.now() + timedelta(hours=3)
    proposal = propose(world, publish_at=at)
    world.workflow.approve(CHIEF, proposal.id, 1)
    assert world.run_worker() == 0
    assert world.x.posts == []
    world.clock.advance(hours=3)
    world.run_worker()
    assert world.store.proposals[proposal.id].state is State.PUBLISHED


def test_a_publish_time_in_the_past_is_refused(world):
    with pytest.raises(WorkflowError) as refused:
        propose(world, publish_at=world.clock.now() - timedelta(minutes=1))
    assert refused.value.key == "publish_at_past"
    assert world.store.proposals == {}


def test_reminders_reach_the_chief_once_per_period(world, policy):
    proposal = propose(world)
    world.clock.advance(hours=policy.workflow.reminder_hours - 1)
    assert world.workflow.send_reminders() == []
    world.clock.advance(hours=1)
    assert world.workflow.send_reminders() == [proposal.id]
    assert world.workflow.send_reminders() == []
    assert world.store.event_kinds().count("reminder") == 1


def test_status_counts_and_last_post(world):
    first = propose(world)
    propose(world, text=GOOD_TEXT + "（第2回）")
    world.workflow.approve(CHIEF, first.id, 1)
    world.run_worker()
    status = world.workflow.status()
    assert status.pending == 1
    assert status.last_published and status.last_published.id == first.id
    assert not status.account.suspended
