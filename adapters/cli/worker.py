"""`xpost worker`: publishes approved posts to X and tells the chats what happened.

SIGTERM (a platform stopping the dyno) and Ctrl-C stop it between steps: a job
being published finishes or stays claimed for the next worker, never half-done.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from types import FrameType

from adapters.settings import SettingsError, load_settings

EXIT_SETTINGS = 2

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "worker", help="投稿と通知のワーカーを起動する / run the publishing worker",
        description="承認済みの投稿を X に出し、チャットに知らせます。"
                    " / Publish approved posts to X and notify the chats.")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    from adapters.bootstrap import build, chat_notifiers

    try:
        container = build(load_settings())
        container.notifiers = chat_notifiers(container)
        worker = container.worker()
    except SettingsError as error:
        sys.stderr.write(f"xpost worker: {error}\n")
        return EXIT_SETTINGS

    def stop(signum: int, frame: FrameType | None) -> None:
        log.info("signal %s: stopping the worker", signal.Signals(signum).name)
        worker.stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("worker started for @%s with %d chat notifier(s)", container.account,
             len(container.notifiers))
    worker.run_forever()
    return 0
