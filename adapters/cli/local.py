"""`xpost local`: run the whole bot on this machine, no Slack, Teams or X needed.

Thin on purpose: arguments, logging, signals; `adapters.local.stack` does the work.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

from adapters.local.people import CHIEF, STAFF
from adapters.local.stack import DEFAULT_DATA_DIR, DEFAULT_PORT, LocalStack
from adapters.settings import SettingsError
from policies import Policy, PolicyFileError, load_policy
from policies.model import default_policy_path

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
# The promise is "stopped within 10 s"; past this the rest is cut short (Redis last).
GRACEFUL_STOP_S = 7.0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "local",
        help="ボット全体をこのパソコンだけで動かす / run the whole bot locally",
        description="Slack・Teams・X なしで、ボット全体をこのパソコンだけで動かします。"
                    " / Run the whole bot on this machine, with local stand-ins for "
                    "Slack and X.",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help="ワークスペース画面のポート / port of the workspace page "
                             f"(default {DEFAULT_PORT}, on 127.0.0.1 only)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR,
                        help="データの保存先 / where Redis keeps its data "
                             f"(default {DEFAULT_DATA_DIR})")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    stack = LocalStack(port=args.port, data_dir=args.data,
                       redis_url=os.environ.get("REDIS_URL") or None)
    try:
        return asyncio.run(_serve_until_stopped(stack))
    except (SettingsError, PolicyFileError) as error:
        # A policy edit being rehearsed may not parse: say where, no traceback.
        print(f"xpost local: {error}", file=sys.stderr)
        return 2


async def _serve_until_stopped(stack: LocalStack) -> int:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, stopping.set)
    try:
        await stack.start()
    except OSError as error:
        print(f"xpost local: 起動できませんでした / could not start: {error}\n"
              "ポートが使用中なら --port で別の番号を指定してください / "
              "if the port is taken, choose another with --port", file=sys.stderr)
        return 1
    print(banner(stack), flush=True)
    try:
        await stopping.wait()
    finally:
        print("\n停止しています… / stopping…", flush=True)
        try:
            await asyncio.wait_for(stack.stop(), timeout=GRACEFUL_STOP_S)
        except TimeoutError:
            stack.stop_redis_now()
        print("停止しました。データは残っています / stopped; your data is kept "
              f"({'REDIS_URL' if stack.redis_url else stack.data_dir})", flush=True)
    return 0


def posting_hours_line(policy: Policy) -> str:
    """e.g. "mon-fri 08:30-19:00 Asia/Tokyo": what the section's policy file says."""
    ph = policy.posting_hours
    days = ",".join(ph.weekdays)
    return f"{days} {ph.start:%H:%M}-{ph.end:%H:%M} {ph.timezone}"


def banner(stack: LocalStack) -> str:
    redis_line = ("REDIS_URL の Redis / the Redis at REDIS_URL" if stack.redis_url
                  else f"内蔵 Redis / embedded Redis, data: {stack.data_dir}")
    policy = stack.container.settings.policy_path if stack.container else None
    hours = posting_hours_line(stack.container.policy if stack.container else load_policy())
    return "\n".join([
        "",
        "xpost をローカルで起動しました（Slack・X には接続しません）。",
        "xpost is running locally (it never contacts Slack or X).",
        "",
        f"  ブラウザで開く / open in your browser:  {stack.page_url}",
        "",
        f"はじめに: 「{STAFF.name}」として #proposals に投稿案を書いて送信し、",
        f"「{CHIEF.name}」に切り替えて #approvals の「承認」を押すと、右の X タイムラインに",
        "投稿が出て、#notifications に通知が届きます。",
        f"First: as {STAFF.name} (staff) type a proposal in #proposals and send it;",
        f"switch to {CHIEF.name} (chief), press 承認 (approve) in #approvals; the post",
        "appears on the X timeline and in #notifications.",
        "",
        f"投稿時間帯（{hours}）の外に承認した投稿は、次の時間帯まで待ちます。",
        "すぐに出すには課長が「緊急として承認」を押します（理由が記録されます）。",
        f"Outside the posting hours ({hours}) approved posts wait for the next window;",
        "\"approve as urgent\" (with a reason) sends one at once.",
        "",
        f"  ポリシー / policy: {policy or default_policy_path()}",
        f"  {redis_line}",
        f"  ボット / bot: {stack.bot_url}/healthz",
        "  停止は Ctrl-C / Ctrl-C stops everything",
        "",
    ])
