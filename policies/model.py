"""The section's policy as data: pydantic models for `komae_kosodate.toml` and its loader.

Everything the section may change lives in the TOML file; this module only says what
shape the file must have, so that a mistake is reported by line or key at start-up.
"""

from __future__ import annotations

import os
import re
import string
import tomllib
from datetime import date, time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

Severity = Literal["error", "warning"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

# Fixed by art. 5.1 of the written policy, so the workflow can code against them.
CATEGORIES: tuple[str, ...] = ("event", "policy", "info", "other")

POLICY_ENV_VAR = "XPOST_POLICY"


def default_policy_path() -> Path:
    """The policy file in use: $XPOST_POLICY, else the packaged komae_kosodate.toml."""
    configured = os.environ.get(POLICY_ENV_VAR)
    if configured:
        return Path(configured)
    return Path(__file__).with_name("komae_kosodate.toml")


class PolicyFileError(Exception):
    """A policy file that cannot be used; str() names the file and the line or key."""


class _Strict(BaseModel):
    # A misspelt key must be an error, not silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_template(value: str) -> str:
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(value) if name is not None]
    except ValueError as error:
        raise ValueError(
            f"メッセージの {{ }} の対応が取れていません / unbalanced braces in message: {error}"
        ) from None
    for name in fields:
        if not name.isidentifier():
            raise ValueError(
                f"メッセージの差し込み {{{name}}} が不正です / invalid placeholder {{{name}}}"
            )
    return value


# A message with {placeholders} that the checker fills in.
Template = Annotated[str, AfterValidator(_check_template)]


# ---------------------------------------------------------------------------- workflow


class WorkflowSettings(_Strict):
    reminder_hours: int = Field(default=24, gt=0)
    duplicate_window_days: int = Field(default=30, ge=0)
    require_second_person: bool = False
    x_username: str = Field(default="komae_kosodate", pattern=r"^[A-Za-z0-9_]{1,15}$")
    correction_similarity_threshold: float = Field(default=0.8, ge=0, le=1)
    correction_cooldown_minutes: int = Field(default=60, ge=0)


class CostSettings(_Strict):
    post_usd: float = Field(default=0.015, ge=0)
    post_with_url_usd: float = Field(default=0.20, ge=0)
    monthly_budget_usd: float = Field(default=30.0, ge=0)


