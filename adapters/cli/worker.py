"""`xpost worker`: publishes approved posts and tells the chats, until SIGTERM or Ctrl-C."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from typing import Any

from adapters.bootstrap import chat_notifiers
from adapters.cli._common import container_or_exit, setup_logging
from adapters.settings import SettingsError

log = logging.getLogger("xpost.worker")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "worker", help="承認済みの投稿を X に投稿する / publish approved posts")
    parser.add_argument("--name", help="consumer name (default: worker-<hostname>)")
    parser.add_argument(
        "--only", choices=["publish", "notify"],
        help="publish: X だけ / notify: チャットへの通知だけ (default: both in one process)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    setup_logging()
    container = container_or_exit()
    if args.only != "publish":  # a publishing-only worker tells no chat: build none
        container.notifiers = chat_notifiers(container)
    try:
        worker = container.worker(consumer=args.name, publishing=args.only != "notify")
    except SettingsError as error:
        sys.stderr.write(f"xpost: {error}\n")
        return 2

    def stop(signum: int, _frame: object) -> None:
        log.info("signal %d: stopping", signum)
        worker.stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("worker %s started for @%s (%s)", worker.consumer, container.account,
             args.only or "publish and notify")
    worker.run_forever(args.only)
    log.info("worker stopped")
    return 0
