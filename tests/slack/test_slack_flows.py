"""The proposal flows as staff and the chief live them in Slack, end to end."""

from __future__ import annotations

import json

import pytest

from adapters.slack_standin import buttons
from chatbot.model import State
from tests.slack.conftest import (
    APPROVAL,
    CHIEF,
    NOTIFY,
    OTHER,
    STAFF,
    STAFF_CHANNEL,
    World,
    eventually,
)

pytestmark = pytest.mark.redis

TEXT = "12月1日（土）10時から、市民センターで子ども食堂を開きます。どなたでもどうぞ。"


def propose_by_command(world: World, text: str = TEXT, category: str = "event") -> str:
    delivery = world.slack.send_command(STAFF, f"{category} {text}")
    assert delivery.status == 200
    answer = eventually(lambda: [m for m in world.slack.messages(STAFF_CHANNEL)
                                 if "受け付け" in m.get("text", "")], what="the answer")
    return answer[-1]["text"].split("投稿案 ")[1].split(" ")[0]


def test_command_proposal_is_approved_published_once_and_announced(world: World) -> None:
    proposal_id = propose_by_command(world)
    card = world.wait_card(proposal_id)
    assert buttons(card) == ["xpost_approve", "xpost_request_changes", "xpost_reject",
                             "xpost_approve_urgent"]
    quote = card["blocks"][1]
    assert quote["type"] == "rich_text"
    assert quote["elements"][0]["elements"][0]["text"] == TEXT

    delivery = world.slack.click(CHIEF, card, "xpost_approve")
    assert delivery.status == 200

    eventually(lambda: world.proposal(proposal_id).state is State.PUBLISHED, what="published")
    post = world.x.posts[0]
    assert [p.text for p in world.x.posts] == [TEXT]
    link = world.proposal(proposal_id).x_url
    eventually(lambda: any(link in n for n in world.notices()), what="the announcement")
    # The card was updated in place: same message, no buttons, the decision and the link.
    updated = eventually(lambda: (c := world.card(proposal_id)) and link in str(c["blocks"])
                         and c, what="the card with the link")
    assert updated["ts"] == card["ts"]
    assert buttons(updated) == []
    assert "課長 狛江 が第1版を承認" in str(updated["blocks"])
    assert post.id in link
    # The author heard about it directly.
    dm = world.slack.dm_channel(STAFF)
    eventually(lambda: any(link in m["text"] for m in world.slack.messages(dm)),
               what="the author's DM")


def test_non_chief_click_is_refused_only_to_them(world: World) -> None:
    proposal_id = propose_by_command(world)
    card = world.wait_card(proposal_id)
    world.slack.click(OTHER, card, "xpost_approve")
    eventually(lambda: any("権限がありません" in t for t in world.ephemeral_texts(OTHER)),
               what="the refusal")
    assert world.proposal(proposal_id).state is State.PENDING
    assert world.slack.ephemerals(CHIEF) == []
    assert world.card(proposal_id)["blocks"] == card["blocks"]
    # Buttons asking for a reason refuse before opening a modal.
    world.slack.click(OTHER, card, "xpost_reject")
    eventually(lambda: len(world.ephemeral_texts(OTHER)) == 2, what="the second refusal")
    assert world.slack.views(OTHER) == []


def test_double_click_makes_one_decision_and_one_post(world: World) -> None:
    proposal_id = propose_by_command(world)
    card = world.wait_card(proposal_id)
    world.slack.click(CHIEF, card, "xpost_approve")
    world.slack.click(CHIEF, card, "xpost_approve")
    eventually(lambda: world.proposal(proposal_id).state is State.PUBLISHED, what="published")
    eventually(lambda: any("判断済み" in t for t in world.ephemeral_texts(CHIEF)),
               what="the second click's answer")
    assert len(world.proposal(proposal_id).decisions) == 1
    assert len(world.x.posts) == 1
    assert len([c for c in world.x.calls if c.get("endpoint") == "create"]) == 1


def test_reject_with_reason(world: World) -> None:
    proposal_id = propose_by_command(world)
    card = world.wait_card(proposal_id)
    world.slack.click(CHIEF, card, "xpost_reject")
    modal = eventually(lambda: world.slack.views(CHIEF), what="the reason modal")[-1]
    empty = world.slack.submit_view(CHIEF, modal, {"comment": "  "})
    assert empty.json and empty.json["response_action"] == "errors"
    assert "理由を入力" in empty.json["errors"]["comment"]
    done = world.slack.submit_view(CHIEF, modal, {"comment": "日付が誤っています"})
    assert done.status == 200 and not (done.json or {}).get("errors")
    assert world.slack.views(CHIEF) == []
    proposal = world.proposal(proposal_id)
    assert proposal.state is State.REJECTED
    assert proposal.last_decision.comment == "日付が誤っています"
    dm = world.slack.dm_channel(STAFF)
    eventually(lambda: any("日付が誤っています" in m["text"] for m in world.slack.messages(dm)),
               what="the reason in the author's DM")
    eventually(lambda: buttons(world.card(proposal_id)) == [], what="the card without buttons")
    assert world.x.posts == []