class PostingHours(_Strict):
    timezone: str = "Asia/Tokyo"
    weekdays: list[Weekday] = Field(default_factory=lambda: ["mon", "tue", "wed", "thu", "fri"])
    start: time = time(8, 30)
    end: time = time(19, 0)
    closed_dates: list[date] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"不明なタイムゾーン / unknown time zone: {value!r}") from None
        return value

    @field_validator("start", "end", mode="before")
    @classmethod
    def _hh_mm(cls, value: Any) -> Any:
        # TOML has a native time type, but staff will write "08:30"; accept both.
        if isinstance(value, str) and value.strip() == "24:00":
            return time.max  # "until midnight": the end of the day
        if isinstance(value, str) and not re.fullmatch(r"\d{1,2}:\d{2}", value.strip()):
            raise ValueError(f"時刻は \"08:30\" の形で / write times as \"08:30\": {value!r}")
        return value

    @model_validator(mode="after")
    def _start_before_end(self) -> PostingHours:
        if self.start >= self.end:
            raise ValueError("start は end より前に / start must be before end")
        return self

    @property
    def tzinfo(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


# ---------------------------------------------------------------------------- categories


class Category(_Strict):
    label_ja: str = Field(min_length=1)
    label_en: str = Field(min_length=1)
    article: str = Field(min_length=1)
    needs_chief_judgement: bool = False


# ---------------------------------------------------------------------------- rules


class MessageCase(_Strict):
    """A variant of a rule's message; severity and article default to the rule's."""

    severity: Severity | None = None
    article: str | None = None
    ja: Template
    en: Template


class RuleSpec(_Strict):
    enabled: bool = True
    severity: Severity
    article: str = Field(min_length=1)
    ja: Template
    en: Template


class LengthRule(RuleSpec):
    max_weighted_length: int = Field(default=280, gt=0)
    too_long_to_check: MessageCase


class CategoryRule(RuleSpec):
    unknown: MessageCase
    other: MessageCase


class RelevanceRule(RuleSpec):
    keywords: list[str] = Field(min_length=1)


class MentionRule(RuleSpec):
    allowed_accounts: list[str] = Field(default_factory=list)

    @field_validator("allowed_accounts")
    @classmethod
    def _usernames(cls, values: list[str]) -> list[str]:
        cleaned = [value.strip().lstrip("@＠") for value in values]
        for value in cleaned:
            if not re.fullmatch(r"[A-Za-z0-9_]{1,20}", value):
                raise ValueError(f"X のユーザー名ではありません / not an X username: {value!r}")
        return cleaned


class ContactRule(RuleSpec):
    solicitation_phrases: list[str] = Field(default_factory=list)
    allowed_phone_numbers: list[str] = Field(default_factory=list)
    allowed_email_domains: list[str] = Field(default_factory=list)
    phone: MessageCase
    email: MessageCase

    @field_validator("allowed_phone_numbers")
    @classmethod
    def _phone_numbers(cls, values: list[str]) -> list[str]:
        for value in values:
            if len(re.sub(r"\D", "", value)) < 9:
                raise ValueError(f"電話番号ではありません / not a phone number: {value!r}")
        return values


class PersonalInfoRule(RuleSpec):
    twelve_digits: MessageCase


class MediaRightsRule(RuleSpec):
    max_images: int = Field(default=4, ge=0)
    too_many: MessageCase


class LinkDomainRule(RuleSpec):
    allowed_domains: list[str] = Field(default_factory=list)


class ProhibitedExpressionRule(RuleSpec):
    expressions: list[str] = Field(default_factory=list)


class Rules(_Strict):
    empty: RuleSpec
    length: LengthRule
    invalid_characters: RuleSpec
    category: CategoryRule
    relevance: RelevanceRule
    reply: RuleSpec
    mention: MentionRule
    contact: ContactRule
    personal_info: PersonalInfoRule
    media_rights: MediaRightsRule
    link_domain: LinkDomainRule
    prohibited_expression: ProhibitedExpressionRule
    # Checked by the workflow (it needs post history); its message lives here with the rest.
    duplicate: RuleSpec


class Policy(_Strict):
    version: int = 1
    workflow: WorkflowSettings = Field(default_factory=WorkflowSettings)
    costs: CostSettings = Field(default_factory=CostSettings)
    posting_hours: PostingHours = Field(default_factory=PostingHours)
    categories: dict[str, Category]
    rules: Rules

    @field_validator("categories")
    @classmethod
    def _exactly_the_policy_categories(cls, value: dict[str, Category]) -> dict[str, Category]:
        missing = [name for name in CATEGORIES if name not in value]
        extra = [name for name in value if name not in CATEGORIES]
        if missing or extra:
            raise ValueError(
                "投稿の種類は第5条で決まっています（"
                + ", ".join(CATEGORIES)
                + f"） / categories are fixed by art. 5: missing {missing}, unknown {extra}"
            )
        return value


# ---------------------------------------------------------------------------- loading


def load_policy(path: str | Path | None = None) -> Policy:
    """Read and validate a policy file; any problem becomes a PolicyFileError."""
    policy_path = Path(path) if path is not None else default_policy_path()
    try:
        raw = policy_path.read_bytes()
    except OSError as error:
        raise PolicyFileError(
            f"ポリシーファイル {policy_path} を読めません / cannot read policy file "
            f"{policy_path}: {error.strerror or error}"
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise PolicyFileError(
            f"ポリシーファイル {policy_path} の {line} 行目が UTF-8 ではありません / "
            f"policy file {policy_path}, line {line}: not UTF-8"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # The message ends "(at line L, column C)" or "(at end of document)".
        found = re.search(r"line (\d+), column (\d+)", str(error))
        line, column = (found.group(1), found.group(2)) if found else (text.count("\n") + 1, 1)
        raise PolicyFileError(
            f"ポリシーファイル {policy_path} の {line} 行目 {column} 文字目に書き方の誤りが"
            f"あります / syntax error in policy file {policy_path} at line {line}, "
            f"column {column}: {error}"
        ) from None
    try:
        return Policy.model_validate(data)
    except ValidationError as error:
        raise PolicyFileError(_describe_validation_error(policy_path, text, error)) from None


def _describe_validation_error(path: Path, text: str, error: ValidationError) -> str:
    lines = [
        f"ポリシーファイル {path} の内容に誤りがあります / invalid policy file {path}:"
    ]
    for problem in error.errors():
        key = ".".join(str(part) for part in problem["loc"])
        line = _line_of_key(text, problem["loc"])
        where = f"（{line} 行目 / line {line}）" if line else ""
        lines.append(f"  - 項目 / key `{key}`{where}: {problem['msg']}")
    return "\n".join(lines)


def _line_of_key(text: str, loc: tuple[int | str, ...]) -> int | None:
    """Best-effort line number of a key: its `[table]` header, then `key =` inside it."""
    parts = [part for part in loc if isinstance(part, str)]
    if not parts:
        return None
    source_lines = text.splitlines()
    # Longest table prefix that has its own [header].
    for split in range(len(parts), -1, -1):
        table, keys = parts[:split], parts[split:]
        if table:
            header = re.compile(r"^\s*\[\s*" + r"\s*\.\s*".join(map(re.escape, table)) + r"\s*\]")
            starts = [number for number, line in enumerate(source_lines) if header.match(line)]
            if not starts:
                continue
            start = starts[0]
        else:
            start = -1
        if not keys:
            return start + 1
        key_line = re.compile(r"^\s*" + re.escape(keys[0]) + r"\s*=")
        for number in range(start + 1, len(source_lines)):
            if source_lines[number].lstrip().startswith("["):
                break
            if key_line.match(source_lines[number]):
                return number + 1
        return start + 1 if table else None
    return None
