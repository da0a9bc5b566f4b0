"""What staff typed, from the way Slack sends it: `&lt;` back to `<`, links unwrapped."""

from __future__ import annotations

import re

# <https://example.jp|example.jp>, <https://example.jp>, <mailto:a@b|a@b>
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")


def _link(match: re.Match[str]) -> str:
    url, label = match.group(1), match.group(2)
    if label is None:
        return url
    # Slack turns a typed `komae.jp` into <http://komae.jp|komae.jp>: keep what was typed.
    bare = re.sub(r"^(?:https?|mailto):(?://)?", "", url)
    return label if bare.rstrip("/") == label.rstrip("/") else url


def plain_text(slack_text: str) -> str:
    unwrapped = _LINK.sub(_link, slack_text)
    return unwrapped.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
