"""X usage and the budget, corrections that do not look like spam, the audit head announced."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chatbot.commands import CommandRunner
from chatbot.errors import PermissionDenied, WorkflowError
from chatbot.model import State
from chatbot.ports import RateLimit
from chatbot.views import Fields, approval_card, event_summary
from policies.model import CostSettings
from tests.workflow.conftest import CHIEF, GOOD_TEXT, STAFF

URL_TEXT = "子育てひろばの12月の予定です。https://www.city.komae.lg.jp/kosodate（{n}）"


@pytest.fixture
def policy(policy):
    """A $1 budget: posts with a URL cost $0.20, so the 4th reaches 80% and the 6th would
    take the month over."""
    return policy.model_copy(update={"costs": CostSettings(post_usd=0.015, post_with_url_usd=0.2,
                                                           monthly_budget_usd=1.0)})


def publish(world, text: str) -> str:
    proposal, _ = world.workflow.propose(STAFF, text, "info")
    world.workflow.approve(CHIEF, proposal.id, 1)
    world.run_worker()
    return proposal.id


def test_the_card_shows_what_the_post_will_cost(world):
    plain, _ = world.workflow.propose(STAFF, GOOD_TEXT, "event")
    linked, _ = world.workflow.propose(STAFF, URL_TEXT.format(n=1), "info")
    for proposal, expected in ((plain, "$0.015（URL なし）"), (linked, "$0.20（URL あり）")):
        fields = dict(next(b for b in approval_card(proposal, "x").blocks
                           if isinstance(b, Fields)).pairs)
        assert fields["X の費用（見込み）"] == expected


def test_warning_at_80_percent_once_then_hold_at_100_and_nothing_is_lost(world):
    ids = [publish(world, URL_TEXT.format(n=n)) for n in range(1, 5)]
    assert world.store.event_kinds().count("budget_warning") == 1
    warning = next(e for e in world.store.events if e.kind == "budget_warning")
    assert "予算の 80% に達しました（$0.80 ／ $1.00）" in event_summary(warning)
    ids.append(publish(world, URL_TEXT.format(n=5)))  # exactly $1.00: still within budget
    assert world.store.event_kinds().count("budget_warning") == 1
    held = [publish(world, URL_TEXT.format(n=n)) for n in (6, 7)]
    assert [world.store.proposals[i].state for i in held] == [State.APPROVED] * 2
    assert len(world.store.held) == 2 and len(world.x.posts) == 5
    assert world.store.event_kinds().count("budget_exceeded") == 1
    status = CommandRunner(world.workflow).status_view().text
    assert "今月の投稿数: 5 件（うち URL 付き 5 件）" in status
    assert "$1.00 ／ 予算 $1.00（100%）" in status and "/xpost budget continue" in status

    with pytest.raises(PermissionDenied):
        world.workflow.continue_over_budget(STAFF)
    answer = CommandRunner(world.workflow).run(CHIEF, "/xpost budget continue")
    assert "予算（$1.00）を超えて投稿を続けます" in answer.text
    world.run_worker()
    assert [world.store.proposals[i].state for i in held] == [State.PUBLISHED] * 2
    assert any(e.action == "budget_continued" and e.actor == CHIEF.key
               for e in world.store.audit)


def test_a_new_month_releases_posts_held_for_last_months_budget(world):
    for n in range(1, 6):
        publish(world, URL_TEXT.format(n=n))
    held = publish(world, URL_TEXT.format(n=6))
    assert world.store.proposals[held].state is State.APPROVED
    world.clock.current = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)  # 1 Dec, 08:30 Tokyo
    assert world.workflow.end_budget_hold_of_past_month()
    world.run_worker()
    assert world.store.proposals[held].state is State.PUBLISHED
    assert world.store.get_usage("2026-12").posts == 1


def test_rate_limit_headers_are_recorded_and_shown(world):
    reset = datetime(2026, 11, 24, 1, 15, tzinfo=UTC)
    world.x.limits = [RateLimit("create", 100, 99, reset)]
    publish(world, GOOD_TEXT)
    assert world.store.rate_limits() == [RateLimit("create", 100, 99, reset)]
    status = CommandRunner(world.workflow).status_view().text
    assert "X API の残り回数: create: 99 / 100（2026年11月24日 10:15 にリセット）" in status


# -- corrections (art. 5.2) that X will not take for spam -------------------------------


def test_a_nearly_identical_correction_gets_the_mark(world):
    wrong = publish(world, GOOD_TEXT)
    correction, _ = world.workflow.correct(CHIEF, wrong, GOOD_TEXT.replace("10時", "13時"))
    assert correction.current.text.startswith("【訂正】12月6日")
    assert not correction.current.warnings


def test_a_very_different_correction_is_flagged_to_the_chief_not_marked(world):
    wrong = publish(world, GOOD_TEXT)
    text = "児童館の冬休みの開館時間が変わります。詳しくは子育てねっとをご覧ください。"
    correction, _ = world.workflow.correct(CHIEF, wrong, text)
    assert correction.current.text == text
    assert [w.rule for w in correction.current.warnings] == ["correction_dissimilar"]


def test_a_second_correction_within_the_cooldown_needs_the_chiefs_confirm(world):
    wrong = publish(world, GOOD_TEXT)
    first, _ = world.workflow.correct(CHIEF, wrong, GOOD_TEXT.replace("10時", "13時"))
    world.workflow.approve(CHIEF, first.id, 1)
    world.run_worker()
    world.clock.advance(minutes=10)
    runner = CommandRunner(world.workflow)
    again = GOOD_TEXT.replace("10時", "14時")
    refused = runner.run(CHIEF, f"/xpost correct {first.id} {again}")
    assert "60 分以内に訂正したばかり" in refused.text and "--confirm" in refused.text
    answer = runner.run(CHIEF, f"/xpost correct {first.id} --confirm {again}")
    assert "訂正案" in answer.text
    entry = world.store.audit[-1]
    assert entry.action == "correction_proposed" and entry.details["cooldown_confirmed"] is True
    assert world.store.proposals["P-0003"].current.text == "【訂正】" + again


def test_after_the_cooldown_a_correction_needs_no_confirm(world):
    wrong = publish(world, GOOD_TEXT)
    world.workflow.correct(CHIEF, wrong, GOOD_TEXT.replace("10時", "13時"))
    world.clock.advance(minutes=61)
    with pytest.raises(WorkflowError):
        world.workflow.correct(CHIEF, wrong, GOOD_TEXT)  # the same text is no correction
    world.workflow.correct(CHIEF, wrong, GOOD_TEXT.replace("10時", "15時"))


# -- the audit head, announced outside Redis ----------------------------------------------


def test_the_head_is_announced_once_a_day_and_on_demand(world):
    publish(world, GOOD_TEXT)
    seq, digest = world.store.audit_head()
    assert world.workflow.announce_audit_head(only_if_due=True) == (seq, digest)
    assert world.workflow.announce_audit_head(only_if_due=True) is None  # same Tokyo day
    event = world.store.events[-1]
    assert event.kind == "audit_head" and event.data["seq"] == seq
    assert f"監査ログの先頭: 第{seq}件 {digest}" in event_summary(event)
    world.clock.advance(days=1)
    assert world.workflow.announce_audit_head(only_if_due=True) is not None
    answer = CommandRunner(world.workflow).run(STAFF, "/xpost audit head")
    assert "通知チャンネルに告知しました" in answer.text
    assert world.store.audit[-1].action == "audit_head_announced"
    assert world.store.audit[-1].actor == STAFF.key
