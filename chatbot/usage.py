"""What X costs (paid per use since 2026): the price of one post, months, the budget.

Prices come from the policy file's `[costs]`; money is counted in millionths of a
dollar so that adding up a month of posts never drifts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from policies.model import CostSettings
from policies.text import extract_links

TOKYO = ZoneInfo("Asia/Tokyo")
MICRO = 1_000_000
WARN_AT = 0.8  # the chief is warned once a month when spend reaches this share of the budget


def to_micro(usd: float) -> int:
    return round(usd * MICRO)


@dataclass(frozen=True)
class PostCharge:
    """One post as billed: the month (Tokyo) it counts in, and what it cost."""

    month: str  # "2026-11"
    with_url: bool
    micro_usd: int


@dataclass(frozen=True)
class MonthlyUsage:
    month: str
    posts: int = 0
    posts_with_url: int = 0
    micro_usd: int = 0

    @property
    def spend_usd(self) -> float:
        return self.micro_usd / MICRO


def usd(amount: float) -> str:
    """Dollars as people read them: cents, and a tenth of a cent where there is one
    (a post costs $0.015, which two decimals would show as $0.01)."""
    return f"{amount:,.2f}" if round(amount, 2) == round(amount, 3) else f"{amount:,.3f}"


def month_of(at: datetime) -> str:
    local = at.astimezone(TOKYO)
    return f"{local.year:04d}-{local.month:02d}"


def has_url(text: str) -> bool:
    return bool(extract_links(text))


def post_price(text: str, costs: CostSettings) -> float:
    return costs.post_with_url_usd if has_url(text) else costs.post_usd


def charge_for(text: str, at: datetime, costs: CostSettings) -> PostCharge:
    return PostCharge(month_of(at), has_url(text), to_micro(post_price(text, costs)))


def would_exceed(usage: MonthlyUsage, next_micro_usd: int, costs: CostSettings) -> bool:
    """True when this post would take the month's spend over the budget (0: no budget)."""
    budget = to_micro(costs.monthly_budget_usd)
    return budget > 0 and usage.micro_usd + next_micro_usd > budget


def reached_warning(usage: MonthlyUsage, costs: CostSettings) -> bool:
    budget = to_micro(costs.monthly_budget_usd)
    return budget > 0 and usage.micro_usd >= budget * WARN_AT
