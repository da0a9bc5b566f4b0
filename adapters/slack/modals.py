"""The modals: the proposal form, the chief's comment or reason, and the author's edit.

Each modal's `callback_id` names the listener that takes its submission; the ids of
what it is about travel in `private_metadata` (JSON), never anything a person sees.
Block ids are the keys `ack(response_action="errors", errors=...)` points at.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from adapters.slack.blocks import render_blocks
from chatbot.messages import t
from chatbot.views import APPROVE_URGENT, View

PROPOSAL_FORM = "xpost_proposal_form"
DECISION_FORM = "xpost_decision_form"
EDIT_FORM = "xpost_edit_form"

TEXT_BLOCK, CATEGORY_BLOCK, PUBLISH_AT_BLOCK, COMMENT_BLOCK = (
    "text", "category", "publish_at", "comment")
IMAGES_BLOCK, RIGHTS_BLOCK = "images", "rights"
INPUT = "input"  # the action id of the single input in each input block
CATEGORIES = ("event", "policy", "info", "other")
RIGHTS = ("city", "author")  # 第8条: the city's own, or the original author's permission
IMAGE_FILETYPES = ("jpg", "jpeg", "png", "gif", "webp")
MAX_IMAGES = 4  # X's limit per post; the policy says so too (media_rights.max_images)
MODAL_TITLE_LIMIT = 24


def _plain(text: str, limit: int = 150) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:limit], "emoji": False}


def _modal(callback_id: str, title: str, blocks: list[dict[str, Any]], submit: str | None,
           lang: str, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": callback_id,
        "title": _plain(title, MODAL_TITLE_LIMIT),
        "close": _plain(t("slack_form_close", lang), MODAL_TITLE_LIMIT),
        "blocks": blocks,
    }
    if submit:
        view["submit"] = _plain(submit, MODAL_TITLE_LIMIT)
    if metadata:
        view["private_metadata"] = json.dumps(metadata, ensure_ascii=False)
    return view


def _text_input(block_id: str, label: str, multiline: bool, optional: bool = False,
                initial: str = "") -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": INPUT,
                               "multiline": multiline}
    if initial:
        element["initial_value"] = initial
    return {"type": "input", "block_id": block_id, "label": _plain(label, 2000),
            "element": element, "optional": optional}


def proposal_form(lang: str, category_labels: dict[str, str]) -> dict[str, Any]:
    options = [{"text": _plain(category_labels[c], 75), "value": c} for c in CATEGORIES]
    category = {
        "type": "input", "block_id": CATEGORY_BLOCK,
        "label": _plain(t("slack_form_category", lang)),
        "element": {"type": "static_select", "action_id": INPUT, "options": options,
                    "placeholder": _plain(t("slack_form_category_pick", lang))},
    }
    images = {
        "type": "input", "block_id": IMAGES_BLOCK, "optional": True,
        "label": _plain(t("slack_form_images", lang)),
        "element": {"type": "file_input", "action_id": INPUT,
                    "filetypes": list(IMAGE_FILETYPES), "max_files": MAX_IMAGES},
    }
    rights = {
        "type": "input", "block_id": RIGHTS_BLOCK, "optional": True,
        "label": _plain(t("slack_form_rights", lang)),
        "element": {"type": "static_select", "action_id": INPUT,
                    "options": [{"text": _plain(t(f"rights_{r}", lang), 75), "value": r}
                                for r in RIGHTS],
                    "placeholder": _plain(t("slack_form_rights_pick", lang))},
    }
    return _modal(PROPOSAL_FORM, t("slack_form_title", lang), [
        _text_input(TEXT_BLOCK, t("slack_form_text", lang), multiline=True),
        category,
        images,
        rights,
        _text_input(PUBLISH_AT_BLOCK, t("slack_form_publish_at", lang), multiline=False,
                    optional=True),
    ], t("slack_form_submit", lang), lang)


def decision_form(lang: str, action: str, asks_for: str, ids: dict[str, Any]) -> dict[str, Any]:
    """What the chief's reject / request-changes / urgent-approve (and follow-reject)
    buttons open. The urgent one has its own title: a modal saying 「却下」 over an
    approval would be a trap."""
    if action == APPROVE_URGENT:
        title, label = t("slack_urgent_title", lang), t("slack_urgent_label", lang)
    elif asks_for == "reason":
        title, label = t("slack_reason_title", lang), t("slack_reason_label", lang)
    else:
        title, label = t("slack_comment_title", lang), t("slack_comment_label", lang)
    return _modal(DECISION_FORM, title, [_text_input(COMMENT_BLOCK, label, multiline=True)],
                  t("slack_decide_submit", lang), lang, {"action": action, **ids})


def edit_form(lang: str, proposal_id: str, text: str) -> dict[str, Any]:
    return _modal(EDIT_FORM, t("slack_edit_title", lang),
                  [_text_input(TEXT_BLOCK, t("slack_form_text", lang), multiline=True,
                               initial=text)],
                  t("slack_edit_submit", lang), lang, {"id": proposal_id})


def result_modal(lang: str, view: View) -> dict[str, Any]:
    """The form after a successful submission: the answer, with any warnings."""
    return _modal(PROPOSAL_FORM + "_done", t("slack_form_done_title", lang),
                  render_blocks(view.blocks), None, lang)


@dataclass(frozen=True)
class Submitted:
    """The values of a submitted modal, by block id; a file input's Slack file objects
    (`id`, `name`, `mimetype`, `url_private_download`...) under `files`."""

    values: dict[str, str]
    metadata: dict[str, Any]
    files: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> Submitted:
        values: dict[str, str] = {}
        files: dict[str, list[dict[str, Any]]] = {}
        for block_id, inputs in (view.get("state", {}).get("values") or {}).items():
            state = inputs.get(INPUT, {})
            if state.get("type") == "file_input":
                files[block_id] = [f for f in state.get("files") or [] if isinstance(f, dict)]
            elif state.get("type") == "static_select":
                values[block_id] = (state.get("selected_option") or {}).get("value", "")
            else:
                values[block_id] = state.get("value") or ""
        metadata = json.loads(view.get("private_metadata") or "{}")
        return cls(values, metadata, files)
