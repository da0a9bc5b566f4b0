"""A local stand-in for Slack: the Web API the bot calls, and a way to talk to the bot.

Both halves speak real HTTP on 127.0.0.1, so the bot runs unchanged (slack_sdk's
`WebClient(base_url=standin.api_url)`) and is reached the way Slack reaches it
(signed POSTs to `/slack/events`, or envelopes over Socket Mode).

    with SlackStandIn("signing-secret", bot_url="http://127.0.0.1:3000") as slack:
        slack.send_command("U_STAFF", "event 12月1日に子ども食堂を開きます")
        card = slack.messages("C_APPROVAL")[-1]
        slack.click("U_CHIEF", card, "xpost_approve")

The Web API side (`POST /api/<method>`): chat.postMessage, chat.update,
chat.postEphemeral, views.open, views.update, conversations.open, users.info,
auth.test, apps.connections.open, files.info. Every call is recorded (`calls()`); channels keep
their messages in order (`messages(channel)`, with `ts`, `text`, `blocks`,
`thread_ts`; chat.update replaces in place), ephemeral messages are kept per user
(`ephemerals(user)`), open modals per user (`views(user)`).

Files a person attaches (`upload_file`, as a modal's file input uploads them) are
kept with their bytes; their `url_private_download` points here
(`GET /files-pri/<team>-<file id>/download/<name>`) and answers only to
`Authorization: Bearer <bot token>` (401 otherwise), as Slack's file URLs do.

`response_url`s handed to the bot point at `POST /_standin/respond/<token>` here.
`GET /_standin/channels` is a JSON view of everything a person could see, for the
local demo page; `GET /_standin/calls[?method=chat.update]` the Web API calls.
All methods are thread-safe (one lock around the state).

With `socket_mode=True` a WebSocket server (package `websockets`) is started too;
`apps.connections.open` hands out its ws:// URL, and the helpers deliver envelopes
through it and return the bot's acknowledgement.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import hmac
import itertools
import json
import logging
import threading
import time
import uuid
from contextlib import suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import requests

log = logging.getLogger(__name__)

BOT_USER_ID = "U0XPOSTBOT"
BOT_ID = "B0XPOSTBOT"
TEAM_ID = "T0KOMAE"
EVENTS_PATH = "/slack/events"


@dataclass
class Delivery:
    """What the bot answered to one delivery (its HTTP response or Socket Mode ack)."""

    status: int
    body: str
    json: dict[str, Any] | None = None


@dataclass
class _Reply:
    """Where a response_url answers: the channel, who asked, and the message clicked."""

    channel: str
    user: str
    message_ts: str | None = None


@dataclass
class _File:
    info: dict[str, Any]
    data: bytes


@dataclass
class _State:
    channels: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    ephemerals: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> view (+ "user")
    triggers: dict[str, str] = field(default_factory=dict)  # trigger_id -> user
    replies: dict[str, _Reply] = field(default_factory=dict)  # response_url token -> where
    calls: list[dict[str, Any]] = field(default_factory=list)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, _File] = field(default_factory=dict)  # file id -> object and bytes


def sign(signing_secret: str, timestamp: str, body: str) -> str:
    """Slack's v0 request signature."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


