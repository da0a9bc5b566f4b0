"""One section running Slack and Teams at once: one proposal, one decision, both chats show it.

The real `xpost web` serves both chats; the Slack, Bot Connector and X stand-ins and
a real Redis stand behind it; the worker runs both chats' notifiers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import redis

from adapters.bootstrap import Container, build, chat_notifiers
from adapters.slack_standin import SlackStandIn, buttons
from adapters.teams_standin import BotConnectorStandIn
from adapters.web import build_web_app
from adapters.x_gateway import TweepyXGateway
from adapters.x_standin import XStandIn
from chatbot.model import State
from tests.slack.conftest import APPROVAL as SLACK_APPROVAL
from tests.slack.conftest import BOT_TOKEN, SIGNING_SECRET, eventually, settings_for
from tests.slack.conftest import CHIEF as SLACK_CHIEF
from tests.slack.conftest import STAFF as SLACK_STAFF
from tests.teams.conftest import APPROVALS, CHIEF, NOTIFY, STAFF, TeamsStack
from tests.teams.harness import ServerThread, TeamsClient

pytestmark = pytest.mark.redis

TEXT = "12月1日(土)10時から子ども食堂を開きます。"


@dataclass
class TwoChats:
    teams: TeamsStack
    slack: SlackStandIn
    container: Container

    def slack_card(self, proposal_id: str) -> dict[str, Any]:
        return eventually(lambda: next((m for m in self.slack.messages(SLACK_APPROVAL)
                                        if proposal_id in m.get("text", "")), None),
                          what=f"the Slack card of {proposal_id}")


@pytest.fixture
def two_chats(redis_client: redis.Redis, connector: BotConnectorStandIn,
              x_standin: XStandIn) -> Iterator[TwoChats]:
    with SlackStandIn(SIGNING_SECRET, bot_token=BOT_TOKEN) as slack:
        slack.add_user(SLACK_CHIEF, "課長 狛江")
        slack.add_user(SLACK_STAFF, "職員 多摩")
        settings = settings_for(
            slack, x_standin, teams_enabled=True, teams_chief_ids=CHIEF.aad,
            teams_approval_conversation=APPROVALS, teams_notify_conversation=NOTIFY,
            teams_service_url=connector.url, teams_app_id="", teams_app_password=None,
            teams_app_tenant_id="")
        gateway = TweepyXGateway.from_credentials(x_standin.credentials, api_url=x_standin.url)
        container = build(settings, redis_client=redis_client, x_gateway=gateway)
        container.notifiers = chat_notifiers(container)
        server = ServerThread(build_web_app(container)).start()
        slack.bot_url = server.url
        worker = container.worker("two-chats", block_ms=100, tick_seconds=3600)
        worker.start()
        stack = TeamsStack(container, TeamsClient(server.url, connector.url), connector,
                           x_standin, worker)
        try:
            yield TwoChats(stack, slack, container)
        finally:
            worker.stop()
            server.stop()


def test_proposed_in_slack_decided_in_teams(two_chats: TwoChats) -> None:
    assert two_chats.slack.send_command(SLACK_STAFF, f"event {TEXT}").status == 200
    slack_card = two_chats.slack_card("P-0001")
    teams_card = two_chats.teams.approval_card("P-0001")

    answer = two_chats.teams.approve(teams_card)
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    posts = two_chats.teams.published(1)
    link = f"https://x.com/komae_kosodate/status/{posts[0].id}"

    # Both chats show the final state: Slack's card lost its buttons and shows the link.
    eventually(lambda: link in str(two_chats.slack_card("P-0001")["blocks"]),
               what="the link on the Slack card")
    assert buttons(two_chats.slack_card("P-0001")) == []
    assert two_chats.slack_card("P-0001")["ts"] == slack_card["ts"]
    two_chats.teams.wait_card_update(teams_card.activity_id, link)

    # A late click in Slack finds it decided: still one decision, one post.
    two_chats.slack.click(SLACK_CHIEF, slack_card, "xpost_approve")
    proposal = two_chats.container.workflow.get("P-0001")
    assert len(proposal.decisions) == 1 and proposal.state is State.PUBLISHED
    assert len(two_chats.teams.x.posts) == 1


def test_proposed_in_teams_decided_in_slack(two_chats: TwoChats) -> None:
    two_chats.teams.teams.say(STAFF, f"xpost event {TEXT}")
    teams_card = two_chats.teams.approval_card("P-0001")
    slack_card = two_chats.slack_card("P-0001")

    assert two_chats.slack.click(SLACK_CHIEF, slack_card, "xpost_approve").status == 200
    posts = two_chats.teams.published(1)
    link = f"https://x.com/komae_kosodate/status/{posts[0].id}"
    updated = two_chats.teams.wait_card_update(teams_card.activity_id, link)
    assert "xpost_approve" not in str(updated.card)  # no buttons left on the Teams card
    two_chats.teams.wait_message(STAFF.personal_conversation, link)  # the author heard

    late = two_chats.teams.approve(teams_card)
    assert "判断済み" in late["value"]
    assert len(two_chats.teams.x.posts) == 1
