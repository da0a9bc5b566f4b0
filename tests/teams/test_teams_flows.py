"""End to end over real HTTP: Teams activities in, Bot Connector calls and X posts out."""

from __future__ import annotations

import pytest

from tests.teams.conftest import (
    APPROVALS,
    CHIEF,
    DELEGATE,
    NOTIFY,
    STAFF,
    STAFF_CHANNEL,
    TeamsStack,
)

pytestmark = pytest.mark.redis

TEXT = "12月1日(土)10時から子ども食堂を開きます。"


def test_proposal_in_a_personal_chat_is_approved_and_published_once(stack: TeamsStack) -> None:
    response = stack.teams.say(STAFF, f"xpost event {TEXT}")
    assert response.status_code == 200
    stack.wait_message(STAFF.personal_conversation, "投稿案 P-0001 を受け付け")

    card = stack.approval_card("P-0001")
    assert TEXT in card.card_text and "承認" in card.card_text
    assert card.card["version"] == "1.4"
    answer = stack.approve(card)
    assert answer["statusCode"] == 200
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    assert "承認済み" in str(answer["value"])

    posts = stack.published(1)
    assert [p.text for p in posts] == [TEXT]
    link = f"https://x.com/komae_kosodate/status/{posts[0].id}"
    stack.wait_message(NOTIFY, link)
    stack.wait_card_update(card.activity_id, link)
    stack.wait_message(STAFF.personal_conversation, link)
    assert len(stack.x.posts) == 1


def test_proposal_by_mention_in_the_staff_channel(stack: TeamsStack) -> None:
    response = stack.teams.mention(STAFF, f"xpost event {TEXT}", STAFF_CHANNEL)
    assert response.status_code == 200
    reply = stack.wait_message(STAFF_CHANNEL, "P-0001")
    assert "<at>" not in reply.card_text
    stack.approval_card("P-0001")
    proposal = stack.container.workflow.get("P-0001")
    assert proposal.current.text == TEXT
    assert proposal.author.user_id == STAFF.aad


def test_mention_elsewhere_is_refused(stack: TeamsStack) -> None:
    stack.teams.mention(STAFF, f"xpost event {TEXT}", "19:random@thread.tacv2")
    stack.wait_message("19:random@thread.tacv2", "受け付けていません")
    assert stack.container.store.get_proposal("P-0001") is None


def test_reject_needs_a_reason_and_tells_the_author(stack: TeamsStack) -> None:
    stack.teams.say(STAFF, f"xpost event {TEXT}")
    card = stack.approval_card("P-0001")
    refused = stack.click(card, "xpost_reject")
    assert refused["type"] == "application/vnd.microsoft.activity.message"
    assert "理由を入力してください" in refused["value"]

    answer = stack.click(card, "xpost_reject", comment="日程が未確定のため")
    assert "却下" in str(answer["value"])
    told = stack.wait_message(STAFF.personal_conversation, "日程が未確定のため")
    assert "P-0001" in told.text
    assert stack.container.workflow.get("P-0001").state.value == "rejected"
    assert stack.x.posts == []


def test_request_changes_then_edit_then_approve(stack: TeamsStack) -> None:
    stack.teams.say(STAFF, f"xpost event {TEXT}")
    first = stack.approval_card("P-0001")
    stack.click(first, "xpost_request_changes", comment="時間を書いてください")
    stack.wait_message(STAFF.personal_conversation, "時間を書いてください")

    edited = "12月1日(土)10時〜12時、子ども食堂を開きます。"
    stack.teams.say(STAFF, f"xpost edit P-0001 {edited}")
    stack.wait_message(STAFF.personal_conversation, "第2版")

    def second_card() -> bool:
        return any(c.activity_id != first.activity_id and edited in c.card_text
                   for c in stack.connector.messages(APPROVALS))

    stack.connector.wait_for(lambda _calls: second_card())
    stale = stack.click(first, "xpost_approve")  # the first card's button is for version 1
    assert stale["type"] == "application/vnd.microsoft.activity.message"
    card = stack.approval_card("P-0001")
    assert edited in card.card_text
    stack.approve(card)
    assert [p.text for p in stack.published(1)] == [edited]


def test_non_chief_click_changes_nothing(stack: TeamsStack) -> None:
    stack.teams.say(STAFF, f"xpost event {TEXT}")
    card = stack.approval_card("P-0001")
    answer = stack.approve(card, person=STAFF)
    assert answer["type"] == "application/vnd.microsoft.activity.message"
    assert answer["value"].startswith("権限がありません")
    assert stack.container.workflow.get("P-0001").state.value == "pending"
    assert not stack.connector.calls("update")


