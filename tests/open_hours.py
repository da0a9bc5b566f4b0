"""A policy file whose posting hours (art. 10) are open all week, all day.

For tests of chat front ends and worker processes that run on the real clock: the
hours must not make them pass by day and fail by night. The hours themselves are
tested on a clock the tests control (tests/workflow, tests/records).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from policies import default_policy_path


def write_always_open_policy(directory: Path) -> Path:
    text = default_policy_path().read_text(encoding="utf-8")
    text = text.replace('weekdays = ["mon", "tue", "wed", "thu", "fri"]',
                        'weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]')
    text = text.replace('start = "08:30"', 'start = "00:00"').replace('end = "19:00"',
                                                                      'end = "24:00"')
    path = directory / "always_open.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def open_posting_hours(tmp_path_factory, monkeypatch) -> str:
    """Sets XPOST_POLICY (read by settings, by load_policy() and by child processes).
    Autouse where a conftest imports it."""
    path = write_always_open_policy(tmp_path_factory.mktemp("policy"))
    monkeypatch.setenv("XPOST_POLICY", str(path))
    return str(path)


def write_small_budget_policy(directory: Path, budget_usd: str = "0.015") -> Path:
    """Open all day, with a month's X budget of one plain post ($0.015): the first post
    reaches the warning (80%), the second would go over and is held."""
    path = write_always_open_policy(directory)
    text = path.read_text(encoding="utf-8")
    assert "monthly_budget_usd = 30.0" in text
    path.write_text(text.replace("monthly_budget_usd = 30.0",
                                 f"monthly_budget_usd = {budget_usd}"), encoding="utf-8")
    return path
