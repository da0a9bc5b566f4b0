"""The worker's use cases: publish, delete and correct on X, each approved post exactly once.

Exactly once, even when a worker dies mid-publish or X times out after creating
the post: before creating, a proposal marked `publishing` by an earlier attempt is
first looked for among the account's recent posts. X's 403 duplicate answer is
reconciled the same way. Nothing here loops on X: every retry is a deferred job,
bounded, and a failure waits for the chief.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from chatbot.hours import next_window
from chatbot.model import SYSTEM, AuditEntry, Event, Proposal, State, normalise_for_duplicates
from chatbot.ports import (
    Changes,
    Claimed,
    Clock,
    ConcurrentModification,
    Job,
    JobQueue,
    MediaBlob,
    PublishingContext,
    Store,
    XDuplicate,
    XGateway,
    XPost,
    XRateLimited,
    XRejected,
    XTransient,
)
from chatbot.usage import (
    WARN_AT,
    MonthlyUsage,
    PostCharge,
    charge_for,
    month_of,
    reached_warning,
    usd,
    would_exceed,
)
from policies.model import CostSettings, PostingHours

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_seconds: float = 5.0
    cap_seconds: float = 300.0

    def delay(self, attempt: int, rng: random.Random) -> timedelta:
        # Exponential backoff with full jitter: workers that failed together retry apart.
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** max(attempt - 1, 0))
        return timedelta(seconds=rng.uniform(ceiling / 2, ceiling))


class Publisher:
    def __init__(
        self,
        store: Store,
        queue: JobQueue,
        x: XGateway,
        clock: Clock,
        x_username: str,
        retry: RetryPolicy | None = None,
        rng: random.Random | None = None,
        costs: CostSettings | None = None,
        posting_hours: PostingHours | None = None,
    ) -> None:
        self.store = store
        self.queue = queue
        self.x = x
        self.clock = clock
        self.x_username = x_username
        self.retry = retry or RetryPolicy()
        self.rng = rng or random.Random()
        # What handle() read before the current job, and whether its commit recorded X's
        # rate limits already (saves round trips on the publication path).
        self._job_context: PublishingContext | None = None
        self._rate_limits_recorded = False
        self.costs = costs  # None: no budget is kept
        self.posting_hours = posting_hours  # None: any time

    # -- art. 4: publish only from the configured account ---------------------

    def check_identity(self) -> bool:
        """True when the X credentials belong to the configured username; recorded either way."""
        now = self.clock.now()
        try:
            identity = self.x.me()
            username, ok = identity.username, identity.username.lower() == self.x_username.lower()
        except (XTransient, XRejected, XRateLimited) as error:
            username, ok = "", False
            log.error("X identity check failed: %s", error)
        self._save_rate_limits()
        for _ in range(5):
            state = self.store.get_account_state()
            state.identity_ok = ok
            state.identity_username = username
            state.identity_checked_at = now
            changes = Changes(
                account_state=state,
                audit=[self._audit("identity_checked", None, username=username, ok=ok,
                                   expected=self.x_username)],
            )
            if not ok:
                changes.events.append(Event(kind="identity_mismatch", account=self.store.account,
                                            at=now, data={"expected": self.x_username,
                                                          "actual": username}))
            try:
                self.store.commit(changes)
                break
            except ConcurrentModification:
                continue
        if not ok:
            log.error("X credentials belong to @%s, not @%s: publishing is refused",
                      username or "?", self.x_username)
        return ok

    # -- jobs --------------------------------------------------------------------

    def handle(self, claimed: Claimed) -> None:
        job = claimed.job
        context = self.store.load_for_publishing(job.subject, month_of(self.clock.now()))
        self._job_context = context
        self._rate_limits_recorded = False
        proposal, account = context.proposal, context.account
        if account.suspended:
            self.queue.hold(claimed.entry_id, job)  # art. 9: waits, nothing lost
            return
        if proposal is None:
            log.warning("job for unknown proposal %s dropped", job.subject)
            self.queue.ack(claimed.entry_id)
            return
        try:
            if job.op == "delete":
                self._delete(claimed, proposal)
            elif self._must_wait(claimed, proposal, context):
                return
            elif job.op == "correct":
                self._correct(claimed, proposal)
            else:
                self._publish(claimed, proposal)
        except ConcurrentModification:
            # Another worker moved this proposal on; it owns the job now.
            self.queue.ack(claimed.entry_id)
        except XRateLimited as limited:
            # From a deletion or a look-up (reconciling an uncertain post): nothing was
            # posted; wait until X lets us.
            self.queue.defer(claimed.entry_id, job, limited.reset_at)
        except XTransient:
            self.queue.defer(claimed.entry_id, job,
                             self.clock.now() + self.retry.delay(proposal.attempts, self.rng))
        except XRejected as error:
            current = self.store.get_proposal(job.subject)
            if current is not None and current.state in (State.APPROVED, State.PUBLISHING):
                self._fail(claimed, current, f"x_rejected: {error}")
            else:
                self.queue.ack(claimed.entry_id)
        finally:
            if not self._rate_limits_recorded:
                self._save_rate_limits()

    # -- before a post: posting hours (art. 10) and the month's budget ----------------

    def _must_wait(self, claimed: Claimed, proposal: Proposal, context: PublishingContext
                   ) -> bool:
        """True when the job was put aside: outside posting hours, or over budget."""
        if proposal.state is not State.APPROVED or proposal.urgent:
            return False  # an uncertain `publishing` is reconciled first, whatever the time
        now = self.clock.now()
        if proposal.release_at and proposal.release_at > now:
            return False  # _publish defers it to its time
        if self.posting_hours is not None:
            opens = next_window(now, self.posting_hours)
            if opens > now:
                # Released late (a worker was down, X made us wait): wait for the next window.
                proposal.hold_until(opens, "posting_hours", now)
                self.store.commit(Changes(
                    proposals=[proposal],
                    audit=[self._audit("publish_postponed", proposal, reason="posting_hours",
                                       until=opens.isoformat())],
                    events=[self._event("publish_postponed", proposal, reason="posting_hours",
                                        until=opens.isoformat())],
                ))
                self.queue.defer(claimed.entry_id, claimed.job, opens)
                return True
        return self._hold_for_budget(claimed, proposal, now, context)

    def _hold_for_budget(self, claimed: Claimed, proposal: Proposal, now: datetime,
                         context: PublishingContext) -> bool:
        """At 100% of the month's budget, posts wait in the held queue (nothing is lost)
        until the chief says to go on (`/xpost budget continue`) or the month ends."""
        if self.costs is None:
            return False
        charge = charge_for(proposal.current.text, now, self.costs)
        state = context.account
        if state.budget_continue_month == charge.month:
            return False
        usage = context.usage
        if usage.month != charge.month:  # the month turned since the job was loaded
            usage = self.store.get_usage(charge.month)
        if not would_exceed(usage, charge.micro_usd, self.costs):
            return False
        self.queue.hold(claimed.entry_id, claimed.job)
        budget = self.costs.monthly_budget_usd
        changes = Changes(audit=[self._audit("publish_held_for_budget", proposal,
                                             month=charge.month, spend_usd=usage.spend_usd,
                                             budget_usd=budget)])
        if state.budget_hold_month != charge.month:
            state.budget_hold_month = charge.month
            changes.account_state = state
            changes.events.append(Event(
                kind="budget_exceeded", account=self.store.account, at=now,
                subject=proposal.id, data={"month": charge.month, "budget": usd(budget),
                                           "spend": usd(usage.spend_usd)}))
        try:
            self.store.commit(changes)
        except ConcurrentModification:
            # The account changed meanwhile (another worker started the hold): the job is
            # held all the same; record the hold without the announcement.
            self.store.commit(Changes(audit=changes.audit))
        return True

    def _warn_if_budget_nearly_spent(self, charge: PostCharge) -> None:
        if self.costs is None:
            return
        month = charge.month
        known = self._job_context
        if known is not None and known.usage.month == month:
            # What was read before the job, plus this post, says whether to look at all:
            # most posts neither cross the threshold nor find the month unwarned.
            after = MonthlyUsage(month, micro_usd=known.usage.micro_usd + charge.micro_usd)
            if known.account.budget_warned_month == month or not reached_warning(after,
                                                                                  self.costs):
                return
        for _ in range(5):
            state = self.store.get_account_state()
            usage = self.store.get_usage(month)
            if state.budget_warned_month == month or not reached_warning(usage, self.costs):
                return
            state.budget_warned_month = month
            budget = self.costs.monthly_budget_usd
            try:
                self.store.commit(Changes(
                    account_state=state,
                    audit=[self._audit("budget_warning", None, month=month,
                                       spend_usd=usage.spend_usd, budget_usd=budget)],
                    events=[Event(kind="budget_warning", account=self.store.account,
                                  at=self.clock.now(),
                                  data={"month": month, "spend": usd(usage.spend_usd),
                                        "budget": usd(budget),
                                        "percent": round(100 * usage.spend_usd / budget),
                                        "threshold": round(100 * WARN_AT)})],
                ))
                return
            except ConcurrentModification:
                continue

    def _save_rate_limits(self) -> None:
        try:
            self.store.save_rate_limits(self.x.last_rate_limits())
        except Exception:  # an observation: never worth failing a publication for
            log.exception("could not record X rate limits")

    def _publish(self, claimed: Claimed, proposal: Proposal) -> None:
        if proposal.state not in (State.APPROVED, State.PUBLISHING):
            self.queue.ack(claimed.entry_id)  # already published, withdrawn...: nothing to do
            return
        now = self.clock.now()
        if proposal.release_at and proposal.release_at > now:
            self.queue.defer(claimed.entry_id, claimed.job, proposal.release_at)
            return
        uncertain = proposal.state is State.PUBLISHING  # an earlier attempt may have posted
        proposal.start_publishing(now)
        self.store.commit(Changes(
            proposals=[proposal],
            audit=[self._audit("publish_started", proposal, attempt=proposal.attempts)],
            events=[self._event("publishing", proposal)],
        ))
        text = proposal.current.text
        if uncertain and (found := self._find_on_x(text)):
            self._record_published(claimed, proposal, found, reconciled=True)
            return
        try:
            post = self.x.create_post(text, self._media(proposal))
        except XDuplicate:
            found = self._find_on_x(text)
            if found:
                self._record_published(claimed, proposal, found, reconciled=True)
            else:
                self._fail(claimed, proposal, "x_duplicate")
            return
        except XRateLimited as limited:
            self._postpone(claimed, proposal, limited.reset_at, "rate_limited")
            return
        except XTransient as error:
            if proposal.attempts >= self.retry.max_attempts:
                self._fail(claimed, proposal, f"x_unavailable: {error}")
            else:
                # Still `publishing`: the next attempt looks on X before posting again.
                until = now + self.retry.delay(proposal.attempts, self.rng)
                self.store.commit(Changes(
                    proposals=[],
                    audit=[self._audit("publish_retry_scheduled", proposal,
                                       attempt=proposal.attempts, error=str(error),
                                       at=until.isoformat())],
                ))
                self.queue.defer(claimed.entry_id, claimed.job, until)
            return
        except XRejected as error:
            self._fail(claimed, proposal, f"x_rejected: {error}")
            return
        self._record_published(claimed, proposal, post, reconciled=False)

    def _delete(self, claimed: Claimed, proposal: Proposal) -> None:
        if proposal.state is not State.DELETING or not proposal.x_post_id:
            self.queue.ack(claimed.entry_id)
            return
        try:
            self.x.delete_post(proposal.x_post_id)  # X busy or down: handle() defers the job
        except XRejected as error:
            proposal.delete_refused(f"delete_failed: {error}", self.clock.now())
            self.store.commit(Changes(
                proposals=[proposal],
                audit=[self._audit("x_delete_failed", proposal, error=str(error))],
                events=[self._event("delete_failed", proposal, error=str(error))],
            ))
            self.queue.ack(claimed.entry_id)
            return
        now = self.clock.now()
        proposal.mark_deleted(now)
        self.store.commit(Changes(
            proposals=[proposal],
            audit=[self._audit("x_deleted", proposal, x_post_id=proposal.x_post_id,
                               reason=proposal.delete_reason)],
            events=[self._event("post_deleted", proposal, reason=proposal.delete_reason or "",
                                x_url=proposal.x_url or "")],
        ))
        self.queue.ack(claimed.entry_id)

    def _correct(self, claimed: Claimed, correction: Proposal) -> None:
        """Art. 5.2 as one tracked operation: delete the wrong post, then publish this one."""
        if correction.state not in (State.APPROVED, State.PUBLISHING):
            self.queue.ack(claimed.entry_id)
            return
        original = self.store.get_proposal(correction.corrects or "")
        if original is not None and original.state in (State.PUBLISHED, State.DELETING):
            if original.x_post_id:
                try:
                    self.x.delete_post(original.x_post_id)  # busy or down: handle() defers
                except XRejected as error:
                    self._fail(claimed, correction, f"delete_failed: {error}")
                    return
            original.mark_deleted(self.clock.now(), corrected_by=correction.id)
            self.store.commit(Changes(
                proposals=[original],
                audit=[self._audit("x_deleted_for_correction", original,
                                   x_post_id=original.x_post_id, correction=correction.id)],
                events=[self._event("original_deleted", original, correction=correction.id)],
            ))
        self._publish(claimed, correction)

    # -- outcomes ----------------------------------------------------------------

    def _record_published(self, claimed: Claimed, proposal: Proposal, post: XPost,
                          reconciled: bool) -> None:
        now = self.clock.now()
        proposal.mark_published(post.id, post.url, now)
        kind = "correction_published" if proposal.is_correction else "post_published"
        costs = self.costs or CostSettings()
        charge = charge_for(proposal.current.text, now, costs)
        self.store.commit(Changes(
            proposals=[proposal],
            audit=[self._audit("x_published", proposal, x_post_id=post.id, url=post.url,
                               reconciled=reconciled, corrects=proposal.corrects,
                               urgent=proposal.urgent or None,
                               cost_usd=charge.micro_usd / 1_000_000)],
            events=[self._event(kind, proposal, x_url=post.url, x_post_id=post.id,
                                corrects=proposal.corrects or "")],
            published_texts=[(normalise_for_duplicates(proposal.current.text), proposal.id, now)],
            usage=[charge],
            acknowledge=[claimed.entry_id],
            rate_limits=self.x.last_rate_limits(),
        ))
        self._rate_limits_recorded = True
        self._warn_if_budget_nearly_spent(charge)

    def _fail(self, claimed: Claimed, proposal: Proposal, reason: str) -> None:
        proposal.mark_failed(reason, self.clock.now())
        self.store.commit(Changes(
            proposals=[proposal],
            audit=[self._audit("publish_failed", proposal, reason=reason)],
            events=[self._event("publish_failed", proposal, reason=reason,
                                corrects=proposal.corrects or "")],
            acknowledge=[claimed.entry_id],
        ))

    def _postpone(self, claimed: Claimed, proposal: Proposal, until: datetime, why: str) -> None:
        """X certainly did not post (429): back to approved, out again at `until`."""
        proposal.postpone(until, self.clock.now())
        self.store.commit(Changes(
            proposals=[proposal],
            audit=[self._audit("publish_postponed", proposal, reason=why,
                               until=until.isoformat())],
            events=[self._event("publish_postponed", proposal, reason=why,
                                until=until.isoformat())],
        ))
        self.queue.defer(claimed.entry_id, claimed.job, until)

    def _find_on_x(self, text: str) -> XPost | None:
        wanted = normalise_for_duplicates(text)
        for post in self.x.recent_posts(limit=20):
            if normalise_for_duplicates(post.text) == wanted:
                return post
        return None

    def _media(self, proposal: Proposal) -> list[MediaBlob]:
        blobs = []
        for item in proposal.current.media:
            data = self.store.get_media(item.sha256)
            if data is None:
                raise XRejected(f"media {item.filename} is missing from the store")
            blobs.append(MediaBlob(item.filename, item.content_type, data))
        return blobs

    def _audit(self, action: str, proposal: Proposal | None, **details: object) -> AuditEntry:
        return AuditEntry(
            at=self.clock.now(), account=self.store.account, actor=SYSTEM.key,
            actor_name=SYSTEM.name, role="system", action=action,
            subject=proposal.id if proposal else "",
            version=proposal.current.number if proposal else None,
            details={k: v for k, v in details.items() if v not in (None, "")},
        )

    def _event(self, kind: str, proposal: Proposal, **data: object) -> Event:
        return Event(kind=kind, account=self.store.account, at=self.clock.now(),
                     subject=proposal.id, data=data)


def job_for(proposal: Proposal) -> Job:
    return Job(op="correct" if proposal.is_correction else "publish", subject=proposal.id,
               version=proposal.current.number)
