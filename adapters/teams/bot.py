"""What xpost does with an incoming Teams activity: a message or a card button.

Messages go to the shared `CommandRunner` (the same grammar and answers as Slack);
card buttons (`adaptiveCard/action` invokes) go to the same Workflow use cases the
Slack buttons call. The store and Redis are synchronous, so each turn's work runs in
one worker thread and the server's event loop stays free.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.schema import Activity, ActivityTypes

from adapters.bootstrap import Container
from adapters.teams import cards
from adapters.teams.connector import card_activity, text_activity
from adapters.teams.directory import TeamsDirectory
from chatbot.buttons import BUTTONS, press
from chatbot.commands import CommandError, parse
from chatbot.errors import PolicyViolation, WorkflowError
from chatbot.messages import t
from chatbot.model import Actor, FollowRequest, Proposal
from chatbot.views import (
    PICK_CATEGORY,
    SUBMIT,
    View,
    approval_card,
    follow_card,
)

log = logging.getLogger(__name__)

TOKYO = ZoneInfo("Asia/Tokyo")
CARD_ACTION_INVOKE = "adaptiveCard/action"
REWRITE_AFTER_S = 600.0  # a stored reference is written again now and then (Redis may lose it)
LEADING_MENTION = re.compile(r"^\s*<at>.*?</at>", re.IGNORECASE | re.DOTALL)


def actor_of(activity: Activity) -> Actor:
    """The person, by Entra object id: what XPOST_TEAMS_CHIEF_IDS and roles are keyed on."""
    sender = activity.from_property
    aad = getattr(sender, "aad_object_id", None) or ""
    # Without an Entra id nobody can be matched to a role; never borrow the chat-local id.
    return Actor(platform="teams", user_id=aad or f"unknown:{sender.id}", name=sender.name or "")


def proposal_card(container: Container, proposal: Proposal) -> cards.Card:
    """The chief's card for a proposal in its current state (also the refreshed one)."""
    lang = container.lang
    label = container.checker.category_label(proposal.current.category or "info", lang)
    return cards.view_card(approval_card(proposal, label, lang), lang)


def view_activity(view: View, lang: str) -> Activity:
    if view.blocks:
        return card_activity(cards.view_card(view, lang), summary=view.text[:200])
    return text_activity(view.text)


class TeamsBot:
    def __init__(self, container: Container, directory: TeamsDirectory) -> None:
        self.container = container
        self.directory = directory
        self.lang = container.lang
        self.actions = CardActions(container)
        self._remembered: dict[str, tuple[tuple[Any, ...], float]] = {}

    async def on_turn(self, context: TurnContext) -> None:
        activity = context.activity
        if activity.type == ActivityTypes.message:
            await self.on_message(context)
        elif activity.type == ActivityTypes.invoke and activity.name == CARD_ACTION_INVOKE:
            await self.on_card_action(context)
        elif activity.type == ActivityTypes.conversation_update:
            await asyncio.to_thread(self._remember, activity)  # the bot was added somewhere

    # -- messages ------------------------------------------------------------------

    async def on_message(self, context: TurnContext) -> None:
        activity = context.activity
        personal = _is_personal(activity)
        if not personal and not _mentions_bot(activity):
            return  # a channel message not addressed to the bot
        reply = await asyncio.to_thread(self._answer_message, activity, personal)
        if reply is not None:
            await context.send_activity(reply)

    def _answer_message(self, activity: Activity, personal: bool) -> Activity | None:
        self._remember(activity)
        if not personal and not self._is_staff_conversation(activity):
            return text_activity(t("wrong_conversation", self.lang))
        line = _without_mentions(activity)
        if _is_form_request(line):
            return card_activity(self.actions.form(), summary=t("open_form", self.lang))
        origin = {"platform": "teams", "conversation": activity.conversation.id,
                  "activity": activity.id or ""}
        view = self.container.commands.run(actor_of(activity), line, origin)
        return view_activity(view, self.lang)

    def _is_staff_conversation(self, activity: Activity) -> bool:
        staff = self.container.settings.teams_staff_conversation
        # A channel thread's id is the channel's id plus ";messageid=...".
        return not staff or activity.conversation.id.split(";")[0] == staff.split(";")[0]

    def _remember(self, activity: Activity) -> None:
        """Keep where this conversation is (for proactive messages), when that changed."""
        seen = _what_identifies(activity)
        known = self._remembered.get(activity.conversation.id)
        if known and known[0] == seen and time.monotonic() - known[1] < REWRITE_AFTER_S:
            return  # most turns change nothing: Redis is not asked at all
        reference = TurnContext.get_conversation_reference(activity)
        tenant = activity.conversation.tenant_id or ""
        self.directory.remember(
            activity.conversation.id, reference.serialize(), service_url=activity.service_url,
            tenant=tenant, user_aad_id=actor_of(activity).user_id, personal=_is_personal(activity))
        self._remembered[activity.conversation.id] = (seen, time.monotonic())

    # -- card buttons --------------------------------------------------------------

    async def on_card_action(self, context: TurnContext) -> None:
        activity = context.activity
        value = activity.value if isinstance(activity.value, dict) else {}
        action = value.get("action") or {}
        verb = str(action.get("verb") or "")
        data = action.get("data") if isinstance(action.get("data"), dict) else {}
        body = await asyncio.to_thread(self._answer_card_action, activity, verb, data)
        await context.send_activity(Activity(
            type="invokeResponse", value=InvokeResponse(status=200, body=_Fresh(body))))

    def _answer_card_action(self, activity: Activity, verb: str, data: dict[str, Any]
                            ) -> dict[str, Any]:
        self._remember(activity)
        origin = {"platform": "teams", "conversation": activity.conversation.id,
                  "activity": activity.id or ""}
        return self.actions.handle(actor_of(activity), verb, data, origin)


