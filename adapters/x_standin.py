"""A local stand-in for the part of the X API v2 that xpost uses.

The tests and the local demo mode run the real gateway (tweepy, real HTTP) against
it, so it behaves like X where xpost's decisions depend on it: OAuth 1.0a
signatures computed over the real `https://api.twitter.com` URL, duplicate content,
the weighted 280 limit, rate-limit headers and 429s, and faults injected on demand
(5xx, 429, a post created but its response lost).

Built on the stdlib `ThreadingHTTPServer`: one thread per connection means an
injected "response lost" can simply sleep or cut the socket without stalling other
requests, there is no event loop to run in a side thread, and nothing to install.

    with XStandIn().start() as x:           # random local credentials
        gateway = TweepyXGateway.from_credentials(x.credentials, api_url=x.url)

Admin API (JSON, no auth: it listens on 127.0.0.1 only):
    GET  /_standin/info         account, URL, the canonical base signatures are checked over
    GET  /_standin/timeline     {"account", "posts": [...], "deleted": [...]}, newest first
    GET  /_standin/calls        {"calls": [{"at", "method", "path", "endpoint", "status"}]}
    GET  /_standin/faults       pending faults and latencies
    POST /_standin/faults       {"endpoint", "kind", "count", "status", "delay", "reset_in"} or
                                {"kind": "latency", "seconds", "endpoint" (optional)}
    POST /_standin/rate_limits  {"endpoint", "limit", "window_seconds"}
    POST /_standin/reset        forget posts, media, faults, calls, windows

Endpoints (names used by faults and rate limits): create, delete, me, user_posts,
media_upload.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import email.parser
import email.policy
import hashlib
import hmac
import json
import logging
import os
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qs

from oauthlib.oauth1.rfc5849 import signature as oauth_signature
from oauthlib.oauth1.rfc5849 import utils as oauth_utils
from twitter_text import parse_tweet

from adapters.x_credentials import XCredentials

log = logging.getLogger(__name__)

CANONICAL_BASE_URL = "https://api.twitter.com"
MAX_WEIGHTED_LENGTH = 280
OAUTH_TIMESTAMP_TOLERANCE_SECONDS = 300
TWITTER_EPOCH_MS = 1288834974657  # snowflake ids count milliseconds from here

FaultKind = Literal["error", "rate_limit", "daily_limit", "timeout_after", "drop_after"]
FAULT_KINDS: tuple[str, ...] = ("error", "rate_limit", "daily_limit", "timeout_after", "drop_after")

# (method, path pattern, endpoint name)
ROUTES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("POST", re.compile(r"/2/tweets"), "create"),
    ("DELETE", re.compile(r"/2/tweets/(?P<post_id>\d+)"), "delete"),
    ("GET", re.compile(r"/2/users/me"), "me"),
    ("GET", re.compile(r"/2/users/(?P<user_id>\d+)/tweets"), "user_posts"),
    ("POST", re.compile(r"/2/media/upload"), "media_upload"),
)
ENDPOINTS = tuple(name for _, _, name in ROUTES)

# (requests, window seconds) per user, as X's self-serve tiers publish them; only
# `create` matters to xpost, the others are generous so tests do not trip on them.
DEFAULT_RATE_LIMITS: Mapping[str, tuple[int, float]] = {
    "create": (100, 900.0),
    "delete": (50, 900.0),
    "me": (75, 900.0),
    "user_posts": (900, 900.0),
    "media_upload": (500, 900.0),
}


@dataclass
class StandInPost:
    id: str
    text: str
    created_at: datetime
    media_ids: tuple[str, ...] = ()
    deleted_at: datetime | None = None

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "created_at": _x_time(self.created_at),
            "media": list(self.media_ids),
            "deleted": self.deleted,
            "deleted_at": _x_time(self.deleted_at) if self.deleted_at else None,
        }


@dataclass
class StandInMedia:
    id: str
    filename: str
    content_type: str
    category: str
    size: int


@dataclass
class _Fault:
    kind: FaultKind
    remaining: int
    status: int = 503
    delay: float = 30.0
    reset_in: float = 86400.0


@dataclass
class _Window:
    limit: int
    seconds: float
    started: float = 0.0
    used: int = 0

    def reset_at(self) -> int:
        return int(self.started + self.seconds)


@dataclass
class _Outcome:
    """What the API part of a request decided; the handler writes it."""

    status: int
    body: dict[str, Any] | None
    headers: dict[str, str] = field(default_factory=dict)
    after: _Fault | None = None  # lose the response after doing the work


def _x_time(moment: datetime) -> str:
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def _problem(status: int, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    """X API v2's error shape: tweepy puts `detail` into `api_messages`."""
    return {"title": title, "detail": detail, "type": "about:blank", "status": status, **extra}


