"""Only Slack gets in, and what Slack sends twice is done once."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest

from adapters.slack_standin import sign
from tests.slack.conftest import SIGNING_SECRET, STAFF, STAFF_CHANNEL, World, eventually

pytestmark = pytest.mark.redis

TEXT = "event 12月1日（土）10時から、市民センターで子ども食堂を開きます。"


def command_body(text: str = TEXT, trigger_id: str = "1.forged") -> str:
    return urlencode({"command": "/xpost", "text": text, "user_id": STAFF,
                      "user_name": "staff", "channel_id": STAFF_CHANNEL, "team_id": "T0KOMAE",
                      "trigger_id": trigger_id,
                      "response_url": "http://127.0.0.1:9/never"})


FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize("how", ["forged", "missing", "stale", "other_body"])
def test_bad_signatures_are_refused_and_nothing_is_stored(world: World, how: str) -> None:
    body = command_body()
    now = str(int(time.time()))
    if how == "forged":
        answer = world.slack.deliver(body, FORM, signature=sign("not-the-secret", now, body),
                                     timestamp=now)
    elif how == "missing":
        answer = world.slack.deliver(body, FORM, signed=False)
    elif how == "stale":  # a replay of a correctly signed request, ten minutes late
        old = str(int(time.time()) - 600)
        answer = world.slack.deliver(body, FORM, signature=sign(SIGNING_SECRET, old, body),
                                     timestamp=old)
    else:  # a real signature, over a different body
        answer = world.slack.deliver(body, FORM,
                                     signature=sign(SIGNING_SECRET, now, command_body("list")),
                                     timestamp=now)
    assert answer.status == 401
    time.sleep(0.3)  # anything accepted would have been stored by now
    assert world.container.store.list_proposals() == []
    assert world.calls_but_the_daily_head() == []


def test_a_retried_command_creates_no_second_proposal(world: World) -> None:
    first = world.slack.send_command(STAFF, TEXT, trigger_id="42.same-trigger")
    again = world.slack.send_command(STAFF, TEXT, trigger_id="42.same-trigger", retry_num=1)
    assert first.status == again.status == 200
    eventually(lambda: world.container.store.list_proposals(), what="the proposal")
    time.sleep(0.5)
    assert len(world.container.store.list_proposals()) == 1
    assert len(world.slack.calls("response_url")) == 1


def test_a_retried_event_creates_no_second_draft(world: World) -> None:
    world.slack.post_message(STAFF, STAFF_CHANNEL, TEXT, event_id="EvSAME")
    world.slack.post_message(STAFF, STAFF_CHANNEL, TEXT, event_id="EvSAME", retry_num=1)
    eventually(lambda: world.container.store.list_proposals(), what="the draft")
    time.sleep(0.5)
    assert len(world.container.store.list_proposals()) == 1
    assert len([c for c in world.slack.calls("chat.postMessage")
                if c["args"].get("thread_ts")]) == 1


def test_secrets_never_reach_the_stand_in_or_the_answers(world: World) -> None:
    world.slack.send_command(STAFF, "status")
    eventually(lambda: world.slack.calls("response_url"), what="the answer")
    seen = str(world.slack.snapshot()) + str(world.slack.calls())
    assert SIGNING_SECRET not in seen
