"""`xpost web`: the aiohttp server for the chats (Slack `/slack/events`, Teams, /healthz).

With SLACK_APP_TOKEN set, Slack is reached over Socket Mode as well (no public URL
needed); the HTTP server keeps serving /healthz and the other chats.
"""

from __future__ import annotations

import argparse
import logging
import sys

from aiohttp import web

from adapters.cli._common import container_or_exit, setup_logging
from adapters.settings import SettingsError

EXIT_SETTINGS = 2

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "web", help="チャットの受け口を起動する / serve Slack and Teams",
        description="Slack・Teams からの要求を受ける HTTP サーバを起動します（PORT、既定 3000）。"
                    " / Serve the chat front ends over HTTP on $PORT (default 3000).")
    parser.add_argument("--host", default="0.0.0.0", help="待ち受けるアドレス / bind address")
    parser.add_argument("--port", type=int, help="ポート（既定は $PORT）/ port (default $PORT)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    setup_logging()
    from adapters.web import build_web_app

    container = container_or_exit()
    settings = container.settings
    try:
        app = build_web_app(container)
        if settings.slack_configured and settings.slack_app_token is not None:
            from adapters.slack import SLACK_APP_KEY, start_socket_mode

            start_socket_mode(container, app.get(SLACK_APP_KEY))
            log.info("Slack: Socket Mode connected")
    except SettingsError as error:
        sys.stderr.write(f"xpost web: {error}\n")
        return EXIT_SETTINGS
    web.run_app(app, host=args.host, port=args.port or settings.port, print=None)
    return 0
