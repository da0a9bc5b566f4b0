"""Small, valid domain objects for the Redis adapter tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chatbot.model import (
    Actor,
    AuditEntry,
    Decision,
    Event,
    FollowRequest,
    ImpersonationReport,
    Proposal,
    Role,
    State,
    Version,
)

ACCOUNT = "komae_kosodate"
T0 = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)
STAFF = Actor(platform="slack", user_id="U1", name="佐藤")
CHIEF = Actor(platform="slack", user_id="U9", name="課長")


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def proposal(proposal_id: str, *, created: datetime = T0, state: State = State.PENDING,
             text: str = "こども食堂のお知らせです") -> Proposal:
    version = Version(number=1, text=text, category="event", created_at=created,
                      created_by=STAFF)
    return Proposal(id=proposal_id, account=ACCOUNT, author=STAFF, state=state,
                    versions=[version], created_at=created, updated_at=created)


def approve(p: Proposal, when: datetime = T0) -> None:
    p.decide(Decision(kind="approve", version=p.current.number, actor=CHIEF, role=Role.CHIEF,
                      at=when))


def audit(action: str, subject: str = "", when: datetime = T0) -> AuditEntry:
    return AuditEntry(at=when, account=ACCOUNT, actor=STAFF.key, actor_name=STAFF.name,
                      action=action, subject=subject)


def event(kind: str, subject: str = "") -> Event:
    return Event(kind=kind, account=ACCOUNT, at=T0, subject=subject)


def follow(follow_id: str, *, requested: datetime = T0) -> FollowRequest:
    return FollowRequest(id=follow_id, account=ACCOUNT, handle="komae_city", reason="市の本庁",
                         requested_by=STAFF, requested_at=requested)


def report(report_id: str, *, reported: datetime = T0) -> ImpersonationReport:
    return ImpersonationReport(id=report_id, account=ACCOUNT, handle="komae_kosodate_",
                               reported_by=STAFF, reported_at=reported,
                               notice_homepage="https://example.invalid/notice",
                               notice_portal="https://example.invalid/portal")
