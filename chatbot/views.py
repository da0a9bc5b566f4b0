"""What the bot shows, as chat-neutral blocks; Slack renders them as Block Kit, Teams as
Adaptive Cards. A card's wording lives here once, so both chats say the same thing.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from chatbot.messages import MESSAGES, state_label, t
from chatbot.model import Decision, Event, FollowRequest, Proposal, State
from chatbot.usage import usd

TOKYO = ZoneInfo("Asia/Tokyo")

# Action ids: the Slack `action_id` and the Teams `verb` of each button.
APPROVE = "xpost_approve"
# Urgent approval (disaster, closures, safety): out at once whatever the hours; asks why.
APPROVE_URGENT = "xpost_approve_urgent"
REQUEST_CHANGES = "xpost_request_changes"
REJECT = "xpost_reject"
RETRY = "xpost_retry"
SUBMIT = "xpost_submit"
EDIT = "xpost_edit"
PICK_CATEGORY = "xpost_pick_category"
FOLLOW_APPROVE = "xpost_follow_approve"
FOLLOW_REJECT = "xpost_follow_reject"
FOLLOW_DONE = "xpost_follow_done"


@dataclass(frozen=True)
class Header:
    text: str


@dataclass(frozen=True)
class Text:
    """A paragraph; `*bold*` and line breaks are the only markup used."""

    text: str


@dataclass(frozen=True)
class Quote:
    """The post exactly as it will appear on X: rendered verbatim, never as markup."""

    text: str


@dataclass(frozen=True)
class Fields:
    pairs: list[tuple[str, str]]


@dataclass(frozen=True)
class Context:
    text: str


@dataclass(frozen=True)
class Divider:
    pass


@dataclass(frozen=True)
class Image:
    url: str
    alt: str


@dataclass(frozen=True)
class Button:
    action: str  # one of the action ids above
    label: str
    value: dict[str, str | int]  # only ids and versions: everything else is read from the store
    style: Literal["primary", "danger", "default"] = "default"
    # A button that needs a comment or reason asks for it before the action runs.
    asks_for: Literal["comment", "reason", ""] = ""


@dataclass(frozen=True)
class Buttons:
    buttons: list[Button]


Block = Header | Text | Quote | Fields | Context | Divider | Image | Buttons


@dataclass
class View:
    """A message: blocks, a plain-text fallback, and whether only the asker sees it."""

    text: str
    blocks: list[Block] = field(default_factory=list)
    ephemeral: bool = False


def local_time(at: datetime | None, lang: str = "ja") -> str:
    if at is None:
        return "-"
    local = at.astimezone(TOKYO)
    if lang == "en":
        return local.strftime("%Y-%m-%d %H:%M JST")
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def _labels(lang: str) -> dict[str, str]:
    return LABELS["en" if lang == "en" else "ja"]


LABELS: dict[str, dict[str, str]] = {
    "ja": {
        "approval_title": "投稿の承認依頼",
        "correction_title": "訂正投稿の承認依頼（第5条第2項）",
        "state": "状態", "author": "起案者", "category": "区分", "version": "版",
        "length": "文字数（X の重み付き）", "publish_at": "投稿予定", "warnings": "注意事項",
        "images": "画像", "approve": "承認", "request_changes": "差し戻し", "reject": "却下",
        "retry": "再試行", "submit": "承認を依頼", "edit": "修正する", "decided_by": "判断",
        "link": "X の投稿", "corrects": "訂正する投稿", "failure": "失敗の理由",
        "comment": "コメント", "on_behalf": "（課長の代理）", "no_warnings": "注意事項はありません",
        "follow_title": "フォロー申請（第6条第1号）", "account": "アカウント", "reason": "理由",
        "requested_by": "申請者", "follow_done": "フォローした",
        "cost": "X の費用（見込み）", "with_url": "URL あり", "without_url": "URL なし",
        "goes_out": "投稿時刻", "urgent": "（緊急）",
    },
    "en": {
        "approval_title": "Approval request",
        "correction_title": "Correction for approval (Art. 5.2)",
        "state": "State", "author": "Author", "category": "Category", "version": "Version",
        "length": "Weighted length", "publish_at": "Publish at", "warnings": "Warnings",
        "images": "Images", "approve": "Approve", "request_changes": "Request changes",
        "reject": "Reject", "retry": "Retry", "submit": "Submit for approval", "edit": "Edit",
        "decided_by": "Decision", "link": "Post on X", "corrects": "Corrects",
        "failure": "Failure", "comment": "Comment", "on_behalf": " (for the chief)",
        "no_warnings": "No warnings", "follow_title": "Follow request (Art. 6.1)",
        "account": "Account", "reason": "Reason", "requested_by": "Requested by",
        "follow_done": "Followed",
        "cost": "X cost (estimate)", "with_url": "with a URL", "without_url": "no URL",
        "goes_out": "Goes out at", "urgent": " (urgent)",
    },
}

# Japanese labels are fixed by the section's wording of the buttons.
BUTTON_LABELS_JA = {APPROVE: "承認", REQUEST_CHANGES: "差し戻し", REJECT: "却下",
                    APPROVE_URGENT: "緊急として承認（時間外でも即時投稿）"}


def decision_line(decision: Decision, lang: str = "ja") -> str:
    word = {"approve": ("承認", "approved"), "reject": ("却下", "rejected"),
            "request_changes": ("差し戻し", "requested changes")}[decision.kind]
    behalf = _labels(lang)["on_behalf"] if decision.on_behalf_of_chief else ""
    behalf += _labels(lang)["urgent"] if decision.urgent else ""
    when = local_time(decision.at, lang)
    if lang == "en":
        return f"{decision.actor.display}{behalf} {word[1]} version {decision.version} at {when}"
    return f"{decision.actor.display}{behalf} が第{decision.version}版を{word[0]}（{when}）"


def approval_card(proposal: Proposal, category_label: str, lang: str = "ja") -> View:
    """The chief's card: the text exactly as it will appear, and everything to decide on."""
    labels = _labels(lang)
    version = proposal.current
    title = labels["correction_title"] if proposal.is_correction else labels["approval_title"]
    blocks: list[Block] = [Header(f"{title} {proposal.id}"), Quote(version.text)]
    pairs = [
        (labels["state"], state_label(proposal.state, lang)),
        (labels["category"], category_label),
        (labels["length"], f"{version.weighted_length} / 280"),
        (labels["author"], proposal.author.display),
        (labels["version"], str(version.number)),
    ]
    if version.publish_at:
        pairs.append((labels["publish_at"], local_time(version.publish_at, lang)))
    if proposal.state is State.APPROVED and proposal.release_at:
        why = t(f"release_{proposal.release_reason}", lang) if proposal.release_reason else ""
        pairs.append((labels["goes_out"], local_time(proposal.release_at, lang)
                      + (f"（{why}）" if lang == "ja" and why else f" ({why})" if why else "")))
    if version.cost_usd is not None:
        url = labels["with_url"] if version.has_url else labels["without_url"]
        pairs.append((labels["cost"], f"${usd(version.cost_usd)}（{url}）" if lang == "ja"
                      else f"${usd(version.cost_usd)} ({url})"))
    if proposal.corrects:
        pairs.append((labels["corrects"], proposal.corrects))
    if version.media:
        pairs.append((labels["images"], ("、" if lang == "ja" else ", ").join(
            _media_line(m.filename, m.rights, lang) for m in version.media)))
    blocks.append(Fields(pairs))
    if version.warnings:
        blocks.append(Text(f"*{labels['warnings']}*\n" + "\n".join(
            f"⚠ {w.message}（{w.article}）" if lang == "ja" else f"⚠ {w.message} ({w.article})"
            for w in version.warnings)))
    else:
        blocks.append(Context(labels["no_warnings"]))
    for decision in proposal.decisions:
        line = decision_line(decision, lang)
        if decision.comment:
            line += f"\n{labels['comment']}: {decision.comment}"
        blocks.append(Context(line))
    if proposal.x_url:
        blocks.append(Text(f"{labels['link']}: {proposal.x_url}"))
    if proposal.failure:
        blocks.append(Text(f"{labels['failure']}: {proposal.failure}"))
    ids = {"id": proposal.id, "version": version.number}
    if proposal.state is State.PENDING:
        blocks.append(Buttons([
            Button(APPROVE, _button_label(APPROVE, lang), ids, "primary"),
            Button(REQUEST_CHANGES, _button_label(REQUEST_CHANGES, lang), ids,
                   asks_for="comment"),
            Button(REJECT, _button_label(REJECT, lang), ids, "danger", asks_for="reason"),
            Button(APPROVE_URGENT, _button_label(APPROVE_URGENT, lang), ids, asks_for="reason"),
        ]))
    elif proposal.state is State.FAILED:
        blocks.append(Buttons([Button(RETRY, labels["retry"], ids, "primary")]))
    text = f"{title} {proposal.id}: {version.text}"
    return View(text=text, blocks=blocks)


