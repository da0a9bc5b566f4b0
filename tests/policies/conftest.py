from collections.abc import Callable
from pathlib import Path

import pytest

from policies import PolicyChecker, ProposalDraft, load_policy

PACKAGED_POLICY = Path(__file__).parents[2] / "policies" / "komae_kosodate.toml"


@pytest.fixture(autouse=True)
def _packaged_policy(monkeypatch):
    # Tests use the packaged policy unless they point XPOST_POLICY somewhere else.
    monkeypatch.delenv("XPOST_POLICY", raising=False)


@pytest.fixture(scope="session")
def checker() -> PolicyChecker:
    return PolicyChecker(load_policy(PACKAGED_POLICY))


@pytest.fixture(scope="session")
def rules_of(checker: PolicyChecker) -> Callable[..., list[str]]:
    """The rule ids a text breaks (category `event` unless given)."""

    def rules(text: str, category: str | None = "event", **fields) -> list[str]:
        result = checker.check(ProposalDraft(text=text, category=category, **fields))
        return [violation.rule for violation in result.violations]

    return rules
