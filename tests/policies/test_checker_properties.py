"""Whatever staff paste, the checker answers and never raises."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policies import CATEGORIES, MediaItem, PolicyChecker, ProposalDraft, load_policy

CHECKER = PolicyChecker(load_policy())

# Arbitrary text, plus fragments the rules look for, so the interesting paths are reached.
fragments = st.sampled_from(
    ["@", "＠", "komae_kosodate", "DMで", "03-3430-1111", "０９０－", "1234", "https://",
     "city.komae.lg.jp", "ﾀﾞ", "\u3099", "👨\u200d👩\u200d👧", "\ufeff", "\x00", "子育て", "."]
)
texts = st.lists(st.one_of(st.text(), fragments), max_size=30).map("".join)
categories = st.one_of(st.none(), st.sampled_from(CATEGORIES), st.text(max_size=10))
media = st.lists(
    st.builds(MediaItem, filename=st.text(max_size=10),
              rights=st.sampled_from([None, "city", "author"])),
    max_size=6,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts, category=categories, items=media, lang=st.sampled_from(["ja", "en"]))
def test_checker_never_raises(text, category, items, lang):
    result = CHECKER.check(ProposalDraft(text=text, category=category, media=items), lang=lang)
    assert result.ok == (not result.errors)
    assert "internal" not in [violation.rule for violation in result.violations]
    for violation in result.violations:
        assert violation.message
        if violation.span is not None:
            start, end = violation.span
            assert 0 <= start <= end <= len(text)
