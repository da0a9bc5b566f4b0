"""The Redis key layout of one X account: every key starts with `xpost:{account}:`.

One place names every key, so a deployment serving several accounts (or an operator
reading `redis-cli --scan`) sees the whole layout here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import get_args

from chatbot.ports import Job

JOB_OPS: tuple[str, ...] = get_args(Job.model_fields["op"].annotation)


@dataclass(frozen=True)
class Keys:
    account: str

    def __post_init__(self) -> None:
        if not self.account or any(c in self.account for c in ":{} \t\n"):
            raise ValueError(f"account name unfit for a Redis key: {self.account!r}")

    @property
    def prefix(self) -> str:
        return f"xpost:{self.account}:"

    # -- objects (JSON strings) ------------------------------------------------

    def counter(self, prefix: str) -> str:
        return f"{self.prefix}next_id:{prefix}"

    def proposal(self, proposal_id: str) -> str:
        return f"{self.prefix}proposal:{proposal_id}"

    @property
    def proposals_by_created(self) -> str:
        """Sorted set: proposal id scored by created_at (list_proposals, newest first)."""
        return f"{self.prefix}proposals"

    @property
    def account_state(self) -> str:
        return f"{self.prefix}account_state"

    def follow(self, follow_id: str) -> str:
        return f"{self.prefix}follow:{follow_id}"

    @property
    def follows_by_requested(self) -> str:
        return f"{self.prefix}follows"

    def report(self, report_id: str) -> str:
        return f"{self.prefix}report:{report_id}"

    @property
    def reports_by_reported(self) -> str:
        return f"{self.prefix}reports"

    def media(self, sha256: str) -> str:
        return f"{self.prefix}media:{sha256}"

    def published_text(self, normalised: str) -> str:
        """Sorted set: proposal ids published with this text, scored by published time.

        Keyed by the text's sha256 so a long post does not make a long key.
        """
        digest = hashlib.sha256(normalised.encode()).hexdigest()
        return f"{self.prefix}published_text:{digest}"

    def commit_marker(self, token: str) -> str:
        """Written inside a commit's MULTI: proves it landed if the reply was lost."""
        return f"{self.prefix}commit:{token}"

    # -- the audit log -----------------------------------------------------------

    @property
    def audit_log(self) -> str:
        """List of chained AuditEntry JSON; entry seq n sits at index n-1."""
        return f"{self.prefix}audit"

    @property
    def audit_head(self) -> str:
        """Hash {seq, hash}: the chain's last link, watched by every commit."""
        return f"{self.prefix}audit:head"

    # -- X usage -------------------------------------------------------------------

    def usage(self, month: str) -> str:
        """Hash {posts, posts_with_url, micro_usd} of one month ("2026-11", Tokyo)."""
        return f"{self.prefix}usage:{month}"

    @property
    def rate_limits(self) -> str:
        """Hash: endpoint -> the latest rate-limit headers seen for it, as JSON."""
        return f"{self.prefix}rate_limits"

    # -- streams, schedule, held ---------------------------------------------------

    @property
    def jobs(self) -> str:
        return f"{self.prefix}jobs"

    @property
    def events(self) -> str:
        return f"{self.prefix}events"

    @property
    def schedule(self) -> str:
        """Sorted set: job key scored by the time it is due."""
        return f"{self.prefix}schedule"

    @property
    def scheduled_jobs(self) -> str:
        """Hash: job key -> Job JSON, for the members of `schedule`."""
        return f"{self.prefix}schedule:jobs"

    @property
    def held(self) -> str:
        """List of Job JSON kept while the account is suspended."""
        return f"{self.prefix}held"


def job_key(proposal_id: str, op: str) -> str:
    """One scheduled slot per proposal and operation: rescheduling replaces it."""
    return f"{proposal_id}:{op}"
