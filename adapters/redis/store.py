"""`Store` on Redis: objects as JSON, one optimistic MULTI per unit of work.

`commit` WATCHes every object it saves and the audit chain's head. If one of the
objects moved, someone else decided first: ConcurrentModification, nothing written.
If only the head moved (another commit appended audit entries), the chain is
recomputed on the new head and the commit tried again.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Literal

import redis
from redis.client import Pipeline
from redis.exceptions import WatchError

from adapters.redis.connection import require_bytes_client
from adapters.redis.keys import JOB_OPS, Keys, job_key
from chatbot.audit import GENESIS, chain
from chatbot.model import (
    AccountState,
    AuditEntry,
    FollowRequest,
    FollowState,
    ImpersonationReport,
    Proposal,
    State,
)
from chatbot.ports import Changes, ConcurrentModification, RateLimit, Store
from chatbot.usage import MonthlyUsage

# Every commit appends to one chain, so under load most WatchErrors are "the head
# moved". Each round lets at least one committer through, so 50 writers settle
# well within this bound.
HEAD_RETRIES = 200
EVENTS_MAXLEN = 10_000  # approximate: notifiers only need the recent past
COMMIT_MARKER_TTL_S = 600
PAGE = 200

# Moves every held job into the job stream, inside the commit's MULTI.
RELEASE_HELD_LUA = """
local jobs = redis.call('LRANGE', KEYS[1], 0, -1)
for _, job in ipairs(jobs) do
  redis.call('XADD', KEYS[2], '*', 'job', job)
