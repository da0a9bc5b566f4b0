"""`xpost audit`: check the audit log's hash chain, export it, print its head.

    xpost audit verify              the live log in Redis, against its own head
    xpost audit verify FILE         an exported JSON Lines file, offline (no Redis)
    xpost audit verify ... --head SEQ:HASH   against a head announced in the channel
    xpost audit export --format csv|jsonl [--since 2026-04-01] [--out FILE]
    xpost audit head                SEQ:HASH of the live log

Exit status: 0 intact, 1 altered (the first bad entry is named), 2 usage error or
nothing to read (no file, no Redis).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Iterable, Iterator
from datetime import datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from adapters.cli._common import container_or_exit
from chatbot.audit import parse_head, verify
from chatbot.messages import AUDIT_ACTION_LABELS, AUDIT_CSV_HEADERS, AUDIT_MESSAGES, ROLE_LABELS
from chatbot.model import AuditEntry

EXIT_OK, EXIT_ALTERED, EXIT_USAGE = 0, 1, 2
TOKYO = ZoneInfo("Asia/Tokyo")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "audit", help="監査ログの検証・書き出し / verify and export the audit log",
        description="監査ログ（ハッシュチェーン）を検証し、書き出します / "
                    "Verify and export the hash-chained audit log.")
    actions = parser.add_subparsers(dest="audit_command", required=True,
                                    parser_class=type(parser))
    check = actions.add_parser("verify", help="改ざんの有無を確かめる / check for tampering")
    check.add_argument("file", nargs="?",
                       help="書き出した JSON Lines（省略時は Redis の記録） / an exported "
                            "JSON Lines file (default: the live log)")
    check.add_argument("--head", metavar="SEQ:HASH",
                       help="通知チャンネルで告知された先頭 / the head announced in the channel")
    check.add_argument("--partial", action="store_true",
                       help="--since で書き出した抜粋を確かめる / the file is a --since excerpt")
    check.set_defaults(func=run_verify)

    export = actions.add_parser("export", help="記録を書き出す / export the log")
    export.add_argument("--format", choices=["csv", "jsonl"], required=True)
    export.add_argument("--since", metavar="DATE", type=_date,
                        help="この日（日本時間）以降 / from this date on (Tokyo), e.g. 2026-04-01")
    export.add_argument("--out", metavar="FILE", help="出力先（省略時は標準出力） / output file")
    export.set_defaults(func=run_export)

    head = actions.add_parser("head", help="記録の先頭 SEQ:HASH / print the head")
    head.set_defaults(func=run_head)


def _date(text: str) -> datetime:
    try:
        return datetime.combine(datetime.strptime(text, "%Y-%m-%d").date(), time(0),
                                tzinfo=TOKYO)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"日付は 2026-04-01 の形で / write the date as 2026-04-01: {text!r}") from None


# ------------------------------------------------------------------------ verify


def run_verify(args: argparse.Namespace) -> int:
    try:
        head = parse_head(args.head) if args.head else None
    except ValueError:
        return _usage(f"--head は SEQ:HASH（例 12:ab12…64桁） / --head must be SEQ:HASH: "
                      f"{args.head!r}")
    if args.file is not None:
        try:
            lines: Iterable[bytes] = Path(args.file).read_bytes().splitlines()
        except OSError as error:
            return _usage(f"{args.file} を読めません / cannot read {args.file}: "
                          f"{error.strerror or error}")
    else:
        store = container_or_exit().store
        lines = list(store.audit_raw())
        head = head or (store.audit_head() if lines else None)
    result = verify(lines, head=head, partial=args.partial)
    if result.ok:
        print(AUDIT_MESSAGES["ok"].format(count=result.count, first=result.first_seq,
                                          last=result.last_seq, hash=result.head_hash))
        if result.first_seq > 1:
            print(AUDIT_MESSAGES["excerpt"].format(first=result.first_seq))
        return EXIT_OK
    print(AUDIT_MESSAGES[result.problem].format(seq=result.first_bad_seq,
                                                head=head[0] if head else ""))
    return EXIT_ALTERED


# ------------------------------------------------------------------------ export


def run_export(args: argparse.Namespace) -> int:
    store = container_or_exit().store
    records = [json.loads(raw) for raw in store.audit_raw()]
    if args.since is not None:
        records = [r for r in records if datetime.fromisoformat(r["at"]) >= args.since]
    if args.format == "jsonl":
        # The stored JSON, canonical: the chain's hashes check out on exactly these bytes.
        data = "".join(json.dumps(r, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
                       + "\n" for r in records).encode()
    else:
        data = _csv(records).encode("utf-8-sig")  # the BOM tells Excel it is UTF-8
    if args.out:
        Path(args.out).write_bytes(data)
        sys.stderr.write(f"{len(records)} 件を {args.out} に書き出しました / "
                         f"wrote {len(records)} entries to {args.out}\n")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return EXIT_OK


def _csv(records: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(AUDIT_CSV_HEADERS)
    for row in _rows(records):
        writer.writerow(row)
    return out.getvalue()


def _rows(records: list[dict[str, Any]]) -> Iterator[list[str]]:
    for record in records:
        entry = AuditEntry.model_validate(record)
        details = json.dumps(entry.details, ensure_ascii=False, sort_keys=True)
        yield [
            str(entry.seq), entry.at.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M:%S"),
            AUDIT_ACTION_LABELS.get(entry.action, entry.action), entry.action, entry.subject,
            "" if entry.version is None else str(entry.version), entry.actor_name, entry.actor,
            ROLE_LABELS.get(entry.role, entry.role), " ".join(entry.rules),
            "" if details == "{}" else details, entry.prev_hash, entry.hash,
        ]


# ------------------------------------------------------------------------ head


def run_head(args: argparse.Namespace) -> int:
    seq, digest = container_or_exit().store.audit_head()
    print(f"{seq}:{digest}")
    return EXIT_OK


def _usage(message: str) -> int:
    sys.stderr.write(f"xpost audit: {message}\n")
    return EXIT_USAGE


