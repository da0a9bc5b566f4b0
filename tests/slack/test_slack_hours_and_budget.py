"""Urgent approval, posting hours, the X budget and the audit head, as Slack shows them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis

from adapters.slack_standin import SlackStandIn, buttons
from adapters.x_standin import XStandIn
from chatbot.model import State
from chatbot.views import APPROVE_URGENT
from policies import default_policy_path
from tests.fakes import FakeClock
from tests.open_hours import write_small_budget_policy
from tests.slack.conftest import CHIEF, DELEGATE, OTHER, World, eventually, start_world
from tests.slack.test_slack_account import publish
from tests.slack.test_slack_flows import TEXT, propose_by_command

pytestmark = pytest.mark.redis

TUESDAY_22_00 = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)  # in Tokyo: outside posting hours
REASON = "大雨警報のため児童館を臨時休館します"


@pytest.fixture
def night(slack_standin: SlackStandIn, x_standin: XStandIn, redis_client: redis.Redis,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """The section's own posting hours (08:30-19:00 on weekdays) on a clock stopped at
    22:00 on a Tuesday: the web server and the worker both read it."""
    monkeypatch.delenv("XPOST_POLICY")  # the always-open policy of the other tests
    world = start_world(slack_standin, x_standin, redis_client, clock=FakeClock(TUESDAY_22_00),
                        policy_path=str(default_policy_path()))
    try:
        yield world
    finally:
        world.worker.stop()
        assert world.server is not None
        world.server.stop()


@pytest.fixture
def small_budget(slack_standin: SlackStandIn, x_standin: XStandIn, redis_client: redis.Redis,
                 tmp_path: Path) -> Iterator[World]:
    world = start_world(slack_standin, x_standin, redis_client,
                        policy_path=str(write_small_budget_policy(tmp_path)))
    try:
        yield world
    finally:
        world.worker.stop()
        assert world.server is not None
        world.server.stop()


def test_urgent_approval_at_night_asks_why_goes_out_at_once_and_is_audited(night: World) -> None:
    proposal_id = propose_by_command(night)
    card = night.wait_card(proposal_id)
    night.slack.click(CHIEF, card, APPROVE_URGENT)
    modal = eventually(lambda: night.slack.views(CHIEF), what="the reason modal")[-1]
    assert modal["title"]["text"] == "緊急として承認"  # not the reject modal's 「却下」
    empty = night.slack.submit_view(CHIEF, modal, {"comment": "  "})
    assert empty.json and "緊急として承認する理由" in empty.json["errors"]["comment"]
    assert night.proposal(proposal_id).state is State.PENDING

    done = night.slack.submit_view(CHIEF, modal, {"comment": REASON})
    assert done.status == 200 and not (done.json or {}).get("errors")
    eventually(lambda: night.proposal(proposal_id).state is State.PUBLISHED, what="published")
    assert [p.text for p in night.x.posts] == [TEXT]
    approved = [e for e in night.container.store.audit_entries()
                if e.subject == proposal_id and e.action == "approved"]
    assert len(approved) == 1
    assert approved[0].details["urgent"] is True
    assert approved[0].details["comment"] == REASON
    assert approved[0].actor == f"slack:{CHIEF}"
    link = night.proposal(proposal_id).x_url
    updated = eventually(lambda: (c := night.card(proposal_id)) and link in str(c["blocks"])
                         and c, what="the card with the link")
    assert "課長 狛江（緊急） が第1版を承認" in str(updated["blocks"])
    assert REASON in str(updated["blocks"])


def test_a_normal_approval_at_night_waits_and_the_card_says_when(night: World) -> None:
    proposal_id = propose_by_command(night)
    night.slack.click(CHIEF, night.wait_card(proposal_id), "xpost_approve")
    card = eventually(lambda: (c := night.card(proposal_id)) and "投稿時刻" in str(c["blocks"])
                      and c, what="the card saying when")
    when = "2026年11月25日 08:30（投稿時間外のため次の投稿時間帯に（第10条））"
    assert when in str(card["blocks"])
    assert buttons(card) == []
    time.sleep(1.0)  # the worker has had its chance: the post must wait for the morning
    assert night.x.posts == []
    assert night.proposal(proposal_id).state is State.APPROVED


def test_urgent_button_of_a_non_chief_is_refused_only_to_them(world: World) -> None:
    proposal_id = propose_by_command(world)
    card = world.wait_card(proposal_id)
    world.slack.click(OTHER, card, APPROVE_URGENT)
    eventually(lambda: any("権限がありません" in t for t in world.ephemeral_texts(OTHER)),
               what="the refusal")
    assert world.slack.views(OTHER) == []  # no reason asked for
    assert world.proposal(proposal_id).state is State.PENDING
    assert world.slack.ephemerals(CHIEF) == []
    assert world.card(proposal_id)["blocks"] == card["blocks"]


def test_postponed_by_x_rate_limit_the_card_says_when(world: World) -> None:
    world.x.inject("create", "rate_limit")
    proposal_id = propose_by_command(world)
    world.slack.click(CHIEF, world.wait_card(proposal_id), "xpost_approve")
    card = eventually(lambda: (c := world.card(proposal_id)) and "投稿時刻" in str(c["blocks"])
                      and c, what="the postponed card")
    assert "X の回数制限のため" in str(card["blocks"])
    assert world.proposal(proposal_id).state is State.APPROVED
    assert world.x.posts == []


def test_budget_warning_and_hold_reach_the_channel_and_each_chief_by_dm(
        small_budget: World) -> None:
    world = small_budget
    chief_dm = world.slack.dm_channel(CHIEF)

    def chief_hears(*words: str) -> bool:
        return any(all(w in m.get("text", "") for w in words)
                   for m in world.slack.messages(chief_dm))

    publish(world)  # $0.015 of $0.015: the warning
    eventually(lambda: chief_hears("💴", "予算の"), what="the warning in the chief's DM")
    eventually(lambda: any("💴" in n and "予算の" in n for n in world.notices()),
               what="the warning in the notification channel")

    second = propose_by_command(world, TEXT.replace("10時", "11時"))
    world.slack.click(CHIEF, world.wait_card(second), "xpost_approve")
    eventually(lambda: chief_hears("⛔", second, "保留"), what="the hold in the chief's DM")
    eventually(lambda: any("⛔" in n and second in n for n in world.notices()),
               what="the hold in the notification channel")
    assert len(world.x.posts) == 1
    assert world.proposal(second).state is State.APPROVED
    # Money is the chief's: the delegate is not messaged about it.
    assert not any("予算" in m.get("text", "")
                   for m in world.slack.messages(world.slack.dm_channel(DELEGATE)))


def test_the_audit_head_reaches_the_notification_channel(world: World) -> None:
    world.slack.send_command(CHIEF, "audit head")
    notice = eventually(lambda: [n for n in world.notices() if "🔏 監査ログの先頭" in n],
                        what="the audit head")
    assert "xpost audit verify --head" in notice[-1]
