"""`xpost check` as staff and scripts use it: exit status, output, bad input."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.cli import main

PROJECT_ROOT = Path(__file__).parents[2]


class _Stdin:
    def __init__(self, data: bytes):
        self.buffer = io.BytesIO(data)


def run(capsys, monkeypatch, argv: list[str], stdin: bytes | None = None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", _Stdin(stdin))
    try:
        status = main(["check", *argv])
    except SystemExit as exited:  # argparse usage errors
        status = exited.code
    out, err = capsys.readouterr()
    return status, out, err


def test_clean_post_exits_0_with_a_japanese_report(capsys, monkeypatch):
    status, out, _ = run(capsys, monkeypatch, ["--category", "event", "こども食堂のお知らせです"])
    assert status == 0
    assert "提出できます" in out and "24/280" in out


def test_errors_exit_1_and_name_article_and_fix(capsys, monkeypatch):
    status, out, _ = run(capsys, monkeypatch, ["--category", "event", "@shop 子育てひろば"])
    assert status == 1
    assert "第6条第2号" in out and "先頭の @ を消す" in out


def test_warning_alone_exits_0(capsys, monkeypatch):
    status, out, _ = run(capsys, monkeypatch, ["--category", "other", "子育てひろば"])
    assert status == 0
    assert "注意" in out and "第5条第1項第2号" in out


def test_json_output(capsys, monkeypatch):
    status, out, _ = run(capsys, monkeypatch, ["--json", "--category", "event", "DMで子育て相談"])
    result = json.loads(out)
    assert status == 1
    assert result["ok"] is False and result["weighted_length"] == 14
    assert result["violations"][0] == {
        "rule": "contact",
        "severity": "error",
        "article": "第6条第3号",
        "message": result["violations"][0]["message"],
        "span": [0, 3],
    }


def test_english_report(capsys, monkeypatch):
    status, out, _ = run(capsys, monkeypatch, ["--lang", "en", "子育て"])
    assert status == 1
    assert "No category chosen" in out and "cannot be submitted" in out


def test_text_from_stdin(capsys, monkeypatch):
    status, out, _ = run(
        capsys, monkeypatch, ["--json", "--category", "info", "-"], "子育て情報\n".encode()
    )
    assert status == 0 and json.loads(out)["ok"] is True


def test_invalid_utf8_on_stdin_is_a_usage_error(capsys, monkeypatch):
    status, out, err = run(capsys, monkeypatch, ["-"], b"\xe5\xad\x90\xff")
    assert status == 2 and out == ""
    assert "UTF-8" in err and "Traceback" not in err


def test_media_rights_from_the_command_line(capsys, monkeypatch, tmp_path):
    image = tmp_path / "poster.png"
    image.write_bytes(b"\x89PNG")
    base = ["--json", "--category", "event", "--media", str(image)]
    status, out, _ = run(capsys, monkeypatch, [*base, "子育てひろば"])
    assert status == 1 and json.loads(out)["violations"][0]["rule"] == "media_rights"
    status, out, _ = run(capsys, monkeypatch, [*base, "--rights", "city", "子育てひろば"])
    assert status == 0


def test_missing_media_file_is_a_usage_error(capsys, monkeypatch, tmp_path):
    status, _, err = run(capsys, monkeypatch, ["--media", str(tmp_path / "nope.png"), "子育て"])
    assert status == 2 and "nope.png" in err


@pytest.mark.parametrize(
    "argv", [[], ["--rights", "nobody", "x"], ["--batch", "-", "text"], ["--lang", "fr", "x"]]
)
def test_usage_errors_exit_2(capsys, monkeypatch, argv):
    status, _, err = run(capsys, monkeypatch, argv)
    assert status == 2
    assert "Traceback" not in err


def test_batch_one_result_per_line_in_order(capsys, monkeypatch):
    lines = [
        json.dumps({"text": "子育てひろば", "category": "event"}, ensure_ascii=False),
        "this is not json",
        json.dumps({"text": "子育て", "category": "info", "media": ["a.png"], "rights": "city"}),
        json.dumps({"text": "@shop 子育て", "category": "event"}),
        json.dumps({"text": 5}),
    ]
    data = ("\n".join(lines) + "\n").encode() + b"\xff\n"
    status, out, _ = run(capsys, monkeypatch, ["--batch", "-"], data)
    results = [json.loads(line) for line in out.splitlines()]
    assert status == 1
    assert [result["ok"] for result in results] == [True, False, True, False, False, False]
    assert "JSON" in results[1]["error"]
    assert results[3]["violations"][0]["rule"] == "reply"
    assert "text" in results[4]["error"]
    assert "UTF-8" in results[5]["error"]


def test_batch_from_file_all_clean_exits_0(capsys, monkeypatch, tmp_path):
    batch = tmp_path / "posts.jsonl"
    batch.write_text('{"text": "子育てひろば", "category": "event"}\n', encoding="utf-8")
    status, out, _ = run(capsys, monkeypatch, ["--batch", str(batch)])
    assert status == 0 and len(out.splitlines()) == 1


def test_unknown_category_is_reported_not_crashed(capsys, monkeypatch):
    status, out, _ = run(capsys, monkeypatch, ["--category", "party", "子育て"])
    assert status == 1 and "party" in out


def test_megabyte_text_is_answered(capsys, monkeypatch):
    status, out, _ = run(capsys, monkeypatch, ["--json", "-"], ("子" * 1_000_000).encode())
    assert status == 1
    assert json.loads(out)["violations"][0]["rule"] == "length"


def test_broken_policy_file_exits_2_with_its_message(capsys, monkeypatch, tmp_path):
    broken = tmp_path / "policy.toml"
    broken.write_text("[workflow\nreminder_hours = 24\n", encoding="utf-8")
    monkeypatch.setenv("XPOST_POLICY", str(broken))
    status, out, err = run(capsys, monkeypatch, ["子育て"])
    assert status == 2 and out == ""
    assert str(broken) in err and "line 1" in err and "Traceback" not in err


def test_real_subprocess_exit_codes_and_output():
    command = [sys.executable, "-m", "adapters.cli", "check", "--json", "--category", "event"]
    env = {"PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8"}
    clean = subprocess.run(
        [*command, "子育てひろばのお知らせ"], cwd=PROJECT_ROOT, capture_output=True, env=env
    )
    assert clean.returncode == 0, clean.stderr
    assert json.loads(clean.stdout)["ok"] is True
    bad = subprocess.run(
        [*command, "-"], cwd=PROJECT_ROOT, capture_output=True, env=env,
        input="＠shop 子育て ０９０－１２３４－５６７８".encode(),
    )
    assert bad.returncode == 1
    rules = [violation["rule"] for violation in json.loads(bad.stdout)["violations"]]
    assert rules == ["reply", "mention", "contact"]
    undecodable = subprocess.run(
        [*command, "-"], cwd=PROJECT_ROOT, capture_output=True, env=env, input=b"\xff"
    )
    assert undecodable.returncode == 2
    assert b"Traceback" not in undecodable.stderr
