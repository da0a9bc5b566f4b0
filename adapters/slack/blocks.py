"""Chat-neutral views (`chatbot.views`) rendered as Slack Block Kit.

The post's own text (`Quote`) goes into a rich-text quote, whose text elements Slack
shows literally: a `<!channel>` or `*` typed by staff stays exactly what X will show.
Everything else is mrkdwn with `&`, `<` and `>` escaped, so user-given comments and
names cannot mention people or fake links.
"""

from __future__ import annotations

import json
from typing import Any

from chatbot.views import (
    Block,
    Button,
    Buttons,
    Context,
    Divider,
    Fields,
    Header,
    Image,
    Quote,
    Text,
    View,
)

# Block Kit limits (characters); longer text is cut rather than refused by Slack.
SECTION_LIMIT = 3000
FIELD_LIMIT = 2000
HEADER_LIMIT = 150
BUTTON_LABEL_LIMIT = 75
MAX_FIELDS = 10
FALLBACK_LIMIT = 3000

# A block's buttons must have distinct action ids; repeats get `#n` (see `action_of`).
ACTION_SUFFIX = "#"


def escape(text: str) -> str:
    """Slack's three control characters; the rest of mrkdwn (`*bold*`) is kept."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def action_of(action_id: str) -> str:
    """The `chatbot.views` action behind a Slack action id (`xpost_pick_category#2`)."""
    return action_id.split(ACTION_SUFFIX, 1)[0]


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _mrkdwn(text: str, limit: int = SECTION_LIMIT) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": _cut(escape(text), limit)}


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": _cut(text, limit), "emoji": False}


def button_element(button: Button, action_id: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "action_id": action_id or button.action,
        "text": _plain(button.label, BUTTON_LABEL_LIMIT),
        "value": json.dumps(button.value, ensure_ascii=False, separators=(",", ":")),
    }
    if button.style in ("primary", "danger"):
        element["style"] = button.style
    return element


def _buttons(block: Buttons) -> dict[str, Any]:
    seen: dict[str, int] = {}
    elements = []
    for button in block.buttons:
        count = seen.get(button.action, 0)
        seen[button.action] = count + 1
        action_id = button.action if count == 0 else f"{button.action}{ACTION_SUFFIX}{count}"
        elements.append(button_element(button, action_id))
    return {"type": "actions", "elements": elements}


def render_block(block: Block) -> dict[str, Any]:
    if isinstance(block, Header):
        return {"type": "header", "text": _plain(block.text, HEADER_LIMIT)}
    if isinstance(block, Text):
        return {"type": "section", "text": _mrkdwn(block.text)}
    if isinstance(block, Quote):
        return {"type": "rich_text", "elements": [
            {"type": "rich_text_quote", "elements": [
                {"type": "text", "text": _cut(block.text, SECTION_LIMIT)}]}]}
    if isinstance(block, Fields):
        return {"type": "section", "fields": [
            _mrkdwn(f"*{label}*\n{value}", FIELD_LIMIT) for label, value in
            block.pairs[:MAX_FIELDS]]}
    if isinstance(block, Context):
        return {"type": "context", "elements": [_mrkdwn(block.text)]}
    if isinstance(block, Divider):
        return {"type": "divider"}
    if isinstance(block, Image):
        return {"type": "image", "image_url": block.url, "alt_text": _cut(block.alt or "-", 2000)}
    if isinstance(block, Buttons):
        return _buttons(block)
    raise TypeError(f"unknown block {block!r}")


def render_blocks(blocks: list[Block]) -> list[dict[str, Any]]:
    return [render_block(block) for block in blocks]


def message(view: View) -> dict[str, Any]:
    """`text` (notifications and screen readers) and `blocks` for chat.postMessage and co."""
    rendered: dict[str, Any] = {"text": _cut(view.text, FALLBACK_LIMIT)}
    if view.blocks:
        rendered["blocks"] = render_blocks(view.blocks)
    return rendered
