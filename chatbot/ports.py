"""The ports the core needs from the outside world; adapters implement them.

`Store` keeps state and the audit log and commits a unit of work atomically;
`JobQueue` is the publishing queue the worker reads; `EventFeed` carries events
to the chat notifiers; `XGateway` is X; `Clock` is time (tests control it).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel

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
from chatbot.usage import MonthlyUsage, PostCharge


class Clock(ABC):
    @abstractmethod
    def now(self) -> datetime:
        """Aware UTC."""


class SystemClock(Clock):
    def now(self) -> datetime:
        return datetime.now(UTC)


# -- the store ----------------------------------------------------------------


class ConcurrentModification(Exception):
    """Someone saved the same object first; reload and decide again."""


class Job(BaseModel):
    """Work for the worker: publish a proposal, delete its post, or carry out a correction."""

    op: Literal["publish", "delete", "correct"]
    subject: str  # proposal id
    version: int | None = None


@dataclass
class Changes:
    """One unit of work: everything in it is committed together or not at all.

    Objects carry a `revision`; the store refuses (ConcurrentModification) when the
    stored revision differs, and bumps it on success.
    """

    proposals: list[Proposal] = field(default_factory=list)
    account_state: AccountState | None = None
    follows: list[FollowRequest] = field(default_factory=list)
    reports: list[ImpersonationReport] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    enqueue: list[Job] = field(default_factory=list)
    schedule: list[tuple[Job, datetime]] = field(default_factory=list)
    unschedule: list[str] = field(default_factory=list)  # proposal ids
    release_held: bool = False
    # (normalised text, proposal id, published at): the `duplicate` rule's index
    published_texts: list[tuple[str, str, datetime]] = field(default_factory=list)
    # Posts X will bill for, added to their month's usage (posts, with URL, spend).
    usage: list[PostCharge] = field(default_factory=list)
    # Job queue entries this change completes: acknowledged with it, atomically, so a
    # finished job is never handed to another worker.
    acknowledge: list[str] = field(default_factory=list)
    # X's latest rate-limit headers, recorded with the change that made the call.
    rate_limits: list[RateLimit] = field(default_factory=list)


@dataclass(frozen=True)
class PublishingContext:
    proposal: Proposal | None
    account: AccountState
    usage: MonthlyUsage


class Store(ABC):
    """State of one X account (keys carry the account, so one deployment can serve several)."""

    account: str

    @abstractmethod
    def next_id(self, prefix: Literal["P", "F", "I"]) -> str:
        """A new id people can say aloud: P-0042."""

    @abstractmethod
    def get_proposal(self, proposal_id: str) -> Proposal | None: ...

    @abstractmethod
    def list_proposals(self, states: set[State] | None = None, limit: int = 200) -> list[Proposal]:
        """Newest first."""

    @abstractmethod
    def get_account_state(self) -> AccountState: ...

    def load_for_publishing(self, proposal_id: str, month: str) -> PublishingContext:
        """What the worker reads before each job: the proposal, the account (suspended?)
        and the month's X usage (budget). A store may read them in one round trip."""
        return PublishingContext(self.get_proposal(proposal_id), self.get_account_state(),
                                 self.get_usage(month))

    @abstractmethod
    def get_follow(self, follow_id: str) -> FollowRequest | None: ...

    @abstractmethod
    def list_follows(self, states: set[FollowState] | None = None) -> list[FollowRequest]: ...

    @abstractmethod
    def list_reports(self) -> list[ImpersonationReport]: ...

    @abstractmethod
    def find_published_text(self, normalised: str, since: datetime) -> str | None:
        """The id of a proposal published with this normalised text since `since`."""

    @abstractmethod
    def put_media(self, data: bytes) -> str:
        """Keep image bytes; returns their sha256."""

    @abstractmethod
    def get_media(self, sha256: str) -> bytes | None: ...

    @abstractmethod
    def commit(self, changes: Changes) -> None:
        """Atomically save objects, append audit entries (numbering them), publish events,
        enqueue and schedule jobs. Raises ConcurrentModification and changes nothing then."""

    @abstractmethod
    def audit_entries(self, since_seq: int = 0) -> Iterator[AuditEntry]:
        """Entries with seq > since_seq, in order."""

    @abstractmethod
    def audit_head(self) -> tuple[int, str]:
        """(seq, hash) of the last audit entry; (0, GENESIS) before the first."""

    # -- X usage (observations, not decisions: written outside units of work) -----

    @abstractmethod
    def get_usage(self, month: str) -> MonthlyUsage:
        """Posts, posts with a URL and spend recorded for a month ("2026-11", Tokyo)."""

    @abstractmethod
    def save_rate_limits(self, limits: list[RateLimit]) -> None:
        """Keep the latest rate-limit headers per endpoint (later ones replace earlier)."""

    @abstractmethod
    def rate_limits(self) -> list[RateLimit]:
        """The latest rate-limit headers seen, one per endpoint, sorted by endpoint."""


