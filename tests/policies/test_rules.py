"""One section per rule, with both sides of each boundary."""

import pytest

from policies import CheckResult, MediaItem, PolicyChecker, ProposalDraft, weighted_length

KIDS = "子育てひろばのお知らせです。"  # relevant, clean, weighted 28


def check(checker: PolicyChecker, text: str, **fields) -> CheckResult:
    return checker.check(ProposalDraft(text=text, **{"category": "event", **fields}))


def only(result: CheckResult, rule: str):
    found = [violation for violation in result.violations if violation.rule == rule]
    assert len(found) == 1, result.violations
    return found[0]


def test_a_clean_event_post_passes(checker):
    result = check(checker, "【イベント】4月10日（水）10時から、こまえ児童館で親子あそび🌸 #狛江市")
    assert result.ok
    assert result.violations == []


# ---------------------------------------------------------------- empty


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "\u3000\u3000"])
def test_whitespace_only_is_empty(checker, text):
    violation = only(check(checker, text), "empty")
    assert violation.severity == "error"
    assert not check(checker, text).ok


def test_one_visible_character_is_not_empty(rules_of):
    assert "empty" not in rules_of("子")


# ---------------------------------------------------------------- length


def test_exactly_280_weighted_passes_and_281_fails(checker):
    at_limit = "子" * 140
    assert weighted_length(at_limit) == 280
    assert check(checker, at_limit).ok
    over = at_limit + "a"
    assert weighted_length(over) == 281
    violation = only(check(checker, over), "length")
    assert violation.severity == "error"
    assert violation.article == "第10条"
    assert "281" in violation.message and "1" in violation.message


def test_every_url_counts_23(checker):
    url = "https://www.city.komae.lg.jp/index.cfm/45,123,c,html/123/" + "a" * 200
    text = "子育て" + " " + url
    assert weighted_length(text) == 6 + 1 + 23
    assert check(checker, text).weighted_length == 30


def test_emoji_sequence_counts_2():
    assert weighted_length("👨\u200d👩\u200d👧\u200d👦") == 2
    assert weighted_length("💃🏾") == 2


def test_a_megabyte_is_reported_too_long_not_crashed(checker):
    result = check(checker, "あ" * 1_000_000)
    assert not result.ok
    assert result.weighted_length > 280
    assert [v.rule for v in result.violations] == ["length"]


# ---------------------------------------------------------------- invalid characters


@pytest.mark.parametrize("char", ["\x07", "\x0b", "\x1b", "\ufeff", "\ufffe"])
def test_control_characters_are_errors_with_their_position(checker, char):
    violation = only(check(checker, KIDS + char + "です"), "invalid_characters")
    assert violation.span == (len(KIDS), len(KIDS) + 1)
    assert f"U+{ord(char):04X}" in violation.message


def test_newlines_and_tabs_are_fine(rules_of):
    assert rules_of("子育て\n\tひろば\r\nです") == []


# ---------------------------------------------------------------- category


def test_missing_category_is_an_error(checker):
    violation = only(check(checker, KIDS, category=None), "category")
    assert violation.severity == "error"
    assert "event" in violation.message


def test_unknown_category_names_the_choices(checker):
    violation = only(check(checker, KIDS, category="evnt"), "category")
    assert violation.severity == "error"
    assert "evnt" in violation.message and "イベント" in violation.message


@pytest.mark.parametrize("category", ["event", "policy", "info"])
def test_article_5_1_1_categories_pass(rules_of, category):
    assert rules_of(KIDS, category=category) == []


def test_other_is_allowed_with_a_warning_for_the_chief(checker):
    result = check(checker, KIDS, category="other")
    assert result.ok
    violation = only(result, "category")
    assert violation.severity == "warning"
    assert violation.article == "第5条第1項第2号"


def test_category_labels_come_from_the_policy_file(checker):
    assert checker.category_label("policy") == "新たな施策・事業"
    assert checker.category_label("other") == "その他（課長判断）"
    assert checker.category_label("event", "en") == "Event"


# ---------------------------------------------------------------- relevance


def test_unrelated_text_is_a_warning_not_an_error(checker):
    result = check(checker, "市役所の駐車場が工事で使えません。")
    assert result.ok
    assert only(result, "relevance").severity == "warning"


