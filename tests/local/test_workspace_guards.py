"""The page answers only as 127.0.0.1, and acts only on JSON: no DNS rebinding, no
cross-site form posts driving the bot."""

from __future__ import annotations

import requests

from adapters.local.stack import LocalStack


def test_a_foreign_host_name_is_refused(local_stack: LocalStack) -> None:
    answer = requests.get(local_stack.page_url + "api/state",
                          headers={"Host": "attacker.example:3000"}, timeout=5)
    assert answer.status_code == 403


def test_a_form_post_is_refused_and_json_is_accepted(local_stack: LocalStack) -> None:
    url = local_stack.page_url + "api/send"
    form = requests.post(url, data={"as": "U_STAFF", "channel": "C_PROPOSALS",
                                    "text": "/xpost help"}, timeout=5)
    assert form.status_code == 415
    sent = requests.post(url, json={"as": "U_STAFF", "channel": "C_PROPOSALS",
                                    "text": "/xpost help"}, timeout=10)
    assert sent.json() == {"ok": True, "status": 200}


def test_an_unknown_slash_command_is_answered_like_slack(local_stack: LocalStack) -> None:
    sent = requests.post(local_stack.page_url + "api/send", timeout=5, json={
        "as": "U_STAFF", "channel": "C_PROPOSALS", "text": "/tweet こんにちは"})
    assert sent.json()["ok"] is False
    assert "/tweet" in sent.json()["error"]


def test_typed_text_reaches_the_bot_as_typed(local_stack: LocalStack) -> None:
    """The page encodes like a Slack client (`&amp;`, `<url>`); the bot decodes it."""
    import time

    typed = "イベント 子ども食堂&学習会 <無料> https://www.city.komae.tokyo.jp/ へどうぞ"
    sent = requests.post(local_stack.page_url + "api/send", timeout=10, json={
        "as": "U_STAFF", "channel": "C_PROPOSALS", "text": typed})
    assert sent.json()["ok"] is True
    assert local_stack.container is not None
    deadline = time.monotonic() + 10
    while not local_stack.container.workflow.list() and time.monotonic() < deadline:
        time.sleep(0.05)
    [proposal] = local_stack.container.workflow.list()
    assert proposal.current.text == typed.removeprefix("イベント ")