def test_two_clicks_at_once_make_one_decision_and_one_post(stack: TeamsStack) -> None:
    from concurrent.futures import ThreadPoolExecutor

    stack.teams.say(STAFF, f"xpost event {TEXT}")
    card = stack.approval_card("P-0001")
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: stack.approve(card), range(2)))
    kinds = sorted(a["type"] for a in answers)
    assert kinds == ["application/vnd.microsoft.activity.message",
                     "application/vnd.microsoft.card.adaptive"]
    stack.published(1)
    proposal = stack.container.workflow.get("P-0001")
    assert len(proposal.decisions) == 1
    second = stack.approve(card)  # a later click on the decided card
    assert "判断済み" in second["value"]
    stack.wait_message(NOTIFY, "P-0001 を X に投稿しました")
    assert len(stack.x.posts) == 1


def test_correction_replaces_the_post(stack: TeamsStack) -> None:
    stack.teams.say(STAFF, f"xpost event {TEXT}")
    stack.approve(stack.approval_card("P-0001"))
    original = stack.published(1)[0]

    corrected = "12月8日(土)10時から子ども食堂を開きます。"
    stack.teams.say(CHIEF, f"xpost correct P-0001 {corrected}")
    stack.wait_message(CHIEF.personal_conversation, "訂正案 P-0002")
    card = stack.approval_card("P-0002")
    assert "訂正" in card.card_text
    stack.approve(card, person=CHIEF)
    stack.wait_message(NOTIFY, "訂正")
    assert [p.text for p in stack.x.posts] == ["【訂正】" + corrected]  # nearly the same text
    assert [p.id for p in stack.x.deleted] == [original.id]


def test_suspend_holds_an_approved_post_until_resume(stack: TeamsStack) -> None:
    stack.teams.say(STAFF, f"xpost event {TEXT}")
    card = stack.approval_card("P-0001")
    stack.teams.say(CHIEF, "xpost suspend 不適切な返信への対応のため")
    stack.wait_message(NOTIFY, "運用を停止しました")
    stack.approve(card)

    def held(_calls: object) -> bool:
        return stack.container.queue.counts()["held"] == 1

    stack.connector.wait_for(held)
    assert stack.x.posts == []

    stack.teams.say(CHIEF, "xpost resume")
    stack.wait_message(NOTIFY, "運用を再開しました")
    assert [p.text for p in stack.published(1)] == [TEXT]


def test_staff_cannot_suspend(stack: TeamsStack) -> None:
    stack.teams.say(STAFF, "xpost suspend テスト")
    stack.wait_message(STAFF.personal_conversation, "権限がありません")
    assert not stack.container.store.get_account_state().suspended


def test_impersonation_report_alerts_the_notification_and_approval_conversations(
        stack: TeamsStack) -> None:
    stack.teams.say(STAFF, "xpost impersonation @komae_kosodat3 https://x.com/komae_kosodat3")
    stack.wait_message(STAFF.personal_conversation, "I-0001")
    alert = stack.wait_message(NOTIFY, "なりすまし")
    assert "@komae_kosodat3" in alert.text
    stack.wait_message(APPROVALS, "なりすまし")


def test_form_errors_come_back_on_the_form(stack: TeamsStack) -> None:
    stack.teams.say(STAFF, "xpost")
    form = stack.wait_message(STAFF.personal_conversation, "投稿案の入力フォーム")
    empty = stack.click(form, "xpost_propose_form", person=STAFF, text="", category="event")
    assert "本文を入力してください" in str(empty["value"])
    no_category = stack.click(form, "xpost_propose_form", person=STAFF, text="あ" * 300,
                              category="event")
    assert "運用ポリシーに合わない点" in str(no_category["value"])
    assert "あ" * 300 in str(no_category["value"])  # the text is kept on the form
    done = stack.click(form, "xpost_propose_form", person=STAFF, text=TEXT, category="event",
                       rights="none", publish_date="", publish_time="")
    assert "P-0001 を受け付け" in str(done["value"])
    stack.approval_card("P-0001")


def test_help_and_status_answer_in_japanese(stack: TeamsStack) -> None:
    stack.teams.say(STAFF, "xpost help")
    stack.wait_message(STAFF.personal_conversation, "xpost の使い方")
    stack.teams.say(STAFF, "xpost status")
    stack.wait_message(STAFF.personal_conversation, "の運用状況")