class CardActions:
    """One small function per button; each answers in the form Teams expects of an invoke."""

    def __init__(self, container: Container) -> None:
        self.container = container
        self.workflow = container.workflow
        self.lang = container.lang

    def handle(self, actor: Actor, verb: str, data: dict[str, Any], origin: dict[str, str]
               ) -> dict[str, Any]:
        try:
            if verb == cards.PROPOSE_FROM_FORM:
                return self.propose_from_form(actor, data, origin)
            if verb in BUTTONS:
                # The reason or comment, where the button asks for one, comes from the
                # card's comment input.
                words = str(data.get(cards.COMMENT_INPUT) or "")
                return self.answer(verb, press(self.workflow, actor, verb, data, words))
        except PolicyViolation as refused:
            return cards.message_response(
                self.container.commands.policy_view(refused.violations).text)
        except WorkflowError as refused:  # PermissionDenied too: told to the clicker only
            return cards.message_response(refused.render(self.lang))
        return cards.message_response(t("unknown_action", self.lang))

    def answer(self, verb: str, done: Proposal | FollowRequest) -> dict[str, Any]:
        """The refreshed card, in the form Teams expects of an invoke."""
        if isinstance(done, FollowRequest):
            return cards.card_response(cards.view_card(follow_card(done, self.lang), self.lang))
        if verb in (SUBMIT, PICK_CATEGORY):
            view = View(text=t("proposed", self.lang, id=done.id))
            return cards.card_response(cards.view_card(view, self.lang))
        # Every approval card was stored where the notifier posted it, so later changes
        # (publishing, the X link) refresh this one too.
        return cards.card_response(proposal_card(self.container, done))

    def propose_from_form(self, actor: Actor, data: dict[str, Any], origin: dict[str, str]
                          ) -> dict[str, Any]:
        values = {k: str(v) for k, v in data.items() if v is not None}
        text = values.get("text", "").strip()
        if not text:
            return self._form_again(values, [t("form_text_required", self.lang)])
        try:
            publish_at = _publish_at(values.get("publish_date", ""),
                                     values.get("publish_time", ""))
            view = self.container.commands.propose(
                actor, text, values.get("category") or None, [], origin, publish_at)
        except PolicyViolation as refused:
            lines = self.container.commands.policy_view(refused.violations).text.splitlines()
            return self._form_again(values, lines)
        except WorkflowError as refused:
            return self._form_again(values, [refused.render(self.lang)])
        return cards.card_response(cards.view_card(view, self.lang))

    def form(self, values: dict[str, str] | None = None, errors: list[str] | None = None
             ) -> cards.Card:
        labels = {c: self.container.checker.category_label(c, self.lang)
                  for c in cards.CATEGORIES}
        return cards.proposal_form(self.lang, labels, values, errors)

    def _form_again(self, values: dict[str, str], errors: list[str]) -> dict[str, Any]:
        return cards.card_response(self.form(values, errors))


class _Fresh(dict[str, Any]):
    """An invoke response body built for this turn alone. `TurnContext.send_activity`
    deep-copies every outgoing activity; copying a whole card costs more than the rest
    of the answer, and nobody else holds this one, so it goes as it is."""

    def __deepcopy__(self, memo: dict[int, Any]) -> _Fresh:
        return self


def _publish_at(date: str, time: str) -> datetime | None:
    """The form's date and time, read as Tokyo time; a time alone means today."""
    if not date and not time:
        return None
    if not date:
        date = datetime.now(TOKYO).date().isoformat()
    try:
        return datetime.fromisoformat(f"{date}T{(time or '09:00').zfill(5)}").replace(tzinfo=TOKYO)
    except ValueError as error:
        raise CommandError("bad_time", value=f"{date} {time}") from error


def _what_identifies(activity: Activity) -> tuple[Any, ...]:
    """Everything a stored conversation reference is made of, bar the activity id."""
    sender, bot, conversation = activity.from_property, activity.recipient, activity.conversation
    return (activity.service_url, activity.channel_id, conversation.tenant_id,
            conversation.conversation_type, sender.id if sender else None,
            getattr(sender, "aad_object_id", None), sender.name if sender else None,
            bot.id if bot else None, bot.name if bot else None)


def _is_personal(activity: Activity) -> bool:
    kind = activity.conversation.conversation_type if activity.conversation else None
    return kind in (None, "personal")


def _mentions_bot(activity: Activity) -> bool:
    bot_id = activity.recipient.id if activity.recipient else None
    for mention in TurnContext.get_mentions(activity):
        mentioned = mention.additional_properties.get("mentioned") or {}
        if mentioned.get("id") == bot_id:
            return True
    return False


def _without_mentions(activity: Activity) -> str:
    """The text with the bot's @mention taken out (Teams writes it as `<at>name</at>`)."""
    text = activity.text or ""
    bot_id = activity.recipient.id if activity.recipient else None
    for mention in TurnContext.get_mentions(activity):
        props = mention.additional_properties
        if (props.get("mentioned") or {}).get("id") == bot_id and props.get("text"):
            text = text.replace(props["text"], " ")
    return LEADING_MENTION.sub(" ", text).replace("&nbsp;", " ").strip()


def _is_form_request(line: str) -> bool:
    try:
        return parse(line).verb == "form"
    except CommandError:
        return False
