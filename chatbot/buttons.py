"""What each button does, for every chat: the rule behind a click lives here once.

Slack's `action_id` and Teams' `Action.Execute` verb are the same ids (chatbot.views);
a button's value carries only ids and the version, and `words` is the comment or
reason the chat asked for. Each chat renders the returned object its own way.
"""

from __future__ import annotations

from typing import Any

from chatbot.errors import WorkflowError
from chatbot.model import Actor, FollowRequest, Proposal, State
from chatbot.views import (
    APPROVE,
    APPROVE_URGENT,
    FOLLOW_APPROVE,
    FOLLOW_DONE,
    FOLLOW_REJECT,
    PICK_CATEGORY,
    REJECT,
    REQUEST_CHANGES,
    RETRY,
    SUBMIT,
)
from chatbot.workflow import Workflow

BUTTONS = (APPROVE, APPROVE_URGENT, REJECT, REQUEST_CHANGES, RETRY, SUBMIT, PICK_CATEGORY,
           FOLLOW_APPROVE, FOLLOW_REJECT, FOLLOW_DONE)


def press(workflow: Workflow, actor: Actor, action: str, value: dict[str, Any],
          words: str = "") -> Proposal | FollowRequest:
    """Carry out one click; refusals raise WorkflowError (PermissionDenied for roles)."""
    try:
        target = str(value["id"])
        if action in (APPROVE, APPROVE_URGENT, REJECT, REQUEST_CHANGES):
            version = int(value["version"])
    except (KeyError, TypeError, ValueError) as error:
        raise WorkflowError("unknown_action") from error
    if action == APPROVE:
        return workflow.approve(actor, target, version)
    if action == APPROVE_URGENT:
        return workflow.approve_urgent(actor, target, version, words)
    if action in (REJECT, REQUEST_CHANGES):
        kind = "reject" if action == REJECT else "request_changes"
        return workflow.decide(actor, target, version, kind, words)
    if action == RETRY:
        return workflow.retry(actor, target)
    if action in (SUBMIT, PICK_CATEGORY):
        proposal = workflow.get(target)
        if proposal.state is not State.DRAFT:  # a second click on the same question
            raise WorkflowError("illegal_transition", id=proposal.id,
                                state=proposal.state.value, action="submit")
        if action == PICK_CATEGORY:
            workflow.edit(actor, proposal.id, category=str(value.get("category", "")))
        return workflow.submit(actor, proposal.id)
    if action in (FOLLOW_APPROVE, FOLLOW_REJECT):
        return workflow.decide_follow(actor, target, approve=action == FOLLOW_APPROVE,
                                      comment=words)
    if action == FOLLOW_DONE:
        return workflow.confirm_follow(actor, target)
    raise WorkflowError("unknown_action")
