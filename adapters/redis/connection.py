"""Building a Redis client that rides out a Redis restart by itself."""

from __future__ import annotations

import redis
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import ConnectionError, TimeoutError
from redis.retry import Retry

# About 15 s of retrying in all: long enough for Redis to restart and load its AOF,
# short enough that a web request fails visibly rather than hanging.
RETRIES = 10
BACKOFF_BASE_S = 0.05
BACKOFF_CAP_S = 2.0


def connect(redis_url: str, *, socket_timeout: float = 10.0) -> redis.Redis:
    """A client for the adapters in this package (bytes replies: media is binary).

    `socket_timeout` must stay above the longest `block_ms` a worker or notifier
    passes, or a blocking read times out and is retried.
    """
    # TCP keepalive has no meaning on a unix socket (the embedded local Redis).
    tcp_only = {} if redis_url.startswith("unix:") else {"socket_keepalive": True}
    return redis.Redis.from_url(
        redis_url,
        decode_responses=False,
        socket_connect_timeout=5.0,
        socket_timeout=socket_timeout,
        health_check_interval=30,
        **tcp_only,
        retry=Retry(ExponentialWithJitterBackoff(cap=BACKOFF_CAP_S, base=BACKOFF_BASE_S), RETRIES),
        retry_on_error=[ConnectionError, TimeoutError],
    )


def require_bytes_client(client: redis.Redis) -> None:
    """The adapters read raw bytes (media); a decoding client would break get_media."""
    if client.connection_pool.connection_kwargs.get("decode_responses"):
        raise ValueError("the Redis adapters need a client with decode_responses=False; "
                         "use adapters.redis.connect(url)")
