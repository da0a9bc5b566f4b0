"""The domain: proposals and their lifecycle, the account, follow requests, impersonation reports.

Plain pydantic models with the state machine in their methods. Every refused
transition raises `WorkflowError` with a message key (see `chatbot.messages`)
and leaves the object unchanged.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from chatbot.errors import WorkflowError


class State(StrEnum):
    DRAFT = "draft"  # checked, not yet sent to the chief (a chat message proposal)
    PENDING = "pending"  # waiting for the chief's decision
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"  # queued, or waiting for its time (scheduled, hours, suspension)
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    FAILED = "failed"
    DELETING = "deleting"
    DELETED = "deleted"
    CORRECTED = "corrected"  # deleted from X and replaced by a correction


OPEN_STATES = {State.DRAFT, State.PENDING, State.CHANGES_REQUESTED}
DECIDABLE_STATES = {State.PENDING}
EDITABLE_STATES = {State.DRAFT, State.PENDING, State.CHANGES_REQUESTED}
QUEUED_STATES = {State.APPROVED, State.PUBLISHING}


class Role(StrEnum):
    STAFF = "staff"
    DELEGATE = "delegate"
    CHIEF = "chief"

    @property
    def may_decide(self) -> bool:
        return self in (Role.CHIEF, Role.DELEGATE)


class Actor(BaseModel):
    """A person in a chat: the platform and its user id are what roles are checked on."""

    model_config = ConfigDict(frozen=True)

    platform: str  # "slack", "teams", "cli", "system"
    user_id: str
    name: str = ""

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.user_id}"

    @property
    def display(self) -> str:
        return self.name or self.user_id


SYSTEM = Actor(platform="system", user_id="xpost", name="xpost")


class Media(BaseModel):
    """An image attached to a proposal; the bytes live in the media store under sha256."""

    filename: str
    content_type: str = "image/png"
    sha256: str
    rights: Literal["city", "author"] | None = None


class Warning_(BaseModel):
    """A policy warning kept with a version for the chief (rule id, article, message)."""

    rule: str
    severity: Literal["error", "warning"] = "warning"
    article: str
    message: str


class Version(BaseModel):
    number: int
    text: str
    category: str
    media: list[Media] = Field(default_factory=list)
    publish_at: datetime | None = None
    weighted_length: int = 0
    # What X will charge for this text, at the policy file's prices when it was written.
    has_url: bool = False
    cost_usd: float | None = None
    warnings: list[Warning_] = Field(default_factory=list)
    created_at: datetime
    created_by: Actor


DecisionKind = Literal["approve", "reject", "request_changes"]


class Decision(BaseModel):
    kind: DecisionKind
    version: int
    actor: Actor
    role: Role
    at: datetime
    comment: str = ""
    urgent: bool = False

    @property
    def on_behalf_of_chief(self) -> bool:
        return self.role is Role.DELEGATE


class Proposal(BaseModel):
    id: str  # said aloud: "P-0042"
    account: str
    author: Actor
    state: State
    versions: list[Version]
    decisions: list[Decision] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime
    # Optimistic concurrency: a store refuses to save over a newer revision.
    revision: int = 0
    # Where the proposal came from, so a front end can answer in the same thread.
    origin: dict[str, str] = Field(default_factory=dict)
    corrects: str | None = None  # id of the published proposal this one corrects
    corrected_by: str | None = None
    x_post_id: str | None = None
    x_url: str | None = None
    published_at: datetime | None = None
    release_at: datetime | None = None  # approved, held until this time
    # Why it waits: "scheduled" (its publish time), "posting_hours" (art. 10), "rate_limited".
    release_reason: str = ""
    attempts: int = 0
    failure: str | None = None
    delete_reason: str | None = None
    deleted_at: datetime | None = None
    reminded_at: datetime | None = None

    # -- reading ---------------------------------------------------------

    @property
    def current(self) -> Version:
        return self.versions[-1]

    @property
    def last_decision(self) -> Decision | None:
        return self.decisions[-1] if self.decisions else None

    @property
    def is_correction(self) -> bool:
        return self.corrects is not None

    # -- transitions -----------------------------------------------------

    def _require(self, allowed: set[State], action: str) -> None:
        if self.state not in allowed:
            raise WorkflowError(
                "illegal_transition", id=self.id, state=self.state.value, action=action
            )

    def submit(self, now: datetime) -> None:
        self._require({State.DRAFT, State.CHANGES_REQUESTED}, "submit")
        self.state = State.PENDING
        self.updated_at = now
        self.reminded_at = None

    def add_version(self, version: Version) -> None:
        """An edit: a new version, back to the chief (earlier decisions stay on record)."""
        self._require(EDITABLE_STATES, "edit")
        self.versions.append(version)
        if self.state is State.CHANGES_REQUESTED:
            self.state = State.PENDING
        self.updated_at = version.created_at
        self.reminded_at = None

    def decide(self, decision: Decision) -> None:
        if self.state is not State.PENDING:
            raise WorkflowError("already_decided", id=self.id, state=self.state.value)
        if decision.version != self.current.number:
            raise WorkflowError(
                "stale_version", id=self.id, version=decision.version, current=self.current.number
            )
        self.decisions.append(decision)
        self.state = {
            "approve": State.APPROVED,
            "reject": State.REJECTED,
            "request_changes": State.CHANGES_REQUESTED,
        }[decision.kind]
        self.updated_at = decision.at

    def withdraw(self, now: datetime) -> None:
        self._require(EDITABLE_STATES, "withdraw")
        self.state = State.WITHDRAWN
        self.updated_at = now

    def start_publishing(self, now: datetime) -> None:
        self._require({State.APPROVED, State.PUBLISHING}, "publish")
        self.state = State.PUBLISHING
        self.attempts += 1
        self.updated_at = now

    def mark_published(self, post_id: str, url: str, now: datetime) -> None:
        self._require({State.PUBLISHING, State.APPROVED}, "publish")
        self.state = State.PUBLISHED
        self.x_post_id = post_id
        self.x_url = url
        self.published_at = now
        self.failure = None
        self.release_at = None
        self.release_reason = ""
        self.updated_at = now

    def mark_failed(self, reason: str, now: datetime) -> None:
        self._require({State.PUBLISHING, State.APPROVED}, "fail")
        self.state = State.FAILED
        self.failure = reason
        self.updated_at = now

    def retry(self, now: datetime) -> None:
        self._require({State.FAILED}, "retry")
        self.state = State.APPROVED
        self.failure = None
        self.attempts = 0
        self.updated_at = now

    def postpone(self, until: datetime, now: datetime) -> None:
        """X certainly did not post (a 429): approved again, to go out at `until`."""
        self._require({State.PUBLISHING, State.APPROVED}, "publish")
        self.state = State.APPROVED
        self.release_at = until
        self.release_reason = "rate_limited"
        self.updated_at = now

    def hold_until(self, until: datetime | None, reason: str, now: datetime) -> None:
        """Approved, waiting: for its publish time, the posting hours, or not at all (None)."""
        self._require({State.APPROVED}, "reschedule")
        self.release_at = until
        self.release_reason = reason if until else ""
        self.updated_at = now

    def unschedule(self, version: Version) -> None:
        """The chief takes back a scheduled approval: a new version with no time goes back to
        the chief's queue, so nothing goes out until someone approves it again."""
        self._require({State.APPROVED}, "unschedule")
        self.versions.append(version)
        self.state = State.PENDING
        self.release_at = None
        self.release_reason = ""
        self.updated_at = version.created_at
        self.reminded_at = None

    @property
    def urgent(self) -> bool:
        """Approved as urgent (disaster, closures, safety): out at once, whatever the hours."""
        last = self.last_decision
        return bool(last and last.kind == "approve" and last.urgent)

    def delete_refused(self, reason: str, now: datetime) -> None:
        """X refused the deletion: the post is still there, and the card says why."""
        self._require({State.DELETING}, "delete")
        self.state = State.PUBLISHED
        self.failure = reason
        self.updated_at = now

    def start_deleting(self, reason: str, now: datetime) -> None:
        self._require({State.PUBLISHED}, "delete")
        self.state = State.DELETING
        self.delete_reason = reason
        self.updated_at = now

    def mark_deleted(self, now: datetime, corrected_by: str | None = None) -> None:
        self._require({State.DELETING, State.PUBLISHED}, "delete")
        self.state = State.CORRECTED if corrected_by else State.DELETED
        self.corrected_by = corrected_by
        self.deleted_at = now
        self.updated_at = now


