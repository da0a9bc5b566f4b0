"""The real X: `XGateway` on tweepy's v2 `Client`, plus the v2 media upload tweepy lacks.

tweepy always talks to `https://api.twitter.com`. To run against the local
stand-in (or any `X_API_URL`), a transport adapter mounted on the client's session
rewrites the URL when the request is sent, i.e. after the OAuth 1.0a signature was
computed over the real X URL, as X verifies it.

The gateway never retries and never posts twice on its own: accounts that posted
and deleted the same text repeatedly have been frozen. It raises the port's
errors and the worker decides.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import requests
import tweepy
from requests.adapters import HTTPAdapter
from requests.utils import get_environ_proxies

from adapters.x_credentials import XCredentials
from chatbot.ports import (
    MediaBlob,
    RateLimit,
    XDuplicate,
    XGateway,
    XIdentity,
    XPost,
    XRateLimited,
    XRejected,
    XTransient,
)

X_API_URL = "https://api.twitter.com"
POST_URL = "https://x.com/{username}/status/{id}"
MEDIA_UPLOAD_PATH = "/2/media/upload"
FALLBACK_RATE_WINDOW = timedelta(minutes=15)  # X's window, when a 429 lacks its reset header

# Loggers of the libraries that sign requests: at DEBUG they print the Authorization
# header and the signature base string, which carry the API key and access token.
_SIGNING_LOGGERS = (
    "requests_oauthlib.oauth1_auth",
    "oauthlib.oauth1.rfc5849",
    "oauthlib.oauth1.rfc5849.signature",
    "tweepy.client",
    "urllib3.connectionpool",
)


class _CredentialRedactor(logging.Filter):
    """Blanks credential values out of the signing libraries' log records."""

    def __init__(self) -> None:
        super().__init__()
        self._values: set[str] = set()
        self._lock = threading.Lock()

    def add(self, credentials: XCredentials) -> None:
        with self._lock:
            for value in credentials.values():
                if value:
                    self._values.update({value, quote(value, safe="~")})

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        with self._lock:
            found = [v for v in self._values if v in message]
        if found:
            for value in sorted(found, key=len, reverse=True):
                message = message.replace(value, "***")
            record.msg, record.args = message, ()
        return True


_redactor = _CredentialRedactor()
_redactor_installed = threading.Lock()


def _install_redactor(credentials: XCredentials) -> None:
    _redactor.add(credentials)
    with _redactor_installed:
        for name in _SIGNING_LOGGERS:
            logger = logging.getLogger(name)
            if _redactor not in logger.filters:
                logger.addFilter(_redactor)


