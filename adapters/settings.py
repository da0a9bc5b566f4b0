"""Settings from the environment and a `.env` file (pydantic-settings).

Secrets are `SecretStr`: they never print, never reach a log line, never go to Redis.
A missing or invalid setting is reported by name at start-up (`SettingsError`).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict


class SettingsError(Exception):
    """A setting is missing or invalid; str() names it, in Japanese and English."""


def _ids(raw: str) -> list[str]:
    return [part.strip() for part in raw.replace(";", ",").split(",") if part.strip()]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore",
                                      populate_by_name=True)

    # -- core -------------------------------------------------------------------
    redis_url: str | None = Field(None, validation_alias="REDIS_URL")
    policy_path: Path | None = Field(None, validation_alias="XPOST_POLICY")
    language: str = Field("ja", validation_alias="XPOST_LANG")
    port: int = Field(3000, validation_alias="PORT")
    public_url: str = Field("", validation_alias="XPOST_PUBLIC_URL")
    # How long a job may sit claimed by a silent worker before another takes it over.
    reclaim_after_ms: int = Field(30_000, validation_alias="XPOST_RECLAIM_AFTER_MS", gt=0)

    # -- X ----------------------------------------------------------------------
    x_api_key: SecretStr | None = Field(None, validation_alias="X_API_KEY")
    x_api_secret: SecretStr | None = Field(None, validation_alias="X_API_SECRET")
    x_access_token: SecretStr | None = Field(None, validation_alias="X_ACCESS_TOKEN")
    x_access_token_secret: SecretStr | None = Field(None, validation_alias="X_ACCESS_TOKEN_SECRET")
    x_api_url: str = Field("https://api.twitter.com", validation_alias="X_API_URL")

    # -- Slack ------------------------------------------------------------------
    slack_bot_token: SecretStr | None = Field(None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(None, validation_alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field("https://slack.com/api/", validation_alias="SLACK_API_URL")
    slack_chief_ids: str = Field("", validation_alias="XPOST_SLACK_CHIEF_IDS")
    slack_delegate_ids: str = Field("", validation_alias="XPOST_SLACK_DELEGATE_IDS")
    slack_staff_channel: str = Field("", validation_alias="XPOST_SLACK_STAFF_CHANNEL")
    slack_approval_channel: str = Field("", validation_alias="XPOST_SLACK_APPROVAL_CHANNEL")
    slack_notify_channel: str = Field("", validation_alias="XPOST_SLACK_NOTIFY_CHANNEL")

    # -- Microsoft Teams ----------------------------------------------------------
    teams_app_id: str = Field("", validation_alias=AliasChoices("MicrosoftAppId",
                                                                "MICROSOFT_APP_ID"))
    teams_app_password: SecretStr | None = Field(
        None, validation_alias=AliasChoices("MicrosoftAppPassword", "MICROSOFT_APP_PASSWORD"))
    teams_app_tenant_id: str = Field("", validation_alias=AliasChoices(
        "MicrosoftAppTenantId", "MICROSOFT_APP_TENANT_ID"))
    teams_enabled: bool = Field(False, validation_alias="XPOST_TEAMS_ENABLED")
    teams_chief_ids: str = Field("", validation_alias="XPOST_TEAMS_CHIEF_IDS")
    teams_delegate_ids: str = Field("", validation_alias="XPOST_TEAMS_DELEGATE_IDS")
    teams_staff_conversation: str = Field("", validation_alias="XPOST_TEAMS_STAFF_CONVERSATION")
    teams_approval_conversation: str = Field(
        "", validation_alias="XPOST_TEAMS_APPROVAL_CONVERSATION")
    teams_notify_conversation: str = Field("", validation_alias="XPOST_TEAMS_NOTIFY_CONVERSATION")
    teams_service_url: str = Field("", validation_alias="XPOST_TEAMS_SERVICE_URL")

    @field_validator("language")
    @classmethod
    def _known_lang(cls, value: str) -> str:
        if value not in ("ja", "en"):
            raise ValueError("ja または en / ja or en")
        return value

    @model_validator(mode="after")
    def _complete_groups(self) -> Settings:
        """Half a set of credentials is a mistake to name at start-up, not a chat that
        silently never answers."""
        groups = {
            "X": {"X_API_KEY": self.x_api_key, "X_API_SECRET": self.x_api_secret,
                  "X_ACCESS_TOKEN": self.x_access_token,
                  "X_ACCESS_TOKEN_SECRET": self.x_access_token_secret},
            "Slack": {"SLACK_BOT_TOKEN": self.slack_bot_token,
                      "SLACK_SIGNING_SECRET": self.slack_signing_secret},
            "Teams": {"MicrosoftAppId": self.teams_app_id,
                      "MicrosoftAppPassword": self.teams_app_password},
        }
        for name, values in groups.items():
            missing = [key for key, value in values.items() if not value]
            if missing and len(missing) < len(values):
                raise ValueError(f"{name} の設定が足りません / incomplete {name} settings: "
                                 f"{', '.join(missing)}")
        if self.slack_app_token and not self.slack_bot_token:
            raise ValueError("SLACK_APP_TOKEN には SLACK_BOT_TOKEN と SLACK_SIGNING_SECRET も"
                             "必要です / SLACK_APP_TOKEN needs SLACK_BOT_TOKEN too")
        return self

    # -- derived ------------------------------------------------------------------

    @property
    def x_configured(self) -> bool:
        return all((self.x_api_key, self.x_api_secret, self.x_access_token,
                    self.x_access_token_secret))

    @property
    def slack_configured(self) -> bool:
        return bool(self.slack_bot_token and self.slack_signing_secret)

    @property
    def teams_configured(self) -> bool:
        return bool(self.teams_enabled or self.teams_app_id)

    def chief_ids(self) -> dict[str, list[str]]:
        return {"slack": _ids(self.slack_chief_ids), "teams": _ids(self.teams_chief_ids)}

    def delegate_ids(self) -> dict[str, list[str]]:
        return {"slack": _ids(self.slack_delegate_ids), "teams": _ids(self.teams_delegate_ids)}


def _env_name(field: object) -> str:
    """The environment variable a person sets, not the Python field name."""
    info = Settings.model_fields.get(str(field))
    alias = info.validation_alias if info else None
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return str(alias or field)


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment (and .env), with `overrides` on top (tests, local mode)."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        problems = "; ".join(
            (f"{_env_name(e['loc'][0])}: " if e["loc"] else "")
            + e["msg"].removeprefix("Value error, ")
            for e in error.errors())
        raise SettingsError(f"設定が正しくありません / invalid setting: {problems}") from None
