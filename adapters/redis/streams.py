"""The worker's job queue and the notifiers' event feed: Redis Streams with consumer groups.

Both reclaim entries another consumer read but never acknowledged (it died) once
they have been pending for `reclaim_after_ms`, before reading new ones.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import redis
from redis.exceptions import ResponseError

from adapters.redis.connection import require_bytes_client
from adapters.redis.keys import Keys, job_key
from adapters.redis.store import JOBS_GROUP, schedule_job, score
from chatbot.model import Event
from chatbot.ports import Claimed, EventFeed, Job, JobQueue

RECLAIM_AFTER_MS = 30_000

# Due jobs move to the stream in one script, so two workers releasing at the same
# moment release each job once.
RELEASE_DUE_LUA = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local released = 0
for _, slot in ipairs(due) do
  local job = redis.call('HGET', KEYS[2], slot)
  if job then
    redis.call('XADD', KEYS[3], '*', 'job', job)
    released = released + 1
  end
  redis.call('ZREM', KEYS[1], slot)
  redis.call('HDEL', KEYS[2], slot)
end
return released
"""


class _GroupReader:
    """Reads one stream, whose entries carry their payload in `field`, as one group."""

    def __init__(self, client: redis.Redis, stream: str, field: bytes, group: str,
                 reclaim_after_ms: int) -> None:
        require_bytes_client(client)
        self.client = client
        self.stream = stream
        self.field = field
        self.group = group
        self.reclaim_after_ms = reclaim_after_ms
        self._reclaim_cursor = "0-0"
        self._next_reclaim = 0.0  # monotonic time of the next scan for abandoned entries
        self._group_ready = False

    def _ensure_group(self) -> None:
        try:
            # From "0": entries committed before the first consumer ever ran are work too.
            self.client.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise
        self._group_ready = True

    def read_one(self, consumer: str, block_ms: int) -> list[tuple[str, bytes]]:
        """(entry id, payload) of one reclaimed or new entry, or nothing."""
        if not self._group_ready:
            self._ensure_group()
        try:
            return self._reclaim(consumer) or self._read_new(consumer, block_ms)
        except ResponseError as error:
            if "NOGROUP" not in str(error):
                raise
            # Redis lost the group (restarted without persistence): make it again.
            self._ensure_group()
            return self._reclaim(consumer) or self._read_new(consumer, block_ms)

    def _reclaim(self, consumer: str) -> list[tuple[str, bytes]]:
        # An entry is abandoned only after reclaim_after_ms of silence, so scanning a
        # few times per that period is enough; scanning on every read would put one
        # more round trip on the path of every publication.
        now = time.monotonic()
        if now < self._next_reclaim:
            return []
        reply = self.client.xautoclaim(self.stream, self.group, consumer,
                                       min_idle_time=self.reclaim_after_ms,
                                       start_id=self._reclaim_cursor, count=1)
        # Continue the scan next time: pending-but-busy entries do not hide idle ones.
        self._reclaim_cursor = _text(reply[0])
        found = self._payloads(reply[1])
        if not found and self._reclaim_cursor in ("0-0", "0"):
            self._next_reclaim = now + self.reclaim_after_ms / 4000
        return found

    def _read_new(self, consumer: str, block_ms: int) -> list[tuple[str, bytes]]:
        # BLOCK 0 would mean "forever": no block_ms means do not wait at all.
        block = block_ms if block_ms > 0 else None
        reply = self.client.xreadgroup(self.group, consumer, {self.stream: ">"},
                                       count=1, block=block)
        if not reply:
            return []
        _stream, entries = reply[0]
        return self._payloads(entries)

    def _payloads(self, entries: list[Any]) -> list[tuple[str, bytes]]:
        found = []
        for entry_id, fields in entries:
            if entry_id is None or not fields or self.field not in fields:
                continue  # trimmed away while pending (Redis 6.2 shows it as nil)
            found.append((_text(entry_id), fields[self.field]))
        return found


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class RedisJobQueue(JobQueue):
    """`xpost:{account}:jobs`, consumer group `workers`; acked entries are deleted."""

    GROUP = JOBS_GROUP

    def __init__(self, client: redis.Redis, account: str,
                 reclaim_after_ms: int = RECLAIM_AFTER_MS) -> None:
        self.keys = Keys(account)
        self.client = client
        self._reader = _GroupReader(client, self.keys.jobs, b"job", self.GROUP, reclaim_after_ms)

    def claim(self, consumer: str, block_ms: int = 1000) -> list[Claimed]:
        return [Claimed(entry_id, Job.model_validate_json(payload))
                for entry_id, payload in self._reader.read_one(consumer, block_ms)]

    def ack(self, entry_id: str) -> None:
        with self.client.pipeline(transaction=True) as pipe:
            self._ack_in(pipe, entry_id)
            pipe.execute()

    def _ack_in(self, pipe: Any, entry_id: str) -> None:
        # Deleting keeps XLEN = queued: every entry left is undelivered or in progress.
        pipe.xack(self.keys.jobs, self.GROUP, entry_id)
        pipe.xdel(self.keys.jobs, entry_id)

    def defer(self, entry_id: str, job: Job, until: datetime) -> None:
        with self.client.pipeline(transaction=True) as pipe:
            self._ack_in(pipe, entry_id)
            schedule_job(pipe, self.keys, job_key(job.subject, job.op), job.model_dump_json(),
                         until)
            pipe.execute()

    def hold(self, entry_id: str, job: Job) -> None:
        with self.client.pipeline(transaction=True) as pipe:
            self._ack_in(pipe, entry_id)
            pipe.rpush(self.keys.held, job.model_dump_json())
            pipe.execute()

    def release_due(self, now: datetime) -> int:
        keys = self.keys
        released = self.client.eval(RELEASE_DUE_LUA, 3, keys.schedule, keys.scheduled_jobs,
                                    keys.jobs, repr(score(now)))
        return int(released)

    def counts(self) -> dict[str, int]:
        with self.client.pipeline(transaction=False) as pipe:
            pipe.xlen(self.keys.jobs)
            pipe.zcard(self.keys.schedule)
            pipe.llen(self.keys.held)
            queued, scheduled, held = pipe.execute()
        return {"queued": int(queued), "scheduled": int(scheduled), "held": int(held)}


class RedisEventFeed(EventFeed):
    """`xpost:{account}:events`, consumer group `notifiers` by default.

    Acknowledged entries stay in the stream (trimmed to about 10,000 by the store),
    so a second group (say, one per chat platform) would still see them.
    """

    def __init__(self, client: redis.Redis, account: str, group: str = "notifiers",
                 reclaim_after_ms: int = RECLAIM_AFTER_MS) -> None:
        self.keys = Keys(account)
        self.client = client
        self.group = group
        self._reader = _GroupReader(client, self.keys.events, b"event", group, reclaim_after_ms)

    def read(self, consumer: str, block_ms: int = 1000) -> list[tuple[str, Event]]:
        return [(entry_id, Event.model_validate_json(payload))
                for entry_id, payload in self._reader.read_one(consumer, block_ms)]

    def ack(self, entry_id: str) -> None:
        self.client.xack(self.keys.events, self.group, entry_id)