def _invalid_request(message: str, parameter: str, value: Any) -> dict[str, Any]:
    return {
        "errors": [{"parameters": {parameter: [value]}, "message": message}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request",
    }


class XStandIn:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        username: str = "komae_kosodate",
        name: str = "狛江市 子ども若者政策課",
        user_id: str = "1580000000000000001",
        credentials: XCredentials | None = None,
        canonical_base_url: str = CANONICAL_BASE_URL,
        rate_limits: Mapping[str, tuple[int, float]] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.host = host
        self.port = port
        self.username = username
        self.name = name
        self.user_id = user_id
        self.credentials = credentials or XCredentials.generate()
        self.canonical_base_url = canonical_base_url.rstrip("/")
        self._clock = clock
        self._initial_rate_limits = {**DEFAULT_RATE_LIMITS, **(rate_limits or {})}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._reset_state()

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> XStandIn:
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = _Server((self.host, self.port), _Handler, self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # stop() waits for one poll
            name=f"x-standin-{self.port}",
            daemon=True,
        )
        self._thread.start()
        log.info("X stand-in listening on %s as @%s", self.url, self.username)
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()  # wakes handlers sleeping on latency or a lost response
        self._server.shutdown()
        self._server.close_all_connections()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> XStandIn:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # -- inspection --------------------------------------------------------

    @property
    def posts(self) -> list[StandInPost]:
        """Posts on the timeline now, newest first (a fresh snapshot on every read)."""
        with self._lock:
            return [_copy(p) for p in reversed(self._posts) if not p.deleted]

    @property
    def deleted(self) -> list[StandInPost]:
        """Deleted posts, newest first."""
        with self._lock:
            return [_copy(p) for p in reversed(self._posts) if p.deleted]

    @property
    def media(self) -> list[StandInMedia]:
        with self._lock:
            return list(self._media.values())

    @property
    def calls(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._calls)

    def timeline(self) -> dict[str, Any]:
        with self._lock:
            newest_first = list(reversed(self._posts))
        return {
            "account": {"id": self.user_id, "username": self.username, "name": self.name},
            "posts": [p.to_json() for p in newest_first if not p.deleted],
            "deleted": [p.to_json() for p in newest_first if p.deleted],
        }

    def faults(self) -> dict[str, Any]:
        with self._lock:
            return {
                "faults": {
                    endpoint: [vars(f).copy() for f in queue]
                    for endpoint, queue in self._faults.items()
                    if queue
                },
                "latency": dict(self._latency),
            }

    # -- control -----------------------------------------------------------

    def inject(
        self,
        endpoint: str,
        kind: FaultKind,
        count: int = 1,
        *,
        status: int = 503,
        delay: float = 30.0,
        reset_in: float = 86400.0,
    ) -> None:
        """The next `count` requests to `endpoint` fail this way.

        error: answer `status` (5xx by default) without doing anything.
        rate_limit: answer 429 with the window's headers.
        daily_limit: answer 429 with X's 24-hour cap headers, resetting in `reset_in`
            seconds (later than the 15-minute window's reset).
        timeout_after: do the work (the post IS created), then hold the response
            for `delay` seconds, past the client's time-out.
        drop_after: do the work, then close the connection without answering.
        """
        if endpoint not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {endpoint!r}; one of {', '.join(ENDPOINTS)}")
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {', '.join(FAULT_KINDS)}")
        if count < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._faults.setdefault(endpoint, deque()).append(
                _Fault(kind=kind, remaining=count, status=status, delay=delay, reset_in=reset_in)
            )

    def set_latency(self, seconds: float, endpoint: str | None = None) -> None:
        """Delay every answer (of one endpoint, or all with None) by `seconds`."""
        if endpoint is not None and endpoint not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {endpoint!r}")
        with self._lock:
            self._latency[endpoint or "*"] = max(0.0, seconds)

    def set_rate_limit(self, endpoint: str, limit: int, window_seconds: float = 900.0) -> None:
        """A new limit and a fresh window for `endpoint`."""
        if endpoint not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {endpoint!r}")
        with self._lock:
            self._windows[endpoint] = _Window(limit=limit, seconds=window_seconds)

    def reset(self) -> None:
        with self._lock:
            self._reset_state()

    def _reset_state(self) -> None:
        self._posts: list[StandInPost] = []
        self._media: dict[str, StandInMedia] = {}
        self._faults: dict[str, deque[_Fault]] = {}
        self._latency: dict[str, float] = {}
        self._windows: dict[str, _Window] = {
            endpoint: _Window(limit=limit, seconds=seconds)
            for endpoint, (limit, seconds) in self._initial_rate_limits.items()
        }
        self._calls: deque[dict[str, Any]] = deque(maxlen=2000)
        self._seen_nonces: dict[tuple[str, str], float] = {}
        self._last_id = 0

    # -- the API -----------------------------------------------------------

    def handle_api(
        self, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes
    ) -> _Outcome:
        endpoint, args = _route(method, path)
        if endpoint is None:
            return _Outcome(404, _problem(404, "Not Found", f"No route for {method} {path}"))
        self._wait_latency(endpoint)
        signed = self._signature_ok(method, path, query, headers, body)
        with self._lock:
            window = self._current_window(endpoint)
            fault = self._take_fault(endpoint) if signed else None
            refused = fault is not None and fault.kind in ("rate_limit", "daily_limit")
            allowed = signed and window.used < window.limit and not refused
            if allowed:
                window.used += 1
            rate_headers = {
                "x-rate-limit-limit": str(window.limit),
                "x-rate-limit-remaining": str(max(0, window.limit - window.used)),
                "x-rate-limit-reset": str(window.reset_at()),
            }
        if not signed:
            return _Outcome(401, _problem(401, "Unauthorized", "Unauthorized"), rate_headers)
        if not allowed:
            if fault and fault.kind == "daily_limit":
                # X's 24-hour cap: the 15-minute window may be fine, this header is not.
                rate_headers |= {
                    "x-user-limit-24hour-limit": "17",
                    "x-user-limit-24hour-remaining": "0",
                    "x-user-limit-24hour-reset": str(int(self._clock() + fault.reset_in)),
                }
            else:
                rate_headers["x-rate-limit-remaining"] = "0"
            body_429 = _problem(429, "Too Many Requests", "Too Many Requests")
            return _Outcome(429, body_429, rate_headers)
        if fault and fault.kind == "error":
            title = "Service Unavailable" if fault.status == 503 else "Internal Server Error"
            return _Outcome(fault.status, _problem(fault.status, title, title), rate_headers)

        handler = getattr(self, f"_api_{endpoint}")
        status, payload = handler(args, query, headers, body)
        after = fault if fault and fault.kind in ("timeout_after", "drop_after") else None
        return _Outcome(status, payload, rate_headers, after)

    def _api_create(
        self, args: dict[str, str], query: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, Any]]:
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            return 400, _problem(400, "Invalid Request", "Request body is not valid JSON.")
        text = request.get("text") or ""
        media_ids = [str(m) for m in (request.get("media") or {}).get("media_ids") or []]
        if not text and not media_ids:
            return 400, _invalid_request("Text or media is required.", "text", text)
        # Parsing is the slow part: do it before taking the lock.
        too_long = bool(text) and parse_tweet(text).weightedLength > MAX_WEIGHTED_LENGTH
        with self._lock:
            unknown = [m for m in media_ids if m not in self._media]
            if unknown:
                return 400, _invalid_request(
                    "Your media IDs are invalid.", "media.media_ids", unknown[0]
                )
            if too_long:
                detail = (
                    "Your Tweet text is too long. For more information on how X determines "
                    "text length see https://github.com/twitter/twitter-text."
                )
                return 403, _problem(403, "Forbidden", detail)
            if any(p.text == text and not p.deleted for p in self._posts):
                detail = "You are not allowed to create a Tweet with duplicate content."
                return 403, _problem(403, "Forbidden", detail)
            post = StandInPost(
                id=self._next_id(),
                text=text,
                created_at=datetime.fromtimestamp(self._clock(), UTC),
                media_ids=tuple(media_ids),
            )
            self._posts.append(post)
        data = {"id": post.id, "text": post.text, "edit_history_tweet_ids": [post.id]}
        return 201, {"data": data}

    def _api_delete(
        self, args: dict[str, str], query: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, Any]]:
        post_id = args["post_id"]
        with self._lock:
            post = next((p for p in self._posts if p.id == post_id and not p.deleted), None)
            if post is None:
                detail = f"Could not find tweet with id: [{post_id}]."
                return 404, _problem(404, "Not Found Error", detail, resource_id=post_id)
            post.deleted_at = datetime.fromtimestamp(self._clock(), UTC)
        return 200, {"data": {"deleted": True}}

    def _api_me(
        self, args: dict[str, str], query: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, Any]]:
        return 200, {"data": {"id": self.user_id, "name": self.name, "username": self.username}}

    def _api_user_posts(
        self, args: dict[str, str], query: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, Any]]:
        params = {k: v[-1] for k, v in parse_qs(query).items()}
        if args["user_id"] != self.user_id:
            detail = f"Could not find user with id: [{args['user_id']}]."
            error = {"detail": detail, "title": "Not Found Error", "value": args["user_id"]}
            return 200, {"errors": [error]}
        raw_max = params.get("max_results", "10")
        if not raw_max.isdigit() or not 5 <= int(raw_max) <= 100:
            return 400, _invalid_request(
                "The `max_results` query parameter value is not between 5 and 100",
                "max_results",
                raw_max,
            )
        fields = set(params.get("tweet.fields", "").split(","))
        with self._lock:
            newest = [p for p in reversed(self._posts) if not p.deleted][: int(raw_max)]
        data = []
        for post in newest:
            item: dict[str, Any] = {
                "id": post.id,
                "text": post.text,
                "edit_history_tweet_ids": [post.id],
            }
            if "created_at" in fields:
                item["created_at"] = _x_time(post.created_at)
            data.append(item)
        if not data:
            return 200, {"meta": {"result_count": 0}}
        meta = {"result_count": len(data), "newest_id": data[0]["id"], "oldest_id": data[-1]["id"]}
        return 200, {"data": data, "meta": meta}

    def _api_media_upload(
        self, args: dict[str, str], query: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, Any]]:
        content_type = headers.get("Content-Type", "")
        if not content_type.startswith("multipart/form-data"):
            return 400, _problem(400, "Invalid Request", "Expected multipart/form-data.")
        parts = _multipart_parts(content_type, body)
        media = parts.get("media")
        if media is None or not media[1]:
            return 400, _invalid_request("media is required", "media", None)
        filename, data, media_type = media
        category = (parts.get("media_category") or ("", b"", ""))[1].decode() or "tweet_image"
        with self._lock:
            media_id = self._next_id()
            self._media[media_id] = StandInMedia(
                id=media_id,
                filename=filename,
                content_type=media_type,
                category=category,
                size=len(data),
            )
        payload = {
            "id": media_id,
            "media_key": f"3_{media_id}",
            "size": len(data),
            "expires_after_secs": 86400,
            "image": {"image_type": media_type},
        }
        return 200, {"data": payload}

    # -- pieces ------------------------------------------------------------

    def _signature_ok(
        self, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes
    ) -> bool:
        """OAuth 1.0a HMAC-SHA1, computed over the canonical X URL as X itself would."""
        authorization = headers.get("Authorization", "")
        if not authorization.lower().startswith("oauth "):
            return False
        try:
            oauth = {
                k: oauth_utils.unescape(v)
                for k, v in oauth_utils.parse_authorization_header(authorization)
            }
            # Form bodies are signed; JSON and multipart bodies are not (RFC 5849 3.4.1.3.1).
            form_body = None
            if headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
                form_body = body.decode()
            params = oauth_signature.collect_parameters(
                uri_query=query, body=form_body, headers={"Authorization": authorization}
            )
            base_string = oauth_signature.signature_base_string(
                method,
                oauth_signature.base_string_uri(self.canonical_base_url + path),
                oauth_signature.normalize_parameters(params),
            )
            timestamp = int(oauth.get("oauth_timestamp", ""))
        except (ValueError, UnicodeDecodeError):
            return False
        creds = self.credentials
        if (
            oauth.get("oauth_signature_method") != "HMAC-SHA1"
            or oauth.get("oauth_version", "1.0") != "1.0"
            or not hmac.compare_digest(oauth.get("oauth_consumer_key", ""), creds.api_key)
            or not hmac.compare_digest(oauth.get("oauth_token", ""), creds.access_token)
            or abs(self._clock() - timestamp) > OAUTH_TIMESTAMP_TOLERANCE_SECONDS
            or not oauth.get("oauth_nonce")
        ):
            return False
        secrets = (creds.api_secret, creds.access_token_secret)
        key = "&".join(oauth_utils.escape(secret) for secret in secrets)
        digest = hmac.new(key.encode(), base_string.encode(), hashlib.sha1).digest()
        expected = base64.b64encode(digest).decode()
        if not hmac.compare_digest(expected, oauth.get("oauth_signature", "")):
            return False
        return self._nonce_is_fresh(oauth["oauth_nonce"], oauth["oauth_timestamp"])

    def _nonce_is_fresh(self, nonce: str, timestamp: str) -> bool:
        """A replayed request (same nonce and timestamp) is refused, as X does."""
        now = self._clock()
        with self._lock:
            if len(self._seen_nonces) > 10_000:
                horizon = now - 2 * OAUTH_TIMESTAMP_TOLERANCE_SECONDS
                self._seen_nonces = {k: t for k, t in self._seen_nonces.items() if t > horizon}
            if (nonce, timestamp) in self._seen_nonces:
                return False
            self._seen_nonces[(nonce, timestamp)] = now
            return True

    def _current_window(self, endpoint: str) -> _Window:
        """Caller holds the lock. Fixed windows, started by the first request."""
        window = self._windows.setdefault(endpoint, _Window(limit=10**9, seconds=900.0))
        now = self._clock()
        if window.used == 0 or now >= window.started + window.seconds:
            window.started = now
            window.used = 0
        return window

    def _take_fault(self, endpoint: str) -> _Fault | None:
        """Caller holds the lock."""
        queue = self._faults.get(endpoint)
        if not queue:
            return None
        fault = queue[0]
        fault.remaining -= 1
        if fault.remaining <= 0:
            queue.popleft()
        return fault

    def _wait_latency(self, endpoint: str) -> None:
        with self._lock:
            seconds = self._latency.get(endpoint, self._latency.get("*", 0.0))
        if seconds:
            self._stopping.wait(seconds)

    def _next_id(self) -> str:
        """Caller holds the lock. Snowflake-like: time-ordered, strictly increasing."""
        candidate = (int(self._clock() * 1000) - TWITTER_EPOCH_MS) << 22
        self._last_id = max(candidate, self._last_id + 1)
        return str(self._last_id)

    def record_call(self, method: str, path: str, endpoint: str | None, status: int | str) -> None:
        with self._lock:
            self._calls.append(
                {
                    "at": _x_time(datetime.fromtimestamp(self._clock(), UTC)),
                    "method": method,
                    "path": path,
                    "endpoint": endpoint,
                    "status": status,
                }
            )

    # -- the admin API -----------------------------------------------------

    def handle_admin(self, method: str, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
        try:
            request = json.loads(body) if body else {}
            if not isinstance(request, dict):
                raise ValueError("expected a JSON object")
            match (method, path):
                case ("GET", "/_standin/info"):
                    return 200, {
                        "url": self.url,
                        "account": {"id": self.user_id, "username": self.username},
                        "canonical_base_url": self.canonical_base_url,
                        "endpoints": list(ENDPOINTS),
                    }
                case ("GET", "/_standin/timeline"):
                    return 200, self.timeline()
                case ("GET", "/_standin/calls"):
                    return 200, {"calls": self.calls}
                case ("GET", "/_standin/faults"):
                    return 200, self.faults()
                case ("POST", "/_standin/faults"):
                    if request.get("kind") == "latency":
                        self.set_latency(float(request["seconds"]), request.get("endpoint"))
                    else:
                        self.inject(
                            request["endpoint"],
                            request["kind"],
                            int(request.get("count", 1)),
                            status=int(request.get("status", 503)),
                            delay=float(request.get("delay", 30.0)),
                            reset_in=float(request.get("reset_in", 86400.0)),
                        )
                    return 200, self.faults()
                case ("POST", "/_standin/rate_limits"):
                    self.set_rate_limit(
                        request["endpoint"],
                        int(request["limit"]),
                        float(request.get("window_seconds", 900.0)),
                    )
                    return 200, {"ok": True}
                case ("POST", "/_standin/reset"):
                    self.reset()
                    return 200, {"ok": True}
        except (ValueError, KeyError, TypeError) as err:
            return 400, {"error": f"{type(err).__name__}: {err}"}
        return 404, {"error": f"no admin route {method} {path}"}


def _copy(post: StandInPost) -> StandInPost:
    return StandInPost(post.id, post.text, post.created_at, post.media_ids, post.deleted_at)


def _route(method: str, path: str) -> tuple[str | None, dict[str, str]]:
    for route_method, pattern, endpoint in ROUTES:
        match = pattern.fullmatch(path)
        if match and route_method == method:
            return endpoint, match.groupdict()
    return None, {}


def _multipart_parts(content_type: str, body: bytes) -> dict[str, tuple[str, bytes, str]]:
    """name -> (filename, bytes, content type); the stdlib email parser reads form-data."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + body
    )
    parts: dict[str, tuple[str, bytes, str]] = {}
    if not message.is_multipart():
        return parts
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        parts[name] = (
            part.get_filename() or "",
            payload if isinstance(payload, bytes) else b"",
            part.get_content_type(),
        )
    return parts


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # 50 clients connecting at once must not be refused

    def __init__(
        self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], standin: XStandIn
    ) -> None:
        self.standin = standin
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_all_connections(self) -> None:
        """Keep-alive connections would otherwise outlive a stopped stand-in."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug(
            "X stand-in: connection from %s ended with an error", client_address, exc_info=True
        )


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like X; every answer has a Content-Length
    server_version = "x-standin"
    timeout = 30  # idle keep-alive connections are closed after this
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without this, Nagle's algorithm and
        # delayed ACKs add 40 ms to every answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        standin = self.server.standin
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if path.startswith("/_standin/"):
            status, payload = standin.handle_admin(self.command, path, body)
            self._answer(status, payload)
            return

        headers = {name: value for name, value in self.headers.items()}
        outcome = standin.handle_api(self.command, path, query, headers, body)
        endpoint, _ = _route(self.command, path)
        if outcome.after and outcome.after.kind == "drop_after":
            standin.record_call(self.command, path, endpoint, "dropped")
            self._drop_connection()
            return
        if outcome.after and outcome.after.kind == "timeout_after":
            standin.record_call(self.command, path, endpoint, f"{outcome.status} (late)")
            standin._stopping.wait(outcome.after.delay)
            self.close_connection = True
        else:
            standin.record_call(self.command, path, endpoint, outcome.status)
        try:
            self._answer(outcome.status, outcome.body, outcome.headers)
        except OSError:  # the client gave up waiting: that is the point of the fault
            self.close_connection = True

    def _answer(
        self, status: int, payload: dict[str, Any] | None, headers: Mapping[str, str] = {}
    ) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode() if payload is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _drop_connection(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("X stand-in: " + format, *args)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A local stand-in for the X API v2 (xpost)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--username", default="komae_kosodate")
    args = parser.parse_args(argv)

    # Reuse the credentials the local configuration already has, else make some up.
    names = ("X_API_KEY", "X_API_SECRET", "X_ACCESS_TOKEN", "X_ACCESS_TOKEN_SECRET")
    given = [os.environ.get(n, "") for n in names]
    credentials = XCredentials(*given) if all(given) else XCredentials.generate()

    standin = XStandIn(args.host, args.port, username=args.username, credentials=credentials)
    standin.start()
    print(f"X stand-in for @{standin.username} on {standin.url}")
    print("It accepts these (local, throw-away) credentials:")
    print(f"X_API_URL={standin.url}")
    for env_name, value in zip(names, credentials.values(), strict=True):
        print(f"{env_name}={value}")
    print(f"Timeline: {standin.url}/_standin/timeline  (Ctrl-C stops)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        standin.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
