import unicodedata

from catalog.domain.text import deep_nfc, fold, words


def test_fold_removes_accents_and_case():
    assert fold("ĐĂNG KÝ KHAI SINH") == "dang ky khai sinh"
    assert fold("Đăng ký khai sinh") == "dang ky khai sinh"
    assert fold("dang ky khai sinh") == "dang ky khai sinh"


def test_fold_maps_d_with_stroke_to_d():
    assert fold("đường Đồng Khởi") == "duong dong khoi"


def test_fold_handles_decomposed_input():
    decomposed = unicodedata.normalize("NFD", "Thủ tục đăng ký thường trú")
    assert decomposed != "Thủ tục đăng ký thường trú"
    assert fold(decomposed) == "thu tuc dang ky thuong tru"


def test_fold_turns_punctuation_into_single_spaces():
    assert fold("  Cấp thẻ BHYT (bản điện tử) — trẻ em/dưới 6 tuổi ") == (
        "cap the bhyt ban dien tu tre em duoi 6 tuoi"
    )


def test_words_of_blank_text_is_empty():
    assert words(" ,. ") == []


def test_deep_nfc_composes_nested_strings():
    nfd = unicodedata.normalize("NFD", "Hộ tịch")
    value = deep_nfc({"a": [nfd, {"b": nfd}], nfd: 1})
    assert value == {"a": ["Hộ tịch", {"b": "Hộ tịch"}], "Hộ tịch": 1}
