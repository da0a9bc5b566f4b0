"""The bolt App: one per process, served over HTTP (`mount`) or Socket Mode alike.

Sync bolt, not AsyncApp: the core (Workflow, RedisStore) is synchronous, so async
listeners would only wrap every call in an executor. Bolt runs each listener in its
thread pool and answers Slack as soon as the listener calls `ack()`
(`process_before_response=False`), so the 3-second rule holds however slow Redis or
Slack are afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import redis
from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient

from adapters.bootstrap import Container
from adapters.settings import SettingsError
from adapters.slack.listeners import SlackListeners

log = logging.getLogger(__name__)

SEEN_TTL_SECONDS = 24 * 3600  # Slack retries within minutes; a day is plenty
LISTENER_THREADS = 16


def web_client(container: Container) -> WebClient:
    settings = container.settings
    if settings.slack_bot_token is None:
        raise SettingsError("SLACK_BOT_TOKEN が設定されていません / SLACK_BOT_TOKEN is not set")
    return WebClient(token=settings.slack_bot_token.get_secret_value(),
                     base_url=_with_slash(settings.slack_api_url))


def build_slack_app(container: Container, client: WebClient | None = None) -> App:
    settings = container.settings
    if settings.slack_signing_secret is None:
        raise SettingsError(
            "SLACK_SIGNING_SECRET が設定されていません / SLACK_SIGNING_SECRET is not set")
    client = client or web_client(container)
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        token_verification_enabled=False,  # no auth.test at start-up: Slack may be far away
        process_before_response=False,
        listener_executor=ThreadPoolExecutor(LISTENER_THREADS, thread_name_prefix="slack"),
    )
    app.middleware(once_only(container.redis, container.account))
    SlackListeners(container, client).register(app)
    return app


def once_only(client: redis.Redis, account: str) -> Callable[..., Any]:
    """A global middleware: a request Slack sends again is acknowledged, not acted on.

    Slack re-sends an event it thinks was lost (`X-Slack-Retry-Num`), and a slow
    network can deliver a command twice. The first delivery of each `event_id` or
    `trigger_id` claims it in Redis (SET NX, one day); later ones only get their 200.
    """

    def drop_repeats(body: dict[str, Any], next: Callable[[], None]) -> BoltResponse | None:
        delivery = _delivery_id(body)
        if delivery is not None:
            key = f"xpost:{account}:slack:seen:{delivery}"
            if not client.set(key, b"1", nx=True, ex=SEEN_TTL_SECONDS):
                log.info("Slack delivered %s again; acknowledged without acting", delivery)
                return BoltResponse(status=200, body="")
        next()
        return None

    return drop_repeats


def _delivery_id(body: dict[str, Any]) -> str | None:
    if body.get("event_id"):
        return f"event:{body['event_id']}"
    if body.get("command") and body.get("trigger_id"):
        return f"command:{body['trigger_id']}"
    return None


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def dispatch(app: App, body: str, headers: dict[str, str], query: str = "") -> BoltResponse:
    """One HTTP request from Slack through bolt (signature check, ack, listeners)."""
    return app.dispatch(BoltRequest(body=body, query=query, headers=headers))
