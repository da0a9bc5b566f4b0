"""`Store` on Redis: objects as JSON, one optimistic, atomic script per unit of work.

`commit` reads the revisions of every object it saves and the audit chain's head,
links the audit entries, then runs one Lua script that checks nothing moved and
writes everything. If one of the objects moved, someone else decided first:
ConcurrentModification, nothing written. If only the head moved (another commit
appended audit entries), the chain is recomputed on the new head and tried again.
Two round trips instead of WATCH/GET/MULTI's five: this is on the path of every
chat acknowledgement and every publication.
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
from chatbot.ports import Changes, ConcurrentModification, PublishingContext, RateLimit, Store
from chatbot.usage import MonthlyUsage

# Every commit appends to one chain, so under load most refusals are "the head
# moved". Each round lets at least one committer through, so 50 writers settle
# well within this bound.
HEAD_RETRIES = 200
EVENTS_MAXLEN = 10_000  # approximate: notifiers only need the recent past
COMMIT_MARKER_TTL_S = 600
PAGE = 200

JOBS_GROUP = "workers"  # RedisJobQueue's consumer group

# The write half of a commit. KEYS: the guarded objects, then the audit head.
# ARGV[1]: {"revisions": [...], "head_seq": n, "head_hash": h, "ops": [[command, ...]]}.
# Checks that no guarded object and not the head moved since they were read, then
# runs every command; a script runs alone, so the whole commit is atomic.
COMMIT_LUA = """
local spec = cjson.decode(ARGV[1])
for i, expected in ipairs(spec.revisions) do
  local raw = redis.call('GET', KEYS[i])
  if expected == 0 then
    if raw then return 'revision' end
  elseif not raw or cjson.decode(raw).revision ~= expected then
    return 'revision'
  end
