"""The use cases: one method each, taking who asks and what they ask for.

Slack, Teams, the local page and the command line all arrive here. Every method
checks the actor's role on the server, changes the domain objects, and commits
one unit of work (objects, audit entries, events for the chats, jobs for the
worker) atomically. A concurrent change makes the method reload and decide
again, so a double click finds the proposal already decided.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from chatbot.errors import PermissionDenied, PolicyViolation, WorkflowError
from chatbot.hours import next_window
from chatbot.messages import t
from chatbot.model import (
    EDITABLE_STATES,
    SYSTEM,
    AccountState,
    Actor,
    AuditEntry,
    Decision,
    DecisionKind,
    Event,
    FollowRequest,
    FollowState,
    ImpersonationReport,
    Media,
    Proposal,
    Role,
    State,
    Version,
    Warning_,
    normalise_for_duplicates,
)
from chatbot.notices import impersonation_notices, resumption_notices, suspension_notices
from chatbot.ports import (
    Changes,
    Clock,
    ConcurrentModification,
    Job,
    JobQueue,
    RateLimit,
    Store,
)
from chatbot.publishing import job_for
from chatbot.roles import RoleDirectory
from chatbot.usage import MonthlyUsage, has_url, month_of, post_price, usd
from chatbot.views import local_time
from policies import CheckResult, MediaItem, Policy, PolicyChecker, ProposalDraft, Violation

T = TypeVar("T")

HANDLE = re.compile(r"^[@＠]?([A-Za-z0-9_]{1,15})$")
MAX_COMMIT_ATTEMPTS = 5
TOKYO = ZoneInfo("Asia/Tokyo")
# The visible mark a near-identical correction carries, so X does not see the same text
# posted again after a deletion (cities have lost accounts to that pattern).
CORRECTION_MARK = "【訂正】"


@dataclass
class Status:
    account: AccountState
    pending: int
    changes_requested: int
    approved: int
    publishing: int
    failed: int
    queue: dict[str, int]
    last_published: Proposal | None
    followed: list[FollowRequest] = field(default_factory=list)
    open_follow_requests: list[FollowRequest] = field(default_factory=list)
    usage: MonthlyUsage | None = None  # this month's posts and spend
    budget_usd: float = 0.0
    rate_limits: list[RateLimit] = field(default_factory=list)
    scheduled: list[Proposal] = field(default_factory=list)  # approved, waiting for a time

    @property
    def holding_for_budget(self) -> bool:
        return bool(self.usage and self.account.budget_hold_month == self.usage.month)


class Workflow:
    def __init__(
        self,
        store: Store,
        checker: PolicyChecker,
        policy: Policy,
        roles: RoleDirectory,
        clock: Clock,
        queue: JobQueue | None = None,
        lang: str = "ja",
    ) -> None:
        self.store = store
        self.checker = checker
        self.policy = policy
        self.roles = roles
        self.clock = clock
        self.queue = queue
        self.lang = lang

    # -- reading -----------------------------------------------------------

    def check(self, draft: ProposalDraft, lang: str | None = None) -> CheckResult:
        """The policy check plus the workflow's own `duplicate` rule."""
        result = self.checker.check(draft, lang=lang or self.lang)
        duplicate_of = self._published_duplicate(draft.text)
        if duplicate_of:
            result.violations.append(
                Violation(
                    rule="duplicate",
                    severity="error",
                    article=self.checker.article("duplicate"),
                    message=self.checker.message(
                        "duplicate",
                        lang or self.lang,
                        id=duplicate_of,
                        days=self.policy.workflow.duplicate_window_days,
                    ),
                )
            )
            result.ok = False
        return result

    def get(self, proposal_id: str) -> Proposal:
        proposal = self.store.get_proposal(normalise_id(proposal_id))
        if proposal is None:
            raise WorkflowError("not_found", id=proposal_id)
        return proposal

    def list(self, states: set[State] | None = None, limit: int = 50) -> list[Proposal]:
        return self.store.list_proposals(states, limit)

    def role_of(self, actor: Actor) -> Role:
        return self.roles.role_of(actor)

    def status(self) -> Status:
        proposals = self.store.list_proposals(None, limit=1000)
        by_state: dict[State, int] = {}
        for p in proposals:
            by_state[p.state] = by_state.get(p.state, 0) + 1
        published = [p for p in proposals if p.state is State.PUBLISHED and p.published_at]
        follows = self.store.list_follows()
        waiting = [p for p in proposals if p.state is State.APPROVED and p.release_at]
        return Status(
            account=self.store.get_account_state(),
            pending=by_state.get(State.PENDING, 0),
            changes_requested=by_state.get(State.CHANGES_REQUESTED, 0),
            approved=by_state.get(State.APPROVED, 0),
            publishing=by_state.get(State.PUBLISHING, 0),
            failed=by_state.get(State.FAILED, 0),
            queue=self.queue.counts() if self.queue else {},
            last_published=max(published, key=lambda p: p.published_at) if published else None,
            followed=[f for f in follows if f.state is FollowState.FOLLOWED],
            open_follow_requests=[
                f for f in follows if f.state in (FollowState.PENDING, FollowState.APPROVED)
            ],
            usage=self.store.get_usage(month_of(self.clock.now())),
            budget_usd=self.policy.costs.monthly_budget_usd,
            rate_limits=self.store.rate_limits(),
            scheduled=sorted(waiting, key=lambda p: p.release_at or p.updated_at),
        )

    # -- staff ---------------------------------------------------------------

    def propose(
        self,
        actor: Actor,
        text: str,
        category: str | None,
        media: list[Media] | None = None,
        publish_at: datetime | None = None,
        origin: dict[str, str] | None = None,
        submit: bool = True,
        allow_missing_category: bool = False,
    ) -> tuple[Proposal, CheckResult]:
        """A new proposal; with errors nothing is saved and PolicyViolation says why.

        `allow_missing_category` keeps a draft whose only problem is the missing
        category, so the chat can ask for it with buttons and lose nothing.
        """
        now = self.clock.now()
        if allow_missing_category and category is None:
            submit = False
        version, result = self._checked_version(1, actor, text, category, media or [], publish_at,
                                                allow_missing_category=allow_missing_category)
        proposal = Proposal(
            id=self.store.next_id("P"),
            account=self.store.account,
            author=actor,
            state=State.PENDING if submit else State.DRAFT,
            versions=[version],
            created_at=now,
            updated_at=now,
            origin=origin or {},
        )
        changes = Changes(
            proposals=[proposal],
            audit=[self._audit(actor, "proposed", proposal, rules=_rule_ids(result))],
        )
        if submit:
            changes.events.append(self._event("proposal_submitted", proposal))
        self.store.commit(changes)
        return proposal, result

    def submit(self, actor: Actor, proposal_id: str) -> Proposal:
        def attempt() -> Proposal:
            proposal = self.get(proposal_id)
            self._require_author_or_decider(actor, proposal)
            proposal.submit(self.clock.now())
            self.store.commit(
                Changes(
                    proposals=[proposal],
                    audit=[self._audit(actor, "submitted", proposal)],
                    events=[self._event("proposal_submitted", proposal)],
                )
            )
            return proposal

        return self._retrying(attempt)

    def edit(
        self,
        actor: Actor,
        proposal_id: str,
        text: str | None = None,
        category: str | None = None,
        media: list[Media] | None = None,
        publish_at: datetime | None = None,
    ) -> tuple[Proposal, CheckResult]:
        def attempt() -> tuple[Proposal, CheckResult]:
            proposal = self.get(proposal_id)
            self._require_author_or_decider(actor, proposal)
            if proposal.state not in EDITABLE_STATES:
                raise WorkflowError(
                    "illegal_transition", id=proposal.id, state=proposal.state.value, action="edit"
                )
            current = proposal.current
            version, result = self._checked_version(
                current.number + 1,
                actor,
                current.text if text is None else text,
                category or current.category,
                current.media if media is None else media,
                publish_at or current.publish_at,
            )
            was_draft = proposal.state is State.DRAFT
            proposal.add_version(version)
            changes = Changes(
                proposals=[proposal],
                audit=[self._audit(actor, "edited", proposal, rules=_rule_ids(result))],
            )
            if not was_draft:
                changes.events.append(self._event("proposal_submitted", proposal, edited=True))
            self.store.commit(changes)
            return proposal, result

        return self._retrying(attempt)

    def withdraw(self, actor: Actor, proposal_id: str) -> Proposal:
        def attempt() -> Proposal:
            proposal = self.get(proposal_id)
            self._require_author_or_decider(actor, proposal)
            proposal.withdraw(self.clock.now())
            self.store.commit(
                Changes(
                    proposals=[proposal],
                    audit=[self._audit(actor, "withdrawn", proposal)],
                    events=[self._event("proposal_withdrawn", proposal)],
                )
            )
            return proposal

        return self._retrying(attempt)

    # -- the chief's decisions ----------------------------------------------

    def decide(
        self,
        actor: Actor,
        proposal_id: str,
        version: int,
        kind: DecisionKind,
        comment: str = "",
        urgent: bool = False,
    ) -> Proposal:
        """Approve, reject or request changes on one version: what the chief's buttons call."""
        role = self.roles.require_decider(actor)
        comment = comment.strip()
        if kind == "reject" and not comment:
            raise WorkflowError("reason_required")
        if kind == "request_changes" and not comment:
            raise WorkflowError("comment_required")
        urgent = urgent and kind == "approve"
        if urgent and not comment:
            raise WorkflowError("urgent_reason_required")

        def attempt() -> Proposal:
            proposal = self.get(proposal_id)
            own = kind == "approve" and proposal.author.key == actor.key
            if own and (role is not Role.CHIEF or self.policy.workflow.require_second_person):
                raise PermissionDenied("self_approval")
            now = self.clock.now()
            proposal.decide(
                Decision(
                    kind=kind, version=version, actor=actor, role=role, at=now,
                    comment=comment, urgent=urgent,
                )
            )
            changes = Changes(
                proposals=[proposal],
                audit=[
                    self._audit(
                        actor, _DECISION_ACTIONS[kind], proposal, role=role,
                        comment=comment, urgent=urgent,
                        on_behalf_of_chief=role is Role.DELEGATE,
                    )
                ],
                events=[self._event("proposal_decided", proposal, decision=kind, urgent=urgent)],
            )
            if kind == "approve":
                self._release(proposal, changes, now)
                if proposal.release_at:
                    changes.audit[0].details["release_at"] = proposal.release_at.isoformat()
                    changes.audit[0].details["release_reason"] = proposal.release_reason
            self.store.commit(changes)
            return proposal

        return self._retrying(attempt)

    def approve(self, actor: Actor, proposal_id: str, version: int, urgent: bool = False
                ) -> Proposal:
        return self.decide(actor, proposal_id, version, "approve", urgent=urgent)

    def approve_urgent(self, actor: Actor, proposal_id: str, version: int, reason: str
                       ) -> Proposal:
        """The fourth button: urgent (disaster, closures, safety), out at once whatever the
        posting hours; the audit keeps who and why."""
        return self.decide(actor, proposal_id, version, "approve", comment=reason, urgent=True)

    def reject(self, actor: Actor, proposal_id: str, version: int, reason: str) -> Proposal:
        return self.decide(actor, proposal_id, version, "reject", comment=reason)

    def request_changes(self, actor: Actor, proposal_id: str, version: int, comment: str
                        ) -> Proposal:
        return self.decide(actor, proposal_id, version, "request_changes", comment=comment)

    def retry(self, actor: Actor, proposal_id: str) -> Proposal:
        """A failed publication, tried again at the chief's word (never automatically)."""
        role = self.roles.require_decider(actor)

        def attempt() -> Proposal:
            proposal = self.get(proposal_id)
            proposal.retry(self.clock.now())
            changes = Changes(
                proposals=[proposal],
                audit=[self._audit(actor, "retry_requested", proposal, role=role)],
                events=[self._event("proposal_retrying", proposal)],
            )
            self._release(proposal, changes, self.clock.now())
            self.store.commit(changes)
            return proposal

        return self._retrying(attempt)

    def delete(self, actor: Actor, proposal_id: str, reason: str) -> Proposal:
        """The chief deletes a published post at once (the worker calls X)."""
        role = self.roles.require_decider(actor)
        if not reason.strip():
            raise WorkflowError("reason_required")

        def attempt() -> Proposal:
            proposal = self.get(proposal_id)
            if proposal.state is not State.PUBLISHED:
                raise WorkflowError(
                    "not_published", id=proposal.id, state=proposal.state.value, action="delete"
                )
            proposal.start_deleting(reason.strip(), self.clock.now())
            self.store.commit(
                Changes(
                    proposals=[proposal],
                    audit=[self._audit(actor, "delete_requested", proposal, role=role,
                                       reason=reason.strip())],
                    enqueue=[Job(op="delete", subject=proposal.id)],
                )
            )
            return proposal

        return self._retrying(attempt)

    def correct(self, actor: Actor, proposal_id: str, text: str, confirm: bool = False
                ) -> tuple[Proposal, CheckResult]:
        """Art. 5.2: a correction of a published post, as a new proposal for the chief.

        On approval the worker deletes the wrong post and publishes this one, as one
        tracked operation. X freezes accounts that post and delete the same content
        again and again, so a near-identical correction carries a visible 【訂正】 mark,
        and a second correction of the same post within the cooldown needs `confirm`.
        """
        role = self.roles.require_decider(actor)
        original = self.get(proposal_id)
        if original.state is not State.PUBLISHED:
            raise WorkflowError(
                "not_published", id=original.id, state=original.state.value, action="correct"
            )
        wanted = text.strip()
        if _without_mark(wanted) == _without_mark(original.current.text):
            raise WorkflowError("correction_same_text", id=original.id)
        now = self.clock.now()
        last = self._last_correction_at(original)
        cooldown = timedelta(minutes=self.policy.workflow.correction_cooldown_minutes)
        if last is not None and now - last < cooldown and not confirm:
            raise WorkflowError("correction_cooldown", id=original.id,
                                minutes=self.policy.workflow.correction_cooldown_minutes,
                                at=last.isoformat())
        similarity = correction_similarity(original.current.text, wanted)
        similar = similarity >= self.policy.workflow.correction_similarity_threshold
        if similar and not wanted.startswith(CORRECTION_MARK):
            wanted = CORRECTION_MARK + _without_mark(wanted)
        version, result = self._checked_version(
            1, actor, wanted, original.current.category, original.current.media, None,
            skip_duplicate_of=original.id,
        )
        if not similar:
            # Not a small fix: the chief should see it is really a new text.
            version.warnings.append(Warning_(
                rule="correction_dissimilar", severity="warning", article="第5条第2項",
                message=t("correction_dissimilar", self.lang, id=original.id,
                           percent=round(similarity * 100))))
        correction = Proposal(
            id=self.store.next_id("P"),
            account=self.store.account,
            author=actor,
            state=State.PENDING,
            versions=[version],
            created_at=now,
            updated_at=now,
            corrects=original.id,
        )
        self.store.commit(
            Changes(
                proposals=[correction],
                audit=[self._audit(actor, "correction_proposed", correction, role=role,
                                   rules=_rule_ids(result), corrects=original.id,
                                   similarity=round(similarity, 3), marked=similar,
                                   cooldown_confirmed=bool(confirm and last
                                                           and now - last < cooldown) or None)],
                events=[self._event("proposal_submitted", correction, corrects=original.id)],
            )
        )
        return correction, result

    def _last_correction_at(self, original: Proposal) -> datetime | None:
        """When the same post (or its chain of corrections) was last corrected."""
        chain_ids = {original.id}
        cursor = original
        while cursor.corrects and (earlier := self.store.get_proposal(cursor.corrects)):
            chain_ids.add(earlier.id)
            cursor = earlier
        times = [max(t for t in (p.created_at, p.published_at) if t)
                 for p in self.store.list_proposals(None, limit=1000)
                 if p.corrects in chain_ids and p.state not in (State.REJECTED, State.WITHDRAWN)]
        return max(times) if times else None

    # -- scheduled posts -------------------------------------------------------------

    def reschedule(self, actor: Actor, proposal_id: str, publish_at: datetime) -> Proposal:
        """Move an approved post's time (the chief), or a pending one's (a new version)."""
        now = self.clock.now()
        if publish_at <= now:
            raise WorkflowError("publish_at_past", at=publish_at.isoformat())
        proposal = self.get(proposal_id)
        if proposal.state in EDITABLE_STATES:
            return self.edit(actor, proposal.id, publish_at=publish_at)[0]
        role = self.roles.require_decider(actor)

        def attempt() -> Proposal:
            proposal = self.get(proposal_id)
            if proposal.state is not State.APPROVED:
                raise WorkflowError("not_waiting", id=proposal.id, state=proposal.state.value,
                                    action="reschedule")
            before = proposal.release_at
            proposal.current.publish_at = publish_at  # the audit entry keeps the old time
            at = next_window(publish_at, self.policy.posting_hours)
            proposal.hold_until(at, "scheduled" if at == publish_at else "posting_hours", now)
            self.store.commit(Changes(
                proposals=[proposal],
                audit=[self._audit(actor, "rescheduled", proposal, role=role,
                                   before=before.isoformat() if before else "now",
                                   publish_at=publish_at.isoformat(), release_at=at.isoformat())],
                events=[self._event("proposal_rescheduled", proposal,
                                    at=local_time(at, self.lang), by=actor.display)],
                unschedule=[proposal.id],
                schedule=[(job_for(proposal), at)],
            ))
            return proposal

        return self._retrying(attempt)

    def unschedule(self, actor: Actor, proposal_id: str) -> Proposal:
        """Take back an approved post that has not gone out yet: it returns to the chief's
        queue as pending, with no time. Not cancelled: the text and its history stay, the
        author can edit it or withdraw it, and nothing goes out until it is approved again."""
        role = self.roles.require_decider(actor)

        def attempt() -> Proposal:
            proposal = self.get(proposal_id)
            if proposal.state is not State.APPROVED:
                raise WorkflowError("not_waiting", id=proposal.id, state=proposal.state.value,
                                    action="unschedule")
            before = proposal.release_at
            current = proposal.current
            proposal.unschedule(current.model_copy(update={
                "number": current.number + 1, "publish_at": None,
                "created_at": self.clock.now(), "created_by": actor}))
            self.store.commit(Changes(
                proposals=[proposal],
                audit=[self._audit(actor, "unscheduled", proposal, role=role,
                                   before=before.isoformat() if before else "now")],
                events=[self._event("proposal_unscheduled", proposal, by=actor.display)],
                unschedule=[proposal.id],
            ))
            return proposal

        return self._retrying(attempt)

    # -- X costs ---------------------------------------------------------------------

    def continue_over_budget(self, actor: Actor) -> AccountState:
        """The chief's word to go on publishing past this month's budget: held posts go out."""
        role = self.roles.require_decider(actor)

        def attempt() -> AccountState:
            state = self.store.get_account_state()
            month = month_of(self.clock.now())
            usage = self.store.get_usage(month)
            state.budget_continue_month = month
            state.budget_hold_month = ""
            budget = self.policy.costs.monthly_budget_usd
            self.store.commit(Changes(
                account_state=state,
                audit=[self._audit(actor, "budget_continued", None, role=role, month=month,
                                   spend_usd=usage.spend_usd, budget_usd=budget)],
                events=[self._event("budget_continued", None, by=actor.display, month=month,
                                    spend=usd(usage.spend_usd), budget=usd(budget))],
                release_held=True,
            ))
            return state

        return self._retrying(attempt)

    def end_budget_hold_of_past_month(self) -> bool:
        """A new month, a new budget: posts held for last month's budget go out (worker tick)."""
        def attempt() -> bool:
            state = self.store.get_account_state()
            month = month_of(self.clock.now())
            if not state.budget_hold_month or state.budget_hold_month == month:
                return False
            ended = state.budget_hold_month
            state.budget_hold_month = ""
            self.store.commit(Changes(
                account_state=state,
                audit=[self._system_audit("budget_hold_ended", month=ended)],
                events=[self._event("budget_hold_ended", None, month=ended)],
                release_held=True,
            ))
            return True

        return self._retrying(attempt)

    # -- the audit chain's head, announced outside Redis --------------------------------

    def announce_audit_head(self, actor: Actor | None = None, only_if_due: bool = False
                            ) -> tuple[int, str] | None:
        """Tell the notification channel the chain's head (seq, hash), so a copy exists that
        Redis cannot alter. The worker does it once a day; anyone may ask for it."""
        def attempt() -> tuple[int, str] | None:
            state = self.store.get_account_state()
            now = self.clock.now()
            today = now.astimezone(TOKYO).date()
            if only_if_due and state.audit_head_announced_on == today:
                return None
            seq, digest = self.store.audit_head()
            if only_if_due and seq == 0:
                return None  # an empty log has nothing to anchor; look again tomorrow
            state.audit_head_announced_on = today
            who = actor or SYSTEM
            entry = (self._audit(actor, "audit_head_announced", None, seq=seq, hash=digest)
                     if actor else self._system_audit("audit_head_announced", seq=seq,
                                                      hash=digest))
            self.store.commit(Changes(
                account_state=state, audit=[entry],
                events=[self._event("audit_head", None, seq=seq, hash=digest,
                                    by=who.display)]))
            return seq, digest

        return self._retrying(attempt)

    # -- the account (art. 9) -----------------------------------------------

    def suspend(self, actor: Actor, reason: str) -> AccountState:
        role = self.roles.require_decider(actor)
        reason = reason.strip()
        if not reason:
            raise WorkflowError("reason_required")

        def attempt() -> AccountState:
            state = self.store.get_account_state()
            if state.suspended:
                raise WorkflowError("already_suspended", reason=state.suspended_reason)
            now = self.clock.now()
            state.suspended = True
            state.suspended_reason = reason
            state.suspended_at = now
            state.suspended_by = actor
            notices = suspension_notices(self.policy.workflow.x_username, reason, now)
            self.store.commit(
                Changes(
                    account_state=state,
                    audit=[self._audit(actor, "account_suspended", None, role=role, reason=reason)],
                    events=[self._event("account_suspended", None, reason=reason,
                                        by=actor.display, **notices)],
                )
            )
            return state

        return self._retrying(attempt)

    def resume(self, actor: Actor) -> AccountState:
        role = self.roles.require_decider(actor)

        def attempt() -> AccountState:
            state = self.store.get_account_state()
            if not state.suspended:
                raise WorkflowError("not_suspended")
            reason = state.suspended_reason
            state.suspended = False
            state.suspended_reason = ""
            state.suspended_at = None
            state.suspended_by = None
            notices = resumption_notices(self.policy.workflow.x_username, self.clock.now())
            self.store.commit(
                Changes(
                    account_state=state,
                    audit=[self._audit(actor, "account_resumed", None, role=role,
                                       previous_reason=reason)],
                    events=[self._event("account_resumed", None, by=actor.display, **notices)],
                    release_held=True,
                )
            )
            return state

        return self._retrying(attempt)

    # -- follows (art. 6.1) and impersonation (art. 7.2) --------------------------

    def request_follow(self, actor: Actor, handle: str, reason: str) -> FollowRequest:
        """A follow request. From the chief it is approved at once; X no longer offers
        follows to self-serve apps, so the chief follows by hand and then confirms."""
        name = parse_handle(handle)
        if not reason.strip():
            raise WorkflowError("reason_required")
        now = self.clock.now()
        request = FollowRequest(
            id=self.store.next_id("F"), account=self.store.account, handle=name,
            reason=reason.strip(), requested_by=actor, requested_at=now,
        )
        role = self.roles.role_of(actor)
        audit = [self._audit(actor, "follow_requested", None, subject=request.id,
                             handle=name, reason=request.reason)]
        if role.may_decide:
            self._decide_follow_in_place(request, actor, role, approve=True, comment="", now=now)
            audit.append(self._audit(actor, "follow_approved", None, role=role,
                                     subject=request.id, handle=name))
        self.store.commit(
            Changes(follows=[request], audit=audit, events=[self._follow_event(request)])
        )
        return request

    def decide_follow(self, actor: Actor, follow_id: str, approve: bool, comment: str = ""
                      ) -> FollowRequest:
        role = self.roles.require_decider(actor)

        def attempt() -> FollowRequest:
            request = self._get_follow(follow_id)
            if request.state is not FollowState.PENDING:
                raise WorkflowError("follow_already_decided", id=request.id)
            self._decide_follow_in_place(request, actor, role, approve, comment, self.clock.now())
            self.store.commit(
                Changes(
                    follows=[request],
                    audit=[self._audit(actor, "follow_approved" if approve else "follow_rejected",
                                       None, role=role, subject=request.id,
                                       handle=request.handle, comment=comment)],
                    events=[self._follow_event(request)],
                )
            )
            return request

        return self._retrying(attempt)

    def confirm_follow(self, actor: Actor, follow_id: str) -> FollowRequest:
        role = self.roles.require_decider(actor)

        def attempt() -> FollowRequest:
            request = self._get_follow(follow_id)
            if request.state is not FollowState.APPROVED:
                raise WorkflowError("follow_not_approved", id=request.id)
            request.state = FollowState.FOLLOWED
            self.store.commit(
                Changes(
                    follows=[request],
                    audit=[self._audit(actor, "follow_confirmed", None, role=role,
                                       subject=request.id, handle=request.handle)],
                    events=[self._follow_event(request)],
                )
            )
            return request

        return self._retrying(attempt)

    def report_impersonation(self, actor: Actor, handle: str, url: str = ""
                             ) -> ImpersonationReport:
        """Anyone may report; recorded and announced at once, with draft notices."""
        name = parse_handle(handle)
        now = self.clock.now()
        notices = impersonation_notices(self.policy.workflow.x_username, name, url, now)
        report = ImpersonationReport(
            id=self.store.next_id("I"), account=self.store.account, handle=name, url=url,
            reported_by=actor, reported_at=now, **notices,
        )
        self.store.commit(
            Changes(
                reports=[report],
                audit=[self._audit(actor, "impersonation_reported", None, subject=report.id,
                                   handle=name, url=url)],
                events=[Event(kind="impersonation_reported", account=self.store.account, at=now,
                              subject=report.id,
                              data={"handle": name, "url": url, "reported_by": actor.display,
                                    **notices})],
            )
        )
        return report

    # -- reminders -------------------------------------------------------------

    def send_reminders(self) -> list[str]:
        """Proposals pending longer than the policy says remind the chief, once per period."""
        now = self.clock.now()
        period = timedelta(hours=self.policy.workflow.reminder_hours)
        reminded: list[str] = []
        for proposal in self.store.list_proposals({State.PENDING}, limit=1000):
            since = proposal.reminded_at or proposal.updated_at
            if now - since < period:
                continue
            proposal.reminded_at = now
            try:
                self.store.commit(
                    Changes(
                        proposals=[proposal],
                        events=[self._event("reminder", proposal,
                                            waiting_hours=int((now - proposal.updated_at)
                                                              .total_seconds() // 3600))],
                    )
                )
            except ConcurrentModification:
                continue  # it changed meanwhile; the next round looks again
            reminded.append(proposal.id)
        return reminded

    # -- internals ---------------------------------------------------------------

    def _retrying(self, attempt: Callable[[], T]) -> T:
        for _ in range(MAX_COMMIT_ATTEMPTS - 1):
            try:
                return attempt()
            except ConcurrentModification:
                continue  # someone else changed it: reload and decide again
        return attempt()

    def _checked_version(
        self,
        number: int,
        actor: Actor,
        text: str,
        category: str | None,
        media: list[Media],
        publish_at: datetime | None,
        skip_duplicate_of: str | None = None,
        allow_missing_category: bool = False,
    ) -> tuple[Version, CheckResult]:
        draft = ProposalDraft(
            text=text,
            category=category,
            media=[MediaItem(filename=m.filename, rights=m.rights, content_type=m.content_type,
                             sha256=m.sha256) for m in media],
        )
        # A correction replaces its original, so the original's text is no duplicate.
        result = (
            self.checker.check(draft, lang=self.lang) if skip_duplicate_of else self.check(draft)
        )
        errors = [v for v in result.errors
                  if not (allow_missing_category and category is None and v.rule == "category")]
        if errors:
            raise PolicyViolation(errors)
        now = self.clock.now()
        if publish_at is not None and publish_at <= now:
            raise WorkflowError("publish_at_past", at=publish_at.isoformat())
        version = Version(
            number=number,
            text=text,
            category=category or "",
            media=list(media),
            publish_at=publish_at,
            weighted_length=result.weighted_length,
            has_url=has_url(text),
            cost_usd=post_price(text, self.policy.costs),
            warnings=[Warning_(rule=v.rule, severity=v.severity, article=v.article,
                               message=v.message) for v in result.warnings],
            created_at=now,
            created_by=actor,
        )
        return version, result

    def _published_duplicate(self, text: str) -> str | None:
        if not text.strip():
            return None
        since = self.clock.now() - timedelta(days=self.policy.workflow.duplicate_window_days)
        return self.store.find_published_text(normalise_for_duplicates(text), since)

    def _release(self, proposal: Proposal, changes: Changes, now: datetime) -> None:
        """Hand an approved proposal to the worker: now, at its publish time, or when the
        posting hours next open (art. 10). An urgent approval goes out at once."""
        job = job_for(proposal)
        publish_at = proposal.current.publish_at
        if proposal.urgent:
            proposal.release_at, proposal.release_reason = None, ""
            changes.enqueue.append(job)
            return
        wanted = publish_at if publish_at and publish_at > now else now
        at = next_window(wanted, self.policy.posting_hours)
        if at > now:
            proposal.release_at = at
            proposal.release_reason = "scheduled" if at == publish_at else "posting_hours"
            changes.schedule.append((job, at))
        else:
            proposal.release_at, proposal.release_reason = None, ""
            changes.enqueue.append(job)

    def _require_author_or_decider(self, actor: Actor, proposal: Proposal) -> None:
        if actor.key != proposal.author.key and not self.roles.role_of(actor).may_decide:
            raise PermissionDenied("not_author", id=proposal.id)

    def _get_follow(self, follow_id: str) -> FollowRequest:
        request = self.store.get_follow(normalise_id(follow_id, "F"))
        if request is None:
            raise WorkflowError("not_found", id=follow_id)
        return request

    @staticmethod
    def _decide_follow_in_place(request: FollowRequest, actor: Actor, role: Role, approve: bool,
                                comment: str, now: datetime) -> None:
        request.state = FollowState.APPROVED if approve else FollowState.REJECTED
        request.decided_by = actor
        request.decided_role = role
        request.decided_at = now
        request.comment = comment

    def _follow_event(self, request: FollowRequest) -> Event:
        return Event(kind=f"follow_{request.state.value}", account=self.store.account,
                     at=self.clock.now(), subject=request.id,
                     data={"handle": request.handle, "reason": request.reason,
                           "requested_by": request.requested_by.display,
                           "decided_by": request.decided_by.display if request.decided_by else ""})

    def _audit(self, actor: Actor, action: str, proposal: Proposal | None, *,
               role: Role | None = None, rules: list[str] | None = None, subject: str = "",
               **details: Any) -> AuditEntry:
        return AuditEntry(
            at=self.clock.now(),
            account=self.store.account,
            actor=actor.key,
            actor_name=actor.name,
            role=(role or self.roles.role_of(actor)).value,
            action=action,
            subject=proposal.id if proposal else subject,
            version=proposal.current.number if proposal else None,
            rules=rules or [],
            details={k: v for k, v in details.items() if v not in (None, "")},
        )

    def _system_audit(self, action: str, **details: Any) -> AuditEntry:
        return AuditEntry(at=self.clock.now(), account=self.store.account, actor=SYSTEM.key,
                          actor_name=SYSTEM.name, role="system", action=action,
                          details={k: v for k, v in details.items() if v not in (None, "")})

    def _event(self, kind: str, proposal: Proposal | None, **data: Any) -> Event:
        return Event(kind=kind, account=self.store.account, at=self.clock.now(),
                     subject=proposal.id if proposal else "", data=data)


_DECISION_ACTIONS = {"approve": "approved", "reject": "rejected", "request_changes":
                     "changes_requested"}


def _without_mark(text: str) -> str:
    return text.strip().removeprefix(CORRECTION_MARK).strip()


def correction_similarity(original: str, correction: str) -> float:
    """How alike two texts are to X's eye (0 to 1): difflib's ratio on normalised text,
    ignoring the correction mark."""
    a = normalise_for_duplicates(_without_mark(original))
    b = normalise_for_duplicates(_without_mark(correction))
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _rule_ids(result: CheckResult) -> list[str]:
    return [v.rule for v in result.violations]


def normalise_id(raw: str, prefix: str = "P") -> str:
    """`42`, `p-42`, `P-0042` and `Ｐ－００４２` are all P-0042."""
    text = unicodedata.normalize("NFKC", raw).strip().upper()
    match = re.fullmatch(rf"(?:{prefix}-?)?0*(\d+)", text)
    return f"{prefix}-{int(match.group(1)):04d}" if match else text


def parse_handle(raw: str) -> str:
    match = HANDLE.match(unicodedata.normalize("NFKC", raw.strip()))
    if not match:
        raise WorkflowError("bad_handle", handle=raw)
    return match.group(1)
