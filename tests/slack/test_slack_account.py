"""After publication: corrections, deletions, suspension and resumption, from Slack."""

from __future__ import annotations

import time

import pytest

from chatbot.model import State
from tests.slack.conftest import CHIEF, DELEGATE, STAFF, STAFF_CHANNEL, World, eventually
from tests.slack.test_slack_flows import TEXT, propose_by_command

pytestmark = pytest.mark.redis


def publish(world: World, text: str = TEXT) -> str:
    proposal_id = propose_by_command(world, text)
    world.slack.click(CHIEF, world.wait_card(proposal_id), "xpost_approve")
    eventually(lambda: world.proposal(proposal_id).state is State.PUBLISHED, what="published")
    return proposal_id


def test_correction_deletes_the_wrong_post_and_publishes_the_right_one(world: World) -> None:
    original = publish(world)
    wrong_post = world.x.posts[0].id
    corrected = TEXT.replace("10時", "11時")
    world.slack.send_command(CHIEF, f"correct {original} {corrected}")
    answer = eventually(lambda: [m["text"] for m in world.slack.messages(STAFF_CHANNEL)
                                 if "訂正案" in m["text"]], what="the answer")
    correction = answer[-1].split("訂正案 ")[1].split(" ")[0]
    card = world.wait_card(correction)
    world.slack.click(DELEGATE, card, "xpost_approve")
    eventually(lambda: world.proposal(correction).state is State.PUBLISHED, what="corrected")
    assert [p.text for p in world.x.posts] == ["【訂正】" + corrected]  # nearly the same text
    assert wrong_post in [p.id for p in world.x.deleted]
    assert world.proposal(original).state is State.CORRECTED
    eventually(lambda: any("訂正" in n and correction in n for n in world.notices()),
               what="the correction notice")
    assert "（課長の代理）" in str(world.card(correction)["blocks"])


def test_deletion_by_the_chief(world: World) -> None:
    proposal_id = publish(world)
    world.slack.send_command(CHIEF, f"delete {proposal_id} 内容に誤りがあったため")
    eventually(lambda: world.proposal(proposal_id).state is State.DELETED, what="deleted")
    assert world.x.posts == []
    eventually(lambda: any("削除" in n and "内容に誤りがあったため" in n
                           for n in world.notices()), what="the deletion notice")


def test_staff_cannot_delete(world: World) -> None:
    proposal_id = publish(world)
    world.slack.send_command(STAFF, f"delete {proposal_id} 間違えました")
    eventually(lambda: any("権限がありません" in t for t in world.ephemeral_texts(STAFF)),
               what="the refusal")
    assert world.proposal(proposal_id).state is State.PUBLISHED


def test_suspension_holds_approved_posts_until_resumption(world: World) -> None:
    world.slack.send_command(CHIEF, "suspend 災害対応のため")
    eventually(lambda: any("停止" in n and "災害対応のため" in n for n in world.notices()),
               what="the suspension notice")
    proposal_id = propose_by_command(world)
    world.slack.click(CHIEF, world.wait_card(proposal_id), "xpost_approve")
    eventually(lambda: world.proposal(proposal_id).state is State.APPROVED, what="approved")
    time.sleep(1.0)  # the worker has had its chance: the post must wait
    assert world.x.posts == []
    assert world.proposal(proposal_id).state is State.APPROVED

    world.slack.send_command(CHIEF, "resume")
    eventually(lambda: world.proposal(proposal_id).state is State.PUBLISHED, what="published")
    assert [p.text for p in world.x.posts] == [TEXT]
    eventually(lambda: any("再開" in n for n in world.notices()), what="the resumption notice")
