"""Slack listeners: each acks, turns the Slack payload into one core call, and answers.

Nothing here decides anything: `/xpost` lines go to `CommandRunner.run` (the grammar
every chat shares), buttons and modals to one `Workflow` method each, and the
Workflow checks the clicker's role on the server. A refusal is told only to the
person who asked (ephemeral) and changes nothing.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from adapters.bootstrap import Container
from adapters.slack import modals
from adapters.slack.blocks import action_of, message
from adapters.slack.files import ImageRefused, SlackFiles
from adapters.slack.text import plain_text
from chatbot.buttons import press
from chatbot.commands import TOKYO, parse
from chatbot.errors import PolicyViolation, WorkflowError
from chatbot.messages import t
from chatbot.model import Actor, FollowRequest, Media, State
from chatbot.views import (
    APPROVE,
    APPROVE_URGENT,
    EDIT,
    FOLLOW_APPROVE,
    FOLLOW_DONE,
    FOLLOW_REJECT,
    PICK_CATEGORY,
    REJECT,
    REQUEST_CHANGES,
    RETRY,
    SUBMIT,
    Quote,
    Text,
    View,
)
from policies import MediaItem, ProposalDraft

log = logging.getLogger(__name__)

COMMAND = "/xpost"
# Buttons that need words first: they open a modal (see modals.decision_form).
ASKS_FOR = {REQUEST_CHANGES: "comment", REJECT: "reason", FOLLOW_REJECT: "reason",
            APPROVE_URGENT: "reason"}
BACKGROUND_THREADS = 2
ONE_CLICK = (APPROVE, RETRY, SUBMIT, PICK_CATEGORY, FOLLOW_APPROVE, FOLLOW_DONE)


def _action_pattern(*actions: str) -> re.Pattern[str]:
    names = "|".join(re.escape(a) for a in actions)
    return re.compile(rf"^(?:{names})(?:#\d+)?$")


class People:
    """Display names for Slack user ids (users.info once per person and process)."""

    def __init__(self, client: WebClient) -> None:
        self.client = client
        self._names: dict[str, str] = {}
        self._lock = threading.Lock()

    def actor(self, user_id: str, fallback_name: str = "") -> Actor:
        with self._lock:
            name = self._names.get(user_id)
        if name is None:
            name = self._look_up(user_id) or fallback_name
            with self._lock:
                self._names[user_id] = name
        return Actor(platform="slack", user_id=user_id, name=name)

    def _look_up(self, user_id: str) -> str:
        try:
            user = self.client.users_info(user=user_id).get("user") or {}
        except Exception:  # a name is nice to have; the id is what roles are checked on
            log.warning("users.info failed for %s", user_id)
            return ""
        profile = user.get("profile") or {}
        return str(profile.get("display_name") or profile.get("real_name")
                   or user.get("real_name") or user.get("name") or "")


class SlackListeners:
    def __init__(self, container: Container, client: WebClient,
                 background: Executor | None = None) -> None:
        self.container = container
        # The slow half of a command or message (check, commit, answer) runs here, off
        # the listener threads: a few threads, so under load the acks still get the CPU.
        self.background = background or ThreadPoolExecutor(BACKGROUND_THREADS,
                                                           thread_name_prefix="slack-work")
        self.workflow = container.workflow
        self.commands = container.commands
        self.lang = container.lang
        self.settings = container.settings
        self.people = People(client)
        self.files = SlackFiles.from_client(client)

    def register(self, app: App) -> None:
        app.command(COMMAND)(self.on_command)
        app.view(modals.PROPOSAL_FORM)(self.on_proposal_form)
        app.view(modals.DECISION_FORM)(self.on_decision_form)
        app.view(modals.EDIT_FORM)(self.on_edit_form)
        app.action(_action_pattern(*ONE_CLICK))(self.on_one_click)
        app.action(_action_pattern(*ASKS_FOR))(self.on_button_asking_words)
        app.action(_action_pattern(EDIT))(self.on_edit_button)
        app.event("message")(self.on_message)

    # -- /xpost -------------------------------------------------------------------

    def on_command(self, ack: Ack, command: dict[str, Any], respond: Respond,
                   client: WebClient) -> None:
        ack()  # within Slack's 3 s, before anything that touches Redis or Slack
        text = plain_text(command.get("text") or "")
        if _opens_form(text):  # at once: a trigger_id expires 3 s after the command
            client.views_open(trigger_id=command["trigger_id"], view=self._proposal_form())
            return
        self.background.submit(self._run_command, command, text, respond)

    def _run_command(self, command: dict[str, Any], text: str, respond: Respond) -> None:
        actor = self.people.actor(command["user_id"], command.get("user_name", ""))
        origin = {"platform": "slack", "channel": command.get("channel_id", ""),
                  "user": actor.user_id}
        view = self._safely(lambda: self.commands.run(actor, text, origin))
        respond(response_type="ephemeral" if view.ephemeral else "in_channel", **message(view))

    # -- the proposal form ------------------------------------------------------------

    def on_proposal_form(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        # A modal's errors must come back in the ack itself, so the work runs first.
        submitted = modals.Submitted.from_view(view)
        values = submitted.values
        actor = self.people.actor(body["user"]["id"], body["user"].get("name", ""))
        text, category = values.get(modals.TEXT_BLOCK, ""), values.get(modals.CATEGORY_BLOCK)
        try:
            publish_at = _publish_at(values.get(modals.PUBLISH_AT_BLOCK, ""))
            media = self._attached_media(text, category or None,
                                         submitted.files.get(modals.IMAGES_BLOCK, []),
                                         values.get(modals.RIGHTS_BLOCK) or None)
            answer = self.commands.propose(
                actor, text, category or None, media,
                {"platform": "slack", "user": actor.user_id}, publish_at, submit=True)
        except PolicyViolation as refused:
            ack(response_action="errors", errors=_field_errors(refused, self.lang))
            return
        except ImageRefused as refused:
            ack(response_action="errors", errors={modals.IMAGES_BLOCK: refused.render(self.lang)})
            return
        except WorkflowError as refused:
            block = modals.PUBLISH_AT_BLOCK if refused.key in ("bad_time", "publish_at_past") \
                else modals.TEXT_BLOCK
            ack(response_action="errors", errors={block: refused.render(self.lang)})
            return
        if answer.ephemeral:  # CommandRunner answers with a refusal View, e.g. errors
            ack(response_action="errors", errors={modals.TEXT_BLOCK: answer.text})
            return
        ack(response_action="update", view=modals.result_modal(self.lang, answer))

    def _attached_media(self, text: str, category: str | None, files: list[dict[str, Any]],
                        rights: str | None) -> list[Media]:
        """The form's images, fetched and kept; refusals first, before any download.

        The policy (rights declared, at most 4 images) is asked with what Slack says
        of each file, so a refused form downloads and keeps nothing; then each file is
        fetched and checked (size, really an image), and only then stored.
        """
        if not files:
            return []
        claimed = [MediaItem(filename=str(f.get("name") or f.get("id") or "?"), rights=rights,
                             content_type=str(f.get("mimetype") or "image/png")) for f in files]
        result = self.workflow.check(ProposalDraft(text=text, category=category, media=claimed))
        if result.errors:
            raise PolicyViolation(result.errors)
        images = self.files.fetch_all(files)
        return [Media(filename=image.filename, content_type=image.content_type, rights=rights,
                      sha256=self.container.store.put_media(image.data)) for image in images]

    # -- buttons ---------------------------------------------------------------------

    def on_one_click(self, ack: Ack, body: dict[str, Any], action: dict[str, Any],
                     respond: Respond, client: WebClient) -> None:
        ack()
        actor = self.people.actor(body["user"]["id"], body["user"].get("name", ""))
        kind = action_of(action["action_id"])
        ids = _button_value(action)
        try:
            answer, replaces = self._click(actor, kind, ids)
        except WorkflowError as refused:
            self._tell(body, respond, client, refused.render(self.lang))
            return
        except Exception:
            log.exception("button %s failed", kind)
            self._tell(body, respond, client, t("slack_failed", self.lang))
            return
        if replaces:  # the asker's own question message: its buttons are spent
            respond(replace_original=True, **message(answer))
        else:  # the card itself is updated by the notifier, for everyone who sees it
            self._tell(body, respond, client, answer.text)

    def _click(self, actor: Actor, kind: str, ids: dict[str, Any]) -> tuple[View, bool]:
        done = press(self.workflow, actor, kind, ids)
        lang = self.lang
        if isinstance(done, FollowRequest):
            return View(t(f"event_follow_{done.state.value}", lang, id=done.id,
                          handle=done.handle)), False
        if kind in (SUBMIT, PICK_CATEGORY):
            text = t("submitted", lang, id=done.id)
            return View(text, [Text(text), Quote(done.current.text)]), True
        return View(t("approved" if kind == APPROVE else "retrying", lang, id=done.id)), False

    def on_button_asking_words(self, ack: Ack, body: dict[str, Any], action: dict[str, Any],
                               respond: Respond, client: WebClient) -> None:
        ack()
        actor = self.people.actor(body["user"]["id"], body["user"].get("name", ""))
        kind = action_of(action["action_id"])
        ids = _button_value(action)
        # Told at once rather than after typing a reason; the Workflow checks again.
        if not self.workflow.role_of(actor).may_decide:
            self._tell(body, respond, client, t("permission_denied", self.lang))
            return
        if kind != FOLLOW_REJECT:
            proposal = self._safely_get(str(ids.get("id", "")))
            if proposal is not None and proposal.state is not State.PENDING:
                self._tell(body, respond, client, t("already_decided", self.lang,
                                                    id=proposal.id, state=proposal.state.value))
                return
        client.views_open(trigger_id=body["trigger_id"],
                          view=modals.decision_form(self.lang, kind, ASKS_FOR[kind], ids))

    def on_decision_form(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        submitted = modals.Submitted.from_view(view)
        actor = self.people.actor(body["user"]["id"], body["user"].get("name", ""))
        meta, words = submitted.metadata, submitted.values.get(modals.COMMENT_BLOCK, "")
        try:
            press(self.workflow, actor, str(meta["action"]), meta, words)
        except WorkflowError as refused:
            ack(response_action="errors", errors={modals.COMMENT_BLOCK: refused.render(self.lang)})
            return
        ack()  # closes the modal; the card changes in place for everyone

    def on_edit_button(self, ack: Ack, body: dict[str, Any], action: dict[str, Any],
                       respond: Respond, client: WebClient) -> None:
        ack()
        proposal = self._safely_get(str(_button_value(action).get("id", "")))
        if proposal is None:
            self._tell(body, respond, client, t("not_found", self.lang,
                                                id=_button_value(action).get("id", "")))
            return
        client.views_open(trigger_id=body["trigger_id"],
                          view=modals.edit_form(self.lang, proposal.id, proposal.current.text))

    def on_edit_form(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        submitted = modals.Submitted.from_view(view)
        actor = self.people.actor(body["user"]["id"], body["user"].get("name", ""))
        try:
            proposal, result = self.workflow.edit(actor, str(submitted.metadata["id"]),
                                                  text=submitted.values.get(modals.TEXT_BLOCK, ""))
        except PolicyViolation as refused:
            ack(response_action="errors", errors=_field_errors(refused, self.lang))
            return
        except WorkflowError as refused:
            ack(response_action="errors", errors={modals.TEXT_BLOCK: refused.render(self.lang)})
            return
        text = t("edited", self.lang, id=proposal.id, version=proposal.current.number)
        answer = View(text, [Text(text), Quote(proposal.current.text),
                             *self.commands._warning_blocks(result)])
        ack(response_action="update", view=modals.result_modal(self.lang, answer))

    # -- a message in the staff channel or a DM ------------------------------------------

    def on_message(self, event: dict[str, Any], client: WebClient) -> None:
        if self._is_proposal_message(event):
            self.background.submit(self._run_message, event, client)

    def _run_message(self, event: dict[str, Any], client: WebClient) -> None:
        actor = self.people.actor(event["user"])
        text = plain_text(event.get("text") or "")
        origin = {"platform": "slack", "channel": event["channel"], "thread_ts": event["ts"],
                  "user": actor.user_id}
        answer = self._safely(lambda: self._answer_message(actor, text, origin))
        client.chat_postMessage(channel=event["channel"], thread_ts=event["ts"], **message(answer))

    def _answer_message(self, actor: Actor, text: str, origin: dict[str, str]) -> View:
        command = parse(text)
        if command.verb != "propose":  # "help", "list", "status"... work in a DM too
            return self.commands.run(actor, text, origin)
        return self.commands.propose(actor, command.text, command.category, [], origin,
                                     command.publish_at, submit=False)

    def _is_proposal_message(self, event: dict[str, Any]) -> bool:
        if event.get("subtype") or event.get("bot_id") or not event.get("user"):
            return False  # edits, deletions, joins and bots (ourselves included)
        if event.get("thread_ts") not in (None, event.get("ts")):
            return False  # replies in a thread are conversation, not proposals
        staff_channel = self.settings.slack_staff_channel
        return event.get("channel_type") == "im" or bool(
            staff_channel and event.get("channel") == staff_channel)

    # -- helpers ---------------------------------------------------------------------------

    def _proposal_form(self) -> dict[str, Any]:
        labels = {c: self.workflow.checker.category_label(c, self.lang)
                  for c in modals.CATEGORIES}
        return modals.proposal_form(self.lang, labels)

    def _safely(self, answer: Callable[[], View]) -> View:
        """The core's refusals are Views already; anything else is logged, not shown."""
        try:
            return answer()
        except PolicyViolation as refused:
            return self.commands.policy_view(refused.violations)
        except WorkflowError as refused:
            return View(refused.render(self.lang), ephemeral=True)
        except Exception:
            log.exception("a Slack request failed")
            return View(t("slack_failed", self.lang), ephemeral=True)

    def _safely_get(self, proposal_id: str) -> Any:
        try:
            return self.workflow.get(proposal_id)
        except WorkflowError:
            return None

    @staticmethod
    def _tell(body: dict[str, Any], respond: Respond, client: WebClient, text: str) -> None:
        """Only the person who clicked sees this."""
        if body.get("response_url"):
            respond(text=text, response_type="ephemeral", replace_original=False)
            return
        channel = (body.get("channel") or {}).get("id") or body["user"]["id"]
        client.chat_postEphemeral(channel=channel, user=body["user"]["id"], text=text)


