"""Errors the workflow refuses with: a message key and its parameters, rendered per language."""

from __future__ import annotations

from typing import Any


class WorkflowError(Exception):
    """A refused request. Nothing was changed; `key` names a message in `chatbot.messages`."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def render(self, lang: str = "ja") -> str:
        from chatbot.messages import t

        return t(self.key, lang, **self.params)

    def __str__(self) -> str:
        return self.render("ja")


class PermissionDenied(WorkflowError):
    """The actor's role does not allow this (checked on the server for every decision)."""


class PolicyViolation(WorkflowError):
    """The proposal has errors under the policy; `violations` says which and why."""

    def __init__(self, violations: list[Any]) -> None:
        super().__init__("policy_errors", count=len(violations))
        self.violations = violations
