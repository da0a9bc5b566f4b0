"""Checks per second of the full rule set, against twitter_text.parse_tweet alone.

Run: python bench/bench_check.py   (target: full check at most 1.5x parse_tweet alone)
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the project, and bench/

from twitter_text import parse_tweet

from bench.corpus import CORPUS
from policies import PolicyChecker, ProposalDraft, load_policy
from policies.text import TWITTER_TEXT_V3

TARGET_RATIO = 1.5


def per_second(work: Callable[[], object], items: int, rounds: int = 7) -> float:
    """Best of several rounds: the least disturbed measurement of the same work."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return items / best


def main() -> int:
    checker = PolicyChecker(load_policy())
    drafts = [ProposalDraft(text=text, category="event") for text in CORPUS]

    def parse_only() -> None:
        for text in CORPUS:
            parse_tweet(text, TWITTER_TEXT_V3)

    def full_check() -> None:
        for draft in drafts:
            checker.check(draft)

    full_check()  # warm up caches and lazy imports before timing either
    parse_rate = per_second(parse_only, len(CORPUS))
    check_rate = per_second(full_check, len(drafts))
    ratio = parse_rate / check_rate
    print(f"corpus: {len(CORPUS)} posts")
    print(f"parse_tweet alone: {parse_rate:10.0f} posts/s")
    print(f"full check:        {check_rate:10.0f} checks/s")
    print(f"cost ratio (check / parse_tweet): {ratio:.2f}x (target <= {TARGET_RATIO}x)")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
