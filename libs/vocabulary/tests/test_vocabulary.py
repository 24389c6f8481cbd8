"""The vocabulary's rules, tested once for every service and the portal."""
from __future__ import annotations

from datetime import date

import pytest
from vocabulary import cccd, codes, email, masking, names, phone, provinces, statuses


class TestCccd:
    def test_a_well_formed_number_agrees_with_its_date_of_birth(self):
        assert cccd.validate_cccd("079 203 001 234", date(2003, 5, 1), date(2026, 1, 1)) == {}

    @pytest.mark.parametrize("raw", ["07920300123", "0792030012345", "07920300123a",
                                     "０７９２０３００１２３４"])
    def test_not_twelve_ascii_digits(self, raw):
        assert cccd.validate_cccd(raw, None) == {"cccd": [cccd.MSG_LENGTH]}

    def test_unknown_province_code(self):
        assert cccd.validate_cccd("003203001234", None) == {"cccd": [cccd.MSG_PROVINCE]}

    def test_century_and_year_must_match_the_date_of_birth(self):
        errors = cccd.validate_cccd("079003001234", date(2004, 1, 1))
        assert errors == {"cccd": [cccd.MSG_CENTURY, cccd.MSG_YEAR]}

    def test_a_date_of_birth_in_the_future(self):
        errors = cccd.validate_cccd("079203001234", date(2030, 1, 1), today=date(2026, 1, 1))
        assert errors == {"date_of_birth": [cccd.MSG_DOB_FUTURE]}

    def test_one_message_form_gives_the_first(self):
        assert cccd.cccd_problem("123") == cccd.MSG_LENGTH
        assert cccd.cccd_problem("079203001234", date(2003, 1, 1)) is None

    def test_gender_and_century(self):
        assert cccd.gender_of("079303001234") == "female"
        assert cccd.century_start("079303001234") == 2000

    def test_keyed_hash_depends_on_the_key_and_ignores_spacing(self):
        a = cccd.keyed_hash("079203001234", "k1")
        assert a == cccd.keyed_hash("079 203 001 234", b"k1")
        assert a != cccd.keyed_hash("079203001234", "k2")
        assert "079203001234" not in a and len(a) == 64


class TestMasks:
    def test_cccd_shows_only_the_last_three_digits(self):
        assert masking.mask_cccd("079203001234") == "*********234"
        assert masking.mask_cccd("12") == "**"
        assert masking.mask_cccd(None) == ""

    @pytest.mark.parametrize("raw", ["+84912345678", "0912345678", "0912 345 678"])
    def test_phone_in_any_form_masks_the_same(self, raw):
        assert masking.mask_phone(raw) == "091****678"

    def test_email(self):
        assert masking.mask_email("an.nguyen@example.vn") == "a***@example.vn"

    def test_contact_is_either(self):
        assert masking.mask_contact("an@example.vn") == "a***@example.vn"
        assert masking.mask_contact("+84912345678") == "091****678"

    def test_name_rule_hides_word_lengths(self):
        assert masking.mask_name("Nguyễn Văn An") == "Nguyễn V** A*"
        assert masking.mask_name("Trần Thị Minh Khai") == "Trần T** M** K*"
        assert masking.mask_name("Hùng") == "H*"

    def test_other_identifiers(self):
        assert masking.mask_identifier("abcdefgh") == "ab****gh"
        assert masking.mask_identifier("abc") == "***"


class TestPhone:
    @pytest.mark.parametrize("raw", ["0912 345 678", "+84 912.345.678", "84912345678",
                                     "0084912345678", "+84 0912345678"])
    def test_mobile_forms_normalise_to_e164(self, raw):
        assert phone.normalise_phone(raw) == "+84912345678"

    @pytest.mark.parametrize("raw", ["0212345678", "091234567", "+1 415 555 0100", "abc"])
    def test_not_a_mobile(self, raw):
        with pytest.raises(phone.InvalidPhone, match="không hợp lệ"):
            phone.normalise_phone(raw)

    def test_the_form_pattern_takes_fixed_lines_too(self):
        import re
        assert re.match(phone.PHONE_PATTERN, "02838123456")
        assert re.match(phone.PHONE_PATTERN, "+84912345678")
        assert not re.match(phone.PHONE_PATTERN, "0112345678")


def test_email_is_lower_cased_and_checked():
    assert email.normalise_email(" An@Example.VN ") == "an@example.vn"
    with pytest.raises(email.InvalidEmail):
        email.normalise_email("an..b@example.vn")


def test_names_normalise_and_refuse_digits():
    assert names.normalise_full_name("  Nguyễn   Văn  An ") == "Nguyễn Văn An"
    with pytest.raises(names.InvalidName):
        names.normalise_full_name("An 123")


def test_the_2025_reform_has_34_provinces_and_3321_communes():
    assert len(provinces.provinces()) == 34
    assert len(provinces.communes()) == 3321
    assert provinces.province_name("01") == "Thành phố Hà Nội"
    assert provinces.is_province_code("96") and not provinces.is_province_code("02")
    assert all(c.province_code in provinces.provinces() for c in provinces.communes().values())
    assert provinces.province_problems("99") == [provinces.MSG_PROVINCE]


class TestStatuses:
    def test_ten_national_codes_plus_draft(self):
        assert [s.code for s in statuses.Status] == list(range(11))
        assert statuses.Status.RETURNED.label == "Đã trả kết quả"
        assert statuses.BY_CODE[6] is statuses.Status.PAYMENT_REQUESTED

    def test_the_sets_partition_the_received_statuses(self):
        received = set(statuses.Status) - {statuses.Status.DRAFT}
        parts = [statuses.UNFINISHED, statuses.ENDED_WITHOUT_RESULT, statuses.WITH_RESULT]
        assert set().union(*parts) == received
        assert sum(len(p) for p in parts) == len(received)
        assert statuses.Status.SUBMITTED not in statuses.CLOCK_RUNNING
        assert statuses.Status.COMPLETED not in statuses.FINAL

    def test_parse_by_name_or_code(self):
        assert statuses.parse("accepted") is statuses.Status.ACCEPTED
        assert statuses.parse(9) is statuses.Status.COMPLETED
        assert statuses.parse(True) is None and statuses.parse("nope") is None
        assert statuses.label_of("nope") == "nope"


class TestCodes:
    def test_dossier_codes_round_trip(self):
        code = codes.format_dossier_code("000.00.31.H29", date(2026, 11, 28), 1)
        assert code == "000.00.31.H29-261128-0001"
        assert codes.parse_dossier_code(code) == ("000.00.31.H29", "261128", 1)
        assert codes.is_dossier_code(codes.normalise_dossier_code(" 000.00.31.h29-261128-0001 "))

    def test_sequence_starts_at_one_and_bad_codes_parse_to_none(self):
        with pytest.raises(ValueError):
            codes.format_dossier_code("000.00.31.H29", date(2026, 1, 1), 0)
        assert codes.parse_dossier_code("H29-1") is None
        assert codes.is_agency_code("000.00.31.H29") and not codes.is_agency_code("H29")
