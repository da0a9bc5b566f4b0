"""Text helpers: X's weighted length and mentions, and NFKC matching with original spans."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from twitter_text import extract_urls_with_indices, parse_tweet
from twitter_text.config import config as _twitter_text_config
from twitter_text.regexp.latin_accent_chars import latin_accent_chars

# The X API counts with config v3 (emoji sequences count 2). The library's default is v3
# today; name it explicitly so an upgrade that changes the default cannot change counts.
TWITTER_TEXT_V3: dict = _twitter_text_config["version3"]


def weighted_length(text: str) -> int:
    """X's weighted length of `text`, as the X API counts it (twitter-text config v3)."""
    return int(parse_tweet(text, TWITTER_TEXT_V3).weightedLength)


# --------------------------------------------------------------------------- mentions
# twitter-text's mention grammar (extractMentionsOrListsWithIndices); the Python port
# has no mention extractor. Full-width ＠ is an at sign to X as well.
_AT_SIGNS = "@＠"
_MENTION = re.compile(
    r"(?:^|(?<=[^a-zA-Z0-9_!#$%&*@＠])|(?:^|(?<=[^a-zA-Z0-9_+~.\-]))(?:rt|RT|rT|Rt):?)"
    r"[@＠]([a-zA-Z0-9_]{1,20})(/[a-zA-Z][a-zA-Z0-9_\-]{0,24})?"
)
# A candidate followed by another at sign, a Latin accented letter or "://" is not a mention.
_MENTION_END = re.compile(r"[@＠" + latin_accent_chars.pattern + r"]|://")


@dataclass(frozen=True)
class Mention:
    screen_name: str
    start: int  # index of the at sign
    end: int


def extract_mentions(text: str) -> list[Mention]:
    """Mentions as X finds them, with code point indices of the at sign and name."""
    if "@" not in text and "＠" not in text:
        return []
    mentions = []
    for match in _MENTION.finditer(text):
        if _MENTION_END.match(text, match.end()):
            continue
        # The match may include a preceding "RT:"; the mention starts at the at sign.
        at_index = match.start(1) - 1
        mentions.append(Mention(match.group(1), at_index, match.end(1)))
    return mentions


@dataclass(frozen=True)
class Link:
    url: str
    host: str
    start: int
    end: int


_URL_HOST = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.\-]*://)?(?:[^/@?#]*@)?([^/:?#]+)")


def extract_links(text: str) -> list[Link]:
    """Links as X finds them (with and without https://), with their host names."""
    if "." not in text:  # the same shortcut twitter-text takes: every link has a dot
        return []
    links = []
    for entity in extract_urls_with_indices(text):
        url = entity["url"]
        found = _URL_HOST.match(url)
        host = found.group(1).lower().rstrip(".") if found else ""
        start, end = entity["indices"]
        links.append(Link(url, host, start, end))
    return links


def domain_matches(host: str, domains: frozenset[str]) -> bool:
    """True when host is one of the domains or a subdomain of one."""
    parts = host.split(".")
    return any(".".join(parts[index:]) in domains for index in range(len(parts)))


# --------------------------------------------------------------------------- matching

# Full-width ASCII and the ideographic space map one to one onto ASCII, and ASCII letters
# fold to lower case; both keep every index, which is what most Japanese text needs.
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FOLD[0x3000] = 0x20
_FOLD.update({code: code + 0x20 for code in range(ord("A"), ord("Z") + 1)})
_FOLD.update({code: code + 0x20 for code in range(0xFF21, 0xFF3B)})


def fold_for_matching(text: str) -> str:
    """NFKC and ASCII lower case: how keywords and the text are compared."""
    return unicodedata.normalize("NFKC", text.translate(_FOLD)).translate(_FOLD)


@dataclass(frozen=True)
class MatchText:
    """`text` folded for matching, with a way back to spans in the original text."""

    original: str
    folded: str
    # None when folding kept every index (the common case); else, per folded character,
    # the (start, end) of the original characters it came from.
    _origin: tuple[tuple[int, int], ...] | None

    @classmethod
    def of(cls, text: str) -> MatchText:
        folded = text.translate(_FOLD)
        if unicodedata.is_normalized("NFKC", folded):
            return cls(text, folded, None)
        pieces: list[str] = []
        origin: list[tuple[int, int]] = []
        for start, end in _clusters(text):
            normalized = fold_for_matching(text[start:end])
            pieces.append(normalized)
            origin.extend([(start, end)] * len(normalized))
        return cls(text, "".join(pieces), tuple(origin))

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span in the original text of folded[start:end]."""
        if self._origin is None:
            return (start, end)
        if start >= end:
            at = self._origin[start][0] if start < len(self._origin) else len(self.original)
            return (at, at)
        return (self._origin[start][0], self._origin[end - 1][1])


def _clusters(text: str) -> list[tuple[int, int]]:
    """Split text where NFKC cannot join characters across the split (before a starter)."""
    bounds = []
    start = 0
    for index in range(1, len(text)):
        if not _joins_previous(text[index]):
            bounds.append((start, index))
            start = index
    if text:
        bounds.append((start, len(text)))
    return bounds


def _joins_previous(char: str) -> bool:
    # Combining marks, and characters such as half-width ﾞ that become one under NFKC.
    if unicodedata.combining(char):
        return True
    normalized = unicodedata.normalize("NFKC", char)
    return bool(normalized) and unicodedata.combining(normalized[0]) != 0
