"""A local stand-in for the Bot Connector service that Teams bots talk to.

Point an activity's `serviceUrl` (or XPOST_TEAMS_SERVICE_URL) at it and the bot's
replies, new conversations and card updates land here, recorded in order:

    POST /v3/conversations                                  create a conversation
    POST /v3/conversations/{id}/activities                  send to a conversation
    POST /v3/conversations/{id}/activities/{replyToId}      reply to an activity
    PUT  /v3/conversations/{id}/activities/{activityId}     update (replace) an activity

Each answers with the ids the real service would. It also stands in for the Bot
Framework's token issuer: `/openid` and `/keys` publish a signing key and
`issue_token(app_id)` signs a channel token with it, so authentication can be
tested end to end with no network.

Run it alone: `python -m adapters.teams_standin --port 3978`.
"""

from __future__ import annotations

import argparse
import base64
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

CHANNEL_TOKEN_ISSUER = "https://api.botframework.com"


@dataclass
class Recorded:
    """One call the bot made: what, where, and the activity (or parameters) it sent."""

    method: str
    kind: str  # "send", "reply", "update", "create_conversation"
    conversation_id: str
    activity_id: str  # the id given (send, reply, create) or replaced (update)
    body: dict[str, Any] = field(default_factory=dict)
    reply_to: str = ""

    @property
    def text(self) -> str:
        return str(self.body.get("text") or "")

    @property
    def card(self) -> dict[str, Any] | None:
        for attachment in self.body.get("attachments") or []:
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                return attachment.get("content")
        return None

    @property
    def card_text(self) -> str:
        """Every text of the card, flattened (for assertions on what a person reads)."""
        return "\n".join(_texts(self.card)) if self.card else ""


def _texts(node: Any) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        for key in ("text", "title", "value", "placeholder"):
            if isinstance(node.get(key), str):
                found.append(node[key])
        for value in node.values():
            if isinstance(value, dict | list):
                found += _texts(value)
    elif isinstance(node, list):
        for item in node:
            found += _texts(item)
    return found


class BotConnectorStandIn:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self._lock = threading.Condition()
        self._calls: list[Recorded] = []
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._signing_key: Any = None

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> BotConnectorStandIn:
        server = ThreadingHTTPServer((self.host, self.port), _Handler)
        server.daemon_threads = True
        server.standin = self  # type: ignore[attr-defined]
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"teams-standin-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> BotConnectorStandIn:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # -- what was recorded -------------------------------------------------------------

    def calls(self, kind: str | None = None, conversation_id: str | None = None
              ) -> list[Recorded]:
        with self._lock:
            return [c for c in self._calls
                    if (kind is None or c.kind == kind)
                    and (conversation_id is None or c.conversation_id == conversation_id)]

    def messages(self, conversation_id: str | None = None) -> list[Recorded]:
        """Everything posted (sent or replied), oldest first."""
        return [c for c in self.calls(conversation_id=conversation_id)
                if c.kind in ("send", "reply")]

    def wait_for(self, predicate: Any, timeout: float = 10.0) -> list[Recorded]:
        """Block until `predicate(calls)` is true; returns the calls, or raises TimeoutError."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                calls = list(self._calls)
                if predicate(calls):
                    return calls
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"the bot never did it; it did: {_summary(calls)}")
                self._lock.wait(left)

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()

    def record(self, call: Recorded) -> None:
        with self._lock:
            self._calls.append(call)
            self._lock.notify_all()

    def next_id(self, prefix: str) -> str:
        return f"{prefix}-{next(self._ids)}"

    # -- the token issuer ------------------------------------------------------------------

    def issue_token(self, app_id: str, service_url: str, lifetime_s: int = 300) -> str:
        """A channel token as the Bot Framework would sign it for `app_id`."""
        import jwt

        now = int(time.time())
        claims = {"iss": CHANNEL_TOKEN_ISSUER, "aud": app_id, "serviceurl": service_url,
                  "nbf": now - 5, "iat": now, "exp": now + lifetime_s}
        return jwt.encode(claims, self._key(), algorithm="RS256", headers={"kid": "standin"})

    @property
    def openid_url(self) -> str:
        return f"{self.url}/openid"

    def _key(self) -> Any:
        if self._signing_key is None:
            from cryptography.hazmat.primitives.asymmetric import rsa

            self._signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return self._signing_key

    def jwks(self) -> dict[str, Any]:
        numbers = self._key().public_key().public_numbers()

        def b64(value: int) -> str:
            raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        return {"keys": [{"kty": "RSA", "use": "sig", "kid": "standin", "alg": "RS256",
                          "n": b64(numbers.n), "e": b64(numbers.e),
                          "endorsements": ["msteams"]}]}


def _summary(calls: list[Recorded]) -> str:
    return "; ".join(f"{c.kind} {c.conversation_id} {c.text or c.card_text[:80]!r}"
                     for c in calls[-10:]) or "nothing"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as botbuilder's client pools connections
    # Headers and body leave in separate writes; with Nagle on, the second waits for the
    # client's delayed ACK (~40 ms) and the stand-in would dominate every measurement.
    disable_nagle_algorithm = True

    @property
    def standin(self) -> BotConnectorStandIn:
        return self.server.standin  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the recording is the log

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            return {}

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path == "/openid":
            self._answer(200, {"issuer": CHANNEL_TOKEN_ISSUER,
                               "jwks_uri": f"{self.standin.url}/keys",
                               "id_token_signing_alg_values_supported": ["RS256"]})
        elif self.path == "/keys":
            self._answer(200, self.standin.jwks())
        else:
            self._answer(404, {"error": {"code": "NotFound", "message": self.path}})

    def do_POST(self) -> None:
        body = self._body()
        parts = [unquote(p) for p in self.path.split("?")[0].strip("/").split("/")]
        standin = self.standin
        if parts == ["v3", "conversations"]:
            conversation_id = standin.next_id("a:conversation")
            standin.record(Recorded("POST", "create_conversation", conversation_id, "", body))
            self._answer(201, {"id": conversation_id, "activityId": ""})
        elif len(parts) == 4 and parts[:2] == ["v3", "conversations"] and parts[3] == "activities":
            activity_id = standin.next_id("activity")
            standin.record(Recorded("POST", "send", parts[2], activity_id, body))
            self._answer(201, {"id": activity_id})
        elif len(parts) == 5 and parts[:2] == ["v3", "conversations"] and parts[3] == "activities":
            activity_id = standin.next_id("activity")
            standin.record(Recorded("POST", "reply", parts[2], activity_id, body,
                                    reply_to=parts[4]))
            self._answer(201, {"id": activity_id})
        else:
            self._answer(404, {"error": {"code": "NotFound", "message": self.path}})

    def do_PUT(self) -> None:
        body = self._body()
        parts = [unquote(p) for p in self.path.split("?")[0].strip("/").split("/")]
        if len(parts) == 5 and parts[:2] == ["v3", "conversations"] and parts[3] == "activities":
            self.standin.record(Recorded("PUT", "update", parts[2], parts[4], body))
            self._answer(200, {"id": parts[4]})
        else:
            self._answer(404, {"error": {"code": "NotFound", "message": self.path}})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Bot Connector stand-in for xpost's Teams bot")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3978)
    args = parser.parse_args(argv)
    standin = BotConnectorStandIn(args.host, args.port).start()
    print(f"Bot Connector stand-in on {standin.url}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        standin.stop()


if __name__ == "__main__":
    main()
