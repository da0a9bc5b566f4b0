"""Images in the proposal form, end to end: attached in Slack, fetched with the bot
token, checked (第8条 rights, at most 4, 5 MB, really an image), posted to X."""

from __future__ import annotations

import struct
import zlib

import pytest
import requests

from chatbot.model import State
from tests.slack.conftest import BOT_TOKEN, CHIEF, STAFF, World, eventually

pytestmark = pytest.mark.redis

TEXT = "12月1日（土）10時から、市民センターで子ども食堂を開きます。会場の写真です。"


def tiny_png(seed: int = 0) -> bytes:
    """A real 1×1 PNG; `seed` changes its colour, so its bytes (and sha256) differ."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    pixel = zlib.compress(bytes([0, seed % 256, 120, 200]))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", pixel) + chunk(b"IEND", b""))


def open_form(world: World) -> dict:
    assert world.slack.send_command(STAFF, "").status == 200
    return eventually(lambda: world.slack.views(STAFF), what="the proposal form")[-1]


def media_keys(world: World) -> list[bytes]:
    return list(world.container.redis.scan_iter(f"xpost:{world.container.account}:media:*"))


def downloads(world: World) -> list[dict]:
    return world.slack.calls("file_download")


def test_form_has_the_image_picker_and_the_rights_select(world: World) -> None:
    form = open_form(world)
    blocks = {b["block_id"]: b for b in form["blocks"]}
    picker = blocks["images"]["element"]
    assert picker["type"] == "file_input" and picker["action_id"] == "input"
    assert picker["max_files"] == 4
    assert set(picker["filetypes"]) == {"jpg", "jpeg", "png", "gif", "webp"}
    assert blocks["images"]["optional"] is True
    rights = blocks["rights"]["element"]
    assert [(o["value"], o["text"]["text"]) for o in rights["options"]] == [
        ("city", "市が著作権を持つ"), ("author", "原著作者の許諾あり")]


def test_image_with_rights_is_approved_and_posted_with_its_media(world: World) -> None:
    form = open_form(world)
    photo = world.slack.upload_file(STAFF, "kaijo.png", "image/png", tiny_png())
    ok = world.slack.submit_view(STAFF, form, {"text": TEXT, "category": "event",
                                               "images": [photo], "rights": "city"})
    assert (ok.json or {}).get("response_action") == "update", ok.body
    [proposal] = world.container.store.list_proposals()
    [media] = proposal.current.media
    assert (media.filename, media.content_type, media.rights) == ("kaijo.png", "image/png", "city")
    assert world.container.store.get_media(media.sha256) == tiny_png()
    assert [d["args"] for d in downloads(world)] == [{"file": photo["id"], "authorized": True}]

    card = world.wait_card(proposal.id)
    assert "kaijo.png（市が著作権を持つ）" in str(card["blocks"])
    world.slack.click(CHIEF, card, "xpost_approve")
    eventually(lambda: world.proposal(proposal.id).state is State.PUBLISHED, what="published")
    [post] = world.x.posts
    assert post.text == TEXT
    assert len(post.media_ids) == 1
    [uploaded] = [m for m in world.x.media if m.id == post.media_ids[0]]
    assert uploaded.content_type == "image/png"


def test_images_without_rights_keep_the_form_open_with_article_8(world: World) -> None:
    form = open_form(world)
    photo = world.slack.upload_file(STAFF, "kaijo.png", "image/png", tiny_png())
    refused = world.slack.submit_view(STAFF, form, {"text": TEXT, "category": "event",
                                                    "images": [photo]})
    answer = refused.json or {}
    assert answer.get("response_action") == "errors"
    assert set(answer["errors"]) == {"rights"}
    assert "第8条" in answer["errors"]["rights"] and "kaijo.png" in answer["errors"]["rights"]
    assert [v["id"] for v in world.slack.views(STAFF)] == [form["id"]]  # still open
    assert world.container.store.list_proposals() == []
    assert media_keys(world) == [] and downloads(world) == []


def test_five_images_are_refused_on_the_image_field(world: World) -> None:
    form = open_form(world)
    photos = [world.slack.upload_file(STAFF, f"p{i}.png", "image/png", tiny_png(i))
              for i in range(5)]
    refused = world.slack.submit_view(STAFF, form, {"text": TEXT, "category": "event",
                                                    "images": photos, "rights": "author"})
    errors = (refused.json or {}).get("errors", {})
    assert set(errors) == {"images"}
    assert "5 枚" in errors["images"] and "4 枚" in errors["images"]
    assert world.container.store.list_proposals() == []
    assert media_keys(world) == [] and downloads(world) == []


def test_a_file_that_is_not_an_image_is_refused_clearly(world: World) -> None:
    form = open_form(world)
    # Named and typed as a PNG, but the bytes are a text file: the bytes decide.
    fake = world.slack.upload_file(STAFF, "meibo.png", "image/png", "名簿\n".encode() * 10)
    refused = world.slack.submit_view(STAFF, form, {"text": TEXT, "category": "event",
                                                    "images": [fake], "rights": "city"})
    errors = (refused.json or {}).get("errors", {})
    assert errors == {"images": "「meibo.png」は画像ではありません。jpg / png / gif / webp "
                                "の画像を添えてください。"}
    pdf = world.slack.upload_file(STAFF, "chirashi.pdf", "application/pdf", b"%PDF-1.4")
    refused = world.slack.submit_view(STAFF, form, {"text": TEXT, "category": "event",
                                                    "images": [pdf], "rights": "city"})
    assert "画像ではありません" in (refused.json or {}).get("errors", {}).get("images", "")
    assert world.container.store.list_proposals() == [] and media_keys(world) == []


def test_an_oversized_image_is_refused_with_the_limit(world: World) -> None:
    form = open_form(world)
    big = world.slack.upload_file(STAFF, "big.png", "image/png",
                                  tiny_png() + b"\0" * (5 * 1024 * 1024))
    refused = world.slack.submit_view(STAFF, form, {"text": TEXT, "category": "event",
                                                    "images": [big], "rights": "city"})
    message = (refused.json or {}).get("errors", {}).get("images", "")
    assert "「big.png」" in message and "5 MB まで" in message
    assert world.container.store.list_proposals() == [] and media_keys(world) == []


def test_the_standin_serves_a_file_only_for_the_bot_token(world: World) -> None:
    photo = world.slack.upload_file(STAFF, "kaijo.png", "image/png", tiny_png())
    url = photo["url_private_download"]
    assert url.startswith(world.slack.url)
    assert requests.get(url, timeout=5).status_code == 401
    wrong = requests.get(url, headers={"Authorization": "Bearer xoxb-not-ours"}, timeout=5)
    assert wrong.status_code == 401 and wrong.content != tiny_png()
    ok = requests.get(url, headers={"Authorization": f"Bearer {BOT_TOKEN}"}, timeout=5)
    assert ok.status_code == 200 and ok.content == tiny_png()
    assert ok.headers["Content-Type"] == "image/png"
    # The record says who was let in, never with what token.
    assert [c["args"]["authorized"] for c in downloads(world)] == [False, False, True]
    assert BOT_TOKEN not in str(world.slack.calls("file_download"))


def test_the_bot_token_goes_to_no_other_host(world: World) -> None:
    """A file URL elsewhere than the Slack the app talks to is not fetched with the token."""
    form = open_form(world)
    photo = world.slack.upload_file(STAFF, "kaijo.png", "image/png", tiny_png())
    elsewhere = {**photo, "url_private_download": f"{world.x.url}/steal/kaijo.png",
                 "url_private": f"{world.x.url}/steal/kaijo.png"}
    refused = world.slack.submit_view(STAFF, form, {"text": TEXT, "category": "event",
                                                    "images": [elsewhere], "rights": "city"})
    message = (refused.json or {}).get("errors", {}).get("images", "")
    assert "「kaijo.png」を Slack から受け取れませんでした" in message
    assert world.container.store.list_proposals() == [] and media_keys(world) == []
