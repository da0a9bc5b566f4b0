"""What the bot has learned about Teams, kept in Redis so proactive messages survive restarts.

Keys (all under `xpost:{account}:teams:`):
  `conversation:{id}`  the conversation reference (JSON) last seen for a conversation
  `user:{aadObjectId}` the id of that person's 1:1 conversation with the bot
  `service_url`        the Bot Connector URL last seen (for conversations not yet heard from)
  `tenant`             the Entra tenant last seen
  `cards:{subject}`    hash activity id -> conversation id: every card showing a proposal
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import redis


@dataclass(frozen=True)
class CardLocation:
    conversation_id: str
    activity_id: str


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class TeamsDirectory:
    def __init__(self, client: redis.Redis, account: str) -> None:
        self.redis = client
        self.prefix = f"xpost:{account}:teams:"

    # -- conversations -------------------------------------------------------------

    def remember(self, conversation_id: str, reference: dict[str, Any], service_url: str = "",
                 tenant: str = "", user_aad_id: str = "", personal: bool = False) -> None:
        """Keep an incoming activity's conversation reference (and the person's 1:1 chat)."""
        reference = {k: v for k, v in reference.items() if k != "activityId"}
        pipe = self.redis.pipeline(transaction=False)
        pipe.set(self.prefix + f"conversation:{conversation_id}", json.dumps(reference))
        if service_url:
            pipe.set(self.prefix + "service_url", service_url)
        if tenant:
            pipe.set(self.prefix + "tenant", tenant)
        if personal and user_aad_id:
            pipe.set(self.prefix + f"user:{user_aad_id}", conversation_id)
        pipe.execute()

    def reference(self, conversation_id: str) -> dict[str, Any] | None:
        raw = self.redis.get(self.prefix + f"conversation:{conversation_id}")
        return json.loads(raw) if raw else None

    def personal_conversation(self, user_aad_id: str) -> str | None:
        raw = self.redis.get(self.prefix + f"user:{user_aad_id}")
        return _text(raw) if raw else None

    def service_url(self) -> str | None:
        raw = self.redis.get(self.prefix + "service_url")
        return _text(raw) if raw else None

    def tenant(self) -> str | None:
        raw = self.redis.get(self.prefix + "tenant")
        return _text(raw) if raw else None

    # -- cards -----------------------------------------------------------------------

    def add_card(self, subject: str, location: CardLocation) -> None:
        self.redis.hset(self.prefix + f"cards:{subject}", location.activity_id,
                        location.conversation_id)

    def cards(self, subject: str) -> list[CardLocation]:
        stored = self.redis.hgetall(self.prefix + f"cards:{subject}")
        return [CardLocation(_text(conversation), _text(activity))
                for activity, conversation in stored.items()]
