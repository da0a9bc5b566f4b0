"""TweepyXGateway against the stand-in: real tweepy, real HTTP, no mocks."""

from __future__ import annotations

import logging
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from adapters.x_credentials import XCredentials
from adapters.x_gateway import TweepyXGateway
from adapters.x_standin import XStandIn
from chatbot.ports import (
    MediaBlob,
    XDuplicate,
    XError,
    XPost,
    XRateLimited,
    XRejected,
    XTransient,
)

PNG = MediaBlob(
    filename="poster.png", content_type="image/png", data=b"\x89PNG\r\n\x1a\n" + bytes(64)
)


def _creates(standin: XStandIn) -> list[dict]:
    return [c for c in standin.calls if c["endpoint"] == "create"]


def test_me_is_the_account_the_tokens_belong_to(gateway: TweepyXGateway, standin: XStandIn):
    identity = gateway.me()
    assert (identity.id, identity.username) == (standin.user_id, "komae_kosodate")


def test_me_shows_a_wrong_account_so_the_worker_can_refuse_it():
    with XStandIn(username="someone_else") as other:
        gateway = TweepyXGateway.from_credentials(other.credentials, api_url=other.url)
        assert gateway.me().username == "someone_else"
        assert gateway.create_post("hello").url.startswith("https://x.com/someone_else/status/")


def test_create_post_publishes_and_answers_with_the_post_url(
    gateway: TweepyXGateway, standin: XStandIn
):
    post = gateway.create_post("こども食堂のお知らせです")
    assert post.text == "こども食堂のお知らせです"
    assert post.url == f"https://x.com/komae_kosodate/status/{post.id}"
    assert [(p.id, p.text) for p in standin.posts] == [(post.id, post.text)]


def test_the_username_is_asked_once_and_kept(gateway: TweepyXGateway, standin: XStandIn):
    gateway.create_post("one")
    gateway.create_post("two")
    assert [c["endpoint"] for c in standin.calls] == ["me", "create", "create"]


def test_delete_post_removes_it_and_deleting_again_is_fine(
    gateway: TweepyXGateway, standin: XStandIn
):
    post = gateway.create_post("消す投稿")
    gateway.delete_post(post.id)
    gateway.delete_post(post.id)  # 404: already gone, which is what we wanted
    assert standin.posts == []
    assert [p.id for p in standin.deleted] == [post.id]


def test_recent_posts_are_newest_first_with_their_times(gateway: TweepyXGateway):
    created = [gateway.create_post(f"お知らせ {n}") for n in range(7)]
    recent = gateway.recent_posts(limit=3)
    assert [p.id for p in recent] == [p.id for p in reversed(created)][:3]
    assert all(p.created_at and p.created_at.tzinfo for p in recent)
    assert recent[0].url == created[-1].url
    assert gateway.recent_posts(limit=0) == []


def test_a_post_with_an_image_uploads_it_first(gateway: TweepyXGateway, standin: XStandIn):
    post = gateway.create_post("ポスターです", media=[PNG])
    [uploaded] = standin.media
    assert (uploaded.filename, uploaded.category, uploaded.size) == (
        "poster.png",
        "tweet_image",
        len(PNG.data),
    )
    [on_x] = standin.posts
    assert (on_x.id, on_x.media_ids) == (post.id, (uploaded.id,))


def test_wrong_credentials_are_rejected(standin: XStandIn):
    wrong = XCredentials("wrong-key", "wrong-secret", "wrong-token", "wrong-token-secret")
    gateway = TweepyXGateway.from_credentials(wrong, api_url=standin.url)
    with pytest.raises(XRejected, match="401"):
        gateway.me()
    assert standin.posts == []


def test_a_wrong_secret_is_rejected_before_anything_is_posted(standin: XStandIn):
    creds = standin.credentials
    gateway = TweepyXGateway(
        api_key=creds.api_key,
        api_secret=creds.api_secret,
        access_token=creds.access_token,
        access_token_secret="forged",
        api_url=standin.url,
    )
    with pytest.raises(XRejected, match="401 Unauthorized"):
        gateway.create_post("hello")
    assert standin.posts == []


def test_the_same_text_again_is_a_duplicate(gateway: TweepyXGateway, standin: XStandIn):
    gateway.create_post("同じ文")
    with pytest.raises(XDuplicate, match="duplicate content"):
        gateway.create_post("同じ文")
    assert len(standin.posts) == 1


def test_over_280_weighted_is_rejected_and_exactly_280_is_not(gateway: TweepyXGateway):
    assert gateway.create_post("あ" * 140)  # each CJK character weighs 2
    with pytest.raises(XRejected, match="too long"):
        gateway.create_post("い" * 141)


def test_429_is_rate_limited_until_the_reset_x_gives(gateway: TweepyXGateway, standin: XStandIn):
    gateway.create_post("first")  # opens the window
    [limit] = [r for r in gateway.last_rate_limits() if r.endpoint == "POST /2/tweets"]
    standin.inject("create", "rate_limit")
    with pytest.raises(XRateLimited) as raised:
        gateway.create_post("second")
    assert raised.value.reset_at == limit.reset_at
    assert raised.value.reset_at > datetime.now(UTC)
    assert len(standin.posts) == 1


