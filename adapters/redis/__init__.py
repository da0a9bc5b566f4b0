"""Redis adapters: the state store, the worker's job queue and the notifiers' event feed.

Build them from one client per process (`connect(url)`) and the account name:

    client = connect("redis://127.0.0.1:6379/0")
    store = RedisStore(client, "komae_kosodate")
    queue = RedisJobQueue(client, "komae_kosodate")
    feed = RedisEventFeed(client, "komae_kosodate")

The key layout is in `keys.py`.
"""

from adapters.redis.connection import connect
from adapters.redis.keys import Keys
from adapters.redis.store import RedisStore
from adapters.redis.streams import RedisEventFeed, RedisJobQueue

__all__ = ["Keys", "RedisEventFeed", "RedisJobQueue", "RedisStore", "connect"]
