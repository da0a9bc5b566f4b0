"""Settings: a missing or half-given setting is named at start-up; secrets never print."""

from __future__ import annotations

import pytest

from adapters.settings import SettingsError, load_settings


@pytest.mark.parametrize(("given", "named"), [
    ({"slack_bot_token": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
    ({"slack_signing_secret": "s"}, "SLACK_BOT_TOKEN"),
    ({"x_api_key": "k", "x_api_secret": "s"}, "X_ACCESS_TOKEN, X_ACCESS_TOKEN_SECRET"),
    ({"teams_app_id": "app"}, "MicrosoftAppPassword"),
    ({"slack_app_token": "xapp-1"}, "SLACK_BOT_TOKEN"),
    ({"port": "three thousand"}, "PORT"),
    ({"language": "fr"}, "XPOST_LANG"),
])
def test_a_bad_or_half_given_setting_is_named(given, named):
    with pytest.raises(SettingsError) as refused:
        load_settings(**given)
    assert named in str(refused.value)
    assert "Value error" not in str(refused.value)


def test_secrets_do_not_print():
    settings = load_settings(slack_bot_token="xoxb-secret-token", slack_signing_secret="sign-me",
                             x_api_key="k1", x_api_secret="s1", x_access_token="t1",
                             x_access_token_secret="ts1")
    shown = repr(settings) + str(settings)
    for secret in ("xoxb-secret-token", "sign-me", "s1", "ts1"):
        assert secret not in shown
    assert settings.slack_configured and settings.x_configured
