"""In-memory fakes of the ports, for fast unit tests of the workflow (no I/O at all).

They keep the same promises as the Redis adapters (revisions, atomic commits,
numbered audit chain, newest-first lists) so the unit tests mean something.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from chatbot.audit import GENESIS, chain
from chatbot.model import (
    AccountState,
    AuditEntry,
    Event,
    FollowRequest,
    FollowState,
    ImpersonationReport,
    Proposal,
    State,
)
from chatbot.ports import (
    Changes,
    Claimed,
    Clock,
    ConcurrentModification,
    Job,
    JobQueue,
    MediaBlob,
    RateLimit,
    Store,
    XDuplicate,
    XGateway,
    XIdentity,
    XPost,
)
from chatbot.usage import MonthlyUsage


class FakeClock(Clock):
    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 11, 24, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


class FakeStore(Store):
    def __init__(self, account: str = "komae_kosodate") -> None:
        self.account = account
        self.proposals: dict[str, Proposal] = {}
        self.account_state = AccountState(account=account)
        self.follows: dict[str, FollowRequest] = {}
        self.reports: dict[str, ImpersonationReport] = {}
        self.audit: list[AuditEntry] = []
        self.events: list[Event] = []
        self.jobs: list[Job] = []
        self.scheduled: dict[str, tuple[Job, datetime]] = {}
        self.held: list[Job] = []
        self.published: list[tuple[str, str, datetime]] = []
        self.media: dict[str, bytes] = {}
        self.usage: dict[str, MonthlyUsage] = {}
        self.limits: dict[str, RateLimit] = {}
        self.acknowledged: list[str] = []
        self._counters = {p: itertools.count(1) for p in "PFI"}

    def next_id(self, prefix: str) -> str:  # type: ignore[override]
        return f"{prefix}-{next(self._counters[prefix]):04d}"

    def get_proposal(self, proposal_id: str) -> Proposal | None:
        found = self.proposals.get(proposal_id)
        return copy.deepcopy(found) if found else None

    def list_proposals(self, states: set[State] | None = None, limit: int = 200) -> list[Proposal]:
        found = [p for p in self.proposals.values() if states is None or p.state in states]
        found.sort(key=lambda p: p.created_at, reverse=True)
        return [copy.deepcopy(p) for p in found[:limit]]

    def get_account_state(self) -> AccountState:
        return copy.deepcopy(self.account_state)

    def get_follow(self, follow_id: str) -> FollowRequest | None:
        found = self.follows.get(follow_id)
        return copy.deepcopy(found) if found else None

    def list_follows(self, states: set[FollowState] | None = None) -> list[FollowRequest]:
        found = [f for f in self.follows.values() if states is None or f.state in states]
        return sorted(found, key=lambda f: f.requested_at, reverse=True)

    def list_reports(self) -> list[ImpersonationReport]:
        return sorted(self.reports.values(), key=lambda r: r.reported_at, reverse=True)

    def find_published_text(self, normalised: str, since: datetime) -> str | None:
        for text, proposal_id, at in reversed(self.published):
            if text == normalised and at >= since:
                return proposal_id
        return None

    def put_media(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        self.media[digest] = data
        return digest

    def get_media(self, sha256: str) -> bytes | None:
        return self.media.get(sha256)

    def commit(self, changes: Changes) -> None:
        def stored_revision(table: dict, key: str) -> int | None:
            return table[key].revision if key in table else None

        for p in changes.proposals:
            if stored_revision(self.proposals, p.id) != (p.revision or None):
                raise ConcurrentModification(p.id)
        for f in changes.follows:
            if stored_revision(self.follows, f.id) != (f.revision or None):
                raise ConcurrentModification(f.id)
        if changes.account_state and changes.account_state.revision != self.account_state.revision:
            raise ConcurrentModification("account_state")
        for p in changes.proposals:
            p.revision += 1
            self.proposals[p.id] = copy.deepcopy(p)
        for f in changes.follows:
            f.revision += 1
            self.follows[f.id] = copy.deepcopy(f)
        if changes.account_state:
            changes.account_state.revision += 1
            self.account_state = copy.deepcopy(changes.account_state)
        for r in changes.reports:
            self.reports[r.id] = copy.deepcopy(r)
        for entry in changes.audit:
            prev = self.audit[-1].hash if self.audit else GENESIS
            self.audit.append(chain(entry, len(self.audit) + 1, prev))
        self.events.extend(changes.events)
        self.jobs.extend(changes.enqueue)
        # Unschedule before schedule, as RedisStore does, so one commit can move a time.
        for proposal_id in changes.unschedule:
            for op in ("publish", "delete", "correct"):
                self.scheduled.pop(f"{proposal_id}:{op}", None)
        for job, at in changes.schedule:
            self.scheduled[f"{job.subject}:{job.op}"] = (job, at)
        if changes.release_held:
            self.jobs.extend(self.held)
            self.held.clear()
        self.published.extend(changes.published_texts)
        for charge in changes.usage:
            month = self.get_usage(charge.month)
            self.usage[charge.month] = MonthlyUsage(
                charge.month, month.posts + 1, month.posts_with_url + int(charge.with_url),
                month.micro_usd + charge.micro_usd)
        self.acknowledged.extend(changes.acknowledge)
        self.save_rate_limits(changes.rate_limits)

    def audit_entries(self, since_seq: int = 0) -> Iterator[AuditEntry]:
        return iter([e for e in self.audit if e.seq > since_seq])

    def audit_head(self) -> tuple[int, str]:
        return (self.audit[-1].seq, self.audit[-1].hash) if self.audit else (0, GENESIS)

    def get_usage(self, month: str) -> MonthlyUsage:
        return self.usage.get(month, MonthlyUsage(month))

    def save_rate_limits(self, limits: list[RateLimit]) -> None:
        self.limits.update({limit.endpoint: limit for limit in limits})

    def rate_limits(self) -> list[RateLimit]:
        return [self.limits[k] for k in sorted(self.limits)]

    def event_kinds(self) -> list[str]:
        return [e.kind for e in self.events]


class FakeQueue(JobQueue):
    """Reads the fake store's job list; entry ids are positions."""

    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self.acked: list[str] = []
        self._ids = itertools.count(1)

    def claim(self, consumer: str, block_ms: int = 1000) -> list[Claimed]:
        if not self.store.jobs:
            return []
        return [Claimed(str(next(self._ids)), self.store.jobs.pop(0))]

    def ack(self, entry_id: str) -> None:
        self.acked.append(entry_id)

    def defer(self, entry_id: str, job: Job, until: datetime) -> None:
        self.store.scheduled[f"{job.subject}:{job.op}"] = (job, until)

    def hold(self, entry_id: str, job: Job) -> None:
        self.store.held.append(job)

    def release_due(self, now: datetime) -> int:
        due = [k for k, (_, at) in self.store.scheduled.items() if at <= now]
        for key in due:
            self.store.jobs.append(self.store.scheduled.pop(key)[0])
        return len(due)

    def counts(self) -> dict[str, int]:
        return {"queued": len(self.store.jobs), "scheduled": len(self.store.scheduled),
                "held": len(self.store.held)}


