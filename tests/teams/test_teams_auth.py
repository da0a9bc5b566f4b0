"""With app credentials configured, only a valid Bot Framework token gets a request run.

The stand-in Bot Connector also plays the Bot Framework's token issuer (its own
OpenID metadata and signing key), so a valid token can be tested with no network.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import jwt
import pytest
import redis
from botframework.connector.auth import ChannelValidation
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.teams_standin import CHANNEL_TOKEN_ISSUER, BotConnectorStandIn
from tests.teams.conftest import STAFF, TeamsStack

pytestmark = pytest.mark.redis

APP_ID = "00000000-0000-0000-0000-00000000b07"
APP_PASSWORD = "never-in-a-log-7f3a"
TEXT = "xpost event 12月1日(土)10時から子ども食堂を開きます。"


@pytest.fixture
def secured(stack_factory: Callable[..., TeamsStack], connector: BotConnectorStandIn,
            monkeypatch: pytest.MonkeyPatch) -> TeamsStack:
    # The Bot Framework's OpenID metadata, served by the stand-in (restored after the test).
    monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint", connector.openid_url)
    return stack_factory(teams_app_id=APP_ID, teams_app_password=APP_PASSWORD,
                         teams_app_tenant_id="tenant-komae")


def _nothing_happened(stack: TeamsStack, client: redis.Redis) -> None:
    assert stack.container.store.list_proposals() == []
    # (the worker's own X identity check is audited; nothing a Teams person did is)
    assert [e for e in stack.container.store.audit_entries() if e.actor.startswith("teams:")] == []
    assert client.keys("xpost:*:teams:*") == []  # not even the conversation was remembered
    # (nor did anything reach Teams, bar the audit head the worker announces daily)
    assert [c for c in stack.connector.calls() if "監査ログの先頭" not in c.text] == []


def test_no_token_is_refused_and_runs_nothing(secured: TeamsStack,
                                              redis_client: redis.Redis) -> None:
    response = secured.teams.post(secured.teams.activity(STAFF, type="message", text=TEXT))
    assert response.status_code == 401
    _nothing_happened(secured, redis_client)


def test_forged_token_is_refused_and_runs_nothing(secured: TeamsStack,
                                                  redis_client: redis.Redis,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode({"iss": CHANNEL_TOKEN_ISSUER, "aud": APP_ID,
                         "serviceurl": secured.connector.url},
                        other_key, algorithm="RS256", headers={"kid": "standin"})
    activity = secured.teams.activity(STAFF, type="message", text=TEXT)
    response = secured.teams.post(activity, {"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
    _nothing_happened(secured, redis_client)
    assert forged not in caplog.text and APP_PASSWORD not in caplog.text


def test_token_for_another_bot_is_refused(secured: TeamsStack,
                                          redis_client: redis.Redis) -> None:
    token = secured.connector.issue_token("some-other-bot", secured.connector.url)
    activity = secured.teams.activity(STAFF, type="message", text=TEXT)
    response = secured.teams.post(activity, {"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    _nothing_happened(secured, redis_client)


def test_garbage_token_is_refused(secured: TeamsStack, redis_client: redis.Redis) -> None:
    activity = secured.teams.activity(STAFF, type="message", text=TEXT)
    response = secured.teams.post(activity, {"Authorization": "Bearer not.a.token"})
    assert response.status_code == 401
    _nothing_happened(secured, redis_client)


def test_a_valid_token_is_accepted(secured: TeamsStack, redis_client: redis.Redis) -> None:
    token = secured.connector.issue_token(APP_ID, secured.connector.url)
    # A conversation update needs no reply (a reply would need a token from Entra ID).
    activity = secured.teams.activity(STAFF, type="conversationUpdate",
                                      membersAdded=[{"id": "28:xpost-bot"}])
    response = secured.teams.post(activity, {"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert redis_client.exists(f"xpost:komae_kosodate:teams:user:{STAFF.aad}")


def test_a_valid_token_from_another_tenant_is_refused(secured: TeamsStack,
                                                     redis_client: redis.Redis) -> None:
    token = secured.connector.issue_token(APP_ID, secured.connector.url)
    activity = secured.teams.activity(STAFF, type="message", text=TEXT)
    activity["channelData"] = {"tenant": {"id": "some-other-tenant"}}
    activity["conversation"]["tenantId"] = "some-other-tenant"
    response = secured.teams.post(activity, {"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    _nothing_happened(secured, redis_client)
