"""The local workspace page in headless Chromium: a post from proposal to the timeline.

Everything below the page is production code: the page's clicks go through the
Slack stand-in, signed, to the real bolt front end; the worker publishes through
tweepy to the X stand-in. A screenshot of each step lands in test-output/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.local.stack import LocalStack
from tests.local.workspace_page import act_as, open_channel, shooter

pytestmark = pytest.mark.browser

PROPOSAL = "12月1日（月）10時から、狛江市こども食堂を市民センターで開きます。どなたでもどうぞ。"


def test_staff_proposes_chief_approves_and_the_post_is_on_x(
        local_stack: LocalStack, browser_page: object, screenshots: Path) -> None:
    from playwright.sync_api import Page, expect

    page: Page = browser_page  # type: ignore[assignment]
    shot = shooter(page, screenshots)
    page.goto(local_stack.page_url)
    expect(page.locator("[data-testid=channel-proposals]")).to_be_visible()

    # Staff: open the proposal form with /xpost and submit it.
    act_as(page, "staff")
    open_channel(page, "proposals")
    shot("01-staff-opens-the-page")
    page.fill("[data-testid=composer]", "/xpost")
    page.click("[data-testid=send]")
    modal = page.locator("[data-testid=modal]")
    expect(modal).to_be_visible()
    modal.locator("textarea").fill(PROPOSAL)
    modal.locator("[data-block-id=category] select").select_option("event")
    shot("02-staff-fills-the-proposal-form")
    page.click("[data-testid=modal-submit]")
    expect(modal).to_contain_text("受け付けました")
    shot("03-form-accepted")
    modal.locator("[data-testid=modal-close]").click()
    expect(modal).to_have_count(0)

    # Chief: the card is in #approvals with its three buttons; approve.
    act_as(page, "chief")
    open_channel(page, "approvals")
    approve = page.locator("[data-action-id=xpost_approve]")
    expect(approve).to_be_visible()
    expect(page.locator("[data-action-id=xpost_request_changes]")).to_be_visible()
    expect(page.locator("[data-action-id=xpost_reject]")).to_be_visible()
    expect(page.locator("#messages")).to_contain_text(PROPOSAL)
    shot("04-chief-sees-the-card")
    approve.click()

    # The worker publishes to the X stand-in; the card updates in place; #notifications.
    post = page.locator("[data-testid=timeline] [data-testid=x-post]")
    expect(post).to_have_count(1, timeout=20_000)
    expect(post).to_contain_text(PROPOSAL)
    expect(page.locator("[data-action-id=xpost_approve]")).to_have_count(0)
    expect(page.locator("#messages")).to_contain_text("承認")
    shot("05-published-card-updated")
    open_channel(page, "notifications")
    expect(page.locator("#messages")).to_contain_text("X に投稿しました")
    shot("06-notification-channel")


def test_changes_requested_edited_in_the_dm_then_rejected_and_the_account_suspended(
        local_stack: LocalStack, browser_page: object, screenshots: Path) -> None:
    from playwright.sync_api import Page, expect

    page: Page = browser_page  # type: ignore[assignment]
    shot = shooter(page, screenshots)
    messages = page.locator("#messages")
    modal = page.locator("[data-testid=modal]")
    page.goto(local_stack.page_url)

    # Staff writes a plain message in #proposals; the bot answers in the thread.
    act_as(page, "staff")
    open_channel(page, "proposals")
    page.fill("[data-testid=composer]", "イベント " + PROPOSAL)
    page.click("[data-testid=send]")
    page.locator("[data-action-id=xpost_submit]").click()
    expect(messages).to_contain_text("承認依頼しました")
    shot("01-staff-message-and-submit")

    # Chief asks for changes: the button opens a form for the comment.
    act_as(page, "chief")
    open_channel(page, "approvals")
    page.locator("[data-action-id=xpost_request_changes]").click()
    expect(modal).to_be_visible()
    modal.locator("textarea").fill("会場の住所も入れてください。")
    shot("02-chief-writes-what-to-change")
    page.click("[data-testid=modal-submit]")
    expect(modal).to_have_count(0)
    expect(messages).to_contain_text("会場の住所も入れてください。")
    expect(page.locator("[data-action-id=xpost_approve]")).to_have_count(0)
    shot("03-card-shows-changes-requested")

    # Staff gets a DM with an edit button; the edit form holds the text.
    act_as(page, "staff")
    open_channel(page, "dm")
    page.locator("[data-action-id=xpost_edit]").click()
    expect(modal).to_be_visible()
    modal.locator("textarea").fill(PROPOSAL + "会場は狛江市中央公民館です。")
    shot("04-staff-edits-in-the-dm")
    page.click("[data-testid=modal-submit]")
    expect(modal).to_contain_text("受け付けました")
    page.locator("[data-testid=modal-close]").click()

    # The chief's card is the new version again; reject it with a reason.
    act_as(page, "chief")
    open_channel(page, "approvals")
    expect(messages).to_contain_text("中央公民館")
    page.locator("[data-action-id=xpost_reject]").click()
    modal.locator("textarea").fill("今回は見送ります。")
    page.click("[data-testid=modal-submit]")
    expect(modal).to_have_count(0)
    expect(messages).to_contain_text("却下")
    shot("05-card-rejected")

    # Staff cannot suspend; the refusal is for them alone. The chief can.
    act_as(page, "staff")
    open_channel(page, "proposals")
    page.fill("[data-testid=composer]", "/xpost suspend 訓練")
    page.click("[data-testid=send]")
    expect(messages.locator(".ephemeral").last).to_contain_text("権限がありません")
    act_as(page, "chief")
    expect(messages).not_to_contain_text("権限がありません")
    page.fill("[data-testid=composer]", "/xpost suspend 訓練のため")
    page.press("[data-testid=composer]", "Enter")  # Enter sends, as in Slack
    expect(page.locator("[data-testid=account-status]")).to_contain_text("停止")
    open_channel(page, "notifications")
    expect(messages).to_contain_text("停止しました")
    shot("06-account-suspended")


def test_a_correction_replaces_the_post_and_the_timeline_shows_both(
        local_stack: LocalStack, browser_page: object, screenshots: Path) -> None:
    from playwright.sync_api import Page, expect

    page: Page = browser_page  # type: ignore[assignment]
    shot = shooter(page, screenshots)
    timeline = page.locator("[data-testid=timeline] [data-testid=x-post]")
    deleted = page.locator("[data-testid=deleted-posts] [data-testid=x-post]")
    page.goto(local_stack.page_url)
    act_as(page, "staff")
    open_channel(page, "proposals")
    page.fill("[data-testid=composer]", "イベント " + PROPOSAL)
    page.click("[data-testid=send]")
    page.locator("[data-action-id=xpost_submit]").click()
    act_as(page, "chief")
    open_channel(page, "approvals")
    page.locator("[data-action-id=xpost_approve]").click()
    expect(timeline).to_have_count(1, timeout=20_000)

    # Art. 5.2: the chief proposes a correction; once approved, the worker deletes
    # the wrong post and publishes the corrected one.
    corrected = PROPOSAL.replace("10時", "11時")
    page.fill("[data-testid=composer]", f"/xpost correct P-0001 {corrected}")
    page.click("[data-testid=send]")
    approve = page.locator("[data-action-id=xpost_approve]")
    expect(approve).to_have_count(1)
    shot("01-correction-card")
    approve.click()
    expect(deleted).to_have_count(1, timeout=20_000)
    expect(deleted).to_contain_text("10時")
    expect(timeline).to_have_count(1)
    expect(timeline).to_contain_text("11時")
    expect(timeline).to_contain_text("P-0001 の訂正")
    shot("02-timeline-with-correction-and-deletion")



def test_staff_attaches_a_photo_declares_its_rights_and_it_is_posted_with_it(
        local_stack: LocalStack, browser_page: object, screenshots: Path) -> None:
    from playwright.sync_api import Page, expect

    from tests.slack.test_slack_images import tiny_png

    page: Page = browser_page  # type: ignore[assignment]
    shot = shooter(page, screenshots)
    modal = page.locator("[data-testid=modal]")
    page.goto(local_stack.page_url)
    act_as(page, "staff")
    open_channel(page, "proposals")
    page.fill("[data-testid=composer]", "/xpost")
    page.click("[data-testid=send]")
    expect(modal).to_be_visible()
    modal.locator("textarea").fill(PROPOSAL)
    modal.locator("[data-block-id=category] select").select_option("event")
    modal.locator("[data-testid=file-input]").set_input_files(
        {"name": "kaijo.png", "mimeType": "image/png", "buffer": tiny_png()})

    # No rights declared: the form stays open and says why, under the rights select.
    page.click("[data-testid=modal-submit]")
    rights_error = modal.locator("[data-error-for=rights]")
    expect(rights_error).to_contain_text("第8条")
    expect(rights_error).to_contain_text("kaijo.png")
    shot("01-photo-without-rights-refused")

    modal.locator("[data-block-id=rights] select").select_option("city")
    shot("02-rights-declared")
    page.click("[data-testid=modal-submit]")
    expect(modal).to_contain_text("受け付けました")
    modal.locator("[data-testid=modal-close]").click()

    # The chief sees the photo and its rights on the card, and approves.
    act_as(page, "chief")
    open_channel(page, "approvals")
    expect(page.locator("#messages")).to_contain_text("kaijo.png（市が著作権を持つ）")
    shot("03-chief-sees-the-photo-on-the-card")
    page.locator("[data-action-id=xpost_approve]").click()

    post = page.locator("[data-testid=timeline] [data-testid=x-post]")
    expect(post).to_have_count(1, timeout=20_000)
    expect(post).to_contain_text(PROPOSAL)
    expect(post.locator("[data-testid=x-post-media]")).to_contain_text("画像 1 枚")
    shot("04-posted-with-the-photo")
