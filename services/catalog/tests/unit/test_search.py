import pytest

from catalog.domain.search import Tier, candidate_regex, rank, search_fields, tier


def doc(code, name, keywords=(), field="Hộ tịch"):
    definition = {"code": code, "name": name, "keywords": list(keywords), "field": field}
    return {"code": code, **search_fields(definition)}


BIRTH = doc("1.001193", "Thủ tục đăng ký khai sinh", ["giấy khai sinh", "sinh con"])
BUNDLE = doc(
    "3.000722",
    "Liên thông điện tử: đăng ký khai sinh, đăng ký thường trú",
    ["sinh con"],
    field="thủ tục hành chính liên thông",
)
RESIDENCE = doc("1.004222", "Đăng ký thường trú", ["hộ khẩu"], field="Đăng ký, quản lý cư trú")
HEALTH = doc("1.014137", "Thủ tục cấp thẻ bảo hiểm y tế", ["BHYT", "khai sinh trẻ em"])
ALL = [HEALTH, RESIDENCE, BUNDLE, BIRTH]


@pytest.mark.parametrize(
    "query",
    ["dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "Đăng ký khai sinh", "  đăng   KÝ khai-sinh "],
)
def test_accent_and_case_variants_find_birth_registration_first(query):
    assert rank(query, ALL)[0]["code"] == "1.001193"


def test_name_prefix_ignores_leading_thu_tuc():
    assert tier("dang ky khai sinh", BIRTH) is Tier.NAME_PREFIX


def test_exact_code_beats_everything():
    assert tier("1.004222", RESIDENCE) is Tier.EXACT_CODE
    assert [d["code"] for d in rank("1.004222", ALL)] == ["1.004222"]


def test_ranking_order_prefix_then_name_words_then_keywords():
    codes = [d["code"] for d in rank("khai sinh", ALL)]
    # no name starts with "khai sinh"; two names contain both words; one only in keywords
    assert codes == ["1.001193", "3.000722", "1.014137"]
    assert tier("khai sinh", HEALTH) is Tier.KEYWORDS


def test_name_prefix_ranks_above_words_in_name():
    codes = [d["code"] for d in rank("dang ky thuong tru", ALL)]
    assert codes == ["1.004222", "3.000722"]


def test_keywords_match_accent_free():
    assert [d["code"] for d in rank("ho khau", ALL)] == ["1.004222"]
    assert [d["code"] for d in rank("bhyt", ALL)] == ["1.014137"]


def test_last_word_may_be_a_prefix_while_typing():
    assert rank("bao hiem y", ALL)[0]["code"] == "1.014137"
    assert rank("thuong tr", ALL)[0]["code"] == "1.004222"


def test_non_last_words_must_match_whole():
    assert rank("thuo tru", ALL) == []


def test_all_words_must_be_present():
    assert rank("khai sinh ket hon", ALL) == []


def test_empty_query_matches_nothing():
    assert rank("  ", ALL) == []
    assert candidate_regex("  ") is None


def test_candidate_regex_is_the_longest_folded_word():
    assert candidate_regex("Đăng ký THƯỜNG trú") == "thuong"
    for document in rank("dang ky thuong tru", ALL):
        assert candidate_regex("dang ky thuong tru") in document["search_text"]
