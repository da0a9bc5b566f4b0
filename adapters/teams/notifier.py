"""TeamsNotifier: what Teams shows when something happens, run by the worker.

- A proposal submitted: the chief's approval card, in XPOST_TEAMS_APPROVAL_CONVERSATION
  or else in each chief's 1:1 chat (created through the connector if need be).
- Anything that happens to a proposal: every card showing it is updated in place, so
  it tells who decided and when, publishing, the X link, a failure and its retry.
  This holds whichever chat the proposal came from or was decided in.
- Its author, when on Teams, is told of every outcome in a 1:1 chat.
- Published posts, corrections, deletions, suspension and resumption (with the
  notice texts), impersonation alerts, failures, the month's X budget and the audit
  log's head: XPOST_TEAMS_NOTIFY_CONVERSATION.
- Budget warnings and holds: each chief in a 1:1 chat as well.

`notify` is called from the worker's thread; botbuilder is asynchronous, so the
notifier keeps one event loop of its own in a daemon thread and waits for each event.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import threading
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

from adapters.teams.bot import proposal_card
from adapters.teams.cards import view_card
from adapters.teams.connector import TeamsConnector, card_activity, text_activity
from adapters.teams.directory import CardLocation, TeamsDirectory
from chatbot.messages import t
from chatbot.model import Event, FollowRequest, Proposal
from chatbot.ports import Notifier
from chatbot.views import decision_line, event_summary, follow_card

if TYPE_CHECKING:
    from adapters.bootstrap import Container

log = logging.getLogger(__name__)

DELIVERY_TIMEOUT_S = 60.0

# Every event kind the core emits is in NOTIFY_EVENTS, APPROVER_EVENTS, CHIEF_EVENTS or
# CARD_ONLY (tests/test_event_kinds.py fails otherwise); a P- or F- event also refreshes
# every card showing it, whatever the set.
AUTHOR_EVENTS = {"proposal_decided", "post_published", "correction_published", "publish_failed",
                 "publish_postponed", "post_deleted", "delete_failed", "original_deleted"}
NOTIFY_EVENTS = {"post_published", "correction_published", "post_deleted", "original_deleted",
                 "account_suspended", "account_resumed", "impersonation_reported",
                 "publish_failed", "delete_failed", "identity_mismatch", "audit_head",
                 "budget_warning", "budget_exceeded", "budget_continued", "budget_hold_ended"}
# Where the approval cards go (the approval conversation, else each chief's 1:1 chat).
APPROVER_EVENTS = {"impersonation_reported", "identity_mismatch", "reminder"}
# Each chief in a 1:1 chat, whether or not there is an approval conversation: money.
CHIEF_EVENTS = {"budget_warning", "budget_exceeded"}
# Deliberately not announced: the refreshed card (and the author's chat) says it.
CARD_ONLY = {
    "proposal_submitted", "proposal_withdrawn", "proposal_decided", "proposal_retrying",
    "publishing", "publish_postponed", "proposal_rescheduled", "proposal_unscheduled",
    "follow_pending", "follow_approved", "follow_rejected", "follow_followed",
}


class TeamsNotifier(Notifier):
    def __init__(self, container: Container) -> None:
        self.container = container
        self.lang = container.lang
        self.settings = container.settings
        self.directory = TeamsDirectory(container.redis, container.account)
        self.connector = TeamsConnector(container.settings, self.directory)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="xpost-teams-notify",
                                        daemon=True)
        self._thread.start()

    def notify(self, event: Event) -> None:
        future = asyncio.run_coroutine_threadsafe(self.deliver(event), self._loop)
        future.result(DELIVERY_TIMEOUT_S)

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    # -- one event -------------------------------------------------------------------

    async def deliver(self, event: Event) -> None:
        steps: list[Awaitable[None]] = []
        proposal = self._proposal(event)
        if proposal is not None:
            steps.append(self._refresh_cards(proposal))  # an edit shows on the older cards too
            if event.kind == "proposal_submitted":
                steps.append(self._send_approval_card(proposal))
            if proposal.author.platform == "teams" and event.kind in AUTHOR_EVENTS:
                steps.append(self._tell_author(proposal, event))
        follow = self._follow(event)
        if follow is not None:
            steps.append(self._follow_cards(follow, event))
        if event.kind in NOTIFY_EVENTS and self.settings.teams_notify_conversation:
            steps.append(self._send(self.settings.teams_notify_conversation,
                                    text_activity(event_summary(event, self.lang))))
        if event.kind in APPROVER_EVENTS:
            steps.append(self._to_approvers(text_activity(event_summary(event, self.lang))))
        if event.kind in CHIEF_EVENTS:
            steps.append(self._to_chiefs(text_activity(event_summary(event, self.lang))))
        for step in steps:  # in order: the card first, then who is told about it
            await step

    def _proposal(self, event: Event) -> Proposal | None:
        if not event.subject.startswith("P-"):
            return None
        return self.container.store.get_proposal(event.subject)

    def _follow(self, event: Event) -> FollowRequest | None:
        if not event.subject.startswith("F-"):
            return None
        return self.container.store.get_follow(event.subject)

    # -- cards -------------------------------------------------------------------------

    async def _send_approval_card(self, proposal: Proposal) -> None:
        activity = card_activity(proposal_card(self.container, proposal),
                                 summary=f"{proposal.id}: {proposal.current.text[:100]}")
        for conversation_id in await self._approver_conversations():
            activity_id = await self._send(conversation_id, activity)
            if activity_id:
                self.directory.add_card(proposal.id, CardLocation(conversation_id, activity_id))

    async def _refresh_cards(self, proposal: Proposal) -> None:
        content = proposal_card(self.container, proposal)
        for location in self.directory.cards(proposal.id):
            await self._guarded(self.connector.update(location, card_activity(content)),
                                f"update card of {proposal.id}")

    async def _follow_cards(self, follow: FollowRequest, event: Event) -> None:
        content = view_card(follow_card(follow, self.lang), self.lang)
        for location in self.directory.cards(follow.id):
            await self._guarded(self.connector.update(location, card_activity(content)),
                                f"update card of {follow.id}")
        if event.kind == "follow_pending":
            for conversation_id in await self._approver_conversations():
                activity_id = await self._send(conversation_id, card_activity(content))
                if activity_id:
                    self.directory.add_card(follow.id, CardLocation(conversation_id, activity_id))

    # -- people -----------------------------------------------------------------------

    async def _tell_author(self, proposal: Proposal, event: Event) -> None:
        text = event_summary(event, self.lang)
        decision = proposal.last_decision
        if event.kind == "proposal_decided" and decision is not None:
            text = t("author_decided", self.lang, id=proposal.id,
                     decision=decision_line(decision, self.lang))
            if decision.comment:
                text += "\n" + t("comment_line", self.lang, comment=decision.comment)
        conversation_id = await self._guarded(
            self.connector.personal_conversation(proposal.author.user_id),
            f"open a chat with the author of {proposal.id}")
        if conversation_id:
            await self._send(conversation_id, text_activity(text))

    async def _approver_conversations(self) -> list[str]:
        if self.settings.teams_approval_conversation:
            return [self.settings.teams_approval_conversation]
        opened = []
        for chief in self.container.roles.chiefs("teams"):
            conversation_id = await self._guarded(self.connector.personal_conversation(chief),
                                                  "open a chat with the chief")
            if conversation_id:
                opened.append(conversation_id)
        return opened

    async def _to_approvers(self, activity: Any) -> None:
        for conversation_id in await self._approver_conversations():
            await self._send(conversation_id, activity)

    async def _to_chiefs(self, activity: Any) -> None:
        for chief in self.container.roles.chiefs("teams"):
            conversation_id = await self._guarded(self.connector.personal_conversation(chief),
                                                  "open a chat with the chief")
            if conversation_id:
                await self._send(conversation_id, activity)

    async def _send(self, conversation_id: str, activity: Any) -> str:
        # botbuilder writes the conversation into the activity: each send gets its own copy.
        return await self._guarded(self.connector.send(conversation_id, copy.deepcopy(activity)),
                                   f"post to {conversation_id}") or ""

    @staticmethod
    async def _guarded(step: Awaitable[Any], what: str) -> Any:
        """One conversation failing must not keep the others from hearing about it."""
        try:
            return await step
        except Exception:
            log.exception("Teams: could not %s", what)
            return None
