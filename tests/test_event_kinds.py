"""Every event kind the core emits has a message in both languages, and each chat's
notifier says what it does with it (announces it, tells the chiefs, or deliberately
leaves it to the card). A new kind without these fails here, not in the chief's chat."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from adapters.slack import notifier as slack
from adapters.teams import notifier as teams
from chatbot.messages import LANGS, MESSAGES
from chatbot.model import FollowState

CHATBOT = Path(__file__).resolve().parents[1] / "chatbot"


def _kind_of(node: ast.expr, assigned: dict[str, set[str]]) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.Name) and assigned.get(node.id):
        return assigned[node.id]  # kind = "correction_published" if ... else "post_published"
    if isinstance(node, ast.JoinedStr):  # f"follow_{request.state.value}"
        prefix = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        if prefix == "follow_":
            return {f"follow_{state.value}" for state in FollowState}
    raise AssertionError(f"an event kind this test cannot read: {ast.unparse(node)}; "
                         "teach _kind_of about it")


def emitted_kinds() -> set[str]:
    """`Event(kind=...)` and `self._event("...", ...)` anywhere in chatbot/."""
    kinds: set[str] = set()
    for path in sorted(CHATBOT.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # The `_event` helpers pass their own `kind` parameter on: their callers count.
        forwarding = {id(n) for f in ast.walk(tree)
                      if isinstance(f, ast.FunctionDef) and f.name == "_event"
                      for n in ast.walk(f)}
        assigned: dict[str, set[str]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Name):
                assigned.setdefault(node.targets[0].id, set()).update(
                    n.value for n in ast.walk(node.value)
                    if isinstance(n, ast.Constant) and isinstance(n.value, str))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or id(node) in forwarding:
                continue
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name == "Event":
                kinds |= {k for kw in node.keywords if kw.arg == "kind"
                          for k in _kind_of(kw.value, assigned)}
            elif name == "_event" and node.args:
                kinds |= _kind_of(node.args[0], assigned)
    return kinds


KINDS = sorted(emitted_kinds())


def test_the_scan_finds_the_kinds_we_know_of() -> None:
    assert {"proposal_submitted", "post_published", "budget_warning", "budget_exceeded",
            "audit_head", "publish_postponed", "identity_mismatch", "follow_followed"} <= set(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_every_event_kind_has_a_message_in_each_language(kind: str) -> None:
    entry = MESSAGES.get(f"event_{kind}")
    assert entry is not None, f"chatbot/messages.py has no event_{kind}"
    assert [lang for lang in LANGS if not entry.get(lang)] == []


@pytest.mark.parametrize("kind", KINDS)
def test_each_notifier_handles_or_deliberately_ignores_every_kind(kind: str) -> None:
    assert kind in slack.ANNOUNCED | slack.CHIEFS_TOLD | slack.CARD_ONLY, \
        f"adapters/slack/notifier.py: put {kind} in ANNOUNCED, CHIEFS_TOLD or CARD_ONLY"
    assert kind in (teams.NOTIFY_EVENTS | teams.APPROVER_EVENTS | teams.CHIEF_EVENTS
                    | teams.CARD_ONLY), \
        f"adapters/teams/notifier.py: put {kind} in NOTIFY_EVENTS, APPROVER_EVENTS, " \
        "CHIEF_EVENTS or CARD_ONLY"


def test_the_notifiers_name_no_kind_that_is_never_emitted() -> None:
    named = (slack.ANNOUNCED | slack.CHIEFS_TOLD | slack.CARD_ONLY | teams.NOTIFY_EVENTS
             | teams.APPROVER_EVENTS | teams.CHIEF_EVENTS | teams.CARD_ONLY | teams.AUTHOR_EVENTS)
    assert named - set(KINDS) == set()


def test_budget_news_reaches_the_channel_and_the_chiefs_in_both_chats() -> None:
    for kind in ("budget_warning", "budget_exceeded"):
        assert kind in slack.ANNOUNCED and kind in slack.CHIEFS_TOLD
        assert kind in teams.NOTIFY_EVENTS and kind in teams.CHIEF_EVENTS
    assert "audit_head" in slack.ANNOUNCED and "audit_head" in teams.NOTIFY_EVENTS