end
redis.call('DEL', KEYS[1])
return #jobs
"""


def score(at: datetime) -> float:
    """Sorted-set score of a time; a naive datetime is a bug upstream, not local time."""
    if at.tzinfo is None:
        raise ValueError(f"naive datetime {at!r}: the store only takes aware UTC")
    return at.timestamp()


def _revision_of(raw: bytes | None) -> int | None:
    return None if raw is None else int(json.loads(raw)["revision"])


Revisioned = Proposal | FollowRequest | AccountState


def _bumped(obj: Revisioned) -> str:
    """The JSON as stored: one revision on from the one the change was made on."""
    return obj.model_copy(update={"revision": obj.revision + 1}).model_dump_json()


class RedisStore(Store):
    def __init__(self, client: redis.Redis, account: str) -> None:
        require_bytes_client(client)
        self.client = client
        self.account = account
        self.keys = Keys(account)

    # -- ids and reading ---------------------------------------------------------

    def next_id(self, prefix: Literal["P", "F", "I"]) -> str:
        if prefix not in ("P", "F", "I"):
            raise ValueError(f"unknown id prefix {prefix!r}")
        return f"{prefix}-{int(self.client.incr(self.keys.counter(prefix))):04d}"

    def get_proposal(self, proposal_id: str) -> Proposal | None:
        raw = self.client.get(self.keys.proposal(proposal_id))
        return None if raw is None else Proposal.model_validate_json(raw)

    def list_proposals(self, states: set[State] | None = None, limit: int = 200) -> list[Proposal]:
        found: list[Proposal] = []
        start = 0
        # Page through newest first and filter by state: simple, and the index never
        # needs fixing when a proposal changes state.
        while len(found) < limit:
            ids = self.client.zrevrange(self.keys.proposals_by_created, start, start + PAGE - 1)
            if not ids:
                break
            start += PAGE
            raws = self.client.mget([self.keys.proposal(i.decode()) for i in ids])
            for raw in raws:
                if raw is None:
                    continue
                proposal = Proposal.model_validate_json(raw)
                if states is None or proposal.state in states:
                    found.append(proposal)
                    if len(found) == limit:
                        break
        return found

    def get_account_state(self) -> AccountState:
        raw = self.client.get(self.keys.account_state)
        if raw is None:
            return AccountState(account=self.account)
        return AccountState.model_validate_json(raw)

    def get_follow(self, follow_id: str) -> FollowRequest | None:
        raw = self.client.get(self.keys.follow(follow_id))
        return None if raw is None else FollowRequest.model_validate_json(raw)

    def list_follows(self, states: set[FollowState] | None = None) -> list[FollowRequest]:
        """Newest request first."""
        follows = [FollowRequest.model_validate_json(raw)
                   for raw in self._load_indexed(self.keys.follows_by_requested, self.keys.follow)]
        return [f for f in follows if states is None or f.state in states]

    def list_reports(self) -> list[ImpersonationReport]:
        """Newest report first."""
        return [ImpersonationReport.model_validate_json(raw)
                for raw in self._load_indexed(self.keys.reports_by_reported, self.keys.report)]

    def _load_indexed(self, index: str, key_of: Any) -> list[bytes]:
        ids = self.client.zrevrange(index, 0, -1)
        if not ids:
            return []
        return [raw for raw in self.client.mget([key_of(i.decode()) for i in ids]) if raw]

    def find_published_text(self, normalised: str, since: datetime) -> str | None:
        latest = self.client.zrevrangebyscore(
            self.keys.published_text(normalised), "+inf", score(since), start=0, num=1
        )
        return latest[0].decode() if latest else None

    # -- media -------------------------------------------------------------------

    def put_media(self, data: bytes) -> str:
        sha256 = hashlib.sha256(data).hexdigest()
        self.client.set(self.keys.media(sha256), data, nx=True)  # same bytes, same key: once
        return sha256

    def get_media(self, sha256: str) -> bytes | None:
        raw = self.client.get(self.keys.media(sha256))
        return None if raw is None else bytes(raw)

    # -- the audit log -------------------------------------------------------------

    def audit_head(self) -> tuple[int, str]:
        """(seq, hash) of the last entry; (0, GENESIS) before the first."""
        return self._parse_head(self.client.hgetall(self.keys.audit_head))

    @staticmethod
    def _parse_head(raw: dict[bytes, bytes]) -> tuple[int, str]:
        if not raw:
            return 0, GENESIS
        return int(raw[b"seq"]), raw[b"hash"].decode()

    def audit_entries(self, since_seq: int = 0) -> Iterator[AuditEntry]:
        """Entries with seq > since_seq, in order, read page by page (for exports)."""
        index = max(since_seq, 0)  # entry n is at list index n-1
        while True:
            raws = self.client.lrange(self.keys.audit_log, index, index + PAGE - 1)
            for raw in raws:
                yield AuditEntry.model_validate_json(raw)
            if len(raws) < PAGE:
                return
            index += PAGE

    def audit_raw(self, since_seq: int = 0) -> Iterator[bytes]:
        """The stored JSON of entries with seq > since_seq, byte for byte, for verify and
        export: read through the model, a renamed key would be silently repaired."""
        index = max(since_seq, 0)
        while True:
            raws = self.client.lrange(self.keys.audit_log, index, index + PAGE - 1)
            yield from (bytes(raw) for raw in raws)
            if len(raws) < PAGE:
                return
            index += PAGE

    # -- X usage -------------------------------------------------------------------

    def get_usage(self, month: str) -> MonthlyUsage:
        raw = self.client.hgetall(self.keys.usage(month))
        return MonthlyUsage(month, int(raw.get(b"posts", 0)), int(raw.get(b"posts_with_url", 0)),
                            int(raw.get(b"micro_usd", 0)))

    def save_rate_limits(self, limits: list[RateLimit]) -> None:
        if not limits:
            return
        self.client.hset(self.keys.rate_limits, mapping={
            limit.endpoint: json.dumps({"limit": limit.limit, "remaining": limit.remaining,
                                        "reset_at": limit.reset_at.isoformat()})
            for limit in limits})

    def rate_limits(self) -> list[RateLimit]:
        found = []
        for endpoint, raw in sorted(self.client.hgetall(self.keys.rate_limits).items()):
            data = json.loads(raw)
            found.append(RateLimit(endpoint.decode(), int(data["limit"]), int(data["remaining"]),
                                   datetime.fromisoformat(data["reset_at"])))
        return found

    # -- the unit of work ---------------------------------------------------------

    def commit(self, changes: Changes) -> None:
        guarded = self._guarded_objects(changes)
        watched = [key for key, _ in guarded] + [self.keys.audit_head]
        marker = self.keys.commit_marker(uuid.uuid4().hex)
        linked: list[AuditEntry] = []
        with self.client.pipeline(transaction=True) as pipe:
            for attempt in range(HEAD_RETRIES):
                if attempt:
                    # A connection lost after EXEC was sent surfaces as WatchError too;
                    # the marker says whether that EXEC landed.
                    if self.client.exists(marker):
                        break
                    time.sleep(random.uniform(0, min(0.001 * attempt, 0.02)))
                try:
                    pipe.watch(*watched)
                    self._check_revisions(pipe, guarded)
                    head = self._parse_head(pipe.hgetall(self.keys.audit_head))
                    pipe.multi()
                    linked = self._write(pipe, changes, guarded, head)
                    pipe.set(marker, b"1", ex=COMMIT_MARKER_TTL_S)
                    pipe.execute()
                    break
                except WatchError:
                    continue
                finally:
                    pipe.reset()
            else:
                raise ConcurrentModification("the audit log stayed busy; nothing was saved")
        for _, obj in guarded:
            obj.revision += 1
        self._number_in_place(changes.audit, linked)

    @staticmethod
    def _number_in_place(entries: list[AuditEntry], linked: list[AuditEntry]) -> None:
        """Callers keep their entry objects; give them the seq and hashes they got."""
        for entry, done in zip(entries, linked, strict=True):
            entry.seq, entry.prev_hash, entry.hash = done.seq, done.prev_hash, done.hash

    def _guarded_objects(self, changes: Changes) -> list[tuple[str, Revisioned]]:
        """(key, object) of everything saved under optimistic concurrency."""
        guarded: list[tuple[str, Revisioned]] = []
        guarded += [(self.keys.proposal(p.id), p) for p in changes.proposals]
        guarded += [(self.keys.follow(f.id), f) for f in changes.follows]
        if changes.account_state is not None:
            guarded.append((self.keys.account_state, changes.account_state))
        owned: list[Revisioned | ImpersonationReport] = [obj for _, obj in guarded]
        for obj in [*owned, *changes.reports]:
            if obj.account != self.account:
                raise ValueError(f"{type(obj).__name__} of account {obj.account!r} "
                                 f"committed to the store of {self.account!r}")
        keys = [key for key, _ in guarded]
        if len(set(keys)) != len(keys):
            raise ValueError("the same object twice in one commit")
        return guarded

    @staticmethod
    def _check_revisions(pipe: Pipeline, guarded: list[tuple[str, Revisioned]]) -> None:
        if not guarded:
            return
        stored = pipe.mget([key for key, _ in guarded])
        for (key, obj), raw in zip(guarded, stored, strict=True):
            expected = obj.revision
            actual = _revision_of(raw)
            if (expected == 0 and actual is not None) or (expected != 0 and actual != expected):
                raise ConcurrentModification(
                    f"{key}: stored revision {actual}, this change was made on {expected}"
                )

    def _write(self, pipe: Pipeline, changes: Changes, guarded: list[tuple[str, Revisioned]],
               head: tuple[int, str]) -> list[AuditEntry]:
        keys = self.keys
        for key, obj in guarded:
            pipe.set(key, _bumped(obj))
        for proposal in changes.proposals:
            pipe.zadd(keys.proposals_by_created, {proposal.id: score(proposal.created_at)})
        for follow in changes.follows:
            pipe.zadd(keys.follows_by_requested, {follow.id: score(follow.requested_at)})
        for report in changes.reports:
            pipe.set(keys.report(report.id), report.model_dump_json())
            pipe.zadd(keys.reports_by_reported, {report.id: score(report.reported_at)})

        seq, prev_hash = head
        linked: list[AuditEntry] = []
        for entry in changes.audit:
            seq += 1
            link = chain(entry, seq, prev_hash)
            prev_hash = link.hash
            linked.append(link)
            pipe.rpush(keys.audit_log, link.model_dump_json())
        if linked:
            pipe.hset(keys.audit_head, mapping={"seq": seq, "hash": prev_hash})

        for event in changes.events:
            pipe.xadd(keys.events, {"event": event.model_dump_json()},
                      maxlen=EVENTS_MAXLEN, approximate=True)
        for job in changes.enqueue:
            pipe.xadd(keys.jobs, {"job": job.model_dump_json()})
        # Unschedule before schedule, so one commit can move a proposal's time.
        for proposal_id in changes.unschedule:
            slots = [job_key(proposal_id, op) for op in JOB_OPS]
            pipe.zrem(keys.schedule, *slots)
            pipe.hdel(keys.scheduled_jobs, *slots)
        for job, due in changes.schedule:
            schedule_job(pipe, keys, job_key(job.subject, job.op), job.model_dump_json(), due)
        if changes.release_held:
            pipe.eval(RELEASE_HELD_LUA, 2, keys.held, keys.jobs)
        for normalised, proposal_id, published_at in changes.published_texts:
            pipe.zadd(keys.published_text(normalised), {proposal_id: score(published_at)})
        for charge in changes.usage:
            pipe.hincrby(keys.usage(charge.month), "posts", 1)
            pipe.hincrby(keys.usage(charge.month), "posts_with_url", int(charge.with_url))
            pipe.hincrby(keys.usage(charge.month), "micro_usd", charge.micro_usd)
        return linked

    # -- tests only -----------------------------------------------------------------

    def flush_account(self) -> int:
        """Delete every key of this account (tests, and tearing down a trial account)."""
        deleted = 0
        for key in self.client.scan_iter(match=f"{self.keys.prefix}*", count=500):
            deleted += int(self.client.delete(key))
        return deleted


def schedule_job(pipe: Pipeline, keys: Keys, slot: str, job_json: str, due: datetime) -> None:
    """Both halves of a scheduled job; callers run this inside a MULTI."""
    pipe.zadd(keys.schedule, {slot: score(due)})
    pipe.hset(keys.scheduled_jobs, slot, job_json)