end
local head = redis.call('HMGET', KEYS[#KEYS], 'seq', 'hash')
local seq = tonumber(head[1] or '0')
if seq ~= spec.head_seq or (seq > 0 and head[2] ~= spec.head_hash) then return 'head' end
for _, op in ipairs(spec.ops) do
  if op[1] == 'RELEASE_HELD' then
    -- Every held job back into the job stream (resumption of the account).
    local jobs = redis.call('LRANGE', op[2], 0, -1)
    for _, job in ipairs(jobs) do
      redis.call('XADD', op[3], '*', 'job', job)
    end
    redis.call('DEL', op[2])
  else
    redis.call(unpack(op))
  end
end
return 'ok'
"""


def _rate_limit_fields(limits: list[RateLimit]) -> dict[str, str]:
    return {limit.endpoint: json.dumps({"limit": limit.limit, "remaining": limit.remaining,
                                        "reset_at": limit.reset_at.isoformat()})
            for limit in limits}


class _Ops:
    """Records the writes of a commit as Redis commands, for COMMIT_LUA to run."""

    def __init__(self) -> None:
        self.commands: list[list[str]] = []

    def set(self, key: str, value: str, ex: int | None = None) -> None:
        self.commands.append(["SET", key, value] + (["EX", str(ex)] if ex else []))

    def zadd(self, key: str, mapping: dict[str, float]) -> None:
        for member, at in mapping.items():
            self.commands.append(["ZADD", key, repr(float(at)), member])

    def rpush(self, key: str, value: str) -> None:
        self.commands.append(["RPUSH", key, value])

    def hset(self, key: str, field: str | None = None, value: str | None = None,
             mapping: dict[str, Any] | None = None) -> None:
        items = [*(mapping or {}).items(), *([(field, value)] if field is not None else [])]
        pairs = [str(part) for item in items for part in item]
        self.commands.append(["HSET", key, *pairs])

    def xadd(self, key: str, fields: dict[str, str], maxlen: int | None = None,
             approximate: bool = True) -> None:
        trim = ["MAXLEN", "~" if approximate else "=", str(maxlen)] if maxlen else []
        pairs = [part for item in fields.items() for part in item]
        self.commands.append(["XADD", key, *trim, "*", *pairs])

    def zrem(self, key: str, *members: str) -> None:
        self.commands.append(["ZREM", key, *members])

    def hdel(self, key: str, *fields: str) -> None:
        self.commands.append(["HDEL", key, *fields])

    def hincrby(self, key: str, field: str, amount: int) -> None:
        self.commands.append(["HINCRBY", key, field, str(amount)])

    def xack(self, key: str, group: str, entry_id: str) -> None:
        self.commands.append(["XACK", key, group, entry_id])

    def xdel(self, key: str, entry_id: str) -> None:
        self.commands.append(["XDEL", key, entry_id])

    def release_held(self, held: str, jobs: str) -> None:
        self.commands.append(["RELEASE_HELD", held, jobs])


def score(at: datetime) -> float:
    """Sorted-set score of a time; a naive datetime is a bug upstream, not local time."""
    if at.tzinfo is None:
        raise ValueError(f"naive datetime {at!r}: the store only takes aware UTC")
    return at.timestamp()


Revisioned = Proposal | FollowRequest | AccountState


def _bumped(obj: Revisioned) -> str:
    """The JSON as stored: one revision on from the one the change was made on."""
    return obj.model_copy(update={"revision": obj.revision + 1}).model_dump_json()


class RedisStore(Store):
    def __init__(self, client: redis.Redis, account: str) -> None:
        require_bytes_client(client)
        self.client = client
        self.account = account
        self._apply = client.register_script(COMMIT_LUA)
        # The audit chain's head as of this store's last commit: linking new entries
        # to it saves a round trip; the commit script refuses when it is stale.
        self._known_head: tuple[int, str] | None = None
        self.keys = Keys(account)

    # -- ids and reading ---------------------------------------------------------

    def next_id(self, prefix: Literal["P", "F", "I"]) -> str:
        if prefix not in ("P", "F", "I"):
            raise ValueError(f"unknown id prefix {prefix!r}")
        return f"{prefix}-{int(self.client.incr(self.keys.counter(prefix))):04d}"

    def get_proposal(self, proposal_id: str) -> Proposal | None:
        raw = self._read_with_head([self.keys.proposal(proposal_id)])
        return None if raw[0] is None else Proposal.model_validate_json(raw[0])

    def _read_with_head(self, keys: list[str]) -> list[bytes | None]:
        """Objects and the audit chain's head in one round trip. A read usually comes
        before a change, whose commit then links its audit entries to this head."""
        with self.client.pipeline(transaction=False) as pipe:
            pipe.mget(keys)
            pipe.hgetall(self.keys.audit_head)
            objects, head = pipe.execute()
        self._known_head = self._parse_head(head)
        return objects

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
        return self._account_state(self.client.get(self.keys.account_state))

    def _account_state(self, raw: bytes | None) -> AccountState:
        if raw is None:
            return AccountState(account=self.account)
        return AccountState.model_validate_json(raw)

    def load_for_publishing(self, proposal_id: str, month: str) -> PublishingContext:
        with self.client.pipeline(transaction=False) as pipe:
            pipe.mget([self.keys.proposal(proposal_id), self.keys.account_state])
            pipe.hgetall(self.keys.usage(month))
            pipe.hgetall(self.keys.audit_head)
            (raw_proposal, raw_state), raw_usage, head = pipe.execute()
        self._known_head = self._parse_head(head)
        proposal = Proposal.model_validate_json(raw_proposal) if raw_proposal else None
        return PublishingContext(proposal, self._account_state(raw_state),
                                 self._usage(month, raw_usage))

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
        return self._usage(month, self.client.hgetall(self.keys.usage(month)))

    @staticmethod
    def _usage(month: str, raw: dict[bytes, bytes]) -> MonthlyUsage:
        return MonthlyUsage(month, int(raw.get(b"posts", 0)), int(raw.get(b"posts_with_url", 0)),
                            int(raw.get(b"micro_usd", 0)))

    def save_rate_limits(self, limits: list[RateLimit]) -> None:
        if limits:
            self.client.hset(self.keys.rate_limits, mapping=_rate_limit_fields(limits))

    def rate_limits(self) -> list[RateLimit]:
        found = []
        for endpoint, raw in sorted(self.client.hgetall(self.keys.rate_limits).items()):
            data = json.loads(raw)
            found.append(RateLimit(endpoint.decode(), int(data["limit"]), int(data["remaining"]),
                                   datetime.fromisoformat(data["reset_at"])))
        return found

    # -- the unit of work ---------------------------------------------------------

    def commit(self, changes: Changes) -> None:
        """Usually one round trip: one Lua script that checks nothing moved and writes
        everything, or nothing. The audit entries are linked to the chain head this
        store last saw; when another process appended meanwhile, the script says so
        and the entries are linked again to the head it read."""
        guarded = self._guarded_objects(changes)
        keys = [key for key, _ in guarded]
        marker = self.keys.commit_marker(uuid.uuid4().hex)
        linked: list[AuditEntry] = []
        for attempt in range(HEAD_RETRIES):
            if attempt > 1:
                time.sleep(random.uniform(0, min(0.001 * attempt, 0.02)))
            head = self._known_head
            if head is None:
                head = self._parse_head(self.client.hgetall(self.keys.audit_head))
            ops = _Ops()
            linked = self._write(ops, changes, guarded, head)
            ops.set(marker, "1", ex=COMMIT_MARKER_TTL_S)
            spec = json.dumps({"revisions": [obj.revision for _, obj in guarded],
                               "head_seq": head[0], "head_hash": head[1],
                               "ops": ops.commands})
            outcome = self._apply(keys=[*keys, self.keys.audit_head], args=[spec])
            # The client retries a script whose reply was lost; its second run finds
            # its own writes. The marker tells that apart from someone else's.
            if outcome == b"ok" or self.client.exists(marker):
                if linked:
                    self._known_head = (linked[-1].seq, linked[-1].hash)
                break
            if outcome == b"revision":
                self._known_head = None
                raise ConcurrentModification("an object changed while this change was made")
            self._known_head = None  # b"head": another process appended; read the new head
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

    def _write(self, pipe: _Ops, changes: Changes, guarded: list[tuple[str, Revisioned]],
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
            pipe.release_held(keys.held, keys.jobs)
        if changes.rate_limits:
            pipe.hset(keys.rate_limits, mapping=_rate_limit_fields(changes.rate_limits))
        for entry_id in changes.acknowledge:
            # As RedisJobQueue.ack: deleting keeps XLEN = queued.
            pipe.xack(keys.jobs, JOBS_GROUP, entry_id)
            pipe.xdel(keys.jobs, entry_id)
        for normalised, proposal_id, published_at in changes.published_texts:
            pipe.zadd(keys.published_text(normalised), {proposal_id: score(published_at)})
        for charge in changes.usage:
            pipe.hincrby(keys.usage(charge.month), "posts", 1)
            pipe.hincrby(keys.usage(charge.month), "posts_with_url", int(charge.with_url))
            pipe.hincrby(keys.usage(charge.month), "micro_usd", charge.micro_usd)
        return linked


def schedule_job(pipe: Pipeline | _Ops, keys: Keys, slot: str, job_json: str, due: datetime
                 ) -> None:
    """Both halves of a scheduled job; callers run this inside a MULTI or a commit script."""
    pipe.zadd(keys.schedule, {slot: score(due)})
    pipe.hset(keys.scheduled_jobs, slot, job_json)
