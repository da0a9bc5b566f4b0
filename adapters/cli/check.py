"""`xpost check`: check one proposal, or a JSON Lines batch, against the policy file.

Thin on purpose: parse arguments, read input, call PolicyChecker, format the result.
Exit status: 0 no error, 1 some error (a warning alone is 0), 2 usage error.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import mimetypes
import sys
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from policies import (
    CheckResult,
    MediaItem,
    PolicyChecker,
    PolicyFileError,
    ProposalDraft,
    load_policy,
)

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad input for the command as a whole: message to stderr, exit 2."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check",
        help="投稿案をポリシーで確認する / check a proposal against the policy",
        description="投稿案を運用ポリシーで確認します / Check a proposal against the policy.",
    )
    parser.add_argument("text", nargs="?", help="本文、または - で標準入力 / text, or - for stdin")
    parser.add_argument("--category", help="event, policy, info, other")
    parser.add_argument(
        "--media", action="append", default=[], metavar="PATH", help="添付ファイル / attachment"
    )
    parser.add_argument("--rights", choices=["city", "author"], help="添付の権利 / media rights")
    parser.add_argument("--lang", choices=["ja", "en"], default="ja")
    parser.add_argument("--json", action="store_true", help="JSON で出力 / JSON output")
    parser.add_argument(
        "--batch", metavar="FILE", help="JSON Lines を1行ずつ確認（- で標準入力） / JSON Lines"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        checker = PolicyChecker(load_policy())
        if args.batch is not None:
            return _run_batch(checker, args)
        return _run_single(checker, args)
    except (PolicyFileError, UsageError) as error:
        sys.stderr.write(f"xpost check: {error}\n")
        return EXIT_USAGE


# ------------------------------------------------------------------------ one proposal


def _run_single(checker: PolicyChecker, args: argparse.Namespace) -> int:
    if args.text is None:
        raise UsageError("本文か --batch を指定してください / give TEXT, - or --batch FILE")
    if args.text == "-":
        text = _decode(sys.stdin.buffer.read())
    else:
        text = args.text
        _refuse_undecodable_argument(text)
    media = [_media_from_path(path, args.rights) for path in args.media]
    draft = ProposalDraft(text=text, category=args.category, media=media)
    result = checker.check(draft, lang=args.lang)
    if args.json:
        print(json.dumps(_as_json(result), ensure_ascii=False))
    else:
        print(_report(result, checker, args.lang))
    return EXIT_OK if result.ok else EXIT_ERRORS


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UsageError(
            f"標準入力が UTF-8 ではありません（{error.start + 1} バイト目） / "
            f"standard input is not valid UTF-8 (byte {error.start + 1})"
        ) from None


def _refuse_undecodable_argument(text: str) -> None:
    # Python hands undecodable argv bytes over as lone surrogates.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise UsageError(
            f"本文が UTF-8 ではありません（{error.start} 文字目） / "
            f"the text is not valid UTF-8 (character {error.start})"
        ) from None


def _media_from_path(path: str, rights: str | None) -> MediaItem:
    try:
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError as error:
        raise UsageError(
            f"添付ファイル {path} を読めません / cannot read attachment {path}: "
            f"{error.strerror or error}"
        ) from None
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    return MediaItem(filename=path, rights=rights, content_type=content_type, sha256=digest)


# ------------------------------------------------------------------------ batch


class _BatchMedia(BaseModel):
    model_config = ConfigDict(extra="forbid")
    filename: str
    rights: Literal["city", "author"] | None = None
    content_type: str = "image/png"
    sha256: str | None = None


class _BatchLine(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str
    category: str | None = None
    media: list[str | _BatchMedia] = []
    rights: Literal["city", "author"] | None = None

    def draft(self) -> ProposalDraft:
        media = []
        for item in self.media:
            if isinstance(item, str):
                media.append(MediaItem(filename=item, rights=self.rights))
            else:
                rights = item.rights or self.rights
                media.append(MediaItem(**{**item.model_dump(), "rights": rights}))
        return ProposalDraft(text=self.text, category=self.category, media=media)


def _run_batch(checker: PolicyChecker, args: argparse.Namespace) -> int:
    if args.text is not None:
        raise UsageError("--batch と本文は同時に指定できません / --batch takes no TEXT")
    data = sys.stdin.buffer.read() if args.batch == "-" else _read_file(args.batch)
    all_ok = True
    # One result per input line, in order, so results can be zipped with the input.
    for number, raw_line in enumerate(_lines(data), start=1):
        result = _check_batch_line(checker, raw_line, number, args.lang)
        all_ok = all_ok and bool(result["ok"])
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    return EXIT_OK if all_ok else EXIT_ERRORS


def _read_file(path: str) -> bytes:
    try:
        with open(path, "rb") as stream:
            return stream.read()
    except OSError as error:
        raise UsageError(
            f"ファイル {path} を読めません / cannot read {path}: {error.strerror or error}"
        ) from None


def _lines(data: bytes) -> list[bytes]:
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()  # the newline that ends the last line does not start another
    return [line.removesuffix(b"\r") for line in lines]


def _check_batch_line(
    checker: PolicyChecker, raw_line: bytes, number: int, lang: str
) -> dict[str, Any]:
    english = lang == "en"
    try:
        line = raw_line.decode("utf-8")
    except UnicodeDecodeError:
        return _line_error(number, "not valid UTF-8" if english else "UTF-8 ではありません")
    if not line.strip():
        return _line_error(number, "blank line" if english else "空行です")
    try:
        parsed = _BatchLine.model_validate_json(line)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        if first["type"] == "json_invalid":
            detail = "not JSON" if english else "JSON ではありません"
        else:
            detail = f"{where}: {first['msg']}"
        return _line_error(number, detail)
    return {"line": number, **_as_json(checker.check(parsed.draft(), lang=lang))}


def _line_error(number: int, detail: str) -> dict[str, Any]:
    return {"line": number, "ok": False, "weighted_length": 0, "violations": [], "error": detail}


# ------------------------------------------------------------------------ output


def _as_json(result: CheckResult) -> dict[str, Any]:
    return {
        "ok": result.ok,
        "weighted_length": result.weighted_length,
        "violations": [
            {
                "rule": violation.rule,
                "severity": violation.severity,
                "article": violation.article,
                "message": violation.message,
                "span": list(violation.span) if violation.span else None,
            }
            for violation in result.violations
        ],
    }


def _report(result: CheckResult, checker: PolicyChecker, lang: str) -> str:
    limit = checker.policy.rules.length.max_weighted_length
    english = lang == "en"
    errors, warnings = len(result.errors), len(result.warnings)
    if english:
        verdict = "OK" if result.ok else "cannot be submitted"
        head = (
            f"Check: {verdict} ({errors} error(s), {warnings} warning(s)); "
            f"weighted length {result.weighted_length}/{limit}"
        )
    else:
        verdict = "提出できます" if result.ok else "このままでは提出できません"
        head = (
            f"確認結果: {verdict}（エラー {errors} 件、注意 {warnings} 件） "
            f"文字数（重み付き） {result.weighted_length}/{limit}"
        )
    lines = [head]
    for violation in result.violations:
        if english:
            label = "ERROR  " if violation.severity == "error" else "WARNING"
        else:
            label = "エラー" if violation.severity == "error" else "注意　"
        lines.append(f"  {label} {violation.article} [{violation.rule}] {violation.message}")
        if violation.span:
            start, end = violation.span
            where = (
                f"characters {start + 1}-{end}" if english else f"{start + 1}〜{end} 文字目"
            )
            lines.append(f"         ({where})")
    if result.warnings and not english:
        lines.append("  注意は課長の承認画面に表示されます。")
    elif result.warnings:
        lines.append("  Warnings are shown to the chief on the approval card.")
    return "\n".join(lines)