class FakeX(XGateway):
    """X in memory: remembers posts; `fail_next` makes the next create raise."""

    def __init__(self, username: str = "komae_kosodate") -> None:
        self.username = username
        self.posts: list[XPost] = []
        self.deleted: list[str] = []
        self.fail_next: list[Exception] = []
        self.create_after_fail = False  # the failure happens after X created the post
        self.limits: list[RateLimit] = []  # what last_rate_limits() answers
        self._ids = itertools.count(1000)

    def me(self) -> XIdentity:
        return XIdentity(id="1", username=self.username)

    def create_post(self, text: str, media: list[MediaBlob] | None = None) -> XPost:
        if any(p.text == text for p in self.posts):
            raise XDuplicate("duplicate content")
        if self.fail_next:
            error = self.fail_next.pop(0)
            if self.create_after_fail:
                self._add(text)
            raise error
        return self._add(text)

    def _add(self, text: str) -> XPost:
        post_id = str(next(self._ids))
        post = XPost(post_id, text, f"https://x.com/{self.username}/status/{post_id}")
        self.posts.insert(0, post)
        return post

    def delete_post(self, post_id: str) -> None:
        self.deleted.append(post_id)
        self.posts = [p for p in self.posts if p.id != post_id]

    def recent_posts(self, limit: int = 20) -> list[XPost]:
        return self.posts[:limit]

    def last_rate_limits(self) -> list[RateLimit]:
        return list(self.limits)