def _button_label(action: str, lang: str) -> str:
    if lang == "ja":
        return BUTTON_LABELS_JA[action]
    return {APPROVE: "Approve", REQUEST_CHANGES: "Request changes", REJECT: "Reject",
            APPROVE_URGENT: "Approve as urgent (out now, even outside hours)"}[action]


def follow_card(request: FollowRequest, lang: str = "ja") -> View:
    labels = _labels(lang)
    blocks: list[Block] = [
        Header(f"{labels['follow_title']} {request.id}"),
        Fields([(labels["account"], f"@{request.handle}"), (labels["reason"], request.reason),
                (labels["requested_by"], request.requested_by.display),
                (labels["state"], FOLLOW_STATE_LABELS[request.state.value][lang])]),
    ]
    ids = {"id": request.id}
    if request.state.value == "pending":
        blocks.append(Buttons([
            Button(FOLLOW_APPROVE, labels["approve"], ids, "primary"),
            Button(FOLLOW_REJECT, labels["reject"], ids, "danger", asks_for="reason"),
        ]))
    elif request.state.value == "approved":
        blocks.append(Text(t("follow_by_hand", lang, handle=request.handle, id=request.id)))
        blocks.append(Buttons([Button(FOLLOW_DONE, labels["follow_done"], ids, "primary")]))
    return View(text=f"{labels['follow_title']} {request.id}: @{request.handle}", blocks=blocks)


