"""About 200 realistic posts for the benchmark: 50 written by hand (posts_ja.txt), each in
4 variants (date, venue and a trailing hashtag change), so the mix of events, childcare
information, URLs, emoji and hashtags stays like the account's real traffic."""

from pathlib import Path

TEMPLATES = [
    line
    for line in (Path(__file__).with_name("posts_ja.txt")).read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("# ")  # hashtags start lines too
]
DATES = ["4月12日", "5月5日", "7月20日", "12月24日"]
VENUES = ["中央公民館", "あいとぴあセンター", "西河原公民館", "こまえ児童館"]
TAGS = ["", " #こまえ", " #子育て支援", " ✨"]

CORPUS: list[str] = [
    template.format(date=DATES[variant], venue=VENUES[(index + variant) % 4]) + TAGS[variant]
    for index, template in enumerate(TEMPLATES)
    for variant in range(4)
]