def test_request_changes_edit_and_approve(world: World) -> None:
    proposal_id = propose_by_command(world)
    card = world.wait_card(proposal_id)
    world.slack.click(CHIEF, card, "xpost_request_changes")
    modal = eventually(lambda: world.slack.views(CHIEF), what="the comment modal")[-1]
    world.slack.submit_view(CHIEF, modal, {"comment": "会場名を正式名称に"})
    dm = world.slack.dm_channel(STAFF)
    sent_back = eventually(lambda: [m for m in world.slack.messages(dm)
                                    if "会場名を正式名称に" in m["text"]], what="the DM")[-1]
    world.slack.click(STAFF, sent_back, "xpost_edit")
    edit = eventually(lambda: world.slack.views(STAFF), what="the edit modal")[-1]
    assert edit["blocks"][0]["element"]["initial_value"] == TEXT
    new_text = TEXT.replace("市民センター", "狛江市中央公民館")
    answer = world.slack.submit_view(STAFF, edit, {"text": new_text})
    assert (answer.json or {}).get("response_action") == "update"
    assert world.proposal(proposal_id).current.number == 2

    card = eventually(lambda: (c := world.card(proposal_id)) and buttons(c) and
                      "狛江市中央公民館" in str(c["blocks"]) and c, what="the card at v2")
    world.slack.click(CHIEF, card, "xpost_approve")
    eventually(lambda: world.proposal(proposal_id).state is State.PUBLISHED, what="published")
    assert [p.text for p in world.x.posts] == [new_text]


def test_modal_proposal_with_errors_on_the_right_fields(world: World) -> None:
    delivery = world.slack.send_command(STAFF, "")
    assert delivery.status == 200
    form = eventually(lambda: world.slack.views(STAFF), what="the proposal form")[-1]
    long_text = "あ" * 200
    refused = world.slack.submit_view(STAFF, form, {"text": long_text, "category": "info"})
    assert refused.json and refused.json["response_action"] == "errors"
    assert set(refused.json["errors"]) == {"text"}
    assert world.container.store.list_proposals() == []
    bad_time = world.slack.submit_view(STAFF, form, {"text": TEXT, "category": "info",
                                                     "publish_at": "12月1日"})
    assert set((bad_time.json or {}).get("errors", {})) == {"publish_at"}

    ok = world.slack.submit_view(STAFF, form, {"text": TEXT, "category": "event"})
    assert (ok.json or {}).get("response_action") == "update"
    [proposal] = world.container.store.list_proposals()
    assert proposal.state is State.PENDING and proposal.current.category == "event"
    world.wait_card(proposal.id)


def test_channel_message_becomes_a_draft_answered_in_thread(world: World) -> None:
    message, delivery = world.slack.post_message(STAFF, STAFF_CHANNEL, f"event {TEXT}")
    assert delivery.status == 200
    reply = eventually(lambda: [m for m in world.slack.messages(STAFF_CHANNEL)
                                if m.get("thread_ts") == message["ts"]], what="the reply")[-1]
    assert buttons(reply) == ["xpost_submit"]
    [proposal] = world.container.store.list_proposals()
    assert proposal.state is State.DRAFT
    assert world.slack.messages(APPROVAL) == []

    world.slack.click(STAFF, reply, "xpost_submit")
    eventually(lambda: world.proposal(proposal.id).state is State.PENDING, what="submitted")
    world.wait_card(proposal.id)
    replaced = next(m for m in world.slack.messages(STAFF_CHANNEL) if m["ts"] == reply["ts"])
    assert buttons(replaced) == []  # the question's buttons are spent


def test_dm_without_category_asks_for_it(world: World) -> None:
    dm = world.slack.dm_channel(STAFF)
    message, _ = world.slack.post_message(STAFF, dm, TEXT)
    reply = eventually(lambda: [m for m in world.slack.messages(dm)
                                if m.get("thread_ts") == message["ts"]], what="the question")[-1]
    assert buttons(reply)[:2] == ["xpost_pick_category", "xpost_pick_category#1"]
    world.slack.click(STAFF, reply, "xpost_pick_category#1")  # the second: policy
    [proposal] = world.container.store.list_proposals()
    eventually(lambda: world.proposal(proposal.id).state is State.PENDING, what="submitted")
    assert world.proposal(proposal.id).current.category == "policy"


def test_bot_messages_edits_and_thread_replies_are_ignored(world: World) -> None:
    world.slack.post_message(STAFF, STAFF_CHANNEL, "hello", thread_ts="1.000001")
    body = {"type": "event_callback", "event_id": "EvEDIT", "team_id": "T0KOMAE",
            "event": {"type": "message", "subtype": "message_changed", "channel": STAFF_CHANNEL,
                      "channel_type": "channel", "ts": "2.0", "message": {"text": TEXT}}}
    assert world.slack.deliver(json.dumps(body), "application/json").status == 200
    assert world.container.store.list_proposals() == []
    assert world.calls_but_the_daily_head("chat.postMessage") == []


def test_announcement_channel_hears_of_impersonation(world: World) -> None:
    world.slack.send_command(OTHER, "impersonation @komae_fake https://x.com/fake")
    eventually(lambda: any("なりすまし" in n and "komae_fake" in n
                           for n in world.notices()), what="the alert")
    chief_dm = world.slack.dm_channel(CHIEF)
    eventually(lambda: world.slack.messages(chief_dm), what="the chief's alert")
    assert world.slack.messages(NOTIFY)
