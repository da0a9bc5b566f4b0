"""Microsoft Teams front end: `POST /api/messages`, Adaptive Cards, and the notifier.

`mount(app, container)` adds the endpoint to the `xpost web` server;
`build_notifier(container)` gives the worker a Notifier that posts to Teams.
Every botbuilder import of the project stays inside this package (see connector.py).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiohttp import web

    from adapters.bootstrap import Container
    from adapters.teams.notifier import TeamsNotifier

log = logging.getLogger(__name__)

MESSAGES_PATH = "/api/messages"


def mount(app: web.Application, container: Container) -> None:
    from adapters.teams.bot import TeamsBot
    from adapters.teams.connector import TeamsConnector
    from adapters.teams.directory import TeamsDirectory
    from adapters.teams.endpoint import TeamsEndpoint

    directory = TeamsDirectory(container.redis, container.account)
    connector = TeamsConnector(container.settings, directory)
    if connector.auth_enabled:
        log.info("Teams: %s ready; Bot Framework tokens are validated on every request",
                 MESSAGES_PATH)
    else:
        log.warning("Teams: authentication is OFF (no MicrosoftAppId, MicrosoftAppPassword or "
                    "MicrosoftAppTenantId set): for local use and tests only")
    endpoint = TeamsEndpoint(connector, TeamsBot(container, directory))
    app.router.add_post(MESSAGES_PATH, endpoint.handle)


def build_notifier(container: Container) -> TeamsNotifier:
    from adapters.teams.notifier import TeamsNotifier

    return TeamsNotifier(container)
