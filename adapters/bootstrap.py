"""The composition root: the one place that turns settings into a running xpost.

Entry points (`xpost web`, `xpost worker`, `xpost local`) and the tests call
`build(settings, ...)`; tests pass their own clock, Redis client or X gateway
instead of patching globals. No module builds its own clients at import time.
"""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass, field

import redis

from adapters.redis import RedisEventFeed, RedisJobQueue, RedisStore, connect
from adapters.settings import Settings, SettingsError
from chatbot.commands import CommandRunner
from chatbot.ports import Clock, Notifier, SystemClock, XGateway
from chatbot.publishing import Publisher
from chatbot.roles import RoleDirectory
from chatbot.worker import Worker
from chatbot.workflow import Workflow
from policies import Policy, PolicyChecker, load_policy

log = logging.getLogger(__name__)


@dataclass
class Container:
    settings: Settings
    policy: Policy
    checker: PolicyChecker
    roles: RoleDirectory
    clock: Clock
    redis: redis.Redis
    store: RedisStore
    queue: RedisJobQueue
    events: RedisEventFeed
    workflow: Workflow
    commands: CommandRunner
    x: XGateway | None = None
    notifiers: list[Notifier] = field(default_factory=list)

    @property
    def account(self) -> str:
        return self.store.account

    @property
    def lang(self) -> str:
        return self.settings.language

    def publisher(self) -> Publisher:
        if self.x is None:
            raise SettingsError(
                "X の認証情報がありません: X_API_KEY, X_API_SECRET, X_ACCESS_TOKEN, "
                "X_ACCESS_TOKEN_SECRET を設定してください / X credentials are not set")
        return Publisher(self.store, self.queue, self.x, self.clock,
                         self.policy.workflow.x_username, costs=self.policy.costs,
                         posting_hours=self.policy.posting_hours)

    def worker(self, consumer: str | None = None, publishing: bool = True,
               **options: object) -> Worker:
        """The worker; `publishing=False` for one that only tells the chats (needs no X)."""
        return Worker(self.workflow, self.publisher() if publishing else None, self.queue,
                      self.events, self.notifiers, self.clock,
                      consumer=consumer or f"worker-{socket.gethostname()}",
                      **options)  # type: ignore[arg-type]


def build(
    settings: Settings,
    *,
    clock: Clock | None = None,
    redis_client: redis.Redis | None = None,
    x_gateway: XGateway | None = None,
) -> Container:
    """Everything xpost needs, wired from settings; chat notifiers are added by the caller."""
    policy = load_policy(settings.policy_path)
    if redis_client is None:
        if not settings.redis_url:
            raise SettingsError("REDIS_URL が設定されていません / REDIS_URL is not set "
                                "(xpost local starts an embedded Redis by itself)")
        redis_client = connect(settings.redis_url)
    account = policy.workflow.x_username
    checker = PolicyChecker(policy)
    clock = clock or SystemClock()
    roles = RoleDirectory(settings.chief_ids(), settings.delegate_ids())
    store = RedisStore(redis_client, account)
    queue = RedisJobQueue(redis_client, account, reclaim_after_ms=settings.reclaim_after_ms)
    events = RedisEventFeed(redis_client, account, reclaim_after_ms=settings.reclaim_after_ms)
    workflow = Workflow(store, checker, policy, roles, clock, queue=queue,
                        lang=settings.language)
    if x_gateway is None and settings.x_configured:
        x_gateway = _x_gateway(settings)
    return Container(
        settings=settings, policy=policy, checker=checker, roles=roles, clock=clock,
        redis=redis_client, store=store, queue=queue, events=events, workflow=workflow,
        commands=CommandRunner(workflow, settings.language), x=x_gateway,
    )


def _x_gateway(settings: Settings) -> XGateway:
    from adapters.x_gateway import TweepyXGateway

    assert settings.x_api_key and settings.x_api_secret  # x_configured checked it
    assert settings.x_access_token and settings.x_access_token_secret
    return TweepyXGateway(
        api_key=settings.x_api_key.get_secret_value(),
        api_secret=settings.x_api_secret.get_secret_value(),
        access_token=settings.x_access_token.get_secret_value(),
        access_token_secret=settings.x_access_token_secret.get_secret_value(),
        api_url=settings.x_api_url,
    )


def chat_notifiers(container: Container) -> list[Notifier]:
    """A notifier for each chat that is configured (Slack, Teams); the worker runs them."""
    notifiers: list[Notifier] = []
    if container.settings.slack_configured:
        from adapters.slack import build_notifier as slack_notifier

        notifiers.append(slack_notifier(container))
    if container.settings.teams_configured:
        from adapters.teams import build_notifier as teams_notifier

        notifiers.append(teams_notifier(container))
    return notifiers