class SlackStandIn:
    def __init__(self, signing_secret: str, bot_url: str | None = None, port: int = 0,
                 host: str = "127.0.0.1", *, bot_token: str | None = None,
                 socket_mode: bool = False, timeout: float = 10.0) -> None:
        self.signing_secret = signing_secret
        self.bot_url = bot_url.rstrip("/") if bot_url else None
        self.host = host
        self.port = port
        self.bot_token = bot_token  # when set, Web API calls with another token get invalid_auth
        self.timeout = timeout
        self.socket = SocketModeStandIn(host) if socket_mode else None
        self._state = _State()
        self._lock = threading.RLock()
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._http = requests.Session()

    # -- lifecycle ----------------------------------------------------------------

    def start(self) -> SlackStandIn:
        if self._server is not None:
            return self
        self._server = ThreadingHTTPServer((self.host, self.port), _Handler)
        self._server.daemon_threads = True
        self._server.standin = self  # type: ignore[attr-defined]
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name=f"slack-standin-{self.port}", daemon=True)
        self._thread.start()
        if self.socket is not None:
            self.socket.start()
        return self

    def stop(self) -> None:
        if self.socket is not None:
            self.socket.stop()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._http.close()

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        """For SLACK_API_URL."""
        return f"{self.url}/api/"

    # -- what people see -------------------------------------------------------------

    def add_user(self, user_id: str, name: str) -> None:
        with self._lock:
            self._state.users[user_id] = {"id": user_id, "name": name, "real_name": name,
                                          "profile": {"display_name": name, "real_name": name}}

    def upload_file(self, user_id: str, name: str, mimetype: str, data: bytes) -> dict[str, Any]:
        """A person attaches a file (in a modal's file input): the Slack file object."""
        with self._lock:
            file_id = f"F{next(self._ids):08d}"
            filetype = name.rsplit(".", 1)[-1].lower() if "." in name else "binary"
            base = f"{self.url}/files-pri/{TEAM_ID}-{file_id}"
            info = {"id": file_id, "created": int(time.time()), "timestamp": int(time.time()),
                    "name": name, "title": name, "mimetype": mimetype, "filetype": filetype,
                    "user": user_id, "size": len(data), "is_public": False,
                    "url_private": f"{base}/{name}",
                    "url_private_download": f"{base}/download/{name}"}
            self._state.files[file_id] = _File(info, bytes(data))
            return copy.deepcopy(info)

    def file_download(self, path: str, authorization: str) -> tuple[int, bytes, str]:
        """`GET /files-pri/...`: the bytes for the bot token only. Recorded without it."""
        _, _, rest = path.partition(f"/files-pri/{TEAM_ID}-")
        file_id = rest.split("/", 1)[0]
        token = authorization.removeprefix("Bearer ").strip() \
            if authorization.startswith("Bearer ") else ""
        with self._lock:
            allowed = bool(token) and (self.bot_token is None or token == self.bot_token)
            self._state.calls.append({"method": "file_download",
                                      "args": {"file": file_id, "authorized": allowed},
                                      "at": time.time()})
            stored = self._state.files.get(file_id)
            if not allowed:
                return 401, b"not_authed", "text/plain"
            if stored is None:
                return 404, b"file_not_found", "text/plain"
            return 200, stored.data, str(stored.info["mimetype"])

    def messages(self, channel: str) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._state.channels.get(channel, []))

    def dm_channel(self, user_id: str) -> str:
        return f"D{user_id}"

    def ephemerals(self, user_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._state.ephemerals.get(user_id, []))

    def views(self, user_id: str | None = None) -> list[dict[str, Any]]:
        """Modals open now (oldest first), for one user or everyone."""
        with self._lock:
            return [copy.deepcopy(v) for v in self._state.views.values()
                    if user_id is None or v.get("user") == user_id]

    def calls(self, method: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [copy.deepcopy(c) for c in self._state.calls
                    if method is None or c["method"] == method]

    def snapshot(self) -> dict[str, Any]:
        """Everything visible, as `GET /_standin/channels` returns it."""
        with self._lock:
            return copy.deepcopy({"channels": self._state.channels,
                                  "ephemerals": self._state.ephemerals,
                                  "views": list(self._state.views.values()),
                                  "users": self._state.users})

    # -- talking to the bot as Slack does ------------------------------------------------

    def send_command(self, user_id: str, text: str, channel: str = "C_STAFF",
                     command: str = "/xpost", retry_num: int | None = None,
                     trigger_id: str | None = None) -> Delivery:
        trigger = trigger_id or self._trigger(user_id)
        payload = {
            "token": "verification-token-unused", "team_id": TEAM_ID, "team_domain": "komae",
            "channel_id": channel, "channel_name": channel, "user_id": user_id,
            "user_name": self._name(user_id), "command": command, "text": text,
            "api_app_id": "A0XPOST", "is_enterprise_install": "false",
            "response_url": self._response_url(_Reply(channel, user_id)),
            "trigger_id": trigger,
        }
        if self.socket is not None and self.socket.connected:
            return self.socket.deliver("slash_commands", payload)
        headers = {"X-Slack-Retry-Num": str(retry_num)} if retry_num is not None else {}
        return self.deliver(urlencode(payload), "application/x-www-form-urlencoded", headers)

    def click(self, user_id: str, message_or_view: dict[str, Any], action_id: str,
              value: dict[str, Any] | str | None = None) -> Delivery:
        """Press a button (by action id, or its `#n` variant) on a message or a modal."""
        button, block_id = _find_button(message_or_view, action_id)
        if value is not None:
            raw_value = value if isinstance(value, str) else json.dumps(value)
        else:
            raw_value = button.get("value", "")
        payload: dict[str, Any] = {
            "type": "block_actions", "team": {"id": TEAM_ID, "domain": "komae"},
            "user": {"id": user_id, "username": self._name(user_id), "name": self._name(user_id),
                     "team_id": TEAM_ID},
            "api_app_id": "A0XPOST", "token": "verification-token-unused",
            "trigger_id": self._trigger(user_id),
            "actions": [{"type": "button", "action_id": button["action_id"], "block_id": block_id,
                         "value": raw_value, "text": button.get("text"),
                         "action_ts": f"{time.time():.6f}"}],
        }
        if message_or_view.get("type") == "modal":
            payload["container"] = {"type": "view", "view_id": message_or_view.get("id")}
            payload["view"] = message_or_view
        else:
            channel = message_or_view["channel"]
            ts = message_or_view["ts"]
            payload["container"] = {"type": "message", "channel_id": channel, "message_ts": ts,
                                    "is_ephemeral": bool(message_or_view.get("ephemeral"))}
            payload["channel"] = {"id": channel, "name": channel}
            payload["message"] = {k: v for k, v in message_or_view.items() if k != "channel"}
            payload["response_url"] = self._response_url(_Reply(channel, user_id, ts))
        return self._interactive(payload)

    def submit_view(self, user_id: str, view: dict[str, Any],
                    values: dict[str, str] | dict[str, str | dict[str, Any]]) -> Delivery:
        """Submit a modal with `values` by block id (a select takes the option's value).

        A value may also be the input's whole state entry as Slack sends it (e.g.
        `{"type": "datepicker", "selected_date": "2026-12-01"}`), for inputs a plain
        string cannot describe; the local page sends every input that way. A file
        input takes a list of file objects (from `upload_file`) or `{"files": [...]}`.
        """
        state: dict[str, dict[str, Any]] = {}
        for block in view.get("blocks", []):
            if block.get("type") != "input":
                continue
            element = block["element"]
            given = values.get(block["block_id"])
            if isinstance(given, dict):
                entry = {**given, "type": element["type"]}
            elif element["type"] == "file_input":
                entry = {"type": "file_input", "files": list(given or [])}
            elif element["type"] == "static_select":
                option = next((o for o in element["options"] if o["value"] == given), None)
                entry: dict[str, Any] = {"type": "static_select", "selected_option": option}
            else:
                entry = {"type": element["type"], "value": given}
            state[block["block_id"]] = {element["action_id"]: entry}
        submitted = {**view, "state": {"values": state}}
        payload = {
            "type": "view_submission", "team": {"id": TEAM_ID, "domain": "komae"},
            "user": {"id": user_id, "username": self._name(user_id), "name": self._name(user_id),
                     "team_id": TEAM_ID},
            "api_app_id": "A0XPOST", "token": "verification-token-unused",
            "trigger_id": self._trigger(user_id), "view": submitted,
        }
        delivery = self._interactive(payload)
        self._after_submission(view.get("id", ""), delivery)
        return delivery

    def post_message(self, user_id: str, channel: str, text: str,
                     channel_type: str | None = None, thread_ts: str | None = None,
                     retry_num: int | None = None, event_id: str | None = None
                     ) -> tuple[dict[str, Any], Delivery]:
        """A person writes in a channel (or DM: channel_type "im"); the bot gets the event."""
        kind = channel_type or ("im" if channel.startswith("D") else "channel")
        message = self._append(channel, {"user": user_id, "text": text,
                                         **({"thread_ts": thread_ts} if thread_ts else {})})
        event = {"type": "message", "channel": channel, "user": user_id, "text": text,
                 "ts": message["ts"], "event_ts": message["ts"], "channel_type": kind}
        if thread_ts:
            event["thread_ts"] = thread_ts
        body = {"token": "verification-token-unused", "team_id": TEAM_ID,
                "api_app_id": "A0XPOST", "event": event, "type": "event_callback",
                "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
                "event_time": int(time.time()),
                "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}]}
        if self.socket is not None and self.socket.connected:
            return message, self.socket.deliver("events_api", body)
        headers = {"X-Slack-Retry-Num": str(retry_num)} if retry_num is not None else {}
        return message, self.deliver(json.dumps(body), "application/json", headers)

    def deliver(self, body: str, content_type: str, headers: dict[str, str] | None = None, *,
                signature: str | None = None, timestamp: str | None = None,
                signed: bool = True) -> Delivery:
        """POST `body` to the bot's /slack/events, signed unless told otherwise."""
        if self.bot_url is None:
            raise RuntimeError("SlackStandIn has no bot_url to deliver to")
        stamp = timestamp or str(int(time.time()))
        sent = {"Content-Type": content_type, **(headers or {})}
        if signed:
            sent["X-Slack-Request-Timestamp"] = stamp
            sent["X-Slack-Signature"] = signature or sign(self.signing_secret, stamp, body)
        answer = self._http.post(self.bot_url + EVENTS_PATH, data=body.encode("utf-8"),
                                 headers=sent, timeout=self.timeout)
        parsed = None
        with suppress(ValueError):
            parsed = answer.json() if answer.content else None
        return Delivery(answer.status_code, answer.text, parsed)

    # -- the Web API --------------------------------------------------------------------

    def handle_api(self, method: str, args: dict[str, Any], token: str) -> dict[str, Any]:
        with self._lock:
            self._state.calls.append({"method": method, "args": copy.deepcopy(args),
                                      "at": time.time()})
            if self.bot_token is not None and token != self.bot_token \
                    and method != "apps.connections.open":
                return {"ok": False, "error": "invalid_auth"}
            handler = getattr(self, "_api_" + method.replace(".", "_"), None)
            if handler is None:
                return {"ok": False, "error": "unknown_method"}
            return handler(args)

    def _api_auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": "https://komae.slack.invalid/", "team": "komae",
                "user": "xpost", "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID}

    def _api_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel", ""))
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        message = self._append(channel, {"bot_id": BOT_ID, "user": BOT_USER_ID,
                                         "text": args.get("text", ""),
                                         "blocks": _blocks(args.get("blocks")),
                                         **({"thread_ts": args["thread_ts"]}
                                            if args.get("thread_ts") else {})})
        return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}

    def _api_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(args.get("channel", "")), str(args.get("ts", ""))
        for message in self._state.channels.get(channel, []):
            if message["ts"] == ts:
                message["text"] = args.get("text", message.get("text", ""))
                if "blocks" in args:
                    message["blocks"] = _blocks(args.get("blocks"))
                message["edited"] = {"user": BOT_USER_ID, "ts": self._next_ts()}
                return {"ok": True, "channel": channel, "ts": ts}
        return {"ok": False, "error": "message_not_found"}

    def _api_chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        ts = self._next_ts()
        self._state.ephemerals.setdefault(str(args.get("user", "")), []).append({
            "channel": args.get("channel"), "ts": ts, "text": args.get("text", ""),
            "blocks": _blocks(args.get("blocks")), "ephemeral": True})
        return {"ok": True, "message_ts": ts}

    def _api_views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self._state.triggers.pop(str(args.get("trigger_id", "")), None)
        if user is None:
            return {"ok": False, "error": "invalid_trigger_id"}
        view = _view_arg(args)
        view.update(id=f"V{next(self._ids):08d}", user=user)
        self._state.views[view["id"]] = view
        return {"ok": True, "view": view}

    def _api_views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view_id = str(args.get("view_id", ""))
        if view_id not in self._state.views:
            return {"ok": False, "error": "not_found"}
        view = _view_arg(args)
        view.update(id=view_id, user=self._state.views[view_id]["user"])
        self._state.views[view_id] = view
        return {"ok": True, "view": view}

    def _api_conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = str(args.get("users", ""))
        return {"ok": True, "channel": {"id": self.dm_channel(users.split(",")[0])}}

    def _api_users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = str(args.get("user", ""))
        known = self._state.users.get(user)
        if known is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": known}

    def _api_files_info(self, args: dict[str, Any]) -> dict[str, Any]:
        stored = self._state.files.get(str(args.get("file", "")))
        if stored is None:
            return {"ok": False, "error": "file_not_found"}
        return {"ok": True, "file": copy.deepcopy(stored.info)}

    def _api_apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if self.socket is None:
            return {"ok": False, "error": "not_allowed_token_type"}
        return {"ok": True, "url": self.socket.url}

    # -- response_url --------------------------------------------------------------------

    def handle_response_url(self, token: str, args: dict[str, Any]) -> tuple[int, str]:
        with self._lock:
            self._state.calls.append({"method": "response_url", "args": copy.deepcopy(args),
                                      "at": time.time()})
            reply = self._state.replies.get(token)
            if reply is None:
                return 404, "no such response_url"
            content = {"text": args.get("text", ""), "blocks": _blocks(args.get("blocks"))}
            if args.get("delete_original") and reply.message_ts:
                self._state.channels[reply.channel] = [
                    m for m in self._state.channels.get(reply.channel, [])
                    if m["ts"] != reply.message_ts]
                return 200, "ok"
            if args.get("replace_original") and reply.message_ts \
                    and self._replace(reply, content):
                return 200, "ok"
            if args.get("response_type") == "in_channel":
                self._append(reply.channel, {"bot_id": BOT_ID, "user": BOT_USER_ID, **content})
            else:
                self._state.ephemerals.setdefault(reply.user, []).append(
                    {"channel": reply.channel, "ts": self._next_ts(), "ephemeral": True,
                     **content})
            return 200, "ok"

    def _replace(self, reply: _Reply, content: dict[str, Any]) -> bool:
        for message in [*self._state.channels.get(reply.channel, []),
                        *self._state.ephemerals.get(reply.user, [])]:
            if message["ts"] == reply.message_ts:
                message.update(content)
                return True
        return False

    # -- internals ----------------------------------------------------------------------

    def _interactive(self, payload: dict[str, Any]) -> Delivery:
        if self.socket is not None and self.socket.connected:
            return self.socket.deliver("interactive", payload)
        body = urlencode({"payload": json.dumps(payload, ensure_ascii=False)})
        return self.deliver(body, "application/x-www-form-urlencoded")

    def close_view(self, user_id: str, view_id: str) -> bool:
        """The person closed the modal (×, Cancel). The bot sets no `notify_on_close`,
        so, as in Slack, nothing is delivered; the modal is just gone."""
        with self._lock:
            view = self._state.views.get(view_id)
            if view is None or view.get("user") != user_id:
                return False
            del self._state.views[view_id]
            return True

    def _after_submission(self, view_id: str, delivery: Delivery) -> None:
        """Slack's modal rules: `errors` keeps it open, `update` replaces it, else it closes."""
        answer = delivery.json or {}
        if delivery.status != 200:
            return
        with self._lock:
            if answer.get("response_action") == "errors":
                return
            if answer.get("response_action") == "update" and view_id in self._state.views:
                view = dict(answer["view"])
                view.update(id=view_id, user=self._state.views[view_id]["user"])
                self._state.views[view_id] = view
                return
            self._state.views.pop(view_id, None)

    def _append(self, channel: str, message: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            stored = {"channel": channel, "ts": self._next_ts(), **message}
            self._state.channels.setdefault(channel, []).append(stored)
            return copy.deepcopy(stored)

    def _next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    def _trigger(self, user_id: str) -> str:
        trigger = f"{next(self._ids)}.{uuid.uuid4().hex[:12]}"
        with self._lock:
            self._state.triggers[trigger] = user_id
        return trigger

    def _response_url(self, reply: _Reply) -> str:
        token = uuid.uuid4().hex
        with self._lock:
            self._state.replies[token] = reply
        return f"{self.url}/_standin/respond/{token}"

    def _name(self, user_id: str) -> str:
        with self._lock:
            return str(self._state.users.get(user_id, {}).get("name", user_id.lower()))


def _blocks(raw: Any) -> list[dict[str, Any]]:
    if isinstance(raw, str):
        return list(json.loads(raw)) if raw else []
    return list(raw or [])


def _view_arg(args: dict[str, Any]) -> dict[str, Any]:
    raw = args.get("view")
    return dict(json.loads(raw) if isinstance(raw, str) else raw or {})


def _find_button(message: dict[str, Any], action_id: str) -> tuple[dict[str, Any], str]:
    for block in message.get("blocks") or []:
        # A button sits in an actions block, or as a section's accessory.
        elements = list(block.get("elements", [])) if block.get("type") == "actions" else []
        if block.get("type") == "section" and block.get("accessory"):
            elements.append(block["accessory"])
        for element in elements:
            if element.get("type") == "button" and element.get("action_id") == action_id:
                return element, str(block.get("block_id", "actions"))
    raise LookupError(f"no button {action_id!r} on that message")


def buttons(message: dict[str, Any]) -> list[str]:
    """The action ids of every button on a message or modal."""
    return [element.get("action_id", "") for block in message.get("blocks") or []
            if block.get("type") == "actions" for element in block.get("elements", [])]


class _Handler(BaseHTTPRequestHandler):
    server_version = "SlackStandIn/1"
    protocol_version = "HTTP/1.1"

    @property
    def standin(self) -> SlackStandIn:
        return self.server.standin  # type: ignore[attr-defined,no-any-return]

    def do_GET(self) -> None:
        path = urlsplit(self.path)
        if path.path == "/_standin/channels":
            self._json(200, self.standin.snapshot())
        elif path.path == "/_standin/calls":
            method = dict(parse_qsl(path.query)).get("method")
            self._json(200, {"calls": self.standin.calls(method)})
        elif path.path.startswith("/api/"):
            self._api(path.path[5:], dict(parse_qsl(path.query)))
        elif path.path.startswith("/files-pri/"):
            status, data, content_type = self.standin.file_download(
                path.path, self.headers.get("Authorization", ""))
            self._send(status, data, content_type)
        else:
            self._json(404, {"ok": False, "error": "not_found"})

    def do_POST(self) -> None:
        path = urlsplit(self.path)
        args = dict(parse_qsl(path.query))
        args.update(self._body())
        if path.path.startswith("/api/"):
            self._api(path.path[5:], args)
        elif path.path.startswith("/_standin/respond/"):
            status, text = self.standin.handle_response_url(path.path.rsplit("/", 1)[1], args)
            self._send(status, text.encode(), "text/plain")
        else:
            self._json(404, {"ok": False, "error": "not_found"})

    def _api(self, method: str, args: dict[str, Any]) -> None:
        auth = self.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip() or str(args.pop("token", ""))
        self._json(200, self.standin.handle_api(method, args, token))

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return {}
        if "json" in (self.headers.get("Content-Type") or ""):
            parsed = json.loads(raw)
            return parsed if isinstance(parsed, dict) else {}
        return dict(parse_qsl(raw.decode("utf-8")))

    def _json(self, status: int, body: dict[str, Any]) -> None:
        self._send(status, json.dumps(body, ensure_ascii=False).encode("utf-8"),
                   "application/json; charset=utf-8")

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("slack stand-in: " + format, *args)


class SocketModeStandIn:
    """Slack's Socket Mode end: the bot connects, envelopes go down, acks come back."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: Any = None
        self._connection: Any = None
        self._acks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._ready = threading.Event()
        self._connected = threading.Event()

    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.port}/link"

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def wait_connected(self, timeout: float = 10.0) -> bool:
        return self._connected.wait(timeout)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="slack-socket-standin",
                                        daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("Socket Mode stand-in did not start")

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._loop.run_until_complete(self._serve())
        self._loop.run_forever()

    async def _serve(self) -> None:
        from websockets.asyncio.server import serve

        self._server = await serve(self._talk, self.host, 0)
        self.port = next(iter(self._server.sockets)).getsockname()[1]
        self._ready.set()

    async def _talk(self, connection: Any) -> None:
        self._connection = connection
        await connection.send(json.dumps({"type": "hello", "num_connections": 1,
                                          "debug_info": {"host": "standin"}}))
        self._connected.set()
        try:
            async for raw in connection:
                answer = json.loads(raw)
                waiting = self._acks.pop(str(answer.get("envelope_id")), None)
                if waiting is not None and not waiting.done():
                    waiting.set_result(answer)
        finally:
            if self._connection is connection:
                self._connected.clear()
                self._connection = None

    def deliver(self, kind: str, payload: dict[str, Any], timeout: float = 10.0) -> Delivery:
        if self._loop is None:
            raise RuntimeError("not started")
        future = asyncio.run_coroutine_threadsafe(self._send(kind, payload, timeout), self._loop)
        ack = future.result(timeout + 1)
        return Delivery(200, json.dumps(ack, ensure_ascii=False), ack.get("payload") or {})

    async def _send(self, kind: str, payload: dict[str, Any], timeout: float) -> dict[str, Any]:
        envelope_id = str(uuid.uuid4())
        waiting: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._acks[envelope_id] = waiting
        await self._connection.send(json.dumps({
            "envelope_id": envelope_id, "type": kind, "payload": payload,
            "accepts_response_payload": kind != "events_api"}))
        return await asyncio.wait_for(waiting, timeout)

    def stop(self) -> None:
        if self._loop is None:
            return

        async def close() -> None:
            if self._server is not None:
                self._server.close()
                await self._server.wait_closed()

        with suppress(Exception):
            asyncio.run_coroutine_threadsafe(close(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(5)
        self._loop = None
