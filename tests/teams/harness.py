"""Helpers for talking to the Teams endpoint as Teams does: Activities over real HTTP.

`ServerThread` (tests/web_thread.py) serves the real `xpost web` app; `TeamsClient`
posts messages and `adaptiveCard/action` invokes shaped as Teams sends them, with the
stand-in Bot Connector as their serviceUrl.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from typing import Any

import requests

from tests.web_thread import ServerThread  # noqa: F401  (re-exported for the tests)

TENANT = "tenant-komae"
BOT_ID = "28:xpost-bot"


@dataclass(frozen=True)
class Person:
    aad: str
    name: str

    @property
    def personal_conversation(self) -> str:
        return f"a:personal-{self.aad}"


class TeamsClient:
    """Sends what Teams would send to the bot, from a given person in a given conversation."""

    def __init__(self, bot_url: str, service_url: str) -> None:
        self.bot_url = bot_url.rstrip("/") + "/api/messages"
        self.service_url = service_url
        self.session = requests.Session()
        self._ids = itertools.count(1)

    def activity(self, person: Person, conversation: str | None = None,
                 conversation_type: str = "personal", **fields: Any) -> dict[str, Any]:
        return {
            "id": f"incoming-{next(self._ids)}",
            "channelId": "msteams",
            "serviceUrl": self.service_url,
            "from": {"id": f"29:{person.aad}", "aadObjectId": person.aad, "name": person.name},
            "recipient": {"id": BOT_ID, "name": "xpost"},
            "conversation": {"id": conversation or person.personal_conversation,
                             "conversationType": conversation_type, "tenantId": TENANT},
            "channelData": {"tenant": {"id": TENANT}},
            "locale": "ja-JP",
            **fields,
        }

    def post(self, activity: dict[str, Any], headers: dict[str, str] | None = None
             ) -> requests.Response:
        return self.session.post(self.bot_url, json=activity, headers=headers or {}, timeout=30)

    def say(self, person: Person, text: str, conversation: str | None = None
            ) -> requests.Response:
        """A message in the person's 1:1 chat with the bot (or another personal conversation)."""
        return self.post(self.activity(person, conversation, type="message", text=text))

    def mention(self, person: Person, text: str, channel: str) -> requests.Response:
        """`@xpost TEXT` in a channel, as Teams writes a mention."""
        tag = "<at>xpost</at>"
        return self.post(self.activity(
            person, f"{channel};messageid={uuid.uuid4().int % 10**13}", "channel",
            type="message", text=f"{tag} {text}",
            entities=[{"type": "mention", "text": tag,
                       "mentioned": {"id": BOT_ID, "name": "xpost"}}]))

    def click(self, person: Person, verb: str, data: dict[str, Any], conversation: str,
              card_activity_id: str, **inputs: str) -> requests.Response:
        """An `Action.Execute` click: Teams merges the card's inputs into `data`."""
        return self.post(self.activity(
            person, conversation,
            "channel" if conversation.startswith("19:") else "personal",
            type="invoke", name="adaptiveCard/action", replyToId=card_activity_id,
            value={"action": {"type": "Action.Execute", "verb": verb,
                              "data": {**data, **inputs}}, "trigger": "manual"}))
