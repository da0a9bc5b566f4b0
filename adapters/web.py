"""`xpost web`: one aiohttp server for every chat.

`POST /slack/events` (Slack), `POST /api/messages` (Teams) and `GET /healthz`.
Each chat package mounts its own routes; this module knows none of their details.
"""

from __future__ import annotations

import logging

from aiohttp import web

from adapters.bootstrap import Container

log = logging.getLogger(__name__)

CONTAINER = web.AppKey("container", Container)


async def healthz(request: web.Request) -> web.Response:
    container = request.app[CONTAINER]
    try:
        container.redis.ping()
        redis_ok = True
    except Exception:  # the answer says so; the server stays up and reconnects by itself
        redis_ok = False
    body = {"ok": redis_ok, "redis": redis_ok, "account": container.account}
    return web.json_response(body, status=200 if redis_ok else 503)


def build_web_app(container: Container) -> web.Application:
    app = web.Application(client_max_size=8 * 1024 * 1024)
    app[CONTAINER] = container
    app.router.add_get("/healthz", healthz)
    if container.settings.slack_configured:
        from adapters.slack import mount as mount_slack

        mount_slack(app, container)
    if container.settings.teams_configured:
        from adapters.teams import mount as mount_teams

        mount_teams(app, container)
    return app