def _opens_form(text: str) -> bool:
    try:
        return parse(text).verb == "form"
    except WorkflowError:
        return False


def _button_value(action: dict[str, Any]) -> dict[str, Any]:
    try:
        value = json.loads(action.get("value") or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _publish_at(raw: str) -> datetime | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw.replace(" ", "T", 1)).replace(tzinfo=TOKYO)
    except ValueError as error:
        raise WorkflowError("bad_time", value=raw) from error


def _field_errors(refused: PolicyViolation, lang: str) -> dict[str, str]:
    """Each violation under the input it is about: the category rule under the category,
    undeclared image rights under the rights select, too many images under the images."""
    by_block: dict[str, list[str]] = {}
    for violation in refused.violations:
        block = _FIELD_OF_RULE.get(violation.check or violation.rule,
                                   _FIELD_OF_RULE.get(violation.rule, modals.TEXT_BLOCK))
        by_block.setdefault(block, []).append(f"{violation.message}（{violation.article}）"
                                              if lang == "ja" else
                                              f"{violation.message} ({violation.article})")
    return {block: "\n".join(lines)[:2000] for block, lines in by_block.items()}


_FIELD_OF_RULE = {"category": modals.CATEGORY_BLOCK, "media_rights": modals.RIGHTS_BLOCK,
                  "media_rights.too_many": modals.IMAGES_BLOCK}
