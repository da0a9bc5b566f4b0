"""What the local page needs from the Slack stand-in beyond what the bot's tests use."""

from __future__ import annotations

from adapters.slack_standin import SlackStandIn, _find_button


def test_a_person_closes_only_their_own_modal() -> None:
    slack = SlackStandIn("secret")
    trigger = slack._trigger("U_STAFF")
    opened = slack.handle_api("views.open", {"trigger_id": trigger,
                                             "view": {"type": "modal", "blocks": []}}, "")
    view_id = opened["view"]["id"]
    assert not slack.close_view("U_CHIEF", view_id)
    assert slack.close_view("U_STAFF", view_id)
    assert slack.views("U_STAFF") == []


def test_a_button_is_found_in_a_section_accessory_too() -> None:
    message = {"blocks": [{"type": "section", "block_id": "b1", "text": {"type": "mrkdwn",
                                                                          "text": "x"},
                           "accessory": {"type": "button", "action_id": "go", "value": "1"}}]}
    button, block_id = _find_button(message, "go")
    assert (button["value"], block_id) == ("1", "b1")
