"""`xpost audit verify/export` and `xpost status` as the section uses them: exit codes, Japanese."""

from __future__ import annotations

import json

import pytest

from adapters.bootstrap import build
from adapters.cli import main
from adapters.settings import load_settings
from chatbot.model import Actor
from tests.fakes import FakeClock, FakeX
from tests.redis_fixtures import TEST_REDIS_URL

pytestmark = pytest.mark.redis

STAFF = Actor(platform="slack", user_id="U_STAFF", name="職員 狛江花子")
CHIEF = Actor(platform="slack", user_id="U_CHIEF", name="子ども若者政策課長")
TEXT = "12月6日（土）10時から、子ども食堂を市民センターで開きます。親子でどうぞ。"


@pytest.fixture
def container(monkeypatch, redis_client, _redis_test_db):
    """The CLI builds its container from the environment: point it at this test's database."""
    monkeypatch.setenv("REDIS_URL", f"{TEST_REDIS_URL.rstrip('/')}/{_redis_test_db}")
    monkeypatch.setenv("XPOST_SLACK_CHIEF_IDS", "U_CHIEF")
    container = build(load_settings(), clock=FakeClock(), redis_client=redis_client,
                      x_gateway=FakeX())
    for n in range(3):
        proposal, _ = container.workflow.propose(STAFF, f"{TEXT}（{n + 1}）", "event")
        container.workflow.approve(CHIEF, proposal.id, 1)
    worker = container.worker("cli-test", block_ms=0)
    while worker.publish_round():
        pass
    return container


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        status = main(list(argv))
    except SystemExit as exited:
        status = int(exited.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def test_export_jsonl_then_verify_offline_ok_and_altered(container, capsys, tmp_path):
    path = tmp_path / "audit.jsonl"
    status, _, err = run(capsys, "audit", "export", "--format", "jsonl", "--out", str(path))
    head = container.store.audit_head()
    assert status == 0 and "書き出しました" in err
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == head[0] and json.loads(lines[-1])["hash"] == head[1]

    status, out, _ = run(capsys, "audit", "verify", str(path), "--head", f"{head[0]}:{head[1]}")
    assert status == 0 and out.startswith("ok: 監査ログに改ざんはありません") and \
        f"{head[0]} 件" in out

    lines[2] = lines[2].replace("子ども若者政策課長", "子ども若者政策課員").replace(
        "職員 狛江花子", "職員 狛江花男")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    status, out, _ = run(capsys, "audit", "verify", str(path))
    assert status == 1 and "第3件が書き換えられています" in out


def test_a_cut_tail_is_caught_only_with_the_announced_head(container, capsys, tmp_path):
    path = tmp_path / "audit.jsonl"
    run(capsys, "audit", "export", "--format", "jsonl", "--out", str(path))
    seq, digest = container.store.audit_head()
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[:-2]) + "\n", encoding="utf-8")
    assert run(capsys, "audit", "verify", str(path))[0] == 0
    status, out, _ = run(capsys, "audit", "verify", str(path), "--head", f"{seq}:{digest}")
    assert status == 1 and f"第{seq - 1}件以降が失われています" in out


def test_verify_usage_errors_exit_2(container, capsys, tmp_path):
    status, _, err = run(capsys, "audit", "verify", str(tmp_path / "none.jsonl"))
    assert status == 2 and "読めません" in err
    status, _, err = run(capsys, "audit", "verify", "--head", "12")
    assert status == 2 and "SEQ:HASH" in err
    status, _, err = run(capsys, "audit", "export", "--format", "xml")
    assert status == 2 and "使い方の誤り" in err


def test_live_verify_checks_redis_against_its_head(container, capsys):
    status, out, _ = run(capsys, "audit", "verify")
    assert status == 0 and "ok:" in out
    keys = container.store.keys
    raw = container.redis.lindex(keys.audit_log, 1)
    container.redis.lset(keys.audit_log, 1, raw.replace(b'"approved"', b'"rejected"'))
    status, out, _ = run(capsys, "audit", "verify")
    assert status == 1 and "第2件" in out


def test_csv_export_has_a_bom_and_japanese_headers(container, capsys, tmp_path):
    path = tmp_path / "audit.csv"
    assert run(capsys, "audit", "export", "--format", "csv", "--out", str(path))[0] == 0
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig").splitlines()
    assert text[0].startswith("番号,日時（日本時間）,操作")
    first = text[1]
    assert "投稿案の提出" in first and "職員 狛江花子" in first and "2026-11-24 10:00" in first
    assert len(text) == container.store.audit_head()[0] + 1


def test_export_since_a_date_is_an_excerpt_that_verifies_with_partial(container, capsys,
                                                                       tmp_path):
    container.clock.advance(days=2)
    container.workflow.announce_audit_head()
    path = tmp_path / "recent.jsonl"
    run(capsys, "audit", "export", "--format", "jsonl", "--since", "2026-11-26", "--out",
        str(path))
    assert len(path.read_text(encoding="utf-8").splitlines()) == 1
    assert run(capsys, "audit", "verify", str(path))[0] == 1
    status, out, _ = run(capsys, "audit", "verify", str(path), "--partial")
    assert status == 0 and "抜粋" in out


def test_head_and_status_commands(container, capsys):
    seq, digest = container.store.audit_head()
    assert run(capsys, "audit", "head")[1].strip() == f"{seq}:{digest}"
    status, out, _ = run(capsys, "status")
    assert status == 0
    assert "今月の投稿数: 3 件（うち URL 付き 0 件）" in out
    assert "$0.045 ／ 予算 $30.00（0%）" in out
