"""Every Block Kit block and modal input the page promises to render, in headless Chromium.

The message and the modal are put into the Slack stand-in the way the bot puts
them there (chat.postMessage, views.open), so this checks the page, not the bot.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.local.people import APPROVALS, CHIEF
from adapters.local.stack import LocalStack
from tests.local.workspace_page import act_as, open_channel

pytestmark = pytest.mark.browser

DOT_PNG = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4"
           "2mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
MESSAGE_BLOCKS = [
    {"type": "header", "text": {"type": "plain_text", "text": "見出し：子育て応援"}},
    {"type": "section", "block_id": "s1",
     "text": {"type": "mrkdwn", "text": "*太字* と _斜体_ と `コード` と <https://www.city.komae.tokyo.jp|狛江市>"},
     "accessory": {"type": "button", "action_id": "accessory_button",
                   "text": {"type": "plain_text", "text": "詳しく"}}},
    {"type": "section", "fields": [{"type": "mrkdwn", "text": "*状態*\n承認待ち"},
                                   {"type": "mrkdwn", "text": "*区分*\nイベント"}]},
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "補足：第5条第1項"}]},
    {"type": "divider"},
    {"type": "image", "image_url": DOT_PNG, "alt_text": "ちらし",
     "title": {"type": "plain_text", "text": "ちらしの画像"}},
    {"type": "actions", "block_id": "a1", "elements": [
        {"type": "button", "action_id": "go_primary", "style": "primary",
         "text": {"type": "plain_text", "text": "承認"}},
        {"type": "button", "action_id": "go_default", "text": {"type": "plain_text",
                                                                "text": "差し戻し"}},
        {"type": "button", "action_id": "go_danger", "style": "danger",
         "text": {"type": "plain_text", "text": "却下"}}]},
]


def _input(block_id: str, element: dict, label: str) -> dict:
    return {"type": "input", "block_id": block_id, "element": {"action_id": "input", **element},
            "label": {"type": "plain_text", "text": label}}


OPTIONS = [{"text": {"type": "plain_text", "text": "イベント"}, "value": "event"},
           {"text": {"type": "plain_text", "text": "お知らせ"}, "value": "info"}]
MODAL = {"type": "modal", "callback_id": "gallery",
         "title": {"type": "plain_text", "text": "入力の見本"},
         "submit": {"type": "plain_text", "text": "送信"},
         "close": {"type": "plain_text", "text": "閉じる"},
         "blocks": [
             _input("line", {"type": "plain_text_input"}, "一行"),
             _input("text", {"type": "plain_text_input", "multiline": True}, "本文"),
             _input("select", {"type": "static_select", "options": OPTIONS}, "区分"),
             _input("date", {"type": "datepicker"}, "日付"),
             _input("time", {"type": "timepicker"}, "時刻"),
             _input("when", {"type": "datetimepicker"}, "日時"),
             _input("checks", {"type": "checkboxes", "options": OPTIONS}, "チェック"),
             _input("radio", {"type": "radio_buttons", "options": OPTIONS}, "ラジオ"),
             _input("file", {"type": "file_input", "filetypes": ["png", "jpg"]}, "画像"),
         ]}


def test_blocks_and_modal_inputs_render(local_stack: LocalStack, browser_page: object,
                                        screenshots: Path) -> None:
    from playwright.sync_api import Page, expect

    slack = local_stack.slack
    assert slack is not None
    token = slack.bot_token or ""  # the stand-in refuses any other token, as Slack does
    posted = slack.handle_api("chat.postMessage", {"channel": APPROVALS.channel_id,
                                                   "text": "見本", "blocks": MESSAGE_BLOCKS},
                              token)
    assert posted["ok"], posted
    page: Page = browser_page  # type: ignore[assignment]
    page.goto(local_stack.page_url)
    act_as(page, "chief")
    open_channel(page, "approvals")
    messages = page.locator("#messages")
    expect(messages.locator(".bk-header")).to_have_text("見出し：子育て応援")
    expect(messages.locator("strong", has_text="太字")).to_be_visible()
    expect(messages.locator("a", has_text="狛江市")).to_have_attribute(
        "href", "https://www.city.komae.tokyo.jp")
    expect(messages.locator(".bk-fields > div")).to_have_count(2)
    expect(messages.locator("[data-action-id=accessory_button]")).to_be_visible()
    expect(messages.locator(".bk-context")).to_contain_text("第5条第1項")
    expect(messages.locator("hr.bk-divider")).to_have_count(1)
    expect(messages.locator(".bk-image img")).to_have_attribute("alt", "ちらし")
    expect(messages.locator("[data-action-id=go_primary]")).to_have_attribute("data-style",
                                                                              "primary")
    expect(messages.locator("[data-action-id=go_danger]")).to_have_attribute("data-style",
                                                                             "danger")
    page.screenshot(path=str(screenshots / "01-message-blocks.png"), full_page=True)

    trigger = slack._trigger(CHIEF.user_id)
    assert slack.handle_api("views.open", {"trigger_id": trigger, "view": MODAL}, token)["ok"]
    modal = page.locator("[data-testid=modal]")
    expect(modal).to_be_visible()
    for selector in ("input[type=text]", "textarea", "select", "input[type=date]",
                     "input[type=time]", "input[type=datetime-local]",
                     "input[type=checkbox]", "input[type=radio]", "input[type=file]"):
        expect(modal.locator(selector).first).to_be_attached()
    expect(modal.locator("[data-testid=modal-submit]")).to_have_text("送信")
    page.screenshot(path=str(screenshots / "02-modal-inputs.png"), full_page=True)
