"""The policy file: what the section edits, and what a mistake in it looks like."""

from datetime import time
from pathlib import Path

import pytest

from policies import CATEGORIES, Policy, PolicyFileError, default_policy_path, load_policy

PACKAGED = Path(__file__).parents[2] / "policies" / "komae_kosodate.toml"


def edited(tmp_path: Path, old: str, new: str) -> Path:
    text = PACKAGED.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "policy.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if needle in line)


def test_packaged_policy_carries_the_workflow_settings():
    policy = load_policy(PACKAGED)
    assert isinstance(policy, Policy)
    assert policy.workflow.reminder_hours == 24
    assert policy.workflow.duplicate_window_days == 30
    assert policy.workflow.require_second_person is False
    assert policy.workflow.x_username == "komae_kosodate"
    assert policy.workflow.correction_similarity_threshold == 0.8
    assert policy.workflow.correction_cooldown_minutes == 60
    assert (policy.costs.post_usd, policy.costs.post_with_url_usd) == (0.015, 0.20)
    assert policy.costs.monthly_budget_usd == 30.0
    assert policy.posting_hours.timezone == "Asia/Tokyo"
    assert policy.posting_hours.weekdays == ["mon", "tue", "wed", "thu", "fri"]
    assert (policy.posting_hours.start, policy.posting_hours.end) == (time(8, 30), time(19, 0))
    assert policy.posting_hours.closed_dates == []
    assert tuple(policy.categories) == CATEGORIES


def test_default_path_is_the_packaged_file_or_xpost_policy(monkeypatch, tmp_path):
    assert default_policy_path() == PACKAGED
    monkeypatch.setenv("XPOST_POLICY", str(tmp_path / "x.toml"))
    assert default_policy_path() == tmp_path / "x.toml"


def test_closed_dates_are_read_as_dates(tmp_path):
    path = edited(tmp_path, "closed_dates = []", 'closed_dates = [2025-01-01, "2025-01-02"]')
    dates = load_policy(path).posting_hours.closed_dates
    assert [day.isoformat() for day in dates] == ["2025-01-01", "2025-01-02"]


def test_bad_toml_syntax_names_the_line(tmp_path):
    path = edited(tmp_path, "reminder_hours = 24", "reminder_hours = = 24")
    with pytest.raises(PolicyFileError) as raised:
        load_policy(path)
    message = str(raised.value)
    assert str(path) in message
    assert f"line {line_of(path, 'reminder_hours = = 24')}" in message
    assert "行目" in message


def test_wrong_type_names_the_key_and_its_line(tmp_path):
    path = edited(tmp_path, "reminder_hours = 24", 'reminder_hours = "one day"')
    with pytest.raises(PolicyFileError) as raised:
        load_policy(path)
    message = str(raised.value)
    assert "workflow.reminder_hours" in message
    assert f"line {line_of(path, 'reminder_hours = ')}" in message


def test_misspelt_key_is_refused_not_ignored(tmp_path):
    path = edited(tmp_path, "max_images = 4", "max_image = 4")
    with pytest.raises(PolicyFileError, match=r"rules\.media_rights\.max_image"):
        load_policy(path)


def test_bad_severity_names_the_key(tmp_path):
    path = edited(tmp_path, 'severity = "warning"\narticle = "第5条第1項"\nja = "子ども',
                  'severity = "warn"\narticle = "第5条第1項"\nja = "子ども')
    with pytest.raises(PolicyFileError, match=r"rules\.relevance\.severity"):
        load_policy(path)


def test_unbalanced_braces_in_a_message_name_the_key(tmp_path):
    path = edited(tmp_path, "超えています（現在 {length}", "超えています（現在 {length")
    with pytest.raises(PolicyFileError, match=r"rules\.length\.ja"):
        load_policy(path)


def test_categories_cannot_be_removed(tmp_path):
    path = edited(tmp_path, "[categories.other]", "[categories.misc]")
    with pytest.raises(PolicyFileError, match="categories"):
        load_policy(path)


def test_missing_file_and_non_utf8_file_are_clear_errors(tmp_path):
    with pytest.raises(PolicyFileError, match="cannot read"):
        load_policy(tmp_path / "missing.toml")
    broken = tmp_path / "latin1.toml"
    broken.write_bytes(b"version = 1\n# caf\xe9\n")
    with pytest.raises(PolicyFileError, match="line 2"):
        load_policy(broken)


def test_unknown_time_zone_is_refused(tmp_path):
    path = edited(tmp_path, 'timezone = "Asia/Tokyo"', 'timezone = "Asia/Komae"')
    with pytest.raises(PolicyFileError, match=r"posting_hours\.timezone"):
        load_policy(path)


def test_a_section_choice_changes_the_check(tmp_path):
    from policies import PolicyChecker, ProposalDraft

    path = edited(tmp_path, '"komae_kosodate",\n]', '"komae_kosodate",\n    "cfa_kodomo",\n]')
    draft = ProposalDraft(text="子育て支援の情報（@cfa_kodomo）", category="info")
    assert not PolicyChecker(load_policy(PACKAGED)).check(draft).ok
    assert PolicyChecker(load_policy(path)).check(draft).ok
