"""The audit log's hash chain: every entry carries the SHA-256 of the one before and its own.

Pure functions, so `xpost audit verify FILE` can check an export with no Redis.
An entry's hash covers its JSON form exactly as exported (every key, sorted, UTF-8),
so a renamed, added or dropped key is caught as surely as a changed value.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from chatbot.model import AuditEntry

GENESIS = "0" * 64

# Why verification stopped; `first_bad_seq` names the entry.
Problem = Literal["changed", "removed", "inserted", "reordered", "truncated", "head", ""]


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def canonical_json(entry: AuditEntry | dict[str, Any]) -> bytes:
    """Sorted keys, UTF-8, no spaces: the same bytes wherever the entry is re-serialised."""
    body = entry.model_dump(mode="json") if isinstance(entry, AuditEntry) else dict(entry)
    body.pop("hash", None)
    return _canonical(body)


def entry_hash(entry: AuditEntry | dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(entry)).hexdigest()


def export_line(entry: AuditEntry) -> str:
    """One JSON Lines record: exactly the fields the hash covers, plus the hash."""
    return _canonical(entry.model_dump(mode="json")).decode()


def chain(entry: AuditEntry, seq: int, prev_hash: str) -> AuditEntry:
    """The entry as appended after `prev_hash` at sequence `seq`."""
    linked = entry.model_copy(update={"seq": seq, "prev_hash": prev_hash, "hash": ""})
    linked.hash = entry_hash(linked)
    return linked


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    count: int  # entries checked and found in order before the first problem
    first_bad_seq: int | None = None
    problem: Problem = ""
    head_hash: str = GENESIS  # hash of the last good entry
    first_seq: int = 1

    @property
    def reason(self) -> str:
        return self.problem

    @property
    def last_seq(self) -> int:
        return self.first_seq + self.count - 1


@dataclass(frozen=True)
class _Link:
    seq: int | None  # None: unreadable
    prev_hash: str
    hash: str
    valid: bool  # its own hash matches its content


def _link(raw: dict[str, Any] | AuditEntry | str | bytes) -> _Link:
    try:
        if isinstance(raw, AuditEntry):
            body: Any = raw.model_dump(mode="json")
        elif isinstance(raw, str | bytes):
            body = json.loads(raw)
        else:
            body = raw
        if not isinstance(body, dict):
            raise ValueError("not an object")
        seq = body.get("seq")
        if not isinstance(seq, int) or isinstance(seq, bool):
            raise ValueError("no sequence number")
        prev_hash, own = str(body.get("prev_hash", "")), str(body.get("hash", ""))
    except (ValueError, UnicodeDecodeError):
        return _Link(None, "", "", False)
    return _Link(seq, prev_hash, own, entry_hash(body) == own)


def verify(entries: Iterable[dict[str, Any] | AuditEntry | str | bytes],
           head: tuple[int, str] | None = None, partial: bool = False) -> VerifyResult:
    """Walk the chain; report the first entry that was changed, removed, inserted or reordered.

    `entries` are AuditEntry objects, dicts, or JSON lines (blank lines are skipped).
    `head` (sequence, hash), announced outside Redis, also catches a cut tail and a
    chain rewritten from some entry on. `partial` accepts an excerpt (`--since`) that
    starts after entry 1; its first entry is then taken on trust.
    """
    links = [_link(raw) for raw in entries if not (isinstance(raw, str | bytes) and not
                                                   raw.strip())]
    first_seq = 1
    if partial and links and links[0].seq is not None and links[0].seq > 1:
        first_seq = links[0].seq
    prev_hash = links[0].prev_hash if first_seq > 1 else GENESIS
    seen: dict[int, _Link] = {}
    hash_at_head: str | None = None

    def bad(position: int, problem: Problem) -> VerifyResult:
        return VerifyResult(False, position - first_seq, position, problem, prev_hash, first_seq)

    for index, link in enumerate(links):
        expected = first_seq + index
        if link.seq is None:
            return bad(expected, "changed")  # not JSON, or no usable sequence number
        if link.seq != expected:
            if link.prev_hash == prev_hash:
                return bad(expected, "changed")  # in the right place: its number was edited
            if link.seq < expected:
                earlier = seen.get(link.seq)
                if (link.seq == expected - 1 and earlier is not None
                        and earlier.prev_hash == link.prev_hash):
                    # Two entries claim the same place; the later chain grows from this one.
                    return bad(link.seq, "inserted")
                return bad(expected, "inserted")
            later = any(other.seq == expected for other in links[index + 1:])
            return bad(expected, "reordered" if later else "removed")
        if link.prev_hash != prev_hash:
            if link.valid and index > 0:
                # This entry is intact, so the one before was rewritten (and rehashed).
                return bad(expected - 1, "changed")
            return bad(expected, "changed")
        if not link.valid:
            return bad(expected, "changed")
        if head is not None and link.seq == head[0]:
            hash_at_head = link.hash
        seen[link.seq] = link
        prev_hash = link.hash
    count = len(links)
    if head is not None:
        head_seq, announced_hash = head
        if first_seq + count - 1 < head_seq:
            return VerifyResult(False, count, first_seq + count, "truncated", prev_hash,
                                first_seq)
        if hash_at_head != announced_hash:
            # The chain was rewritten consistently up to here: only the announced head shows it.
            return VerifyResult(False, count, head_seq, "head", prev_hash, first_seq)
    return VerifyResult(True, count, None, "", prev_hash, first_seq)


def parse_head(text: str) -> tuple[int, str]:
    """`SEQ:HASH` as announced in the notification channel."""
    seq, _, digest = text.strip().partition(":")
    digest = digest.strip().lower()
    if not seq.strip().isdigit() or len(digest) != 64 or any(c not in "0123456789abcdef"
                                                             for c in digest):
        raise ValueError(text)
    return int(seq), digest