def test_proposal_from_slack_gets_a_teams_card_and_its_decision(stack: TeamsStack) -> None:
    from chatbot.model import Actor

    author = Actor(platform="slack", user_id="U0STAFF", name="slack staff")
    stack.container.workflow.propose(author, TEXT, "event")
    card = stack.approval_card("P-0001")
    stack.approve(card)
    stack.published(1)
    stack.wait_card_update(card.activity_id, "https://x.com/komae_kosodate/status/")


def test_approval_goes_to_the_chiefs_personal_chat_without_an_approval_conversation(
        stack_factory) -> None:
    stack = stack_factory(teams_approval_conversation="")
    stack.teams.say(STAFF, f"xpost event {TEXT}")
    created = stack.connector.wait_for(
        lambda calls: any(c.kind == "create_conversation" for c in calls))
    create = next(c for c in created if c.kind == "create_conversation")
    assert create.body["members"][0]["id"] == CHIEF.aad
    card = stack.wait_message(create.conversation_id, "承認依頼 P-0001")
    stack.approve(card)
    stack.published(1)


def test_a_failure_shows_on_the_card_and_its_retry_publishes(stack: TeamsStack) -> None:
    stack.x.inject("create", "error", status=403)  # X refuses: retrying would not help
    stack.teams.say(STAFF, f"xpost event {TEXT}")
    card = stack.approval_card("P-0001")
    stack.approve(card)
    stack.wait_message(NOTIFY, "P-0001 の投稿に失敗しました")
    stack.wait_message(STAFF.personal_conversation, "投稿に失敗しました")
    failed = stack.wait_card_update(card.activity_id, "再試行")
    assert "失敗の理由" in failed.card_text

    answer = stack.click(failed, "xpost_retry")
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    posts = stack.published(1)
    stack.wait_card_update(card.activity_id, f"https://x.com/komae_kosodate/status/{posts[0].id}")


def test_a_delegate_decides_for_the_chief(stack: TeamsStack) -> None:
    stack.teams.say(STAFF, f"xpost event {TEXT}")
    answer = stack.approve(stack.approval_card("P-0001"), person=DELEGATE)
    assert "課長の代理" in str(answer["value"])
    stack.published(1)


def test_conversations_learned_survive_a_restart(stack_factory) -> None:
    first = stack_factory(teams_approval_conversation="")
    first.teams.say(STAFF, f"xpost event {TEXT}")
    first.wait_message(STAFF.personal_conversation, "P-0001")
    chief_chat = next(c for c in first.connector.wait_for(
        lambda calls: any(c.kind == "create_conversation" for c in calls))
        if c.kind == "create_conversation").conversation_id
    first.wait_message(chief_chat, "承認依頼 P-0001")
    first.worker.stop()

    # A new process: nothing in memory, the same Redis. Its notices reach the same chats.
    second = stack_factory(teams_approval_conversation="", teams_service_url="")
    second.teams.say(STAFF, "xpost event 12月2日(日)も子ども食堂を開きます。")
    second.wait_message(chief_chat, "承認依頼 P-0002")
    creates = [c for c in second.connector.calls("create_conversation")]
    assert len(creates) == 1  # the chief's chat was not created a second time


def test_english_with_xpost_lang_en(stack_factory) -> None:
    stack = stack_factory(language="en")
    stack.teams.say(STAFF, f"xpost event {TEXT}")
    stack.wait_message(STAFF.personal_conversation, "Proposal P-0001 was received")
    card = next(c for c in stack.connector.wait_for(
        lambda calls: any(c.conversation_id == APPROVALS for c in calls))
        if c.conversation_id == APPROVALS)
    assert "Approve" in card.card_text and "承認" not in card.card_text
    denied = stack.approve(card, person=STAFF)
    assert denied["value"].startswith("You do not have permission")


def test_a_proposal_without_category_asks_for_one_with_buttons(stack: TeamsStack) -> None:
    stack.teams.say(STAFF, TEXT)
    question = stack.wait_message(STAFF.personal_conversation, "区分を選んでください")
    answer = stack.click(question, "xpost_pick_category", person=STAFF)  # the first: event
    assert "P-0001 を受け付け" in str(answer["value"])
    card = stack.approval_card("P-0001")
    assert "イベント" in card.card_text


def test_a_follow_request_goes_to_the_chief_as_a_card(stack: TeamsStack) -> None:
    stack.teams.say(STAFF, "xpost follow @komae_city 市の公式アカウントのため")
    stack.wait_message(STAFF.personal_conversation, "F-0001")
    card = stack.wait_message(APPROVALS, "フォロー申請")
    answer = stack.click(card, "xpost_follow_approve")
    assert "フォローした" in str(answer["value"])
    stack.wait_card_update(card.activity_id, "フォローした")
