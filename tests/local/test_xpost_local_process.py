"""`xpost local` as a person runs it: a real process from the checkout, no .env, no REDIS_URL.

It comes up, answers, stops on Ctrl-C (SIGINT) or SIGTERM within 10 s leaving no
process behind (its redis-server included), and the next start finds the earlier
proposals.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import requests

from adapters.embedded_redis import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
STOP_WITHIN_S = 10.0


class XpostLocal:
    def __init__(self, workdir: Path, data: Path) -> None:
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if k != "REDIS_URL" and
               not k.startswith(("XPOST_", "SLACK_", "X_"))}
        env.update(HOME=str(workdir), PYTHONPATH=str(REPO_ROOT), PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "adapters.cli", "local", "--port", str(self.port),
             "--data", str(data)],
            cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)

    @property
    def page_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def wait_ready(self, timeout: float = 30.0) -> str:
        """The bot's /healthz URL, once the banner names it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(r"(http://127\.0\.0\.1:\d+/healthz)", "".join(self.output))
            if found:
                return found.group(1)
            assert self.process.poll() is None, "".join(self.output)
            time.sleep(0.1)
        raise AssertionError("xpost local did not come up:\n" + "".join(self.output))

    def state(self) -> dict:
        return requests.get(self.page_url + "api/state", params={"as": "U_STAFF"},
                            timeout=5).json()

    def interrupt(self, signum: int = signal.SIGINT) -> float:
        started = time.monotonic()
        self.process.send_signal(signum)
        self.process.wait(STOP_WITHIN_S + 5)
        return time.monotonic() - started


def _redis_servers_under(pid: int) -> list[psutil.Process]:
    return [child for child in psutil.Process(pid).children(recursive=True)
            if "redis-server" in child.name()]


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_comes_up_stops_on_ctrl_c_and_keeps_the_proposals(tmp_path: Path) -> None:
    workdir, data = tmp_path / "work", tmp_path / "data"
    workdir.mkdir()
    # A production .env beside it must not be read: this REDIS_URL would fail.
    (workdir / ".env").write_text("REDIS_URL=redis://127.0.0.1:1/0\n", encoding="utf-8")

    first = XpostLocal(workdir, data)
    try:
        health = first.wait_ready()
        assert "http://127.0.0.1:" in "".join(first.output)
        assert "ブラウザで開く" in "".join(first.output)
        assert requests.get(health, timeout=5).json()["ok"] is True
        page = requests.get(first.page_url, timeout=5)
        assert page.status_code == 200 and 'charset="utf-8"' in page.text
        redis_servers = _redis_servers_under(first.process.pid)
        assert len(redis_servers) == 1
        redis_pid = redis_servers[0].pid
        children = [c.pid for c in psutil.Process(first.process.pid).children(recursive=True)]

        sent = requests.post(first.page_url + "api/send", timeout=10, json={
            "as": "U_STAFF", "channel": "C_PROPOSALS",
            "text": "イベント 12月1日（月）10時から狛江市こども食堂を開きます。"})
        assert sent.json()["ok"] is True
        deadline = time.monotonic() + 10
        while not first.state()["account"]["proposals"] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [p["id"] for p in first.state()["account"]["proposals"]] == ["P-0001"]

        took = first.interrupt()
    finally:
        if first.process.poll() is None:
            first.process.kill()
    assert took < STOP_WITHIN_S, f"took {took:.1f} s to stop"
    assert first.process.returncode == 0, "".join(first.output)
    assert _gone(redis_pid), "the embedded redis-server is still running"
    assert all(_gone(pid) for pid in children)

    again = XpostLocal(workdir, data)
    try:
        again.wait_ready()
        assert [p["id"] for p in again.state()["account"]["proposals"]] == ["P-0001"]
        listed = requests.post(again.page_url + "api/send", timeout=10, json={
            "as": "U_STAFF", "channel": "C_PROPOSALS", "text": "/xpost list"})
        assert listed.json()["ok"] is True
        deadline = time.monotonic() + 10
        while "P-0001" not in str(again.state()["channels"]) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "P-0001" in str(again.state()["channels"])  # the bot lists it after the restart
        redis_pid = _redis_servers_under(again.process.pid)[0].pid
        assert again.interrupt(signal.SIGTERM) < STOP_WITHIN_S  # how a service manager stops it
    finally:
        if again.process.poll() is None:
            again.process.kill()
    assert again.process.returncode == 0
    assert _gone(redis_pid)


def test_a_broken_policy_edit_is_reported_by_line_and_nothing_is_left_running(
        tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text("version = 1\n[workflow\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(HOME=str(tmp_path), PYTHONPATH=str(REPO_ROOT), XPOST_POLICY=str(policy))
    before = {p.pid for p in psutil.process_iter() if "redis-server" in p.name()}
    finished = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "local", "--port", str(free_port()),
         "--data", str(tmp_path / "data")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=30)
    assert finished.returncode == 2
    assert "policy.toml" in finished.stderr and "Traceback" not in finished.stderr
    after = {p.pid for p in psutil.process_iter() if "redis-server" in p.name()}
    assert after <= before
