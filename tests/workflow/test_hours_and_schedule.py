"""Posting hours, urgent approval and scheduled posts, on a clock the tests control."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from chatbot.commands import CommandRunner, parse
from chatbot.errors import PermissionDenied, WorkflowError
from chatbot.hours import next_window, within_hours
from chatbot.model import State
from chatbot.views import APPROVE_URGENT, Buttons, Fields, approval_card
from policies.model import PostingHours
from tests.workflow.conftest import CHIEF, GOOD_TEXT, STAFF

HOURS = PostingHours(closed_dates=[date(2026, 11, 26)])


def jst(day: int, hour: int, minute: int = 0) -> datetime:
    """A Tokyo wall-clock time in November 2026, as aware UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=ZoneInfo("Asia/Tokyo")).astimezone(UTC)


@pytest.mark.parametrize(("now", "opens"), [
    (jst(24, 10), jst(24, 10)),          # Tuesday morning: now
    (jst(24, 8, 29), jst(24, 8, 30)),    # before the window
    (jst(24, 19), jst(25, 8, 30)),       # the window closes at 19:00
    (jst(24, 22), jst(25, 8, 30)),       # 22:00: the next working day
    (jst(25, 20), jst(27, 8, 30)),       # Thursday the 26th is a closed date
    (jst(27, 19, 30), jst(30, 8, 30)),   # Friday evening: Monday
    (jst(28, 12), jst(30, 8, 30)),       # Saturday
])
def test_next_window(now, opens):
    assert next_window(now, HOURS) == opens
    assert within_hours(opens, HOURS)


def test_a_post_approved_at_22_goes_out_at_8_30_the_next_working_day(world):
    world.clock.current = jst(24, 22)
    proposal, _ = world.workflow.propose(STAFF, GOOD_TEXT, "event")
    approved = world.workflow.approve(CHIEF, proposal.id, 1)
    assert approved.release_at == jst(25, 8, 30) and approved.release_reason == "posting_hours"
    assert "11月25日 08:30 に投稿します（投稿時間外のため次の投稿時間帯に" in \
        CommandRunner(world.workflow).approved_text(approved)
    card = approval_card(approved, "イベント")
    fields = dict(next(b for b in card.blocks if isinstance(b, Fields)).pairs)
    assert fields["投稿時刻"].startswith("2026年11月25日 08:30（投稿時間外")
    world.clock.current = jst(25, 8, 29)
    world.run_worker()
    assert world.x.posts == []
    world.clock.current = jst(25, 8, 30)
    world.run_worker()
    assert world.store.proposals[proposal.id].state is State.PUBLISHED


def test_an_urgent_approval_goes_out_at_once_and_the_audit_says_who_and_why(world):
    world.clock.current = jst(24, 22)
    proposal, _ = world.workflow.propose(STAFF, GOOD_TEXT, "event")
    with pytest.raises(WorkflowError) as refused:
        world.workflow.decide(CHIEF, proposal.id, 1, "approve", urgent=True)
    assert refused.value.key == "urgent_reason_required"
    with pytest.raises(PermissionDenied):
        world.workflow.approve_urgent(STAFF, proposal.id, 1, "台風のため")
    world.workflow.approve_urgent(CHIEF, proposal.id, 1, "台風接近のため児童館を休館")
    world.run_worker()
    assert world.store.proposals[proposal.id].state is State.PUBLISHED
    approved = next(e for e in world.store.audit if e.action == "approved")
    assert approved.actor == CHIEF.key and approved.details["urgent"] is True
    assert approved.details["comment"] == "台風接近のため児童館を休館"
    published = next(e for e in world.store.audit if e.action == "x_published")
    assert published.details["urgent"] is True


def test_the_card_has_a_fourth_button_for_urgent_approval_that_asks_why(world):
    proposal, _ = world.workflow.propose(STAFF, GOOD_TEXT, "event")
    buttons = next(b for b in approval_card(proposal, "イベント").blocks
                   if isinstance(b, Buttons)).buttons
    urgent = buttons[3]
    assert (urgent.action, urgent.label, urgent.asks_for) == (
        APPROVE_URGENT, "緊急として承認（時間外でも即時投稿）", "reason")