class _RedirectAdapter(HTTPAdapter):
    """Sends requests signed for X's URL to `target` instead, with a default time-out.

    No retries (requests' default, made explicit): a POST that reached X must never
    be sent again behind the worker's back.
    """

    def __init__(self, target: str, timeout: float) -> None:
        super().__init__(max_retries=0)
        self._target = target.rstrip("/")
        self._timeout = timeout

    def send(  # type: ignore[override]
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        url = request.url or ""
        if self._target != X_API_URL and url.startswith(X_API_URL + "/"):
            request = request.copy()
            request.url = self._target + url[len(X_API_URL) :]
            # Proxies were chosen for api.twitter.com; choose again for the real target
            # (NO_PROXY usually spares 127.0.0.1).
            proxies = get_environ_proxies(request.url)
        return super().send(
            request,
            stream=stream,
            timeout=self._timeout if timeout is None else timeout,  # tweepy passes none
            verify=verify,
            cert=cert,
            proxies=proxies,
        )


def _endpoint_of(method: str, url: str) -> str:
    """`DELETE /2/tweets/:id`: ids folded so each endpoint keeps one entry."""
    version, *rest = urlsplit(url).path.lstrip("/").split("/")
    folded = [":id" if segment.isdigit() else segment for segment in rest]
    return f"{method} /" + "/".join([version, *folded])


class TweepyXGateway(XGateway):
    def __init__(
        self,
        *,
        api_key: str,
        api_secret: str,
        access_token: str,
        access_token_secret: str,
        api_url: str = X_API_URL,
        timeout: float = 10.0,
    ) -> None:
        self._credentials = XCredentials(api_key, api_secret, access_token, access_token_secret)
        _install_redactor(self._credentials)
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout
        self._client = tweepy.Client(
            consumer_key=api_key,
            consumer_secret=api_secret,
            access_token=access_token,
            access_token_secret=access_token_secret,
            wait_on_rate_limit=False,  # sleeping inside a call would hide the limit from the worker
        )
        session = self._client.session
        session.mount(X_API_URL + "/", _RedirectAdapter(self.api_url, timeout))
        session.hooks["response"].append(self._record_rate_limits)
        self._lock = threading.Lock()
        self._identity: XIdentity | None = None
        self._rate_limits: dict[str, RateLimit] = {}

    @classmethod
    def from_credentials(
        cls, credentials: XCredentials, *, api_url: str = X_API_URL, timeout: float = 10.0
    ) -> TweepyXGateway:
        return cls(
            api_key=credentials.api_key,
            api_secret=credentials.api_secret,
            access_token=credentials.access_token,
            access_token_secret=credentials.access_token_secret,
            api_url=api_url,
            timeout=timeout,
        )

    def __repr__(self) -> str:
        return f"TweepyXGateway(api_url={self.api_url!r}, timeout={self.timeout})"

    # -- the port ----------------------------------------------------------

    def me(self) -> XIdentity:
        """Asks X every time (the worker's identity check); keeps the answer for URLs."""
        with _x_errors("read the account"):
            user = self._client.get_me(user_auth=True).data
        if user is None:
            raise XRejected("X did not say which account these tokens belong to")
        identity = XIdentity(id=str(user.id), username=user.username)
        with self._lock:
            self._identity = identity
        return identity

    def create_post(self, text: str, media: list[MediaBlob] | None = None) -> XPost:
        identity = self._known_identity()  # before posting: the URL must be known
        media_ids = [self._upload(blob) for blob in media or []]
        with _x_errors("post"):
            response = self._client.create_tweet(
                text=text, media_ids=media_ids or None, user_auth=True
            )
        data = response.data
        if not isinstance(data, dict) or "id" not in data:
            # Created or not, we cannot tell: the worker reconciles as for a time-out.
            raise XTransient("X answered the post without an id")
        post_id = str(data["id"])
        return XPost(
            id=post_id,
            text=data.get("text", text),
            url=POST_URL.format(username=identity.username, id=post_id),
        )

    def delete_post(self, post_id: str) -> None:
        with _x_errors("delete the post", not_found_is_fine=True):
            self._client.delete_tweet(post_id, user_auth=True)

    def recent_posts(self, limit: int = 20) -> list[XPost]:
        if limit <= 0:
            return []
        identity = self._known_identity()
        with _x_errors("read recent posts"):
            response = self._client.get_users_tweets(
                identity.id,
                max_results=min(max(limit, 5), 100),  # X accepts 5..100
                tweet_fields=["created_at"],
                user_auth=True,
            )
        return [
            XPost(
                id=str(tweet.id),
                text=tweet.text,
                url=POST_URL.format(username=identity.username, id=tweet.id),
                created_at=tweet.created_at,
            )
            for tweet in (response.data or [])[:limit]
        ]

    def last_rate_limits(self) -> list[RateLimit]:
        with self._lock:
            return [self._rate_limits[k] for k in sorted(self._rate_limits)]

    # -- pieces ------------------------------------------------------------

    def _known_identity(self) -> XIdentity:
        with self._lock:
            identity = self._identity
        return identity or self.me()

    def _upload(self, blob: MediaBlob) -> str:
        """v2 `POST /2/media/upload`, signed with tweepy's own OAuth 1.0a (body unsigned)."""
        category = "tweet_gif" if blob.content_type == "image/gif" else "tweet_image"
        auth = tweepy.OAuth1UserHandler(
            self._credentials.api_key,
            self._credentials.api_secret,
            self._credentials.access_token,
            self._credentials.access_token_secret,
        ).apply_auth()
        with _x_errors(f"upload {blob.filename}"):
            response = self._client.session.post(
                X_API_URL + MEDIA_UPLOAD_PATH,
                files={"media": (blob.filename, blob.data, blob.content_type)},
                data={"media_category": category},
                headers={"User-Agent": self._client.user_agent},
                auth=auth,
            )
            _raise_like_tweepy(response)
            try:
                return str(response.json()["data"]["id"])
            except (ValueError, KeyError, TypeError) as err:
                raise XTransient(f"X answered the upload of {blob.filename} oddly") from err

    def _record_rate_limits(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        headers = response.headers
        try:
            limit = RateLimit(
                endpoint=_endpoint_of(response.request.method or "", response.url),
                limit=int(headers["x-rate-limit-limit"]),
                remaining=int(headers["x-rate-limit-remaining"]),
                reset_at=datetime.fromtimestamp(int(headers["x-rate-limit-reset"]), UTC),
            )
        except (KeyError, ValueError, OverflowError):
            return  # not every answer carries them
        with self._lock:
            self._rate_limits[limit.endpoint] = limit


def _raise_like_tweepy(response: requests.Response) -> None:
    """tweepy's own status mapping, for the one call tweepy does not wrap."""
    status = response.status_code
    if 200 <= status < 300:
        return
    if status == 429:
        reset = response.headers.get("x-rate-limit-reset")
        raise tweepy.TooManyRequests(
            response, reset_time=int(reset) if reset and reset.isdigit() else None
        )
    error = {
        400: tweepy.BadRequest,
        401: tweepy.Unauthorized,
        403: tweepy.Forbidden,
        404: tweepy.NotFound,
    }.get(status, tweepy.TwitterServerError if status >= 500 else tweepy.HTTPException)
    raise error(response)


def _what_x_said(err: tweepy.HTTPException) -> str:
    status = err.response.status_code
    reason = getattr(err.response, "reason", "") or ""
    messages = "; ".join(str(m) for m in err.api_messages)
    return f"{status} {reason}" + (f": {messages}" if messages else "")


@contextmanager
def _x_errors(action: str, *, not_found_is_fine: bool = False) -> Iterator[None]:
    """tweepy's and requests' exceptions, as the port's: what the worker should do next."""
    try:
        yield
    except tweepy.TooManyRequests as err:
        raise XRateLimited(_rate_limit_reset(err.response)) from err
    except tweepy.NotFound as err:
        if not_found_is_fine:
            return
        raise XRejected(f"X refused to {action}: {_what_x_said(err)}") from err
    except tweepy.Forbidden as err:
        if any("duplicate content" in str(m).lower() for m in err.api_messages):
            raise XDuplicate(f"X refused to {action}: {_what_x_said(err)}") from err
        raise XRejected(f"X refused to {action}: {_what_x_said(err)}") from err
    except tweepy.TwitterServerError as err:
        raise XTransient(f"X failed to {action}: {_what_x_said(err)}") from err
    except tweepy.HTTPException as err:  # 400, 401 and anything else unexpected
        raise XRejected(f"X refused to {action}: {_what_x_said(err)}") from err
    except (
        requests.ConnectionError,
        requests.Timeout,
        requests.exceptions.ChunkedEncodingError,
    ) as err:
        # The request may have reached X: the post may exist (the worker reconciles).
        raise XTransient(f"no answer from X to {action}: {type(err).__name__}") from err
    except requests.JSONDecodeError as err:  # a 2xx we cannot read: it may have worked
        raise XTransient(f"X's answer to {action} could not be read") from err
    except requests.RequestException as err:  # a bad URL or the like: configuration
        raise XRejected(f"could not ask X to {action}: {type(err).__name__}") from err


def _rate_limit_reset(response: requests.Response) -> datetime:
    """When to try again: the 15-minute window's reset, or the 24-hour cap's if that ran out.

    Retrying at the window's reset while the daily cap is spent would only earn
    more 429s from an account X is already watching.
    """
    headers = response.headers
    resets = [headers.get("x-rate-limit-reset")]
    for cap in ("x-user-limit-24hour", "x-app-limit-24hour"):
        if headers.get(f"{cap}-remaining") == "0":
            resets.append(headers.get(f"{cap}-reset"))
    epochs = [int(r) for r in resets if r and r.isdigit()]
    if not epochs:
        return datetime.now(UTC) + FALLBACK_RATE_WINDOW
    return datetime.fromtimestamp(max(epochs), UTC)
