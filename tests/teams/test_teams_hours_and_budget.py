"""Urgent approval, posting hours, the X budget and the audit head, as Teams shows them."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from chatbot.model import State
from chatbot.views import APPROVE_URGENT
from policies import default_policy_path
from tests.fakes import FakeClock
from tests.open_hours import write_small_budget_policy
from tests.teams.conftest import CHIEF, DELEGATE, NOTIFY, OTHER_STAFF, STAFF, TeamsStack

pytestmark = pytest.mark.redis

TEXT = "12月1日(土)10時から子ども食堂を開きます。"
TUESDAY_22_00 = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)  # in Tokyo: outside posting hours
REASON = "大雨警報のため児童館を臨時休館します"


@pytest.fixture
def night(stack_factory: Callable[..., TeamsStack], monkeypatch: pytest.MonkeyPatch
          ) -> TeamsStack:
    """The section's own posting hours (08:30-19:00 on weekdays), 22:00 on a Tuesday."""
    monkeypatch.delenv("XPOST_POLICY")  # the always-open policy of the other tests
    return stack_factory(clock=FakeClock(TUESDAY_22_00), policy_path=str(default_policy_path()))


def propose(stack: TeamsStack, text: str = TEXT, proposal_id: str = "P-0001") -> str:
    stack.teams.say(STAFF, f"xpost event {text}")
    stack.wait_message(STAFF.personal_conversation, f"投稿案 {proposal_id} を受け付け")
    return proposal_id


def test_urgent_approval_at_night_needs_a_reason_goes_out_at_once_and_is_audited(
        night: TeamsStack) -> None:
    proposal_id = propose(night)
    card = night.approval_card(proposal_id)
    refused = night.click(card, APPROVE_URGENT)
    assert refused["type"] == "application/vnd.microsoft.activity.message"
    assert "緊急として承認する理由" in refused["value"]
    assert night.container.workflow.get(proposal_id).state is State.PENDING

    answer = night.click(card, APPROVE_URGENT, comment=REASON)
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    assert "（緊急）" in str(answer["value"]) and REASON in str(answer["value"])
    assert [p.text for p in night.published(1)] == [TEXT]
    approved = [e for e in night.container.store.audit_entries()
                if e.subject == proposal_id and e.action == "approved"]
    assert len(approved) == 1
    assert approved[0].details["urgent"] is True and approved[0].details["comment"] == REASON
    assert approved[0].actor == f"teams:{CHIEF.aad}"


def test_a_normal_approval_at_night_waits_and_the_card_says_when(night: TeamsStack) -> None:
    proposal_id = propose(night)
    answer = night.approve(night.approval_card(proposal_id))
    card = str(answer["value"])
    assert "投稿時刻" in card
    assert "2026年11月25日 08:30（投稿時間外のため次の投稿時間帯に（第10条））" in card
    time.sleep(1.0)  # the worker has had its chance: the post must wait for the morning
    assert night.x.posts == []
    assert night.container.workflow.get(proposal_id).state is State.APPROVED


def test_urgent_button_of_a_non_chief_is_refused_only_to_them(stack: TeamsStack) -> None:
    proposal_id = propose(stack)
    card = stack.approval_card(proposal_id)
    before = len(stack.connector.calls())
    refused = stack.click(card, APPROVE_URGENT, OTHER_STAFF, comment="急ぎです")
    assert refused["type"] == "application/vnd.microsoft.activity.message"
    assert "権限がありません" in refused["value"]
    assert stack.container.workflow.get(proposal_id).state is State.PENDING
    time.sleep(0.3)
    after = stack.connector.calls()[before:]  # the card unchanged, nobody told
    assert not [c for c in after if c.kind == "update" or proposal_id in c.text + c.card_text]
    assert stack.x.posts == []


def test_budget_warning_and_hold_reach_the_channel_and_each_chief_in_a_1_1_chat(
        stack_factory: Callable[..., TeamsStack], tmp_path: Path) -> None:
    stack = stack_factory(policy_path=str(write_small_budget_policy(tmp_path)))
    stack.teams.say(CHIEF, "xpost help")  # the chief's 1:1 chat is known to the bot
    stack.wait_message(CHIEF.personal_conversation, "xpost")

    first = propose(stack)
    stack.approve(stack.approval_card(first))
    stack.published(1)
    stack.wait_message(CHIEF.personal_conversation, "💴")
    stack.wait_message(NOTIFY, "💴")

    second = propose(stack, TEXT.replace("10時", "11時"), "P-0002")
    answer = stack.approve(stack.approval_card(second))
    assert "承認済み" in str(answer["value"]), answer
    held = stack.wait_message(CHIEF.personal_conversation, "⛔")
    assert second in held.text and "保留" in held.text
    stack.wait_message(NOTIFY, "⛔")
    assert len(stack.x.posts) == 1
    assert stack.container.workflow.get(second).state is State.APPROVED
    # Money is the chief's: the delegate is not messaged about it.
    assert not [c for c in stack.connector.calls()
                if c.conversation_id == DELEGATE.personal_conversation and "予算" in c.text]


def test_the_audit_head_reaches_the_notification_conversation(stack: TeamsStack) -> None:
    stack.teams.say(CHIEF, "xpost audit head")
    notice = stack.wait_message(NOTIFY, "🔏 監査ログの先頭")
    assert "xpost audit verify --head" in notice.text
