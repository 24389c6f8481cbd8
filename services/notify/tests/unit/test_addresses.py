from notify.domain.addresses import address_variants


def test_a_vietnamese_mobile_number_matches_in_national_and_international_form():
    expected = ["+84912345678", "0912345678", "84912345678"]
    assert set(expected) <= set(address_variants("0912 345 678"))
    assert set(expected) <= set(address_variants("+84912345678"))
    assert set(expected) <= set(address_variants("84912345678"))


def test_emails_match_in_any_case():
    assert "lan@example.vn" in address_variants("Lan@Example.VN")


def test_anything_else_is_matched_as_given():
    assert address_variants("user-42") == ["user-42"]