@pytest.mark.parametrize("text", ["子育て相談", "ｷｯｽﾞ広場", "ＫＩＤＳ day", "保育園の申込み"])
def test_related_words_in_any_width_or_case_count(rules_of, text):
    assert "relevance" not in rules_of(text)


# ---------------------------------------------------------------- reply


@pytest.mark.parametrize("text", ["@someone 子育て", "＠someone 子育て", "  @someone 子育て"])
def test_leading_mention_is_a_reply(checker, text):
    violation = only(check(checker, text), "reply")
    assert violation.article == "第6条第2号"
    assert violation.severity == "error"


def test_leading_allowlisted_mention_is_still_a_reply(rules_of):
    assert "reply" in rules_of("@komae_kosodate 子育て")


@pytest.mark.parametrize(
    "text", ["子育て @komae_kosodate", "@ 10時から子育てひろば", "メール@子育て"]
)
def test_not_a_reply(rules_of, text):
    assert "reply" not in rules_of(text)


# ---------------------------------------------------------------- mention


@pytest.mark.parametrize("at", ["@", "＠"])
def test_mentioning_an_unlisted_account_is_an_error(checker, at):
    text = f"子育てひろばは {at}shop_abc さんと共催です"
    violation = only(check(checker, text), "mention")
    assert violation.article == "第6条第3号"
    assert text[violation.span[0] : violation.span[1]] == f"{at}shop_abc"


@pytest.mark.parametrize("name", ["komae_kosodate", "KOMAE_Kosodate"])
def test_mentioning_an_allowlisted_account_passes(rules_of, name):
    assert rules_of(f"子育てひろばのお知らせ（@{name}）") == []


@pytest.mark.parametrize(
    "text",
    [
        "子育て kokikakukkr01@city.komae.lg.jp",  # an e-mail address, not a mention
        "子育て abc@def",  # X needs a non-word character before the at sign
        "子育て @shop@x",  # followed by another at sign: not a mention
    ],
)
def test_what_x_does_not_treat_as_a_mention(rules_of, text):
    assert "mention" not in rules_of(text)


def test_rt_prefix_still_mentions(rules_of):
    assert "mention" in rules_of("子育て RT@shop_abc")


# ---------------------------------------------------------------- contact


@pytest.mark.parametrize(
    "phrase",
    ["DMでお知らせください", "ＤＭで", "ダイレクトメッセージ", "個別にご連絡します", "dm us"],
)
def test_soliciting_direct_contact_is_an_error(checker, phrase):
    violation = only(check(checker, f"子育て相談は{phrase}"), "contact")
    assert violation.article == "第6条第3号"
    assert violation.severity == "error"


def test_contact_span_points_into_the_original_text(checker):
    text = "ｺｿﾀﾞﾃ 子育て ﾀﾞｲﾚｸﾄﾒｯｾｰｼﾞへ"  # half-width kana change length under NFKC
    violation = only(check(checker, text), "contact")
    assert text[violation.span[0] : violation.span[1]] == "ﾀﾞｲﾚｸﾄﾒｯｾｰｼﾞ"


@pytest.mark.parametrize(
    "number", ["03-3430-1111", "０３－３４３０－１１１１", "0334301111", "03(3430)1111"]
)
def test_the_city_number_in_any_width_passes(rules_of, number):
    assert rules_of(f"子育て相談は子ども若者政策課 {number} へ") == []


@pytest.mark.parametrize(
    "number", ["090-1234-5678", "０９０－１２３４－５６７８", "03-1234-5678", "+81-90-1234-5678"]
)
def test_other_phone_numbers_are_errors(checker, number):
    text = f"子育て相談は {number} へ"
    violation = only(check(checker, text), "contact")
    assert text[violation.span[0] : violation.span[1]] == number


def test_dates_and_times_are_not_phone_numbers(rules_of):
    assert rules_of("子育てひろば 2025-04-01 09:30-11:30 定員20組") == []


@pytest.mark.parametrize(
    "address", ["kokikakukkr01@city.komae.lg.jp", "ｋｏｋｉ＠ｃｉｔｙ．ｋｏｍａｅ．ｌｇ．ｊｐ"]
)
def test_city_email_passes(rules_of, address):
    assert rules_of(f"子育て相談は {address} へ") == []


