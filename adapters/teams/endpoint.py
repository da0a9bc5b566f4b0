"""`POST /api/messages`: validate the Bot Framework token first, then run the turn.

A request whose token does not prove it comes from the Bot Framework for this bot is
answered 401 before anything is parsed into a command, stored or sent.
"""

from __future__ import annotations

import logging

from aiohttp import web
from botbuilder.schema import Activity

from adapters.teams.bot import TeamsBot
from adapters.teams.connector import TeamsConnector, Unauthorized

log = logging.getLogger(__name__)


class TeamsEndpoint:
    def __init__(self, connector: TeamsConnector, bot: TeamsBot) -> None:
        self.connector = connector
        self.bot = bot

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
        try:
            response = await self.connector.adapter.process_activity_with_identity(
                activity, identity, self.bot.on_turn)
        except Exception:
            log.exception("Teams: the %s activity failed", activity.type)
            return web.Response(status=500)
        if response is not None:
            return web.json_response(response.body, status=response.status)
        return web.Response(status=200)
