from datetime import date

import pytest

from identity.domain import cccd

TODAY = date(2026, 11, 28)


def test_there_are_63_legacy_province_codes_with_gaps():
    assert len(cccd.PROVINCE_CODES) == 63
    assert {"001", "079", "048", "096"} <= cccd.PROVINCE_CODES.keys()
    for gap in (
        "003",
        "005",
        "007",
        "009",
        "013",
        "016",
        "018",
        "021",
        "023",
        "028",
        "029",
        "032",
        "039",
        "041",
        "043",
        "047",
        "050",
        "053",
        "055",
        "057",
        "059",
        "061",
        "063",
        "065",
        "069",
        "071",
        "073",
        "076",
        "078",
        "081",
        "085",
        "088",
        "090",
        "000",
        "097",
        "099",
    ):
        assert gap not in cccd.PROVINCE_CODES


@pytest.mark.parametrize(
    ("number", "dob"),
    [
        ("001090012345", date(1990, 5, 1)),  # Hà Nội, male, 1990
        ("079301123456", date(2001, 1, 31)),  # HCM, female, 2001
        ("096 185 000 001", date(1985, 12, 31)),  # spaces tolerated
        ("048200000000", date(2000, 1, 1)),
    ],
)
def test_valid_numbers_have_no_errors(number, dob):
    assert cccd.validate_cccd(number, dob, TODAY) == {}


@pytest.mark.parametrize(
    "number", ["00109001234", "0010900123456", "00109001234a", "", "０01090012345"]
)
def test_wrong_length_or_non_digits(number):
    assert cccd.validate_cccd(number, date(1990, 5, 1), TODAY) == {"cccd": [cccd.MSG_LENGTH]}


@pytest.mark.parametrize("code", ["000", "003", "013", "050", "097", "100", "999"])
def test_unknown_province_code(code):
    errors = cccd.validate_cccd(code + "090012345", date(1990, 5, 1), TODAY)
    assert errors == {"cccd": [cccd.MSG_PROVINCE]}


def test_century_digit_contradicting_birth_date():
    # digit 2 means the 2000s, but the person was born in 1990
    errors = cccd.validate_cccd("001290012345", date(1990, 5, 1), TODAY)
    assert errors == {"cccd": [cccd.MSG_CENTURY]}


def test_year_digits_contradicting_birth_date():
    errors = cccd.validate_cccd("001091012345", date(1990, 5, 1), TODAY)
    assert errors == {"cccd": [cccd.MSG_YEAR]}


def test_all_problems_are_reported_together():
    errors = cccd.validate_cccd("003291012345", date(1990, 5, 1), TODAY)
    assert errors == {"cccd": [cccd.MSG_PROVINCE, cccd.MSG_CENTURY, cccd.MSG_YEAR]}


def test_future_birth_date_is_a_date_of_birth_error():
    errors = cccd.validate_cccd("001227012345", date(2027, 1, 1), TODAY)
    assert errors == {"date_of_birth": [cccd.MSG_DOB_FUTURE]}


def test_messages_are_vietnamese():
    for message in (cccd.MSG_LENGTH, cccd.MSG_PROVINCE, cccd.MSG_CENTURY, cccd.MSG_YEAR):
        assert "CCCD" in message and message.endswith(".")


def test_gender_and_century():
    assert cccd.gender_of("001090012345") == "male"
    assert cccd.gender_of("001390012345") == "female"
    assert cccd.century_start("001390012345") == 2000
    assert cccd.century_start("001590012345") == 2100


def test_mask_keeps_last_three_digits():
    assert cccd.mask_cccd("001090012345") == "*********345"
