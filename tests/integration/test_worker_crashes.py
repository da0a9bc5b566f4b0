"""Real worker processes killed with SIGKILL mid-publish, and a Redis server restarted mid-run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from adapters.bootstrap import build
from adapters.redis import connect
from adapters.x_gateway import TweepyXGateway
from chatbot.audit import verify
from chatbot.model import State
from tests.integration.conftest import CHIEF, STAFF, settings_for, wait_until

ROOT = Path(__file__).resolve().parents[2]


def redis_url_of(client) -> str:
    kwargs = client.connection_pool.connection_kwargs
    return f"redis://{kwargs['host']}:{kwargs['port']}/{kwargs.get('db', 0)}"


def start_worker(redis_url: str, x_standin, name: str, log: Path) -> subprocess.Popen:
    creds = x_standin.credentials
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("X_", "SLACK_", "XPOST_"))},
        "REDIS_URL": redis_url, "X_API_URL": x_standin.url,
        "X_API_KEY": creds.api_key, "X_API_SECRET": creds.api_secret,
        "X_ACCESS_TOKEN": creds.access_token, "X_ACCESS_TOKEN_SECRET": creds.access_token_secret,
        "XPOST_RECLAIM_AFTER_MS": "300", "XPOST_POLICY": os.environ["XPOST_POLICY"],
    }
    return subprocess.Popen([sys.executable, "-m", "adapters.cli", "worker", "--name", name],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=log.open("a"))


def test_workers_killed_mid_publish_twenty_times_publish_each_post_exactly_once(
        redis_client, x_standin, tmp_path):
    container = build(settings_for(), redis_client=redis_client,
                      x_gateway=TweepyXGateway.from_credentials(x_standin.credentials,
                                                                api_url=x_standin.url))
    texts = [f"子育て広場のお知らせ（第{n}回）：12月{n}日に開きます。" for n in range(1, 21)]
    ids = []
    for text in texts:
        proposal, _ = container.workflow.propose(STAFF, text, "info")
        container.workflow.approve(CHIEF, proposal.id, 1)
        ids.append(proposal.id)
    # Slow X down so that kills land between "publishing" and "published".
    x_standin.set_latency(0.08, "create")
    url = redis_url_of(redis_client)
    log = tmp_path / "workers.log"

    def starts() -> int:
        return sum(1 for e in container.store.audit_entries() if e.action == "publish_started")

    def situation() -> str:
        """What a person debugging a stuck run needs: states, queue, the workers' log."""
        states = {i: container.store.get_proposal(i).state.value for i in ids}
        waiting = {i: s for i, s in states.items() if s != "published"}
        tail = log.read_text()[-3000:] if log.exists() else ""
        return f"not published: {waiting}\nqueue: {container.queue.counts()}\nlog:\n{tail}"

    for round_ in range(20):
        before = starts()
        worker = start_worker(url, x_standin, f"worker-{round_ % 2}", log)
        try:
            # Wait until it is publishing, then kill it at a different point each round:
            # before X answers, just after, or between X and Redis.
            wait_until(lambda: starts() > before or all(  # noqa: B023
                container.store.get_proposal(i).state is State.PUBLISHED for i in ids),
                timeout=30, explain=situation)
            time.sleep(0.013 * (round_ % 9))
        finally:
            # Even when the wait fails: a stray worker would serve the next test run's
            # database and steal its jobs.
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
    x_standin.set_latency(0.0, "create")
    survivor = start_worker(url, x_standin, "survivor", log)
    try:
        wait_until(lambda: all(container.store.get_proposal(i).state is State.PUBLISHED
                               for i in ids), timeout=60, explain=situation)
    finally:
        survivor.terminate()
        survivor.wait(10)
    posted = [p.text for p in x_standin.posts]
    assert sorted(posted) == sorted(texts)  # every one, and none twice
    actions = [e.action for e in container.store.audit_entries()]
    # The kills did land mid-publish: some proposals were started more than once.
    assert actions.count("publish_started") > len(texts)

    for proposal_id in ids:
        proposal = container.store.get_proposal(proposal_id)
        assert proposal.x_post_id in {p.id for p in x_standin.posts}


def test_a_redis_restart_loses_nothing_and_the_worker_reconnects(redis_server_factory, x_standin):
    server = redis_server_factory()
    client = connect(server.url)
    container = build(settings_for(), redis_client=client,
                      x_gateway=TweepyXGateway.from_credentials(x_standin.credentials,
                                                                api_url=x_standin.url))
    worker = container.worker("restart-worker", block_ms=100)
    worker.start()
    try:
        first, _ = container.workflow.propose(
            STAFF, "児童館の冬休みイベントのお知らせです。", "event")
        container.workflow.approve(CHIEF, first.id, 1)
        wait_until(lambda: container.store.get_proposal(first.id).state is State.PUBLISHED)
        server.restart()
        second, _ = container.workflow.propose(STAFF, "子育て相談の窓口が年末年始はお休みです。",
                                               "info")
        container.workflow.approve(CHIEF, second.id, 1)
        wait_until(lambda: container.store.get_proposal(second.id).state is State.PUBLISHED,
                   timeout=30)
    finally:
        worker.stop()
    assert {p.text for p in x_standin.posts} == {"児童館の冬休みイベントのお知らせです。",
                                                  "子育て相談の窓口が年末年始はお休みです。"}
    entries = list(container.store.audit_entries())
    assert verify(entries).ok
    actions = [e.action for e in entries]
    assert actions.count("approved") == 2 and actions.count("x_published") == 2
