"""The policy checker: a proposal in, violations out, each citing its article."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, Field

from policies.model import CATEGORIES, MessageCase, Policy, RuleSpec
from policies.text import (
    MatchText,
    domain_matches,
    extract_links,
    extract_mentions,
    fold_for_matching,
    weighted_length,
)

Lang = Literal["ja", "en"]

# Beyond this many code points a text cannot fit X's limit whatever it holds (at most 12
# URLs of at most 4,096 characters fit in 280), so only its length is reported: the
# checker stays fast on a pasted megabyte.
MAX_CHECKED_CHARS = 60_000


class MediaItem(BaseModel):
    filename: str
    rights: Literal["city", "author"] | None = None
    content_type: str = "image/png"
    sha256: str | None = None


class ProposalDraft(BaseModel):
    text: str
    category: str | None = None
    media: list[MediaItem] = Field(default_factory=list)


class Violation(BaseModel):
    rule: str
    severity: Literal["error", "warning"]
    article: str
    message: str
    span: tuple[int, int] | None = None
    # The full id of the check, e.g. "media_rights.too_many" under rule "media_rights",
    # so a form can show it under the field it is about. Not part of any output.
    check: str = Field("", exclude=True)


class CheckResult(BaseModel):
    ok: bool
    weighted_length: int
    violations: list[Violation]

    @property
    def errors(self) -> list[Violation]:
        return [violation for violation in self.violations if violation.severity == "error"]

    @property
    def warnings(self) -> list[Violation]:
        return [violation for violation in self.violations if violation.severity == "warning"]


class _LenientFormat(dict[str, Any]):
    # A placeholder the section typed but the checker does not fill stays visible as-is,
    # rather than failing the check.
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _format(template: str, params: Mapping[str, Any]) -> str:
    try:
        return string.Formatter().vformat(template, (), _LenientFormat(params))
    except (ValueError, IndexError, AttributeError, KeyError):
        return template


# Characters X refuses (twitter-text's invalid characters) and C0/C1 controls other than
# tab and line breaks, which arrive by pasting from spreadsheets and word processors.
_INVALID_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\ufeff\uffff]")

# A reply: an @mention first, after any whitespace or invisible formatting characters.
_REPLY = re.compile(
    r"^[\s\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]*([@＠][a-zA-Z0-9_]{1,20})"
)

# Hyphen-like characters staff type between digit groups (after NFKC: "－" is "-").
_DASHES = "\\-‐‑‒–—―−ー"
# One pass over the folded text finds every number and address the rules care about.
_CONTACT_DATA = re.compile(
    r"(?P<email>[a-z0-9._%+\-]+@(?P<email_domain>[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}))"
    r"|(?P<phone>(?<![\d.])(?:\+81[ " + _DASHES + r"]?\(?0?\)?|\(?0)"
    r"\d{1,4}\)?(?:[" + _DASHES + r"()]?\d{1,4}){1,3}(?![\d.]))"
    r"|(?P<twelve>(?<![\d.])\d{4}[ \-]?\d{4}[ \-]?\d{4}(?![\d.]))"
)


def _phone_digits(number: str) -> str:
    digits = re.sub(r"\D", "", number)
    if number.lstrip().startswith("+81"):
        digits = "0" + digits[2:].removeprefix("0")
    return digits


def _is_phone_number(digits: str) -> bool:
    # Japanese numbers: 10 digits (fixed, 0120, 0570, 050 after the 0) or 11 (mobile, 0800).
    return digits.startswith("0") and len(digits) in (10, 11)


def _is_individual_number(digits: str) -> bool:
    """The check digit of a 12-digit individual number (マイナンバー), as the law defines it."""
    body, check = digits[:11], int(digits[11])
    total = 0
    for position in range(1, 12):
        digit = int(body[11 - position])
        weight = position + 1 if position <= 6 else position - 5
        total += digit * weight
    remainder = total % 11
    return check == (0 if remainder <= 1 else 11 - remainder)


def _literal_alternation(words: list[str]) -> re.Pattern[str] | None:
    folded = sorted({fold_for_matching(word) for word in words if word.strip()}, key=len)
    if not folded:
        return None
    # Longest first so "DMをください" wins over "DM".
    return re.compile("|".join(re.escape(word) for word in reversed(folded)))


class PolicyChecker:
    """Checks proposals against one policy. Build once; `check` is safe to call from threads."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        rules = policy.rules
        self._rules: dict[str, RuleSpec] = {
            name: getattr(rules, name) for name in type(rules).model_fields
        }
        self._relevance = _literal_alternation(rules.relevance.keywords)
        self._solicitation = _literal_alternation(rules.contact.solicitation_phrases)
        self._prohibited = _literal_alternation(rules.prohibited_expression.expressions)
        self._allowed_accounts = frozenset(name.lower() for name in rules.mention.allowed_accounts)
        self._allowed_phones = frozenset(
            _phone_digits(fold_for_matching(number))
            for number in rules.contact.allowed_phone_numbers
        )
        self._allowed_email_domains = frozenset(
            domain.strip().lower().lstrip("@") for domain in rules.contact.allowed_email_domains
        )
        self._allowed_link_domains = frozenset(
            domain.strip().lower().rstrip(".") for domain in rules.link_domain.allowed_domains
        )

    # ------------------------------------------------------------------ messages

    def _spec(self, rule: str) -> tuple[RuleSpec, MessageCase | None]:
        name, _, case = rule.partition(".")
        spec = self._rules.get(name)
        if spec is None:
            raise KeyError(f"no rule {name!r} in the policy file")
        if not case:
            return spec, None
        variant = getattr(spec, case, None)
        if not isinstance(variant, MessageCase):
            raise KeyError(f"no message {case!r} for rule {name!r} in the policy file")
        return spec, variant

    def message(self, rule: str, lang: str = "ja", **params: Any) -> str:
        """A rule's message from the policy file; `rule.case` selects a variant."""
        spec, variant = self._spec(rule)
        source = variant or spec
        return _format(source.en if lang == "en" else source.ja, params)

    def article(self, rule: str) -> str:
        spec, variant = self._spec(rule)
        return (variant.article if variant and variant.article else None) or spec.article

    def severity(self, rule: str) -> Literal["error", "warning"]:
        spec, variant = self._spec(rule)
        return (variant.severity if variant and variant.severity else None) or spec.severity

    def category_label(self, category: str, lang: str = "ja") -> str:
        entry = self.policy.categories.get(category)
        if entry is None:
            return category
        return entry.label_en if lang == "en" else entry.label_ja

    def _violation(
        self,
        rule: str,
        lang: str,
        span: tuple[int, int] | None = None,
        **params: Any,
    ) -> Violation:
        return Violation(
            rule=rule.partition(".")[0],
            check=rule,
            severity=self.severity(rule),
            article=self.article(rule),
            message=self.message(rule, lang, **params),
            span=span,
        )

    def _enabled(self, rule: str) -> bool:
        return self._rules[rule].enabled

    # ------------------------------------------------------------------ checking

    def check(self, draft: ProposalDraft, lang: str = "ja") -> CheckResult:
        """Every violation of the policy in `draft`. Never raises, whatever the text."""
        try:
            violations, length = self._check(draft, lang)
        except Exception as error:  # a bug must not take the bot down with it
            violations = [
                Violation(
                    rule="internal",
                    severity="error",
                    article="第10条",
                    message=(
                        f"Internal error in the checker: {type(error).__name__}"
                        if lang == "en"
                        else f"確認中に内部エラーが起きました（{type(error).__name__}）。"
                        "管理者に知らせてください。"
                    ),
                )
            ]
            length = 0
        return CheckResult(
            ok=not any(violation.severity == "error" for violation in violations),
            weighted_length=length,
            violations=violations,
        )

    def _check(self, draft: ProposalDraft, lang: str) -> tuple[list[Violation], int]:
        text = draft.text
        found: list[Violation] = []
        limit = self.policy.rules.length.max_weighted_length

        if len(text) > MAX_CHECKED_CHARS:
            length = weighted_length(text[:MAX_CHECKED_CHARS])
            found.append(
                self._violation(
                    "length.too_long_to_check", lang, chars=len(text), length=length, limit=limit
                )
            )
            found += self._check_category(draft.category, lang)
            found += self._check_media(draft, lang)
            return found, length

        length = weighted_length(text)
        if not text.strip():
            if self._enabled("empty"):
                found.append(self._violation("empty", lang))
        elif length > limit and self._enabled("length"):
            found.append(
                self._violation("length", lang, length=length, limit=limit, over=length - limit)
            )

        if self._enabled("invalid_characters"):
            bad = _INVALID_CHARACTER.search(text)
            if bad:
                found.append(
                    self._violation(
                        "invalid_characters",
                        lang,
                        span=bad.span(),
                        codepoint=f"U+{ord(bad.group()):04X}",
                    )
                )

        found += self._check_category(draft.category, lang)

        matching = MatchText.of(text)
        folded = matching.folded

        relevance = self._relevance if self._enabled("relevance") else None
        if relevance is not None and text.strip() and not relevance.search(folded):
            found.append(self._violation("relevance", lang))

        reply = _REPLY.match(text)
        if reply and self._enabled("reply"):
            found.append(self._violation("reply", lang, span=reply.span(1), mention=reply.group(1)))

        if self._enabled("mention"):
            for mention in extract_mentions(text):
                if mention.screen_name.lower() not in self._allowed_accounts:
                    span = (mention.start, mention.end)
                    found.append(
                        self._violation("mention", lang, span=span, mention=text[span[0] : span[1]])
                    )

        links = extract_links(text)
        found += self._check_contact(matching, links, lang)

        if self._enabled("link_domain"):
            for link in links:
                if not domain_matches(link.host, self._allowed_link_domains):
                    found.append(
                        self._violation(
                            "link_domain", lang, span=(link.start, link.end), domain=link.host
                        )
                    )

        if self._prohibited is not None and self._enabled("prohibited_expression"):
            for hit in self._prohibited.finditer(folded):
                span = matching.span(*hit.span())
                found.append(
                    self._violation(
                        "prohibited_expression",
                        lang,
                        span=span,
                        expression=text[span[0] : span[1]],
                    )
                )

        found += self._check_media(draft, lang)
        return found, length

    def _check_category(self, category: str | None, lang: str) -> list[Violation]:
        if not self._enabled("category"):
            return []
        choices = ", ".join(
            f"{name}（{self.category_label(name, lang)}）"
            if lang != "en"
            else f"{name} ({self.category_label(name, lang)})"
            for name in CATEGORIES
        )
        if category is None or not category.strip():
            return [self._violation("category", lang, choices=choices)]
        if category not in self.policy.categories:
            return [self._violation("category.unknown", lang, category=category, choices=choices)]
        if self.policy.categories[category].needs_chief_judgement:
            return [self._violation("category.other", lang, category=category)]
        return []

    def _check_contact(self, matching: MatchText, links: list, lang: str) -> list[Violation]:
        text, folded = matching.original, matching.folded
        found: list[Violation] = []
        contact_on = self._enabled("contact")
        if self._solicitation is not None and contact_on:
            for hit in self._solicitation.finditer(folded):
                span = matching.span(*hit.span())
                found.append(
                    self._violation("contact", lang, span=span, phrase=text[span[0] : span[1]])
                )
        # Digits and @ inside a link are part of its address, not a number or e-mail.
        link_spans = [(link.start, link.end) for link in links]
        for hit in _CONTACT_DATA.finditer(folded):
            span = matching.span(*hit.span())
            if any(start < span[1] and span[0] < end for start, end in link_spans):
                continue
            shown = text[span[0] : span[1]]
            if hit.group("email"):
                domain = hit.group("email_domain")
                if contact_on and not domain_matches(domain, self._allowed_email_domains):
                    found.append(
                        self._violation(
                            "contact.email",
                            lang,
                            span=span,
                            address=shown,
                            domains=", ".join(sorted(self._allowed_email_domains)),
                        )
                    )
            elif hit.group("phone"):
                digits = _phone_digits(hit.group("phone"))
                if contact_on and _is_phone_number(digits) and digits not in self._allowed_phones:
                    found.append(self._violation("contact.phone", lang, span=span, number=shown))
                elif len(digits) == 12:
                    found += self._twelve_digits(digits, span, shown, lang)
            else:
                digits = re.sub(r"\D", "", hit.group("twelve"))
                found += self._twelve_digits(digits, span, shown, lang)
        return found

    def _twelve_digits(
        self, digits: str, span: tuple[int, int], shown: str, lang: str
    ) -> list[Violation]:
        if not self._enabled("personal_info"):
            return []
        rule = "personal_info" if _is_individual_number(digits) else "personal_info.twelve_digits"
        return [self._violation(rule, lang, span=span, number=shown)]

    def _check_media(self, draft: ProposalDraft, lang: str) -> list[Violation]:
        if not self._enabled("media_rights"):
            return []
        found = [
            self._violation("media_rights", lang, filename=item.filename)
            for item in draft.media
            if item.rights not in ("city", "author")
        ]
        limit = self.policy.rules.media_rights.max_images
        images = [item for item in draft.media if item.content_type.startswith("image/")]
        if len(images) > limit:
            found.append(
                self._violation("media_rights.too_many", lang, count=len(images), limit=limit)
            )
        return found