class AccountState(BaseModel):
    """The X account as the section runs it (art. 4, 9)."""

    account: str
    suspended: bool = False
    suspended_reason: str = ""
    suspended_at: datetime | None = None
    suspended_by: Actor | None = None
    identity_ok: bool | None = None  # None: the worker has not checked yet
    identity_username: str = ""
    identity_checked_at: datetime | None = None
    audit_head_announced_on: date | None = None  # Tokyo date of the last daily announcement
    budget_warned_month: str = ""  # "2026-11": the 80% warning was given for this month
    budget_hold_month: str = ""  # publishing is holding for the budget of this month
    budget_continue_month: str = ""  # the chief confirmed to go on over budget this month
    revision: int = 0


class FollowState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"  # approved; the chief follows by hand in the X app
    FOLLOWED = "followed"  # the chief confirmed the follow
    REJECTED = "rejected"


class FollowRequest(BaseModel):
    id: str  # "F-0003"
    account: str
    handle: str  # without @
    reason: str
    requested_by: Actor
    requested_at: datetime
    state: FollowState = FollowState.PENDING
    decided_by: Actor | None = None
    decided_role: Role | None = None
    decided_at: datetime | None = None
    comment: str = ""
    revision: int = 0


class ImpersonationReport(BaseModel):
    id: str  # "I-0001"
    account: str
    handle: str
    url: str = ""
    reported_by: Actor
    reported_at: datetime
    notice_homepage: str
    notice_portal: str


class Event(BaseModel):
    """Something the chats must hear about; notifiers render it per chat."""

    kind: str
    account: str
    at: datetime
    subject: str = ""  # P-0001, F-0001, I-0001 or ""
    data: dict[str, Any] = Field(default_factory=dict)


class AuditEntry(BaseModel):
    """One line of the append-only log: who, when, what, which version, which rules, X results."""

    seq: int = 0  # set by the store when appended
    at: datetime
    account: str
    actor: str  # Actor.key
    actor_name: str = ""
    role: str = ""
    action: str
    subject: str = ""
    version: int | None = None
    rules: list[str] = Field(default_factory=list)
    details: dict[str, Any] = Field(default_factory=dict)
    prev_hash: str = ""
    hash: str = ""


def normalise_for_duplicates(text: str) -> str:
    """Texts X would call the same: width-folded, case-folded, whitespace collapsed."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    # Whitespace is dropped entirely: X treats texts differing only in spacing as the same.
    return "".join(folded.split())
