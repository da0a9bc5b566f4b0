"""Slack front end: `/xpost`, buttons, modals and channel messages, and the notifier.

    mount(web_app, container)        POST /slack/events on the shared aiohttp server
    start_socket_mode(container)     or Socket Mode, when SLACK_APP_TOKEN is set
    build_notifier(container)        the worker's SlackNotifier

Following "the chief clicks approve": `listeners.SlackListeners.on_one_click` →
`Workflow.approve` → (worker) `notifier.SlackNotifier` updates the card.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiohttp import web
from slack_bolt import App

from adapters.bootstrap import Container
from adapters.slack.app import build_slack_app, dispatch, web_client
from adapters.slack.notifier import SlackNotifier

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
SLACK_APP_KEY = web.AppKey("slack_app", App)
# bolt's dispatch blocks until ack(): a pool of its own keeps it off the event loop.
DISPATCH_THREADS = 32

__all__ = ["EVENTS_PATH", "build_notifier", "build_slack_app", "mount", "start_socket_mode"]


def mount(app: web.Application, container: Container, slack_app: App | None = None) -> App:
    """`POST /slack/events`: the aiohttp request handed to bolt as it came."""
    bolt = slack_app or build_slack_app(container)
    app[SLACK_APP_KEY] = bolt
    app.router.add_post(EVENTS_PATH, serve_with(bolt))
    return bolt


def serve_with(bolt: App) -> Any:
    pool = ThreadPoolExecutor(DISPATCH_THREADS, thread_name_prefix="slack-dispatch")

    async def slack_events(request: web.Request) -> web.Response:
        body = (await request.read()).decode("utf-8", errors="replace")
        headers = {name.lower(): value for name, value in request.headers.items()}
        loop = asyncio.get_running_loop()
        answer = await loop.run_in_executor(pool, dispatch, bolt, body, headers,
                                            request.query_string)
        response = web.Response(status=answer.status, body=answer.body.encode("utf-8"))
        for name, values in answer.headers.items():
            if name.lower() not in ("content-length",):
                for value in values:
                    response.headers.add(name, value)
        return response

    return slack_events


def start_socket_mode(container: Container, slack_app: App | None = None) -> Any:
    """Connect to Slack over Socket Mode (no public URL needed); returns the handler."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    token = container.settings.slack_app_token
    if token is None:
        from adapters.settings import SettingsError

        raise SettingsError("SLACK_APP_TOKEN が設定されていません / SLACK_APP_TOKEN is not set")
    bolt = slack_app or build_slack_app(container)
    handler = SocketModeHandler(bolt, token.get_secret_value())
    handler.connect()
    return handler


def build_notifier(container: Container) -> SlackNotifier:
    return SlackNotifier(web_client(container), container.workflow, container.redis,
                         container.settings, container.roles, container.account, container.lang)
