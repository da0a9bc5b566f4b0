"""The audit log's hash chain: every entry carries the SHA-256 of the one before and its own.

Pure functions, so `xpost audit verify FILE` can check an export with no Redis.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from chatbot.model import AuditEntry

GENESIS = "0" * 64


def canonical_json(entry: AuditEntry) -> bytes:
    """Sorted keys, UTF-8, no spaces: the same bytes wherever the entry is re-serialised."""
    body = entry.model_dump(mode="json", exclude={"hash"})
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(canonical_json(entry)).hexdigest()


def chain(entry: AuditEntry, seq: int, prev_hash: str) -> AuditEntry:
    """The entry as appended after `prev_hash` at sequence `seq`."""
    linked = entry.model_copy(update={"seq": seq, "prev_hash": prev_hash, "hash": ""})
    linked.hash = entry_hash(linked)
    return linked


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    count: int
    first_bad_seq: int | None = None
    reason: str = ""
    head_hash: str = GENESIS


def verify(entries: Iterable[dict[str, Any] | AuditEntry], head: tuple[int, str] | None = None
           ) -> VerifyResult:
    """Walk the chain; report the first entry that was changed, removed, inserted or reordered.

    `head` (sequence, hash), announced outside Redis, also catches a cut tail.
    """
    prev_hash, expected_seq, count = GENESIS, 1, 0
    hash_at_head: str | None = None
    for raw in entries:
        entry = raw if isinstance(raw, AuditEntry) else AuditEntry.model_validate(raw)
        if entry.seq != expected_seq:
            return VerifyResult(False, count, expected_seq, "sequence", prev_hash)
        if entry.prev_hash != prev_hash:
            return VerifyResult(False, count, entry.seq, "link", prev_hash)
        if entry_hash(entry) != entry.hash:
            return VerifyResult(False, count, entry.seq, "content", prev_hash)
        if head is not None and entry.seq == head[0]:
            hash_at_head = entry.hash
        prev_hash, expected_seq, count = entry.hash, expected_seq + 1, count + 1
    if head is not None:
        head_seq, announced_hash = head
        if count < head_seq:
            return VerifyResult(False, count, count + 1, "truncated", prev_hash)
        if hash_at_head != announced_hash:
            # The whole chain was rewritten consistently: only the announced head shows it.
            return VerifyResult(False, count, head_seq, "head", prev_hash)
    return VerifyResult(True, count, None, "", prev_hash)
