"""`xpost teams-package` and the Adaptive Card rendering, without any server."""

from __future__ import annotations

import json
import struct
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from adapters.cli import main
from adapters.teams.cards import view_card
from chatbot.model import Actor, Proposal, State, Version
from chatbot.views import approval_card

APP_ID = "12345678-1234-1234-1234-123456789abc"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    return struct.unpack(">II", data[16:24])


def test_package_has_the_manifest_and_both_icons(tmp_path: Path, capsys) -> None:
    out = tmp_path / "xpost-teams.zip"
    assert main(["teams-package", "--app-id", APP_ID, "--out", str(out)]) == 0
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        assert _png_size(archive.read("color.png")) == (192, 192)
        assert _png_size(archive.read("outline.png")) == (32, 32)
    assert manifest["id"] == APP_ID
    bot = manifest["bots"][0]
    assert bot["botId"] == APP_ID
    commands = bot["commandLists"][0]["commands"]
    assert len(commands) <= 10  # Teams' limit
    assert {"xpost", "xpost check", "xpost help"} <= {c["title"] for c in commands}
    assert all(len(c["title"]) <= 32 and len(c["description"]) <= 128 for c in commands)
    assert "投稿" in manifest["description"]["short"]


def test_package_refuses_an_app_id_that_is_no_guid(tmp_path: Path, capsys) -> None:
    assert main(["teams-package", "--app-id", "not-a-guid", "--out",
                 str(tmp_path / "x.zip")]) == 2
    assert "GUID" in capsys.readouterr().err
    assert not (tmp_path / "x.zip").exists()


def _proposal(text: str) -> Proposal:
    now = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
    author = Actor(platform="teams", user_id="aad-staff", name="職員")
    return Proposal(id="P-0007", account="komae_kosodate", author=author, state=State.PENDING,
                    versions=[Version(number=2, text=text, category="event", weighted_length=40,
                                      created_at=now, created_by=author)],
                    created_at=now, updated_at=now)


def test_approval_card_shows_the_text_verbatim_and_buttons_carry_only_ids() -> None:
    text = "*重要* 1. 子ども食堂_12月 <b>"
    content = view_card(approval_card(_proposal(text), "イベント", "ja"))
    assert content["version"] == "1.4"
    runs = [i for e in content["body"] if e["type"] == "Container" for r in e["items"]
            for i in r["inlines"]]
    assert runs == [{"type": "TextRun", "text": text}]
    actions = [a for e in content["body"] if e["type"] == "ActionSet" for a in e["actions"]]
    assert [(a["type"], a["verb"], a["title"]) for a in actions] == [
        ("Action.Execute", "xpost_approve", "承認"),
        ("Action.Execute", "xpost_request_changes", "差し戻し"),
        ("Action.Execute", "xpost_reject", "却下"),
        ("Action.Execute", "xpost_approve_urgent", "緊急として承認（時間外でも即時投稿）")]
    assert all(a["data"] == {"id": "P-0007", "version": 2} for a in actions)
    assert any(e["type"] == "Input.Text" and e["id"] == "comment" for e in content["body"])


def test_cards_speak_english_with_xpost_lang_en() -> None:
    content = view_card(approval_card(_proposal("Kids' cafeteria"), "Event", "en"), "en")
    titles = [a["title"] for e in content["body"] if e["type"] == "ActionSet"
              for a in e["actions"]]
    assert titles == ["Approve", "Request changes", "Reject",
                      "Approve as urgent (out now, even outside hours)"]
    assert "Comment or reason" in json.dumps(content)
