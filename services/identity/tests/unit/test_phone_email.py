import pytest

from identity.domain.email import InvalidEmail, mask_email, normalise_email
from identity.domain.phone import InvalidPhone, mask_phone, normalise_phone


@pytest.mark.parametrize(
    "raw",
    [
        "0912345678",
        "+84912345678",
        "84912345678",
        "0084912345678",
        "0912 345 678",
        "+84 912.345.678",
        "091-234-5678",
        "+84 0912345678",
    ],
)
def test_all_forms_normalise_to_e164(raw):
    assert normalise_phone(raw) == "+84912345678"


@pytest.mark.parametrize("prefix", ["03", "05", "07", "08", "09"])
def test_mobile_families_accepted(prefix):
    assert normalise_phone(prefix + "12345678").startswith("+84" + prefix[1])


@pytest.mark.parametrize(
    "raw",
    [
        "0212345678",  # landline-style prefix
        "0112345678",
        "0412345678",
        "0612345678",
        "091234567",  # too short
        "09123456789",  # too long
        "+85912345678",  # another country
        "09123a5678",
        "",
        "+84",
    ],
)
def test_invalid_numbers_rejected(raw):
    with pytest.raises(InvalidPhone, match="Số điện thoại"):
        normalise_phone(raw)


def test_mask_phone():
    assert mask_phone("+84912345678") == "+8491****678"


def test_email_is_lower_cased_and_trimmed():
    assert normalise_email("  Nguyen.Van.A@Example.VN ") == "nguyen.van.a@example.vn"


@pytest.mark.parametrize("raw", ["a@b", "no-at.example.vn", "a..b@example.vn", "a@-x.vn", "@x.vn"])
def test_invalid_email(raw):
    with pytest.raises(InvalidEmail):
        normalise_email(raw)


def test_mask_email():
    assert mask_email("nguyen@example.vn") == "n***@example.vn"
