"""The stand-in itself: it must refuse what X refuses, so the gateway tests mean something."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace

import requests

from adapters.x_standin import XStandIn

SignedRequest = Callable[..., requests.Response]  # the `signed` fixture

UNAUTHORIZED = {"title": "Unauthorized", "status": 401, "detail": "Unauthorized"}


def _is_unauthorized(response: requests.Response) -> bool:
    return response.status_code == 401 and UNAUTHORIZED.items() <= response.json().items()


def test_a_correctly_signed_request_is_answered(signed: SignedRequest):
    response = signed("GET", "/2/users/me")
    assert response.status_code == 200
    assert response.json()["data"]["username"] == "komae_kosodate"


def test_a_request_without_a_signature_is_401_with_the_rate_limit_headers(standin: XStandIn):
    response = requests.get(standin.url + "/2/users/me", timeout=5)
    assert _is_unauthorized(response)
    assert response.headers["x-rate-limit-limit"] == "75"


def test_a_signature_made_with_another_secret_is_401(standin: XStandIn, signed: SignedRequest):
    forged = replace(standin.credentials, api_secret="not-the-secret")
    assert _is_unauthorized(signed("POST", "/2/tweets", credentials=forged, json={"text": "x"}))
    assert standin.posts == []


def test_a_signature_over_the_stand_ins_own_address_is_401(
    standin: XStandIn, signed: SignedRequest
):
    # X checks the signature over https://api.twitter.com/..., so must the stand-in.
    assert _is_unauthorized(signed("GET", "/2/users/me", sign_base=standin.url))


def test_a_replayed_request_is_401(standin: XStandIn, signed: SignedRequest):
    first = signed("GET", "/2/users/me")
    replay = requests.get(
        standin.url + "/2/users/me",
        headers={"Authorization": first.request.headers["Authorization"]},
        timeout=5,
    )
    assert first.status_code == 200
    assert _is_unauthorized(replay)


def test_an_unknown_media_id_is_400(signed: SignedRequest):
    response = signed("POST", "/2/tweets", json={"text": "hi", "media": {"media_ids": ["42"]}})
    assert response.status_code == 400
    assert response.json()["errors"][0]["parameters"] == {"media.media_ids": ["42"]}


def test_media_upload_answers_in_the_v2_shape(standin: XStandIn, signed: SignedRequest):
    response = signed(
        "POST",
        "/2/media/upload",
        files={"media": ("a.png", b"\x89PNG fake", "image/png")},
        data={"media_category": "tweet_image"},
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["media_key"] == f"3_{data['id']}"
    assert [(m.filename, m.category, m.size) for m in standin.media] == [
        ("a.png", "tweet_image", len(b"\x89PNG fake"))
    ]


def test_the_rate_limit_headers_count_down_and_then_429(standin: XStandIn, signed: SignedRequest):
    standin.set_rate_limit("create", 2, window_seconds=900)
    answers = [signed("POST", "/2/tweets", json={"text": f"n{i}"}) for i in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 429]
    assert [a.headers["x-rate-limit-remaining"] for a in answers] == ["1", "0", "0"]
    assert {a.headers["x-rate-limit-limit"] for a in answers} == {"2"}
    reset = int(answers[0].headers["x-rate-limit-reset"])
    assert time.time() + 890 < reset <= time.time() + 900
    assert all(int(a.headers["x-rate-limit-reset"]) == reset for a in answers)


def test_the_admin_api_injects_faults_reads_the_timeline_and_resets(
    standin: XStandIn, signed: SignedRequest
):
    admin = standin.url + "/_standin"
    fault = {"endpoint": "create", "kind": "error", "count": 1, "status": 500}
    assert requests.post(admin + "/faults", json=fault, timeout=5).status_code == 200
    assert signed("POST", "/2/tweets", json={"text": "a"}).status_code == 500
    created = signed("POST", "/2/tweets", json={"text": "a"}).json()["data"]
    assert signed("DELETE", f"/2/tweets/{created['id']}").json() == {"data": {"deleted": True}}
    signed("POST", "/2/tweets", json={"text": "b"})

    timeline = requests.get(admin + "/timeline", timeout=5).json()
    assert timeline["account"]["username"] == "komae_kosodate"
    assert [p["text"] for p in timeline["posts"]] == ["b"]
    assert [(p["id"], p["deleted"]) for p in timeline["deleted"]] == [(created["id"], True)]
    calls = requests.get(admin + "/calls", timeout=5).json()["calls"]
    assert [(c["method"], c["endpoint"], c["status"]) for c in calls] == [
        ("POST", "create", 500),
        ("POST", "create", 201),
        ("DELETE", "delete", 200),
        ("POST", "create", 201),
    ]

    bad = requests.post(admin + "/faults", json={"endpoint": "nope", "kind": "error"}, timeout=5)
    assert bad.status_code == 400
    assert requests.post(admin + "/reset", timeout=5).status_code == 200
    assert standin.posts == [] and standin.deleted == [] and standin.calls == []


def test_latency_can_be_set_through_the_admin_api(standin: XStandIn, signed: SignedRequest):
    latency = {"kind": "latency", "seconds": 0.3, "endpoint": "me"}
    requests.post(standin.url + "/_standin/faults", json=latency, timeout=5)
    started = time.monotonic()
    assert signed("GET", "/2/users/me").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_ids_are_snowflake_like_and_increasing(signed: SignedRequest):
    ids = [
        signed("POST", "/2/tweets", json={"text": f"t{i}"}).json()["data"]["id"] for i in range(5)
    ]
    assert all(i.isdigit() and len(i) >= 18 for i in ids)
    assert [int(i) for i in ids] == sorted(int(i) for i in ids)


def test_runnable_alone_it_prints_its_url_and_credentials():
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    for name in ("X_API_KEY", "X_API_SECRET", "X_ACCESS_TOKEN", "X_ACCESS_TOKEN_SECRET"):
        env.pop(name, None)
    with subprocess.Popen(
        [sys.executable, "-m", "adapters.x_standin", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    ) as process:
        try:
            assert process.stdout is not None
            lines = [process.stdout.readline() for _ in range(7)]
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=10)
    printed = dict(line.strip().split("=", 1) for line in lines if "=" in line)
    assert printed.keys() == {
        "X_API_URL",
        "X_API_KEY",
        "X_API_SECRET",
        "X_ACCESS_TOKEN",
        "X_ACCESS_TOKEN_SECRET",
    }
    assert printed["X_API_URL"].startswith("http://127.0.0.1:")
