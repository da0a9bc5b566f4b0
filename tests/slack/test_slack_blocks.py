"""Block Kit rendering: the post verbatim, user text unable to mention or link."""

from __future__ import annotations

import json

import pytest

from adapters.slack.blocks import action_of, message
from adapters.slack.text import plain_text
from chatbot.model import Actor, State
from chatbot.views import Button, Buttons, Context, Quote, Text, View
from tests.slack.conftest import APPROVAL, World, eventually


def test_quote_is_verbatim_and_text_is_escaped() -> None:
    rendered = message(View("fallback", [Quote("<!channel> *太字* & <https://a.jp|b>"),
                                         Text("コメント: <!here> & <@U1>"), Context("a<b")]))
    quote, text, context = rendered["blocks"]
    assert quote["elements"][0]["elements"][0] == {
        "type": "text", "text": "<!channel> *太字* & <https://a.jp|b>"}
    assert text["text"]["text"] == "コメント: &lt;!here&gt; &amp; &lt;@U1&gt;"
    assert context["elements"][0]["text"] == "a&lt;b"


def test_repeated_actions_get_distinct_ids_and_values_are_json() -> None:
    block = Buttons([Button("xpost_pick_category", "イベント", {"id": "P-0001", "version": 1}),
                     Button("xpost_pick_category", "施策", {"id": "P-0001", "version": 1}),
                     Button("xpost_reject", "却下", {"id": "P-0001"}, "danger")])
    [actions] = message(View("q", [block]))["blocks"]
    ids = [e["action_id"] for e in actions["elements"]]
    assert ids == ["xpost_pick_category", "xpost_pick_category#1", "xpost_reject"]
    assert [action_of(i) for i in ids] == ["xpost_pick_category"] * 2 + ["xpost_reject"]
    assert json.loads(actions["elements"][0]["value"]) == {"id": "P-0001", "version": 1}
    assert actions["elements"][2]["style"] == "danger"
    assert "style" not in actions["elements"][0]


@pytest.mark.parametrize(("slack", "typed"), [
    ("&lt;b&gt; &amp; c", "<b> & c"),
    ("詳しくは <http://komae.jp|komae.jp> へ", "詳しくは komae.jp へ"),
    ("<https://www.city.komae.tokyo.jp/x>", "https://www.city.komae.tokyo.jp/x"),
    ("<https://evil.example|city.komae.tokyo.jp>", "https://evil.example"),
])
def test_slack_markup_back_to_what_was_typed(slack: str, typed: str) -> None:
    assert plain_text(slack) == typed


@pytest.mark.redis
def test_a_teams_proposal_gets_a_card_in_slack_too(world: World) -> None:
    author = Actor(platform="teams", user_id="29:teams-staff", name="Teams 職員")
    proposal, _ = world.container.workflow.propose(
        author, "12月1日（土）10時から、市民センターで子ども食堂を開きます。", "event")
    card = world.wait_card(proposal.id)
    assert "Teams 職員" in str(card["blocks"])
    world.slack.click("U_CHIEF", card, "xpost_approve")
    eventually(lambda: world.proposal(proposal.id).state is State.PUBLISHED, what="published")
    assert len(world.slack.messages(APPROVAL)) == 1
    # No Slack DM is attempted for an author who is not on Slack.
    assert all(c["args"].get("users") != author.user_id
               for c in world.slack.calls("conversations.open"))


@pytest.mark.redis
def test_the_stand_in_shows_its_channels_as_json(world: World) -> None:
    import requests

    world.slack.send_command("U_STAFF", "event 12月1日（土）10時から子ども食堂を開きます。")
    eventually(lambda: world.slack.messages(APPROVAL), what="the card")
    seen = requests.get(world.slack.url + "/_standin/channels", timeout=5).json()
    assert seen["channels"][APPROVAL][0]["blocks"]
    calls = requests.get(world.slack.url + "/_standin/calls?method=chat.postMessage",
                         timeout=5).json()["calls"]
    assert calls and all(c["method"] == "chat.postMessage" for c in calls)