@pytest.mark.parametrize(
    "address", ["someone@example.com", "ｓｏｍｅｏｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ"]
)
def test_other_email_is_an_error(checker, address):
    text = f"子育て相談は {address} へ"
    violation = only(check(checker, text), "contact")
    assert text[violation.span[0] : violation.span[1]] == address


# ---------------------------------------------------------------- personal info


def test_individual_number_with_a_valid_check_digit_is_an_error(checker):
    violation = only(check(checker, "子育て 番号 123456789018"), "personal_info")
    assert violation.severity == "error"
    assert violation.article == "第10条"


def test_individual_number_in_full_width_and_groups_is_found(checker):
    assert not check(checker, "子育て １２３４ ５６７８ ９０１８").ok


def test_other_twelve_digits_are_only_a_warning(checker):
    result = check(checker, "子育て 受付番号 123456789012")
    assert result.ok
    assert only(result, "personal_info").severity == "warning"


@pytest.mark.parametrize("digits", ["12345678901", "1234567890123"])
def test_eleven_or_thirteen_digits_are_not_individual_numbers(rules_of, digits):
    assert "personal_info" not in rules_of(f"子育て {digits}")


def test_digits_inside_a_link_are_its_address(rules_of):
    assert rules_of("子育て https://www.city.komae.lg.jp/page/123456789018") == []


# ---------------------------------------------------------------- media


@pytest.mark.parametrize("rights", ["city", "author"])
def test_media_with_declared_rights_pass(rules_of, rights):
    assert rules_of(KIDS, media=[MediaItem(filename="a.png", rights=rights)]) == []


def test_media_without_rights_is_an_error_naming_the_file(checker):
    result = check(checker, KIDS, media=[MediaItem(filename="poster.png")])
    violation = only(result, "media_rights")
    assert violation.article == "第8条"
    assert "poster.png" in violation.message


def test_four_images_pass_five_fail(checker):
    four = [MediaItem(filename=f"{n}.png", rights="city") for n in range(4)]
    assert check(checker, KIDS, media=four).ok
    five = [*four, MediaItem(filename="4.png", rights="city")]
    violation = only(check(checker, KIDS, media=five), "media_rights")
    assert "5" in violation.message


# ---------------------------------------------------------------- link domain


@pytest.mark.parametrize(
    "url",
    [
        "https://www.city.komae.lg.jp/kosodate/",
        "city.komae.lg.jp/x",
        "https://www.cfa.go.jp/policies/",
        "https://www.metro.tokyo.lg.jp/",
    ],
)
def test_allowlisted_domains_and_their_subdomains_pass(rules_of, url):
    assert rules_of(f"子育て情報 {url}") == []


@pytest.mark.parametrize(
    "url", ["https://example.com/kids", "https://komae.lg.jp.example.com/", "http://notgo.jp/"]
)
def test_other_domains_are_a_warning(checker, url):
    result = check(checker, f"子育て情報 {url}")
    assert result.ok
    assert only(result, "link_domain").severity == "warning"


# ---------------------------------------------------------------- prohibited expressions


def test_prohibited_expression_is_an_error_with_its_span(checker):
    text = "子育て 必ず儲かる話"
    violation = only(check(checker, text), "prohibited_expression")
    assert text[violation.span[0] : violation.span[1]] == "必ず儲かる"


def test_a_word_containing_a_harmless_lookalike_passes(rules_of):
    assert rules_of("夏のバカンス、子ども向けイベント") == []


# ---------------------------------------------------------------- messages


def test_english_messages(checker):
    result = checker.check(ProposalDraft(text="@shop 子育て", category="event"), lang="en")
    reply = only(result, "reply")
    assert "Replies are not allowed" in reply.message
    assert reply.article == "第6条第2号"  # articles stay Japanese: they cite the Japanese text


def test_workflow_duplicate_message_and_article(checker):
    assert "30" in checker.message("duplicate", days=30)
    assert "30 days" in checker.message("duplicate", "en", days=30)
    assert checker.article("duplicate") == "第10条"


def test_unknown_rule_message_is_a_key_error(checker):
    with pytest.raises(KeyError):
        checker.message("no_such_rule")
