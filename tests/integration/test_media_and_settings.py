"""Images with declared rights reach X; a bad setting is named at start-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from chatbot.errors import PolicyViolation
from chatbot.model import Media, State
from tests.integration.conftest import CHIEF, STAFF

ROOT = Path(__file__).resolve().parents[2]
# A 1x1 PNG: the stand-in takes any bytes, but a real image keeps the test honest.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def test_an_image_with_declared_rights_is_uploaded_and_attached(container, x_standin):
    digest = container.store.put_media(PNG)
    media = [Media(filename="poster.png", content_type="image/png", sha256=digest,
                   rights="city")]
    proposal, _ = container.workflow.propose(
        STAFF, "子育てフェスタのポスターができました。", "event", media=media)
    container.workflow.approve(CHIEF, proposal.id, 1)
    container.worker("test-worker", block_ms=50).publish_round()
    assert container.store.get_proposal(proposal.id).state is State.PUBLISHED
    assert len(x_standin.media) == 1
    assert x_standin.posts[0].media_ids == (x_standin.media[0].id,)


def test_an_image_without_declared_rights_is_refused(container):
    digest = container.store.put_media(PNG)
    media = [Media(filename="poster.png", sha256=digest, rights=None)]
    with pytest.raises(PolicyViolation) as refused:
        container.workflow.propose(STAFF, "子育てフェスタのポスターです。", "event", media=media)
    assert [v.rule for v in refused.value.violations] == ["media_rights"]


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("X_", "SLACK_", "XPOST_", "REDIS_"))}
    return subprocess.run([sys.executable, "-m", "adapters.cli", *args], cwd=ROOT,
                          env={**clean, **env}, capture_output=True, text=True, timeout=60)


def test_the_worker_names_a_missing_setting_and_exits_2(tmp_path):
    result = run_cli("worker")
    assert result.returncode == 2
    assert "REDIS_URL" in result.stderr and "Traceback" not in result.stderr
    result = run_cli("worker", REDIS_URL="redis://127.0.0.1:6379/15")
    assert result.returncode == 2
    assert "X_API_KEY" in result.stderr and "Traceback" not in result.stderr


def test_an_invalid_setting_is_named(tmp_path):
    result = run_cli("worker", REDIS_URL="redis://127.0.0.1:6379/15", XPOST_LANG="fr")
    assert result.returncode == 2
    assert "XPOST_LANG" in result.stderr and "Traceback" not in result.stderr


def test_secrets_never_reach_the_worker_log(x_standin, redis_client):
    creds = x_standin.credentials
    kwargs = redis_client.connection_pool.connection_kwargs
    env = {"REDIS_URL": f"redis://{kwargs['host']}:{kwargs['port']}/{kwargs['db']}",
           "X_API_URL": x_standin.url, "X_API_KEY": creds.api_key,
           "X_API_SECRET": creds.api_secret, "X_ACCESS_TOKEN": creds.access_token,
           "X_ACCESS_TOKEN_SECRET": creds.access_token_secret}
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("X_", "XPOST_"))}
    worker = subprocess.Popen([sys.executable, "-m", "adapters.cli", "worker"], cwd=ROOT,
                              env={**clean, **env}, stderr=subprocess.PIPE, text=True)
    try:
        worker.wait(timeout=3)
    except subprocess.TimeoutExpired:
        worker.terminate()
    log = worker.communicate(timeout=10)[1]
    assert "worker" in log  # it did start and log
    for secret in creds.values():
        assert secret not in log


def test_a_notify_only_worker_needs_no_x_credentials(redis_client):
    kwargs = redis_client.connection_pool.connection_kwargs
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("X_", "SLACK_", "XPOST_", "REDIS_"))}
    env = {**clean, "REDIS_URL": f"redis://{kwargs['host']}:{kwargs['port']}/{kwargs['db']}"}
    worker = subprocess.Popen([sys.executable, "-m", "adapters.cli", "worker", "--only", "notify"],
                              cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            worker.wait(timeout=3)  # still running: it did not refuse to start
    finally:
        worker.terminate()
        log = worker.communicate(timeout=10)[1]
    assert worker.returncode == 0  # SIGTERM is a clean stop
    assert "notify" in log and "X_API_KEY" not in log
