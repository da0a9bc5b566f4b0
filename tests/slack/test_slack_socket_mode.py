"""Socket Mode: the same bolt app, reached over a WebSocket instead of signed HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from adapters.slack import start_socket_mode
from adapters.slack_standin import SlackStandIn
from adapters.x_standin import XStandIn
from chatbot.model import State
from tests.slack.conftest import (
    BOT_TOKEN,
    SIGNING_SECRET,
    STAFF,
    STAFF_CHANNEL,
    World,
    eventually,
    start_world,
)

pytestmark = pytest.mark.redis

APP_TOKEN = "xapp-test-socket-token"


@pytest.fixture
def socket_world(x_standin: XStandIn, redis_client: redis.Redis) -> Iterator[World]:
    with SlackStandIn(SIGNING_SECRET, bot_token=BOT_TOKEN, socket_mode=True) as slack:
        slack.add_user(STAFF, "職員 多摩")
        world = start_world(slack, x_standin, redis_client, serve_http=False,
                            slack_app_token=APP_TOKEN)
        handler = start_socket_mode(world.container)
        try:
            assert slack.socket is not None and slack.socket.wait_connected(10)
            yield world
        finally:
            handler.close()
            world.worker.stop()


def test_one_command_round_trip(socket_world: World) -> None:
    slack = socket_world.slack
    ack = slack.send_command(STAFF, "event 12月1日（土）10時から子ども食堂を開きます。")
    assert ack.status == 200
    answer = eventually(lambda: [m for m in slack.messages(STAFF_CHANNEL)
                                 if "受け付け" in m.get("text", "")], what="the answer")
    proposal_id = answer[-1]["text"].split("投稿案 ")[1].split(" ")[0]
    assert socket_world.proposal(proposal_id).state is State.PENDING
    # apps.connections.open was asked with the app-level token, never the bot token.
    assert slack.calls("apps.connections.open")
    socket_world.wait_card(proposal_id)