def test_running_out_of_the_window_is_rate_limited(standin: XStandIn, gateway: TweepyXGateway):
    standin.set_rate_limit("create", 2, window_seconds=600)
    gateway.create_post("1")
    gateway.create_post("2")
    with pytest.raises(XRateLimited) as raised:
        gateway.create_post("3")
    assert 590 <= (raised.value.reset_at - datetime.now(UTC)).total_seconds() <= 600


@pytest.mark.parametrize("status", [500, 503])
def test_5xx_is_transient_and_never_retried(
    gateway: TweepyXGateway, standin: XStandIn, status: int
):
    standin.inject("create", "error", status=status)
    with pytest.raises(XTransient, match=str(status)):
        gateway.create_post("お知らせ")
    assert len(_creates(standin)) == 1  # one attempt: the worker decides about another
    assert standin.posts == []


def test_a_timeout_after_the_post_was_created_is_transient_and_the_post_is_there(
    standin: XStandIn,
):
    gateway = TweepyXGateway.from_credentials(standin.credentials, api_url=standin.url, timeout=0.5)
    standin.inject("create", "timeout_after", delay=5)
    started = time.monotonic()
    with pytest.raises(XTransient):
        gateway.create_post("届いたかわからない投稿")
    assert time.monotonic() - started < 3
    assert len(_creates(standin)) == 1
    # What the worker does next: look for it before trying again.
    assert [p.text for p in gateway.recent_posts(5)] == ["届いたかわからない投稿"]


def test_a_connection_dropped_after_the_post_was_created_is_transient(
    gateway: TweepyXGateway, standin: XStandIn
):
    gateway.me()
    standin.inject("create", "drop_after")
    with pytest.raises(XTransient):
        gateway.create_post("切れた投稿")
    assert [p.text for p in standin.posts] == ["切れた投稿"]
    assert len(_creates(standin)) == 1


def test_x_unreachable_is_transient():
    with XStandIn() as gone:
        credentials, url = gone.credentials, gone.url
    gateway = TweepyXGateway.from_credentials(credentials, api_url=url, timeout=1)
    with pytest.raises(XTransient, match="ConnectionError"):
        gateway.me()


def test_rate_limit_headers_are_recorded_per_endpoint(gateway: TweepyXGateway):
    assert gateway.last_rate_limits() == []
    post = gateway.create_post("数える")
    gateway.recent_posts()
    gateway.delete_post(post.id)
    limits = {r.endpoint: r for r in gateway.last_rate_limits()}
    assert set(limits) == {
        "GET /2/users/me",
        "POST /2/tweets",
        "GET /2/users/:id/tweets",
        "DELETE /2/tweets/:id",
    }
    create = limits["POST /2/tweets"]
    assert (create.limit, create.remaining) == (100, 99)
    assert create.reset_at > datetime.now(UTC)


def test_50_concurrent_creates_all_land_with_distinct_ids(
    gateway: TweepyXGateway, standin: XStandIn
):
    gateway.me()
    texts = [f"同時投稿 {n}" for n in range(50)]
    with ThreadPoolExecutor(max_workers=50) as pool:
        posts: list[XPost] = list(pool.map(gateway.create_post, texts))
    assert len({p.id for p in posts}) == 50
    assert sorted(p.text for p in posts) == sorted(texts)
    assert sorted(p.text for p in standin.posts) == sorted(texts)


def test_secrets_appear_in_no_exception_and_no_log_record(
    standin: XStandIn, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    creds = standin.credentials
    gateway = TweepyXGateway.from_credentials(creds, api_url=standin.url, timeout=0.5)
    forged = TweepyXGateway.from_credentials(
        XCredentials(creds.api_key, "forged", creds.access_token, "forged"), api_url=standin.url
    )
    gateway.create_post("ログの確認", media=[PNG])
    attempts = [
        (None, lambda: gateway.create_post("ログの確認")),  # duplicate
        ("error", lambda: gateway.create_post("5xx")),
        ("timeout_after", lambda: gateway.create_post("timeout")),
        (None, lambda: gateway.create_post("x" * 281)),
        (None, forged.me),
    ]
    errors: list[XError] = []
    for fault, attempt in attempts:
        if fault:
            standin.inject("create", fault, delay=3)
        with pytest.raises(XError) as raised:
            attempt()
        errors.append(raised.value)

    assert {type(e) for e in errors} == {XDuplicate, XTransient, XRejected}
    told = [repr(gateway), repr(creds), *caplog.messages]
    told += ["".join(traceback.format_exception(e)) for e in errors]
    assert any("Authorization" in line for line in caplog.messages)  # the libraries did log
    for secret in creds.values():
        assert not [line for line in told if secret in line]


def test_a_spent_24_hour_cap_waits_for_its_reset_not_the_15_minute_window(
    gateway: TweepyXGateway, standin: XStandIn
):
    gateway.me()
    standin.inject("create", "daily_limit", reset_in=20 * 3600)
    with pytest.raises(XRateLimited) as raised:
        gateway.create_post("今日はもう投稿できない")
    waited = (raised.value.reset_at - datetime.now(UTC)).total_seconds()
    assert 20 * 3600 - 10 < waited <= 20 * 3600
