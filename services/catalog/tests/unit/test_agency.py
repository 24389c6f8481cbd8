import pytest

from catalog.domain.agency import agency_code_errors, parse_agency_code, validate_agency


@pytest.mark.parametrize(
    "code", ["000.00.00.H29", "000.00.31.H29", "000.01.31.H29", "001.01.31.H29", "000.00.04.G12"]
)
def test_valid_codes(code):
    assert agency_code_errors(code) == []


@pytest.mark.parametrize(
    "code",
    [
        "H29",
        "000.00.31.h29",
        "00.00.31.H29",
        "000.0.31.H29",
        "000.00.31.X29",
        "000.00.31.H2",
        "000.01.00.H29",
        "001.00.31.H29",
        " 000.00.31.H29",
        29,
    ],
)
def test_invalid_codes(code):
    assert agency_code_errors(code)


def test_depth_and_parent_chain():
    code = parse_agency_code("002.01.31.H29")
    chain = []
    while code is not None:
        chain.append((str(code), code.depth))
        code = code.parent
    assert chain == [
        ("002.01.31.H29", 4),
        ("000.01.31.H29", 3),
        ("000.00.31.H29", 2),
        ("000.00.00.H29", 1),
    ]


def test_parse_rejects_bad_code_with_vietnamese_reason():
    with pytest.raises(ValueError, match="định dạng"):
        parse_agency_code("31.H29")


def agency(**overrides):
    base = {
        "code": "000.00.21.H26",
        "name": "Ủy ban nhân dân phường Hoàn Kiếm",
        "kind": "ubnd_xa",
        "province": "01",
        "parent": "000.00.00.H26",
    }
    return {**base, **overrides}


def test_valid_agency_has_no_errors():
    assert validate_agency(agency()) == {}


def test_parent_must_follow_from_the_code():
    errors = validate_agency(agency(parent="000.00.00.H29"))
    assert list(errors) == ["parent"]


def test_level_two_agency_needs_a_parent():
    assert "parent" in validate_agency(agency(parent=None))


def test_root_agency_without_parent_is_valid():
    assert validate_agency(agency(code="000.00.00.H26", parent=None, kind="ubnd_tinh")) == {}


def test_field_level_errors_for_code_province_kind_and_name():
    errors = validate_agency(agency(code="H26-21", province="1", kind="phuong", name=" "))
    assert set(errors) == {"code", "province", "kind", "name"}


def test_ancestors_are_listed_from_level_one_down():
    assert parse_agency_code("002.01.31.H29").ancestors == [
        "000.00.00.H29",
        "000.00.31.H29",
        "000.01.31.H29",
    ]
    assert parse_agency_code("000.00.00.H29").ancestors == []