def test_a_late_released_job_waits_for_the_window_in_the_worker_too(world):
    proposal, _ = world.workflow.propose(STAFF, GOOD_TEXT, "event")
    world.workflow.approve(CHIEF, proposal.id, 1)  # 10:00: queued at once
    world.clock.current = jst(24, 19, 5)  # ...but the worker only gets to it after 19:00
    world.run_worker()
    waiting = world.store.proposals[proposal.id]
    assert waiting.state is State.APPROVED and waiting.release_at == jst(25, 8, 30)
    world.clock.current = jst(25, 8, 30)
    world.run_worker()
    assert world.store.proposals[proposal.id].state is State.PUBLISHED


def test_a_scheduled_post_goes_out_at_its_minute(world):
    runner = CommandRunner(world.workflow)
    runner.run(STAFF, "/xpost event 2026-12-01 09:00 " + GOOD_TEXT)
    approved = world.workflow.approve(CHIEF, "P-0001", 1)
    assert approved.release_at == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    assert approved.release_reason == "scheduled"
    assert "⏰2026年12月1日 09:00" in runner.run(STAFF, "/xpost list").text
    world.clock.current = datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC)  # 08:59:59 JST
    world.run_worker()
    assert world.x.posts == []
    world.clock.advance(seconds=1)  # 09:00:00 JST
    world.run_worker()
    assert world.store.proposals["P-0001"].state is State.PUBLISHED


def test_reschedule_and_unschedule(world):
    runner = CommandRunner(world.workflow)
    runner.run(STAFF, "/xpost event 2026-12-01 09:00 " + GOOD_TEXT)
    world.workflow.approve(CHIEF, "P-0001", 1)
    past = runner.run(CHIEF, "/xpost reschedule P-0001 2026-11-01 09:00")
    assert "すでに過ぎています" in past.text
    assert "権限がありません" in runner.run(STAFF, "/xpost reschedule P-0001 2026-12-02 9:00").text
    answer = runner.run(CHIEF, "/xpost reschedule P-0001 2026-12-02 09:00")
    assert "2026年12月2日 09:00 に変更しました" in answer.text
    [(_, due)] = world.store.scheduled.values()
    assert due == datetime(2026, 12, 2, 0, 0, tzinfo=UTC)
    answer = runner.run(CHIEF, "/xpost unschedule P-0001")
    assert "承認待ちに戻り" in answer.text
    back = world.store.proposals["P-0001"]
    assert back.state is State.PENDING and back.current.number == 2
    assert back.current.publish_at is None and back.versions[0].publish_at is not None
    assert world.store.scheduled == {}
    world.clock.current = datetime(2026, 12, 2, 0, 1, tzinfo=UTC)
    world.run_worker()
    assert world.x.posts == []
    assert [e.action for e in world.store.audit][-2:] == ["rescheduled", "unscheduled"]
    assert "投稿待ちではない" in runner.run(CHIEF, "/xpost unschedule P-0001").text


def test_the_grammar_for_the_new_verbs():
    assert parse("/xpost audit head").verb == "audit"
    assert parse("/xpost budget continue").args == ["continue"]
    command = parse("/xpost reschedule P-0001 2026-12-02 09:00")
    assert command.args == ["P-0001"] and command.publish_at is not None
    assert parse("/xpost unschedule P-0001").args == ["P-0001"]
    command = parse("/xpost correct P-0001 --confirm 訂正後の本文")
    assert (command.confirm, command.text) == (True, "訂正後の本文")
    command = parse("/xpost approve P-0002 --urgent 台風のため休館")
    assert (command.urgent, command.text, command.args) == (True, "台風のため休館", ["P-0002"])
    for bad in ("/xpost audit", "/xpost budget stop", "/xpost reschedule P-0001 明日",
                "/xpost approve P-0002 --urgent"):
        with pytest.raises(WorkflowError):
            parse(bad)
