"""`POST /api/messages`: validate the Bot Framework token first, then run the turn.

A request whose token does not prove it comes from the Bot Framework for this bot is
answered 401 before anything is parsed into a command, stored or sent.

A message is acknowledged as soon as its token is proven and answered afterwards
(the answer is a message of its own through the Bot Connector either way), so Teams
never waits on the policy check or Redis. An `adaptiveCard/action` invoke runs before
the response, because its response is the refreshed card.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from botbuilder.schema import Activity, ActivityTypes
from botframework.connector.auth import ClaimsIdentity

from adapters.teams.bot import TeamsBot
from adapters.teams.connector import TeamsConnector, Unauthorized

log = logging.getLogger(__name__)


class TeamsEndpoint:
    def __init__(self, connector: TeamsConnector, bot: TeamsBot) -> None:
        self.connector = connector
        self.bot = bot
        self._running: set[asyncio.Task[None]] = set()  # held so they are not collected

    async def handle(self, request: web.Request) -> web.Response:
        if "application/json" not in request.content_type:
            return web.Response(status=415)
        try:
            activity = Activity().deserialize(await request.json())
        except Exception:  # not JSON, or not an activity
            return web.Response(status=400)
        try:
            identity = await self.connector.authenticate(
                activity, request.headers.get("Authorization", ""))
        except Unauthorized as refused:
            # Never log the header itself: a valid token is a credential.
            log.warning("Teams: refused a request without a valid token (%s)", refused)
            return web.Response(status=401)
        if not activity.type or activity.conversation is None:
            return web.Response(status=400)
        if activity.type == ActivityTypes.message:
            task = asyncio.create_task(self._run_message(activity, identity))
            self._running.add(task)
            task.add_done_callback(self._running.discard)
            return web.Response(status=200)
        try:
            response = await self.connector.adapter.process_activity_with_identity(
                activity, identity, self.bot.on_turn)
        except Exception:
            log.exception("Teams: the %s activity failed", activity.type)
            return web.Response(status=500)
        if response is not None:
            return web.json_response(response.body, status=response.status)
        return web.Response(status=200)

    async def _run_message(self, activity: Activity, identity: ClaimsIdentity) -> None:
        try:
            await self.connector.adapter.process_activity_with_identity(
                activity, identity, self.bot.on_turn)
        except Exception:
            log.exception("Teams: answering message %s failed", activity.id)
