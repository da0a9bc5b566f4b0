"""Acknowledgement latency of the Teams endpoint: xpost against a bare botbuilder bot.

Both are aiohttp servers on the legacy `BotFrameworkAdapter`, in this process, replying
to the same local Bot Connector stand-in; the bare bot only replies ("ok", or a fixed
card for an invoke). Measured: the HTTP round trip of a proposal message
(`xpost event ...`, which checks the policy, stores the proposal and replies) and of an
approval click (`adaptiveCard/action`, which decides and answers with the refreshed
card). Requests go one at a time, alternating between the two bots, so both see the
same machine load. Redis is a private redis-server on a free port, with Redis's default durability.

    /work/venv/bin/python bench/bench_teams_ack.py [--requests 300]

Numbers are reported, never asserted: a shared machine's timings are not a test.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiohttp import web
from botbuilder.core import (
    BotFrameworkAdapter,
    BotFrameworkAdapterSettings,
    InvokeResponse,
    TurnContext,
)
from botbuilder.schema import Activity

from adapters.bootstrap import build
from adapters.redis import connect
from adapters.settings import load_settings
from adapters.teams_standin import BotConnectorStandIn
from adapters.web import build_web_app
from chatbot.model import Actor
from tests.redis_fixtures import redis_server_executable
from tests.teams.harness import Person, ServerThread, TeamsClient

CHIEF = Person("aad-chief", "課長")
STAFF = Person("aad-staff", "職員")
FIXED_CARD = {"type": "AdaptiveCard", "version": "1.4",
              "body": [{"type": "TextBlock", "text": "ok"}]}


def start_redis(directory: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A private redis-server with Redis's default durability (no fsync on every write)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [redis_server_executable(), "--port", str(port), "--bind", "127.0.0.1", "--dir",
         str(directory), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(200):
        try:
            connect(url).ping()
            return process, url
        except Exception:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("redis-server did not start")


def bare_bot_app() -> web.Application:
    """The least a botbuilder bot can do: reply to a message, answer an invoke."""
    adapter = BotFrameworkAdapter(BotFrameworkAdapterSettings("", ""))

    async def on_turn(context: TurnContext) -> None:
        if context.activity.type == "message":
            await context.send_activity("ok")
        elif context.activity.type == "invoke":
            body = {"statusCode": 200, "type": "application/vnd.microsoft.card.adaptive",
                    "value": FIXED_CARD}
            await context.send_activity(Activity(type="invokeResponse",
                                                 value=InvokeResponse(status=200, body=body)))

    async def messages(request: web.Request) -> web.Response:
        activity = Activity().deserialize(await request.json())
        response = await adapter.process_activity(activity, "", on_turn)
        if response is not None:
            return web.json_response(response.body, status=response.status)
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    return app


def timed(send: Any) -> float:
    started = time.perf_counter()
    response = send()
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{response.status_code}: {response.text[:200]}")
    return elapsed * 1000


def replied(connector: BotConnectorStandIn, conversation: str, send: Any) -> float:
    """Milliseconds until the bot's answer reached the Bot Connector (after or before the ack)."""
    before = len(connector.messages(conversation))
    started = time.perf_counter()
    response = send()
    if response.status_code != 200:
        raise RuntimeError(f"{response.status_code}: {response.text[:200]}")
    connector.wait_for(lambda _calls: len(connector.messages(conversation)) > before, 10)
    return (time.perf_counter() - started) * 1000


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def report(name: str, xpost: list[float], bare: list[float]) -> None:
    x50, x99 = percentile(xpost, 50), percentile(xpost, 99)
    b50, b99 = percentile(bare, 50), percentile(bare, 99)
    print(f"{name:<18} xpost p50 {x50:6.2f} ms  p99 {x99:6.2f} ms | bare p50 {b50:6.2f} ms  "
          f"p99 {b99:6.2f} ms | ratio p50 {x50 / b50:4.2f}  p99 {x99 / b99:4.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    args = parser.parse_args()
    total = args.requests + args.warmup

    with tempfile.TemporaryDirectory() as scratch, BotConnectorStandIn() as connector:
        redis_process, redis_url = start_redis(Path(scratch))
        try:
            client = connect(redis_url)
            settings = load_settings(
                teams_enabled=True, teams_chief_ids=CHIEF.aad, teams_app_id="",
                teams_app_password=None, teams_app_tenant_id="",
                teams_approval_conversation="19:approvals", teams_service_url=connector.url,
                slack_bot_token=None, slack_signing_secret=None, x_api_key=None)
            container = build(settings, redis_client=client)
            xpost = ServerThread(build_web_app(container)).start()
            bare = ServerThread(bare_bot_app()).start()
            to_xpost = TeamsClient(xpost.url, connector.url)
            to_bare = TeamsClient(bare.url, connector.url)

            author = Actor(platform="teams", user_id=STAFF.aad, name=STAFF.name)
            pending = [container.workflow.propose(author, f"子ども食堂のお知らせ 第{i}回です。",
                                                  "event")[0].id for i in range(total)]

            message_times: dict[str, list[float]] = {"xpost": [], "bare": []}
            reply_times: dict[str, list[float]] = {"xpost": [], "bare": []}
            invoke_times: dict[str, list[float]] = {"xpost": [], "bare": []}
            for i in range(total):
                text = f"xpost event 12月{i % 28 + 1}日の子ども食堂 第{i}回のお知らせです。"
                before = len(connector.messages(STAFF.personal_conversation))
                x_ms = timed(lambda t=text: to_xpost.say(STAFF, t))
                # Its answer is still being worked on: let it finish before timing the bare
                # bot, so neither measurement carries the other's work.
                connector.wait_for(lambda _c, n=before: len(
                    connector.messages(STAFF.personal_conversation)) > n, 10)
                b_ms = timed(lambda t=text: to_bare.say(STAFF, t, "a:bare"))
                data = {"id": pending[i], "version": 1}
                xi_ms = timed(lambda d=data: to_xpost.click(CHIEF, "xpost_approve", d,
                                                            "19:approvals", "activity-1"))
                bi_ms = timed(lambda d=data: to_bare.click(CHIEF, "xpost_approve", d,
                                                           "19:approvals", "activity-1"))
                xr_ms = replied(connector, "a:reply-xpost",
                                lambda t=text: to_xpost.say(STAFF, t + "。", "a:reply-xpost"))
                br_ms = replied(connector, "a:reply-bare",
                                lambda t=text: to_bare.say(STAFF, t + "。", "a:reply-bare"))
                if i >= args.warmup:
                    reply_times["xpost"].append(xr_ms)
                    reply_times["bare"].append(br_ms)
                    message_times["xpost"].append(x_ms)
                    message_times["bare"].append(b_ms)
                    invoke_times["xpost"].append(xi_ms)
                    invoke_times["bare"].append(bi_ms)

            approved = sum(1 for p in pending
                           if container.workflow.get(p).state.value == "approved")
            print(f"{args.requests} requests of each kind after {args.warmup} warm-up; "
                  f"{approved}/{total} proposals approved by the clicks")
            report("proposal message", message_times["xpost"], message_times["bare"])
            report("approval invoke", invoke_times["xpost"], invoke_times["bare"])
            report("message → reply", reply_times["xpost"], reply_times["bare"])
            print(f"mean: message {statistics.mean(message_times['xpost']):.2f} vs "
                  f"{statistics.mean(message_times['bare']):.2f} ms, invoke "
                  f"{statistics.mean(invoke_times['xpost']):.2f} vs "
                  f"{statistics.mean(invoke_times['bare']):.2f} ms")
            xpost.stop()
            bare.stop()
            client.close()
        finally:
            redis_process.kill()
            redis_process.wait()


if __name__ == "__main__":
    main()
