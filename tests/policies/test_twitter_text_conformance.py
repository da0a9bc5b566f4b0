"""X's own conformance suite (twitter-text validate.yml, config v3), read from ../shared."""

import json
import re
from pathlib import Path

import pytest

from policies import weighted_length
from policies.text import TWITTER_TEXT_V3, extract_mentions

CONFORMANCE = Path(__file__).parents[2].parent / "shared" / "conformance" / "twitter-text"
VALIDATE_YML = CONFORMANCE / "validate.yml"
V3_SECTIONS = (
    "WeightedTweetsWithDiscountedEmojiCounterTest",
    "UnicodeDirectionalMarkerCounterTest",
)

_ESCAPE = re.compile(r'\\(U[0-9a-fA-F]{8}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)')
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "/": "/", "0": "\0"}


def _unquote(scalar: str) -> str | int | bool:
    """A YAML scalar as validate.yml writes them: double-quoted strings, ints, booleans."""
    scalar = scalar.strip()
    if scalar.startswith('"'):
        assert scalar.endswith('"') and len(scalar) >= 2, scalar

        def unescape(match: re.Match[str]) -> str:
            escape = match.group(1)
            if escape[0] in "Uux" and len(escape) > 1:
                return chr(int(escape[1:], 16))
            assert escape in _SIMPLE_ESCAPES, f"unsupported YAML escape \\{escape}"
            return _SIMPLE_ESCAPES[escape]

        return _ESCAPE.sub(unescape, scalar[1:-1])
    if scalar in ("true", "false"):
        return scalar == "true"
    return int(scalar)


def read_section(name: str) -> list[dict]:
    """The cases of one `tests:` section. validate.yml is regular enough not to need PyYAML:
    each case is `- description`, `text`, then `expected` as a scalar or a mapping."""
    lines = VALIDATE_YML.read_text(encoding="utf-8").splitlines()
    start = lines.index(f"  {name}:") + 1
    cases: list[dict] = []
    for line in lines[start:]:
        if re.match(r"^  \S", line):  # the next section
            break
        if not line.strip():
            continue
        key, _, value = line.strip().removeprefix("- ").partition(":")
        if line.strip().startswith("- description:"):
            cases.append({"description": _unquote(value)})
        elif key in ("text", "expected") and value.strip():
            cases[-1][key] = _unquote(value)
        elif key == "expected":
            cases[-1]["expected"] = {}
        else:
            cases[-1]["expected"][key] = _unquote(value)
    assert all("text" in case and "expected" in case for case in cases), name
    return cases


def _count_cases(name: str) -> int:
    # Counted independently of read_section, so a case the reader drops fails a test.
    text = VALIDATE_YML.read_text(encoding="utf-8")
    body = text.split(f"\n  {name}:\n", 1)[1]
    body = re.split(r"\n  \S", body, maxsplit=1)[0]
    return body.count("- description:")


V3_CASES = [
    pytest.param(case, id=f"{section}: {case['description']}")
    for section in V3_SECTIONS
    for case in read_section(section)
]


def test_every_v3_case_was_read():
    assert len(V3_CASES) == sum(_count_cases(section) for section in V3_SECTIONS) > 20


@pytest.mark.parametrize("case", V3_CASES)
def test_weighted_length_matches_x(case):
    assert weighted_length(case["text"]) == case["expected"]["weightedLength"]


def test_the_library_is_configured_as_the_x_api_counts():
    shipped = json.loads((CONFORMANCE / "config-v3.json").read_text(encoding="utf-8"))
    assert TWITTER_TEXT_V3["version"] == shipped["version"] == 3
    assert TWITTER_TEXT_V3["emoji_parsing_enabled"] is shipped["emojiParsingEnabled"] is True
    assert TWITTER_TEXT_V3["default_weight"] == shipped["defaultWeight"]
    assert TWITTER_TEXT_V3["transformed_url_length"] == shipped["transformedURLLength"]
    assert TWITTER_TEXT_V3["max_weighted_tweet_length"] == shipped["maxWeightedTweetLength"]
    assert TWITTER_TEXT_V3["ranges"] == shipped["ranges"]


@pytest.mark.parametrize(
    "case", [pytest.param(case, id=case["description"]) for case in read_section("usernames")]
)
def test_mentions_are_found_as_x_finds_usernames(case):
    text = case["text"]
    whole = [(m.start, m.end) for m in extract_mentions(text)] == [(0, len(text))]
    assert whole is case["expected"]
