"""The local workspace page: a small web page that plays Slack for `xpost local`.

It is a client of the project's one Slack stand-in, not a second Slack: messages,
cards, DMs and open modals are read from the stand-in (which the bot calls as the
Slack Web API), and what a person does is delivered by the stand-in, signed, to the
bot's `/slack/events` exactly as Slack would send it. The X timeline is read from
the X stand-in's `GET /_standin/timeline`; the account's state from the workflow.

    GET  /                  the page (static HTML + one vanilla JS file)
    GET  /api/state?as=U    everything the page shows, as that user sees it
    POST /api/send          {as, channel, text}: a message, or a `/xpost` command
    POST /api/action        {as, channel?, message_ts?, view_id?, action}: a click
    POST /api/submit        {as, view_id, values}: a modal submission; a file input's
                            chosen files come as {name, mimetype, content_base64} and
                            are uploaded to the stand-in first, as Slack's client does
    POST /api/close         {as, view_id}: the modal closed

Served on 127.0.0.1 only; requests must name this server in Host (no DNS rebinding)
and POSTs must be JSON (no cross-site form posts).

Stable hooks for browser tests (part of the page's contract): `composer` and `send`,
`as-staff` / `as-chief`, `channel-proposals` / `-approvals` / `-notifications` /
`-dm`, `timeline` with `x-post` items (and `deleted-posts`), `account-status`,
`modal` with `modal-submit` and `modal-close`, `file-input` on a modal's file picker
(all `data-testid`); every Block Kit button carries `data-action-id`.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web
from redis.exceptions import RedisError

from adapters.local.people import CHANNELS, STAFF, USERS, LocalUser
from adapters.slack_standin import Delivery, SlackStandIn
from chatbot.errors import WorkflowError
from chatbot.views import TOKYO

if TYPE_CHECKING:
    from adapters.local.stack import LocalStack

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
STACK_KEY: web.AppKey[LocalStack] = web.AppKey("local_stack")
HTTP_KEY: web.AppKey[aiohttp.ClientSession] = web.AppKey("http")
FORM_COMMAND = "/xpost"  # `/xpost` with nothing after it opens the proposal form
# A modal with four 5 MB photos, base64 in JSON (4/3), and room for one too large to
# reach the bot, so that the bot (not this page) says it is too large.
MAX_SUBMISSION_BYTES = 48 * 1024 * 1024


def build_workspace_app(stack: LocalStack) -> web.Application:
    app = web.Application(middlewares=[_local_only], client_max_size=MAX_SUBMISSION_BYTES)
    app[STACK_KEY] = stack
    app.cleanup_ctx.append(_http_session)
    app.router.add_get("/", _index)
    app.router.add_static("/static/", STATIC, show_index=False)
    app.router.add_get("/api/state", _state)
    app.router.add_post("/api/send", _json_post(_send))
    app.router.add_post("/api/action", _json_post(_action))
    app.router.add_post("/api/submit", _json_post(_submit))
    app.router.add_post("/api/close", _json_post(_close))
    return app


async def _http_session(app: web.Application) -> Any:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        app[HTTP_KEY] = session
        yield


@web.middleware
async def _local_only(request: web.Request,
                      handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                      ) -> web.StreamResponse:
    host = (request.host or "").rsplit(":", 1)[0].strip("[]")
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise web.HTTPForbidden(text="xpost local: 127.0.0.1 only")
    return await handler(request)


async def _index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html",
                            headers={"Content-Type": "text/html; charset=utf-8",
                                     "Cache-Control": "no-store"})


Handler = Callable[[web.Request, dict[str, Any]], Awaitable[dict[str, Any]]]


def _json_post(handler: Handler) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def serve(request: web.Request) -> web.Response:
        if request.content_type != "application/json":
            raise web.HTTPUnsupportedMediaType(text="JSON only")
        body = await request.json()
        if not isinstance(body, dict) or _user(body.get("as")) is None:
            return web.json_response({"ok": False, "error": "unknown user"}, status=400)
        try:
            answer = await handler(request, body)
        except (KeyError, ValueError, TypeError, LookupError) as error:
            return web.json_response({"ok": False, "error": f"bad request: {error}"}, status=400)
        return web.json_response({"ok": True, **answer})

    return serve


def _user(user_id: object) -> LocalUser | None:
    return next((u for u in USERS if u.user_id == user_id), None)


# -- reading ------------------------------------------------------------------------


async def _state(request: web.Request) -> web.Response:
    stack = request.app[STACK_KEY]
    me = _user(request.query.get("as")) or STAFF
    timeline, account = await asyncio.gather(_timeline(request), asyncio.to_thread(
        _account, stack))
    slack = conversations_for(_slack(request), me.user_id)
    return web.json_response({
        "me": {"id": me.user_id, "name": me.name, "role": me.role},
        "users": [{"id": u.user_id, "name": u.name, "role": u.role} for u in USERS],
        "channels": slack["channels"],
        "dms": slack["dms"],
        "modal": slack["modal"],
        "timeline": timeline,
        "account": account,
        "modal_command": FORM_COMMAND,
    }, headers={"Cache-Control": "no-store"})


async def _timeline(request: web.Request) -> dict[str, Any]:
    stack = request.app[STACK_KEY]
    if stack.x is None:
        return {"posts": [], "deleted": []}
    try:
        async with request.app[HTTP_KEY].get(f"{stack.x.url}/_standin/timeline") as answer:
            return dict(await answer.json())
    except (aiohttp.ClientError, TimeoutError):
        return {"posts": [], "deleted": [], "error": "X stand-in unreachable"}


def _account(stack: LocalStack) -> dict[str, Any]:
    container = stack.container
    if container is None:
        return {}
    try:
        status = container.workflow.status()
    except (WorkflowError, RedisError) as error:  # the page keeps polling; Redis comes back
        return {"error": type(error).__name__}
    proposals = container.workflow.list(limit=200)
    return {
        "username": container.account,
        "suspended": status.account.suspended,
        "reason": status.account.suspended_reason,
        "pending": status.pending,
        "changes_requested": status.changes_requested,
        "failed": status.failed,
        "proposals": [{"id": p.id, "state": p.state.value, "x_post_id": p.x_post_id,
                       "corrects": p.corrects} for p in proposals],
        "at": datetime.now(UTC).isoformat(),
    }


# -- the Slack side, as one person sees it ---------------------------------------------


def conversations_for(slack: SlackStandIn, user_id: str) -> dict[str, Any]:
    """Channels, the person's DM with the bot and their open modal, from the stand-in.

    Ephemeral messages are merged into their channel for the person they were for
    only; thread replies follow their parent, marked as replies.
    """
    snapshot = slack.snapshot()
    users = snapshot.get("users", {})
    own_ephemerals = snapshot.get("ephemerals", {}).get(user_id, [])
    dm = slack.dm_channel(user_id)
    known = {c.channel_id for c in CHANNELS} | {dm}

    def messages(channel_id: str) -> list[dict[str, Any]]:
        shared = snapshot.get("channels", {}).get(channel_id, [])
        mine = [e for e in own_ephemerals if e.get("channel") == channel_id or (
            channel_id == CHANNELS[0].channel_id and e.get("channel") not in known)]
        merged = sorted([*shared, *mine], key=_thread_order)
        return [_shape(m, users) for m in merged]

    views = [v for v in snapshot.get("views", []) if v.get("user") == user_id]
    return {
        "channels": [{"id": c.channel_id, "name": c.name, "title": c.title, "kind": "channel",
                      "messages": messages(c.channel_id)} for c in CHANNELS],
        "dms": [{"id": dm, "name": "dm", "title": "xpost（ボット）との DM", "kind": "dm",
                 "messages": messages(dm)}],
        "modal": {"id": views[-1]["id"], "view": views[-1]} if views else None,
    }


def _ts(message: dict[str, Any]) -> tuple[int, int]:
    seconds, _, sequence = str(message.get("ts", "0.0")).partition(".")
    return int(seconds or 0), int(sequence or 0)


def _thread_order(message: dict[str, Any]) -> tuple[tuple[int, int], tuple[int, int]]:
    parent = message.get("thread_ts")
    return (_ts({"ts": parent}) if parent else _ts(message)), _ts(message)


def _shape(message: dict[str, Any], users: dict[str, Any]) -> dict[str, Any]:
    user = str(message.get("user", ""))
    bot = bool(message.get("bot_id")) or bool(message.get("ephemeral"))  # only bots whisper
    at = datetime.fromtimestamp(_ts(message)[0], TOKYO)
    return {
        "ts": message.get("ts"),
        "user": user,
        "user_name": "xpost" if bot else str(users.get(user, {}).get("name", user)),
        "bot": bot,
        "text": message.get("text", ""),
        "blocks": message.get("blocks") or [],
        "ephemeral": bool(message.get("ephemeral")),
        "reply": bool(message.get("thread_ts")) and message.get("thread_ts") != message.get("ts"),
        "edited": bool(message.get("edited")),
        "time": f"{at:%H:%M}",
    }


# -- acting: each one delivered, signed, to the bot's /slack/events ---------------------


def _outcome(delivery: Delivery) -> dict[str, Any]:
    if delivery.status != 200:
        # What Slack shows when an app does not answer properly.
        return {"ok": False, "status": delivery.status,
                "error": f"ボットが応答しませんでした / the bot answered {delivery.status}"}
    return {"status": delivery.status}


_URL = re.compile(r"https?://[^\s<>]+")


def slack_encoded(typed: str) -> str:
    """What a Slack client sends for what was typed: `&<>` escaped, links in `<...>`."""
    escaped = typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _URL.sub(lambda link: f"<{link.group(0)}>", escaped)


async def _send(request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
    slack = _slack(request)
    text, channel, user = str(body["text"]), str(body["channel"]), str(body["as"])
    if text.lstrip().startswith("/"):
        command, _, rest = text.strip().partition(" ")
        if command != FORM_COMMAND:
            return {"ok": False, "error": f"{command} は使えないコマンドです / "
                                          f"{command} is not a valid command"}
        delivery = await asyncio.to_thread(slack.send_command, user, slack_encoded(rest.strip()),
                                           channel=channel, command=command)
    else:
        _, delivery = await asyncio.to_thread(slack.post_message, user, channel,
                                              slack_encoded(text))
    return _outcome(delivery)


async def _action(request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
    slack, user = _slack(request), str(body["as"])
    action = dict(body["action"])
    if action.get("type") != "button":
        return {"ok": False, "error": "ボタン以外の操作はまだ使えません / only buttons act"}
    target = _clicked(slack, user, body)
    if target is None:
        return {"ok": False, "error": "メッセージが見つかりません / message not found"}
    delivery = await asyncio.to_thread(slack.click, user, target, str(action["action_id"]))
    return _outcome(delivery)


def _clicked(slack: SlackStandIn, user: str, body: dict[str, Any]) -> dict[str, Any] | None:
    if body.get("view_id"):
        return next((v for v in slack.views(user) if v.get("id") == body["view_id"]), None)
    channel, ts = str(body.get("channel", "")), str(body.get("message_ts", ""))
    candidates = [*slack.messages(channel), *slack.ephemerals(user)]
    return next((m for m in candidates if m.get("ts") == ts), None)


async def _submit(request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
    slack, user = _slack(request), str(body["as"])
    values = body.get("values") or {}
    if not isinstance(values, dict):
        raise ValueError("values must be an object")
    view = next((v for v in slack.views(user) if v.get("id") == body["view_id"]), None)
    if view is None:
        return {"ok": False, "error": "このフォームはもう閉じています / the form is closed"}
    # The page sends {block_id: {action_id: entry}}; the stand-in takes entry by block.
    entries = {block_id: next(iter(inputs.values())) for block_id, inputs in values.items()
               if isinstance(inputs, dict) and inputs}
    for entry in entries.values():
        if isinstance(entry, dict) and entry.get("type") == "file_input":
            entry["files"] = await asyncio.to_thread(_uploaded, slack, user,
                                                     entry.get("files") or [])
    delivery = await asyncio.to_thread(slack.submit_view, user, view, entries)
    answer = delivery.json or {}
    if delivery.status == 200 and answer.get("response_action") == "errors":
        return {"errors": answer.get("errors", {})}
    return _outcome(delivery)


def _uploaded(slack: SlackStandIn, user: str, chosen: list[Any]) -> list[dict[str, Any]]:
    """The files picked on the page, uploaded to the stand-in: Slack file objects."""
    files = []
    for item in chosen:
        if not isinstance(item, dict):
            raise ValueError("a file must be an object")
        if "content_base64" not in item:  # already a Slack file object
            files.append(item)
            continue
        try:
            data = base64.b64decode(str(item["content_base64"]), validate=True)
        except binascii.Error as error:
            raise ValueError("content_base64 is not base64") from error
        files.append(slack.upload_file(user, str(item.get("name") or "file"),
                                       str(item.get("mimetype") or "application/octet-stream"),
                                       data))
    return files


async def _close(request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
    _slack(request).close_view(str(body["as"]), str(body["view_id"]))
    return {}


def _slack(request: web.Request) -> SlackStandIn:
    slack = request.app[STACK_KEY].slack
    if slack is None:
        raise web.HTTPServiceUnavailable(text="Slack stand-in not running")
    return slack
