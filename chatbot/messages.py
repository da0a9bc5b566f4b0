"""Every sentence the bot shows a person, in Japanese (default) and English.

One catalog for every chat, so Slack, Teams and the local page say the same thing.
A missing English text falls back to Japanese; a missing parameter never raises.
"""

from __future__ import annotations

import string
from typing import Any

DEFAULT_LANG = "ja"
LANGS = ("ja", "en")

MESSAGES: dict[str, dict[str, str]] = {
    # -- refusals ------------------------------------------------------------
    "illegal_transition": {
        "ja": "{id} は現在「{state_label}」のため、この操作（{action_label}）はできません。",
        "en": "{id} is {state_label}; it cannot be {action_label} now.",
    },
    "already_decided": {
        "ja": "{id} はすでに判断済みです（現在「{state_label}」）。",
        "en": "{id} has already been decided (now {state_label}).",
    },
    "stale_version": {
        "ja": "{id} は第{current}版に更新されています。第{version}版への判断は受け付けられません。"
        "最新の内容を確認してから判断してください。",
        "en": "{id} has been updated to version {current}; a decision on version {version} "
        "cannot be accepted. Please review the latest version.",
    },
    "not_found": {
        "ja": "{id} は見つかりません。ID を確認してください（例: P-0042）。",
        "en": "{id} was not found. Check the id (e.g. P-0042).",
    },
    "permission_denied": {
        "ja": "権限がありません。この操作は課長（運用管理者）または代理者のみが行えます（第3条）。",
        "en": "You do not have permission. Only the section chief or a delegate may do this "
        "(Art. 3).",
    },
    "not_author": {
        "ja": "権限がありません。{id} を変更できるのは起案者または課長のみです。",
        "en": "You do not have permission. Only the author or the chief may change {id}.",
    },
    "self_approval": {
        "ja": "自分が起案した投稿案は承認できません。別の方（課長または代理者）の承認が必要です。",
        "en": "You cannot approve your own proposal; another person (the chief or a delegate) "
        "must approve it.",
    },
    "policy_errors": {
        "ja": "運用ポリシーに合わない点が {count} 件あります。直してから出してください。",
        "en": "The proposal has {count} problem(s) under the policy. Please fix them first.",
    },
    "reason_required": {
        "ja": "理由を入力してください。",
        "en": "Please give a reason.",
    },
    "comment_required": {
        "ja": "差し戻しの理由（修正してほしい点）を入力してください。",
        "en": "Please say what should be changed.",
    },
    "not_published": {
        "ja": "{id} は X に投稿されていないため、{action_label}できません（現在「{state_label}」）。",
        "en": "{id} is not on X, so it cannot be {action_label} (now {state_label}).",
    },
    "already_suspended": {
        "ja": "アカウントはすでに停止中です（理由: {reason}）。",
        "en": "The account is already suspended (reason: {reason}).",
    },
    "not_suspended": {
        "ja": "アカウントは停止されていません。",
        "en": "The account is not suspended.",
    },
    "bad_handle": {
        "ja": "アカウント名の形式が正しくありません: {handle}（例: @komae_city）",
        "en": "That is not a valid account name: {handle} (e.g. @komae_city)",
    },
    "publish_at_past": {
        "ja": "投稿日時 {at} はすでに過ぎています。これからの日時を指定してください。",
        "en": "The publish time {at} has already passed. Please give a time in the future.",
    },
}

STATE_LABELS: dict[str, dict[str, str]] = {
    "draft": {"ja": "下書き（未提出）", "en": "draft"},
    "pending": {"ja": "承認待ち", "en": "pending approval"},
    "changes_requested": {"ja": "差し戻し中", "en": "changes requested"},
    "approved": {"ja": "承認済み（投稿待ち）", "en": "approved (queued)"},
    "publishing": {"ja": "投稿中", "en": "publishing"},
    "published": {"ja": "投稿済み", "en": "published"},
    "rejected": {"ja": "却下", "en": "rejected"},
    "withdrawn": {"ja": "取り下げ", "en": "withdrawn"},
    "failed": {"ja": "投稿失敗", "en": "failed"},
    "deleting": {"ja": "削除中", "en": "deleting"},
    "deleted": {"ja": "削除済み", "en": "deleted"},
    "corrected": {"ja": "訂正済み（削除し訂正版を投稿）", "en": "corrected"},
}

ACTION_LABELS: dict[str, dict[str, str]] = {
    "submit": {"ja": "提出", "en": "submitted"},
    "edit": {"ja": "修正", "en": "edited"},
    "withdraw": {"ja": "取り下げ", "en": "withdrawn"},
    "publish": {"ja": "投稿", "en": "published"},
    "fail": {"ja": "失敗の記録", "en": "marked failed"},
    "retry": {"ja": "再試行", "en": "retried"},
    "delete": {"ja": "削除", "en": "deleted"},
    "correct": {"ja": "訂正", "en": "corrected"},
}


class _Lenient(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _label(table: dict[str, dict[str, str]], value: Any, lang: str) -> str:
    entry = table.get(str(value))
    return entry.get(lang, entry["ja"]) if entry else str(value)


def t(key: str, lang: str = DEFAULT_LANG, **params: Any) -> str:
    """The message `key` in `lang`, with its parameters filled in."""
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    template = entry.get(lang) or entry["ja"]
    values = _Lenient(params)
    if "state" in params:
        values.setdefault("state_label", _label(STATE_LABELS, params["state"], lang))
    if "action" in params:
        values.setdefault("action_label", _label(ACTION_LABELS, params["action"], lang))
    return string.Formatter().vformat(template, (), values)


def state_label(state: Any, lang: str = DEFAULT_LANG) -> str:
    return _label(STATE_LABELS, getattr(state, "value", state), lang)
