"""The Bot Framework side of Teams: the adapter, token validation and proactive messages.

Every botbuilder import of xpost lives in `adapters/teams/`: the Python Bot Framework
SDK is archived upstream and its successor (Microsoft 365 Agents SDK) needs Python
3.12, so moving to it later touches this package only.

We use the legacy `BotFrameworkAdapter`, not `CloudAdapter`: on botbuilder 4.17.1
`CloudAdapter.process` passes an invoke response's body through `serializer_helper`,
which expects a msrest model and crashes on the plain dict that `adaptiveCard/action`
answers are. `BotFrameworkAdapter` returns the body untouched.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import BotFrameworkAdapter, BotFrameworkAdapterSettings, TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    Attachment,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
)
from botframework.connector.auth import (
    AuthenticationConfiguration,
    AuthenticationConstants,
    ClaimsIdentity,
    JwtTokenValidation,
    SimpleCredentialProvider,
)

from adapters.settings import Settings, SettingsError
from adapters.teams.cards import CARD_CONTENT_TYPE, Card
from adapters.teams.directory import CardLocation, TeamsDirectory

log = logging.getLogger(__name__)

TEAMS_CHANNEL = "msteams"
AUTH_TIMEOUT_S = 10.0


class Unauthorized(Exception):
    """The request carries no valid Bot Framework token; nothing of it may run."""


def card_activity(content: Card, summary: str = "") -> Activity:
    return Activity(type=ActivityTypes.message, summary=summary or None,
                    attachments=[Attachment(content_type=CARD_CONTENT_TYPE, content=content)])


def text_activity(text: str) -> Activity:
    return Activity(type=ActivityTypes.message, text=text, text_format="plain")


class TeamsConnector:
    """One per process and event loop: the web server has one, the worker's notifier another."""

    def __init__(self, settings: Settings, directory: TeamsDirectory) -> None:
        password = settings.teams_app_password.get_secret_value() \
            if settings.teams_app_password else ""
        self.app_id = settings.teams_app_id
        self.tenant_id = settings.teams_app_tenant_id
        self.auth_enabled = bool(self.app_id or password or self.tenant_id)
        if self.auth_enabled and not self.app_id:
            raise SettingsError("MicrosoftAppId が必要です（MicrosoftAppPassword または "
                                "MicrosoftAppTenantId が設定されています） / MicrosoftAppId is "
                                "required when MicrosoftAppPassword or MicrosoftAppTenantId is set")
        self.settings = settings
        self.directory = directory
        self._credentials = SimpleCredentialProvider(self.app_id, password)
        self.adapter = BotFrameworkAdapter(BotFrameworkAdapterSettings(
            self.app_id, password, channel_auth_tenant=self.tenant_id or None))

    # -- incoming ------------------------------------------------------------------

    async def authenticate(self, activity: Activity, auth_header: str) -> ClaimsIdentity:
        """The caller's identity, or Unauthorized. Off only when no credential is configured."""
        if not self.auth_enabled:
            return ClaimsIdentity({}, True, AuthenticationConstants.ANONYMOUS_AUTH_TYPE)
        if not auth_header:
            raise Unauthorized("no token")
        try:
            # botframework-connector refreshes its signing keys with a blocking
            # `requests.get` (no time-out): keep that off the server's event loop.
            identity = await asyncio.wait_for(
                asyncio.to_thread(self._validate_blocking, activity, auth_header),
                AUTH_TIMEOUT_S)
        except Exception as error:  # any failure to prove the token is a refusal
            raise Unauthorized(type(error).__name__) from None
        if not identity.is_authenticated:
            raise Unauthorized("not authenticated")
        if self.tenant_id and _tenant_of(activity) not in ("", self.tenant_id):
            raise Unauthorized("other tenant")
        return identity

    def _validate_blocking(self, activity: Activity, auth_header: str) -> ClaimsIdentity:
        return asyncio.run(JwtTokenValidation.authenticate_request(
            activity, auth_header, self._credentials, "", AuthenticationConfiguration()))

    # -- proactive -------------------------------------------------------------------

    def _claims(self) -> dict[str, Any]:
        # With authentication off botbuilder still wants an identity to continue a turn.
        if self.auth_enabled:
            return {"bot_id": self.app_id}
        return {"claims_identity": ClaimsIdentity({}, True)}

    def reference_for(self, conversation_id: str) -> ConversationReference:
        """The stored reference, or one built from the known serviceUrl (never heard from)."""
        stored = self.directory.reference(conversation_id)
        if stored:
            return ConversationReference().deserialize(stored)
        service_url = self.settings.teams_service_url or self.directory.service_url()
        if not service_url:
            raise SettingsError("Teams の serviceUrl が不明です: XPOST_TEAMS_SERVICE_URL を設定して"
                                "ください / no Teams serviceUrl known: set XPOST_TEAMS_SERVICE_URL")
        tenant = self.tenant_id or self.directory.tenant()
        return ConversationReference(
            channel_id=TEAMS_CHANNEL, service_url=service_url,
            conversation=ConversationAccount(id=conversation_id, tenant_id=tenant),
            bot=ChannelAccount(id=self.app_id or "xpost"))

    async def _in_conversation(self, conversation_id: str,
                               work: Callable[[TurnContext], Awaitable[Any]]) -> Any:
        result: list[Any] = []

        async def callback(context: TurnContext) -> None:
            result.append(await work(context))

        await self.adapter.continue_conversation(self.reference_for(conversation_id), callback,
                                                 **self._claims())
        return result[0] if result else None

    async def send(self, conversation_id: str, activity: Activity) -> str:
        """Post to a conversation; returns the new activity's id."""

        async def post(context: TurnContext) -> str:
            # A new message, not a reply: `TurnContext.send_activity` would make it a reply
            # to the continuation activity's made-up id.
            reference = TurnContext.get_conversation_reference(context.activity)
            TurnContext.apply_conversation_reference(activity, reference)
            activity.reply_to_id = None
            responses = await context.adapter.send_activities(context, [activity])
            return responses[0].id if responses and responses[0] else ""

        return str(await self._in_conversation(conversation_id, post))

    async def update(self, location: CardLocation, activity: Activity) -> None:
        activity.id = location.activity_id

        async def replace(context: TurnContext) -> None:
            await context.update_activity(activity)

        await self._in_conversation(location.conversation_id, replace)

    async def personal_conversation(self, user_aad_id: str) -> str:
        """The person's 1:1 chat with the bot, created through the connector if need be."""
        known = self.directory.personal_conversation(user_aad_id)
        if known:
            return known
        service_url = self.settings.teams_service_url or self.directory.service_url()
        if not service_url:
            raise SettingsError("Teams の serviceUrl が不明です: XPOST_TEAMS_SERVICE_URL を設定して"
                                "ください / no Teams serviceUrl known: set XPOST_TEAMS_SERVICE_URL")
        tenant = self.tenant_id or self.directory.tenant() or None
        parameters = ConversationParameters(
            bot=ChannelAccount(id=self.app_id or "xpost"),
            members=[ChannelAccount(id=user_aad_id, aad_object_id=user_aad_id)],
            is_group=False, tenant_id=tenant,
            channel_data={"tenant": {"id": tenant}} if tenant else None)
        created: list[str] = []

        async def note(context: TurnContext) -> None:
            created.append(context.activity.conversation.id)

        # The reference carries no conversation on purpose: botbuilder would overwrite our
        # channelData tenant with its own older shape.
        reference = ConversationReference(channel_id=TEAMS_CHANNEL, service_url=service_url)
        await self.adapter.create_conversation(reference, note, parameters)
        conversation_id = created[0]
        reference_json = ConversationReference(
            channel_id=TEAMS_CHANNEL, service_url=service_url,
            conversation=ConversationAccount(id=conversation_id, tenant_id=tenant,
                                             conversation_type="personal"),
            bot=parameters.bot, user=parameters.members[0]).serialize()
        await asyncio.to_thread(self.directory.remember, conversation_id, reference_json,
                                tenant=tenant or "", user_aad_id=user_aad_id, personal=True)
        return conversation_id


def _tenant_of(activity: Activity) -> str:
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = (data.get("tenant") or {}).get("id", "")
    conversation_tenant = activity.conversation.tenant_id if activity.conversation else ""
    return str(tenant or conversation_tenant or "")
