"""Notice texts for the city homepage and 子育てねっと (art. 7, 9), drafted for the section.

Drafts: a person reviews them before they go on the sites, so they are plain and complete.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")


def _date(at: datetime) -> str:
    local = at.astimezone(TOKYO)
    return f"{local.year}年{local.month}月{local.day}日"


def suspension_notices(username: str, reason: str, at: datetime) -> dict[str, str]:
    body = (
        f"狛江市子ども若者政策課公式X（@{username}）は、{_date(at)}から運用を一時停止しています。\n"
        f"停止の理由：{reason}\n"
        "再開の際は、市ホームページおよび子育てねっとでお知らせします。"
    )
    return {
        "notice_homepage": "【お知らせ】子ども若者政策課公式Xの運用停止について\n" + body,
        "notice_portal": "子ども若者政策課公式Xの運用停止のお知らせ\n" + body,
    }


def resumption_notices(username: str, at: datetime) -> dict[str, str]:
    body = f"狛江市子ども若者政策課公式X（@{username}）は、{_date(at)}に運用を再開しました。"
    return {
        "notice_homepage": "【お知らせ】子ども若者政策課公式Xの運用再開について\n" + body,
        "notice_portal": "子ども若者政策課公式Xの運用再開のお知らせ\n" + body,
    }


def impersonation_notices(username: str, handle: str, url: str, at: datetime) -> dict[str, str]:
    where = f"（{url}）" if url else ""
    body = (
        f"{_date(at)}、狛江市子ども若者政策課公式Xになりすましたアカウント @{handle}{where} "
        "が確認されました。\n"
        f"狛江市子ども若者政策課の公式アカウントは @{username} のみです。"
        "なりすましアカウントからの投稿やメッセージには反応せず、個人情報を送らないようご注意ください。"
    )
    return {
        "notice_homepage": "【注意】子ども若者政策課公式Xのなりすましアカウントにご注意ください\n"
        + body,
        "notice_portal": "子ども若者政策課公式Xのなりすましにご注意ください\n" + body,
    }
