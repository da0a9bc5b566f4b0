"""What Slack hears from the worker: approval cards kept up to date, announcements, DMs.

One card per proposal (in the approval channel, or a DM to each chief), posted when
it is submitted and `chat.update`d in place on every later event, so the card
always shows who decided and when, publishing, the X link or the failure. Where
each card lives is kept in Redis (`xpost:{account}:slack:card:{id}`), so any
worker process can update it. Proposals from Teams get a Slack card as well.
"""

from __future__ import annotations

import json
import logging
import threading

import redis
from slack_sdk import WebClient

from adapters.settings import Settings
from adapters.slack.blocks import message
from chatbot.errors import WorkflowError
from chatbot.messages import t
from chatbot.model import Event, FollowRequest, Proposal
from chatbot.ports import Notifier
from chatbot.roles import RoleDirectory
from chatbot.views import EDIT, Button, Buttons, Quote, Text, View, approval_card, follow_card
from chatbot.views import event_summary as summary
from chatbot.workflow import Workflow

log = logging.getLogger(__name__)

# Every event kind the core emits is in one of these sets (tests/test_event_kinds.py
# fails otherwise); a P- or F- event also updates its card in place, whatever the set.
#
# Everyone in the notification channel hears about these (art. 5, 7, 9, failures, the
# month's X budget, and the audit log's head: a copy of it outside Redis).
ANNOUNCED = {
    "post_published", "correction_published", "post_deleted", "delete_failed",
    "original_deleted", "account_suspended", "account_resumed", "impersonation_reported",
    "identity_mismatch", "publish_failed", "audit_head", "budget_warning", "budget_exceeded",
    "budget_continued", "budget_hold_ended",
}
# ... and the chiefs directly, wherever the cards go.
CHIEFS_TOLD = {"impersonation_reported", "identity_mismatch", "reminder", "budget_warning",
               "budget_exceeded"}
# Deliberately not announced: the updated card (and, for decisions and publication,
# the author's DM) says it. `publish_postponed` shows on the card as 投稿時刻 and why.
CARD_ONLY = {
    "proposal_submitted", "proposal_withdrawn", "proposal_decided", "proposal_retrying",
    "publishing", "publish_postponed", "proposal_rescheduled", "proposal_unscheduled",
    "follow_pending", "follow_approved", "follow_rejected", "follow_followed",
}
CARD_TTL_SECONDS = 400 * 24 * 3600  # a year and a bit: corrections come long after


class SlackNotifier(Notifier):
    def __init__(self, client: WebClient, workflow: Workflow, redis_client: redis.Redis,
                 settings: Settings, roles: RoleDirectory, account: str, lang: str) -> None:
        self.client = client
        self.workflow = workflow
        self.redis = redis_client
        self.settings = settings
        self.roles = roles
        self.account = account
        self.lang = lang
        self._dm_channels: dict[str, str] = {}
        self._lock = threading.Lock()

    def notify(self, event: Event) -> None:
        if event.subject.startswith("P-"):
            self._proposal_event(event)
        elif event.subject.startswith("F-"):
            self._follow_event(event)
        if event.kind in ANNOUNCED and self.settings.slack_notify_channel:
            self._post(self.settings.slack_notify_channel, View(summary(event, self.lang)))
        if event.kind in CHIEFS_TOLD:
            for chief in self.roles.chiefs("slack"):
                self._post(self._dm(chief), View(summary(event, self.lang)))

    # -- proposals ----------------------------------------------------------------

    def _proposal_event(self, event: Event) -> None:
        try:
            proposal = self.workflow.get(event.subject)
        except WorkflowError:
            log.warning("event %s about unknown %s", event.kind, event.subject)
            return
        card = self._card(proposal)
        key = self._card_key(proposal.id)
        places = self._places(key)
        if places:
            for channel, ts in places:
                self.client.chat_update(channel=channel, ts=ts, **message(card))
        elif event.kind == "proposal_submitted":
            self._remember(key, [self._post(channel, card) for channel in self._card_channels()])
        if proposal.author.platform == "slack":
            self._tell_author(event, proposal)

    def _card(self, proposal: Proposal) -> View:
        label = self.workflow.checker.category_label(proposal.current.category or "info",
                                                     self.lang)
        return approval_card(proposal, label, self.lang)

    def _tell_author(self, event: Event, proposal: Proposal) -> None:
        lang, decision = self.lang, proposal.last_decision
        by = decision.actor.display if decision else ""
        comment = decision.comment if decision else ""
        if event.kind == "proposal_decided":
            kind = event.data.get("decision")
            if kind == "approve":
                view = View(t("slack_dm_approved", lang, id=proposal.id, by=by))
            elif kind == "reject":
                view = View(t("slack_dm_rejected", lang, id=proposal.id, by=by, comment=comment))
            else:
                text = t("slack_dm_changes_requested", lang, id=proposal.id, by=by,
                         comment=comment)
                edit = Button(EDIT, t("slack_edit_title", lang),
                              {"id": proposal.id, "version": proposal.current.number}, "primary")
                view = View(text, [Text(text), Quote(proposal.current.text), Buttons([edit])])
        elif event.kind in ("post_published", "correction_published"):
            view = View(t("slack_dm_published", lang, id=proposal.id,
                          x_url=event.data.get("x_url", proposal.x_url or "")))
        else:
            return
        self._post(self._dm(proposal.author.user_id), view)

    # -- follow requests -----------------------------------------------------------------

    def _follow_event(self, event: Event) -> None:
        request: FollowRequest | None = self.workflow.store.get_follow(event.subject)
        if request is None:
            return
        card = follow_card(request, self.lang)
        key = f"xpost:{self.account}:slack:follow_card:{request.id}"
        places = self._places(key)
        if places:
            for channel, ts in places:
                self.client.chat_update(channel=channel, ts=ts, **message(card))
        elif event.kind in ("follow_pending", "follow_approved"):
            self._remember(key, [self._post(channel, card) for channel in self._card_channels()])

    # -- Slack and Redis ---------------------------------------------------------------------

    def _card_channels(self) -> list[str]:
        if self.settings.slack_approval_channel:
            return [self.settings.slack_approval_channel]
        return [self._dm(chief) for chief in self.roles.chiefs("slack")]

    def _post(self, channel: str, view: View) -> tuple[str, str]:
        answer = self.client.chat_postMessage(channel=channel, **message(view))
        return str(answer["channel"]), str(answer["ts"])

    def _dm(self, user_id: str) -> str:
        with self._lock:
            known = self._dm_channels.get(user_id)
        if known:
            return known
        channel = str(self.client.conversations_open(users=user_id)["channel"]["id"])
        with self._lock:
            self._dm_channels[user_id] = channel
        return channel

    def _card_key(self, proposal_id: str) -> str:
        return f"xpost:{self.account}:slack:card:{proposal_id}"

    def _places(self, key: str) -> list[tuple[str, str]]:
        raw = self.redis.get(key)
        return [tuple(place) for place in json.loads(raw)] if raw else []  # type: ignore[misc]

    def _remember(self, key: str, places: list[tuple[str, str]]) -> None:
        self.redis.set(key, json.dumps(places), ex=CARD_TTL_SECONDS)
