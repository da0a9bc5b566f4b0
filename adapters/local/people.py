"""Who is in the local workspace and where they talk: the same ids everywhere.

The bot's settings (chief ids, channel ids), the Slack stand-in's users and the
page's identity switch all read them from here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LocalUser:
    user_id: str
    name: str
    role: str  # "staff" or "chief": which identity button the page shows


@dataclass(frozen=True)
class LocalChannel:
    channel_id: str
    name: str
    title: str  # the page's label


STAFF = LocalUser("U_STAFF", "職員 狛江花子", "staff")
CHIEF = LocalUser("U_CHIEF", "子ども若者政策課長", "chief")
USERS = (STAFF, CHIEF)
PROPOSALS = LocalChannel("C_PROPOSALS", "proposals", "投稿案")
APPROVALS = LocalChannel("C_APPROVALS", "approvals", "承認")
NOTIFICATIONS = LocalChannel("C_NOTIFICATIONS", "notifications", "通知")
CHANNELS = (PROPOSALS, APPROVALS, NOTIFICATIONS)
