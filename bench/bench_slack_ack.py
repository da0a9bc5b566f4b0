"""How fast Slack gets its acknowledgement of `/xpost TEXT`, against a bolt app that only acks.

Both apps are served the same way (aiohttp → `adapters.slack.serve_with` → bolt), in
the same process and run, with signed requests from 20 concurrent clients. xpost's
app then does the whole proposal (policy check, Redis commit, the answer through
the `response_url`) after the ack; the run waits until every proposal is stored and
answered, so that work competes for the same two cores while acks are measured.

Run: python bench/bench_slack_ack.py [--requests 400] [--clients 20]
Needs Redis (XPOST_BENCH_REDIS_URL, default redis://127.0.0.1:6379, a free db 1..15).
Targets: p99 under 100 ms, and p99 at most 2x the bare app's.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
from aiohttp import web
from slack_bolt import Ack, App
from slack_sdk import WebClient

from adapters.bootstrap import Container, build
from adapters.redis import connect
from adapters.settings import load_settings
from adapters.slack import EVENTS_PATH, serve_with
from adapters.slack.app import build_slack_app
from adapters.slack_standin import SlackStandIn, sign

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"
TEXT = "event 12月1日（土）10時から、市民センターで子ども食堂を開きます。どなたでもどうぞ。"
TARGET_P99_MS = 100.0
TARGET_RATIO = 2.0


def free_db() -> tuple[int, IO[str]]:
    for db in range(15, 0, -1):
        handle = open(Path(tempfile.gettempdir()) / f"xpost-test-redis-db-{db}.lock", "w")  # noqa: SIM115
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return db, handle
        except BlockingIOError:
            handle.close()
    raise SystemExit("every Redis db 1..15 is in use by a test run")


def bare_app(slack: SlackStandIn) -> App:
    app = App(client=WebClient(token=TOKEN, base_url=slack.api_url), signing_secret=SECRET,
              token_verification_enabled=False, process_before_response=False)

    @app.command("/xpost")
    def ack_only(ack: Ack) -> None:
        ack()

    return app


def served(bolt: App) -> web.Application:
    app = web.Application()
    app.router.add_post(EVENTS_PATH, serve_with(bolt))
    return app


class Loop:
    """An event loop in a thread, serving aiohttp apps on free ports."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()

    def serve(self, app: web.Application) -> str:
        async def start() -> str:
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            return f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]

        return asyncio.run_coroutine_threadsafe(start(), self.loop).result(10)


async def hammer(url: str, slack: SlackStandIn, requests: int, clients: int,
                 offset: int) -> list[float]:
    """Latencies (ms) of `requests` signed commands from `clients` concurrent clients."""
    latencies: list[float] = []
    counter = iter(range(requests))

    async def client(session: aiohttp.ClientSession, number: int) -> None:
        for index in counter:
            body = urlencode({
                "command": "/xpost", "text": TEXT, "user_id": f"U_BENCH{number:02d}",
                "user_name": f"bench{number}", "channel_id": "C_STAFF", "team_id": "T0KOMAE",
                "trigger_id": f"{offset + index}.bench",
                "response_url": slack._response_url(_reply(number)),
            })
            stamp = str(int(time.time()))
            headers = {"Content-Type": "application/x-www-form-urlencoded",
                       "X-Slack-Request-Timestamp": stamp,
                       "X-Slack-Signature": sign(SECRET, stamp, body)}
            started = time.perf_counter()
            async with session.post(url + EVENTS_PATH, data=body.encode(), headers=headers) as r:
                await r.read()
                assert r.status == 200, r.status
            latencies.append((time.perf_counter() - started) * 1000)

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=clients)) as session:
        await asyncio.gather(*(client(session, n) for n in range(clients)))
    return latencies


def _reply(number: int) -> Any:
    from adapters.slack_standin import _Reply

    return _Reply("C_STAFF", f"U_BENCH{number:02d}")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def wait_for_answers(slack: SlackStandIn, container: Container, expected: int,
                     timeout: float = 120.0) -> float:
    started = time.perf_counter()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(slack.calls("response_url")) >= expected:
            return time.perf_counter() - started
        time.sleep(0.02)
    raise SystemExit(f"only {len(slack.calls('response_url'))} of {expected} answers arrived")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    db, _lock = free_db()
    base = os.environ.get("XPOST_BENCH_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/")
    client = connect(f"{base}/{db}")
    client.flushdb()
    with SlackStandIn(SECRET, bot_token=TOKEN) as slack:
        for number in range(args.clients):
            slack.add_user(f"U_BENCH{number:02d}", f"bench {number}")
        settings = load_settings(slack_bot_token=TOKEN, slack_signing_secret=SECRET,
                                 slack_api_url=slack.api_url, slack_staff_channel="C_STAFF")
        container = build(settings, redis_client=client)
        loop = Loop()
        xpost_url = loop.serve(served(build_slack_app(container)))
        bare_url = loop.serve(served(bare_app(slack)))

        def run(url: str, offset: int) -> list[float]:
            coroutine = hammer(url, slack, args.requests, args.clients, offset)
            return asyncio.run_coroutine_threadsafe(coroutine, loop.loop).result(600)

        run(bare_url, 10_000_000)  # warm-up: connections, imports, users.info caches
        run(xpost_url, 20_000_000)
        answers = args.requests  # only xpost answers through the response_url
        wait_for_answers(slack, container, answers)
        bare: list[float] = []
        xpost: list[float] = []
        drain: list[float] = []
        for round_ in range(args.rounds):  # interleaved, so both see the same machine
            bare += run(bare_url, 30_000_000 + round_ * 100_000)
            xpost += run(xpost_url, 40_000_000 + round_ * 100_000)
            answers += args.requests
            drain.append(wait_for_answers(slack, container, answers))
        stored = len(container.store.list_proposals(limit=100_000))
    client.flushdb()

    p50_bare, p99_bare = percentile(bare, 50), percentile(bare, 99)
    p50_xpost, p99_xpost = percentile(xpost, 50), percentile(xpost, 99)
    ratio = p99_xpost / p99_bare
    print(f"{args.clients} concurrent clients, {len(xpost)} commands per app "
          f"({args.rounds} interleaved rounds), {os.cpu_count()} CPUs")
    print(f"bare bolt (ack only): p50 {p50_bare:6.1f} ms  p99 {p99_bare:6.1f} ms  "
          f"mean {statistics.mean(bare):6.1f} ms")
    print(f"xpost /xpost TEXT   : p50 {p50_xpost:6.1f} ms  p99 {p99_xpost:6.1f} ms  "
          f"mean {statistics.mean(xpost):6.1f} ms")
    print(f"ratio p50 {p50_xpost / p50_bare:.2f}  p99 {ratio:.2f} (target <= {TARGET_RATIO})")
    print(f"proposals stored: {stored}; answers drained {max(drain):.2f} s after the last ack "
          "(worst round)")
    ok = p99_xpost < TARGET_P99_MS and ratio <= TARGET_RATIO
    print("targets met" if ok else "targets NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
