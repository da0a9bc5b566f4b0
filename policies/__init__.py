"""The policy engine and the section's policy file (each rule cites its article).

Nothing here imports Slack, Teams, X or Redis code, nor anything from `adapters`.
"""

from policies.engine import (
    CheckResult,
    MediaItem,
    PolicyChecker,
    ProposalDraft,
    Violation,
)
from policies.model import (
    CATEGORIES,
    Policy,
    PolicyFileError,
    default_policy_path,
    load_policy,
)
from policies.text import weighted_length

__all__ = [
    "CATEGORIES",
    "CheckResult",
    "MediaItem",
    "Policy",
    "PolicyChecker",
    "PolicyFileError",
    "ProposalDraft",
    "Violation",
    "default_policy_path",
    "load_policy",
    "weighted_length",
]