# -- the worker's queue and the notifiers' feed --------------------------------


@dataclass(frozen=True)
class Claimed:
    entry_id: str
    job: Job


class JobQueue(ABC):
    @abstractmethod
    def claim(self, consumer: str, block_ms: int = 1000) -> list[Claimed]:
        """New jobs, and jobs another worker claimed but never acknowledged (it died)."""

    @abstractmethod
    def ack(self, entry_id: str) -> None: ...

    @abstractmethod
    def defer(self, entry_id: str, job: Job, until: datetime) -> None:
        """Acknowledge now and run again at `until` (rate limits, backoff)."""

    @abstractmethod
    def hold(self, entry_id: str, job: Job) -> None:
        """Acknowledge now and keep until released (suspension): nothing is lost."""

    @abstractmethod
    def release_due(self, now: datetime) -> int:
        """Move scheduled jobs whose time has come into the queue; returns how many."""

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """{"queued": n, "scheduled": n, "held": n}"""


class EventFeed(ABC):
    @abstractmethod
    def read(self, consumer: str, block_ms: int = 1000) -> list[tuple[str, Event]]: ...

    @abstractmethod
    def ack(self, entry_id: str) -> None: ...


class Notifier(ABC):
    """One chat's way of telling people about an event (Slack, Teams, the local page)."""

    @abstractmethod
    def notify(self, event: Event) -> None: ...


# -- X ------------------------------------------------------------------------


class XError(Exception):
    """Something X said or did not say; the subclasses decide what the worker does."""


class XRateLimited(XError):
    def __init__(self, reset_at: datetime) -> None:
        super().__init__(f"rate limited until {reset_at.isoformat()}")
        self.reset_at = reset_at


class XDuplicate(XError):
    """403 duplicate content: maybe our own earlier attempt went through."""


class XTransient(XError):
    """5xx or a time-out: the post may or may not exist."""


class XRejected(XError):
    """401 or another 403: retrying will not help."""


@dataclass(frozen=True)
class XPost:
    id: str
    text: str
    url: str
    created_at: datetime | None = None


@dataclass(frozen=True)
class XIdentity:
    id: str
    username: str


@dataclass(frozen=True)
class RateLimit:
    endpoint: str
    limit: int
    remaining: int
    reset_at: datetime


@dataclass(frozen=True)
class MediaBlob:
    filename: str
    content_type: str
    data: bytes


class XGateway(ABC):
    @abstractmethod
    def me(self) -> XIdentity: ...

    @abstractmethod
    def create_post(self, text: str, media: list[MediaBlob] | None = None) -> XPost: ...

    @abstractmethod
    def delete_post(self, post_id: str) -> None:
        """Deleting a post that is already gone is not an error."""

    @abstractmethod
    def recent_posts(self, limit: int = 20) -> list[XPost]:
        """The account's own latest posts, newest first (to reconcile an uncertain create)."""

    def last_rate_limits(self) -> list[RateLimit]:
        """The rate-limit headers of the latest call per endpoint (for status and usage)."""
        return []
