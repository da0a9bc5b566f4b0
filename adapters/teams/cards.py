"""Chat-neutral views (`chatbot.views`) rendered as Adaptive Cards for Teams.

Buttons become `Action.Execute` universal actions whose `verb` is the shared action
id and whose `data` carries only ids and versions: the server reads everything else
from the store. The post text is a `TextRun` because a `TextBlock` would read `*`,
`_` and `1.` in it as Markdown, and the chief must see the text exactly as X will.
"""

from __future__ import annotations

import re
from typing import Any

from chatbot.messages import t
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

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
MESSAGE_CONTENT_TYPE = "application/vnd.microsoft.activity.message"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.4"  # Universal Actions (Action.Execute) need 1.4

PROPOSE_FROM_FORM = "xpost_propose_form"  # the form's own verb; its data are the inputs
COMMENT_INPUT = "comment"
CATEGORIES = ("event", "policy", "info", "other")
RIGHTS = ("none", "city", "author")

Card = dict[str, Any]

_STYLES = {"primary": "positive", "danger": "destructive", "default": "default"}


def card(body: list[dict[str, Any]]) -> Card:
    return {"type": "AdaptiveCard", "$schema": SCHEMA, "version": CARD_VERSION, "body": body,
            "msteams": {"width": "Full"}}


def view_card(view: View, lang: str = "ja") -> Card:
    """Every block of a view, in order; buttons that need a comment bring one text input."""
    body: list[dict[str, Any]] = []
    separate_next = False
    for block in view.blocks:
        if isinstance(block, Divider):
            separate_next = True
            continue
        elements = _elements(block, lang)
        if separate_next and elements:
            elements[0]["separator"] = True
            separate_next = False
        body.extend(elements)
    if not body:
        body.append(_text_block(view.text))
    return card(body)


def _elements(block: Block, lang: str) -> list[dict[str, Any]]:
    if isinstance(block, Header):
        return [_text_block(block.text, size="Large", weight="Bolder")]
    if isinstance(block, Text):
        return [_text_block(_markdown(block.text))]
    if isinstance(block, Quote):
        return [verbatim(block.text)]
    if isinstance(block, Fields):
        return [{"type": "FactSet",
                 "facts": [{"title": k, "value": v} for k, v in block.pairs]}]
    if isinstance(block, Context):
        return [_text_block(block.text, isSubtle=True, size="Small")]
    if isinstance(block, Image):
        return [{"type": "Image", "url": block.url, "altText": block.alt}]
    if isinstance(block, Buttons):
        return _buttons(block.buttons, lang)
    return []


def _buttons(buttons: list[Button], lang: str) -> list[dict[str, Any]]:
    elements: list[dict[str, Any]] = []
    if any(b.asks_for for b in buttons):
        elements.append({"type": "Input.Text", "id": COMMENT_INPUT, "isMultiline": True,
                         "placeholder": t("comment_placeholder", lang), "maxLength": 500})
    elements.append({"type": "ActionSet", "actions": [execute(b) for b in buttons]})
    return elements


def execute(button: Button) -> dict[str, Any]:
    return {"type": "Action.Execute", "title": button.label, "verb": button.action,
            "data": dict(button.value), "style": _STYLES.get(button.style, "default")}


def verbatim(text: str) -> dict[str, Any]:
    """The text as X will show it: plain runs, no Markdown, line breaks kept."""
    return {"type": "Container", "style": "emphasis", "items": [
        {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": text}]}]}


def _text_block(text: str, **options: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **options}


def _markdown(text: str) -> str:
    """The views' `*bold*` is Adaptive Cards' `**bold**`."""
    return re.sub(r"(?<!\*)\*([^*\n]+)\*(?!\*)", r"**\1**", text)


# -- the proposal form ------------------------------------------------------------


def proposal_form(lang: str, category_labels: dict[str, str], values: dict[str, str] | None = None,
                  errors: list[str] | None = None) -> Card:
    """The form for those who prefer one; after a refusal it comes back filled in, with why."""
    values = values or {}
    body: list[dict[str, Any]] = [_text_block(t("form_title", lang), size="Large",
                                              weight="Bolder")]
    body += [_text_block(e, color="Attention") for e in errors or []]
    body += [
        {"type": "Input.Text", "id": "text", "isMultiline": True, "maxLength": 2000,
         "label": t("form_text_label", lang), "value": values.get("text", "")},
        {"type": "Input.ChoiceSet", "id": "category", "label": t("form_category_label", lang),
         "value": values.get("category", ""),
         "choices": [{"title": category_labels[c], "value": c} for c in CATEGORIES]},
        {"type": "Input.ChoiceSet", "id": "rights", "label": t("form_rights_label", lang),
         "value": values.get("rights", "none"),
         # The same words as Slack's form and the approval card (art. 8).
         "choices": [{"title": t("form_rights_none" if r == "none" else f"rights_{r}", lang),
                      "value": r} for r in RIGHTS]},
        {"type": "ColumnSet", "columns": [
            {"type": "Column", "width": "stretch", "items": [
                {"type": "Input.Date", "id": "publish_date", "label": t("form_publish_label", lang),
                 "value": values.get("publish_date", "")}]},
            {"type": "Column", "width": "stretch", "items": [
                {"type": "Input.Time", "id": "publish_time", "label": " ",
                 "value": values.get("publish_time", "")}]},
        ]},
        {"type": "ActionSet", "actions": [
            {"type": "Action.Execute", "title": t("submit_button", lang),
             "verb": PROPOSE_FROM_FORM, "data": {}, "style": "positive"}]},
    ]
    return card(body)


# -- invoke responses (adaptiveCard/action) ------------------------------------------


def card_response(content: Card) -> dict[str, Any]:
    """Teams replaces the clicked card with this one."""
    return {"statusCode": 200, "type": CARD_CONTENT_TYPE, "value": content}


def message_response(text: str) -> dict[str, Any]:
    """Teams shows this to the person who clicked only; the card stays as it was."""
    return {"statusCode": 200, "type": MESSAGE_CONTENT_TYPE, "value": text}
