"""The rule behind each button, the same for Slack and Teams (chatbot.buttons.press)."""

from __future__ import annotations

import pytest

from chatbot.buttons import press
from chatbot.errors import PermissionDenied, WorkflowError
from chatbot.model import FollowState, State
from chatbot.views import (
    APPROVE,
    FOLLOW_APPROVE,
    FOLLOW_DONE,
    PICK_CATEGORY,
    REJECT,
    REQUEST_CHANGES,
)
from tests.workflow.conftest import CHIEF, GOOD_TEXT, STAFF


def test_approve_reject_and_changes_act_on_the_version_the_button_carries(world):
    first, _ = world.workflow.propose(STAFF, GOOD_TEXT, "event")
    press(world.workflow, CHIEF, REQUEST_CHANGES, {"id": first.id, "version": 1}, "正式名称に")
    world.workflow.edit(STAFF, first.id, text=GOOD_TEXT + "（改）")
    with pytest.raises(WorkflowError) as stale:
        press(world.workflow, CHIEF, APPROVE, {"id": first.id, "version": 1})
    assert stale.value.key == "stale_version"
    assert press(world.workflow, CHIEF, APPROVE, {"id": first.id, "version": 2}).state \
        is State.APPROVED
    second, _ = world.workflow.propose(STAFF, GOOD_TEXT + "（別件）", "event")
    rejected = press(world.workflow, CHIEF, REJECT, {"id": second.id, "version": 1}, "対象外")
    assert rejected.state is State.REJECTED and rejected.decisions[-1].comment == "対象外"


def test_staff_pressing_a_chiefs_button_changes_nothing(world):
    proposal, _ = world.workflow.propose(STAFF, GOOD_TEXT, "event")
    with pytest.raises(PermissionDenied):
        press(world.workflow, STAFF, APPROVE, {"id": proposal.id, "version": 1})
    assert world.store.proposals[proposal.id].state is State.PENDING


def test_a_category_question_answers_once(world):
    draft, _ = world.workflow.propose(STAFF, GOOD_TEXT, None, allow_missing_category=True)
    value = {"id": draft.id, "version": 1, "category": "event"}
    assert press(world.workflow, STAFF, PICK_CATEGORY, value).state is State.PENDING
    with pytest.raises(WorkflowError) as twice:
        press(world.workflow, STAFF, PICK_CATEGORY, {**value, "category": "info"})
    assert twice.value.key == "illegal_transition"
    assert world.store.proposals[draft.id].current.category == "event"
    assert len(world.store.proposals[draft.id].versions) == 2  # no extra version


def test_follow_buttons(world):
    request = world.workflow.request_follow(STAFF, "@komae_city", "市の公式アカウント")
    assert press(world.workflow, CHIEF, FOLLOW_APPROVE, {"id": request.id}).state \
        is FollowState.APPROVED
    assert press(world.workflow, CHIEF, FOLLOW_DONE, {"id": request.id}).state \
        is FollowState.FOLLOWED


@pytest.mark.parametrize("action, value", [
    ("xpost_unknown", {"id": "P-0001"}),
    (APPROVE, {"id": "P-0001"}),  # no version: a forged or broken value
    (APPROVE, {"version": 1}),
    (APPROVE, {"id": "P-0001", "version": "first"}),
])
def test_a_broken_or_unknown_button_is_refused_clearly(world, action, value):
    with pytest.raises(WorkflowError) as refused:
        press(world.workflow, CHIEF, action, value)
    assert refused.value.key == "unknown_action"
    assert "このボタンは使えません" in refused.value.render("ja")