FOLLOW_STATE_LABELS = {
    "pending": {"ja": "承認待ち", "en": "pending"},
    "approved": {"ja": "承認済み（課長が X アプリで手動フォロー）",
                 "en": "approved (follow by hand)"},
    "followed": {"ja": "フォロー済み", "en": "followed"},
    "rejected": {"ja": "却下", "en": "rejected"},
}


def event_summary(event: Event, lang: str = "ja") -> str:
    """One line for the notification channel and the author's DM.

    A reason-specific message (`event_<kind>_<reason>`) wins where there is one, and
    times travel as ISO strings but are shown in Tokyo time.
    """
    data = dict(event.data)
    for key, value in data.items():
        if key in ("until", "at") and isinstance(value, str):
            with contextlib.suppress(ValueError):  # not a time after all: shown as it is
                data[key] = local_time(datetime.fromisoformat(value), lang)
    key = f"event_{event.kind}"
    reason = data.get("reason")
    if isinstance(reason, str) and f"{key}_{reason}" in MESSAGES:
        key = f"{key}_{reason}"
    return t(key, lang, id=event.subject, **data)


def _media_line(filename: str, rights: str | None, lang: str) -> str:
    """`kaijo.png（市が著作権を持つ）`: the chief sees the rights declared, in words."""
    declared = t(f"rights_{rights or 'none'}", lang)
    return f"{filename}（{declared}）" if lang == "ja" else f"{filename} ({declared})"
