from notify.domain.sms import has_vietnamese_diacritics, sms_length, strip_diacritics

ACCENTED = "Hồ sơ của bạn đã được tiếp nhận"
UNACCENTED = "Ho so cua ban da duoc tiep nhan"


def test_accented_vietnamese_is_ucs2_and_counts_70_per_sms():
    length = sms_length(ACCENTED)
    assert (length.encoding, length.units, length.segments) == ("UCS-2", 31, 1)
    assert length.per_segment == 70


def test_unaccented_vietnamese_is_gsm7_and_counts_160_per_sms():
    length = sms_length(UNACCENTED)
    assert (length.encoding, length.units, length.segments) == ("GSM-7", 31, 1)
    assert length.per_segment == 160


def test_the_same_long_message_needs_fewer_segments_without_diacritics():
    accented = "Hồ sơ 000.00.31.H29-261128-0001 đã được tiếp nhận. Hẹn trả kết quả: 05/12/2026."
    assert len(accented) == 79
    assert sms_length(accented).segments == 2  # 79 > 70 → parts of 67
    assert sms_length(strip_diacritics(accented)).segments == 1  # 79 ≤ 160


def test_concatenated_parts_hold_153_gsm7_or_67_ucs2_characters():
    assert sms_length("a" * 160).segments == 1
    assert sms_length("a" * 161).segments == 2
    assert sms_length("a" * 306).segments == 2
    assert sms_length("a" * 307).segments == 3
    assert sms_length("ơ" * 70).segments == 1
    assert sms_length("ơ" * 71).segments == 2
    assert sms_length("ơ" * 134).segments == 2
    assert sms_length("ơ" * 135).segments == 3


def test_extension_table_characters_count_double():
    length = sms_length("{}" * 40)
    assert (length.encoding, length.units, length.segments) == ("GSM-7", 160, 1)
    assert sms_length("€" * 81).segments == 2


def test_an_escape_pair_is_not_split_across_parts():
    # 152 plain characters then "[" (2 septets): the pair moves to part two.
    text = "a" * 152 + "[" + "a" * 152
    assert sms_length(text).segments == 3


def test_any_vietnamese_mark_forces_ucs2_even_letters_gsm7_happens_to_have():
    assert sms_length("Cafe").encoding == "GSM-7"
    assert sms_length("Café").encoding == "UCS-2"
    assert sms_length("Ñandu").encoding == "GSM-7"  # not a Vietnamese letter


def test_strip_diacritics_handles_d_with_stroke_and_every_tone():
    assert strip_diacritics("Đường Đồng Khởi, Quận 1") == "Duong Dong Khoi, Quan 1"
    assert strip_diacritics("ắằẳẵặ ỨỪỬỮỰ ỹ") == "aaaaa UUUUU y"
    assert not has_vietnamese_diacritics(strip_diacritics(ACCENTED))


def test_empty_text_needs_no_segment():
    assert sms_length("").segments == 0
