import pytest

from tracking.domain.privacy import hash_cccd, is_valid_cccd, mask_name


@pytest.mark.parametrize(("name", "masked"), [
    ("Nguyễn Văn An", "Nguyễn V** A*"),
    ("Trần Thị Minh Khai", "Trần T** M** K*"),
    ("Lê Hùng", "Lê H*"),
    ("Hùng", "H*"),
    ("  Phạm   Ánh  ", "Phạm Á*"),
])
def test_mask_keeps_family_name_and_initials_with_fixed_stars(name, masked):
    assert mask_name(name) == masked


def test_mask_does_not_reveal_word_length():
    assert mask_name("Nguyễn Văn An") == mask_name("Nguyễn Vinh Anh")
    assert len(mask_name("Ngô Bảo Châu")) == len(mask_name("Ngô Ba Cu"))


def test_mask_of_decomposed_unicode_uses_whole_first_letter():
    decomposed = "Nguye\u0302\u0303n \u0110a\u0300o"  # combining marks
    assert mask_name(decomposed) == "Nguyễn Đ*"


def test_mask_of_missing_name_is_missing():
    assert mask_name(None) is None
    assert mask_name("") == ""


def test_cccd_hash_is_keyed_and_stable():
    assert hash_cccd("079203001234", "k1") == hash_cccd("079 203 001 234", "k1")
    assert hash_cccd("079203001234", "k1") != hash_cccd("079203001234", "k2")
    assert "079203001234" not in hash_cccd("079203001234", "k1")
    assert len(hash_cccd("079203001234", "k1")) == 64


@pytest.mark.parametrize(("value", "valid"), [
    ("079203001234", True), ("07920300123", False), ("0792030012345", False),
    ("07920300123a", False), ("", False),
])
def test_cccd_format(value, valid):
    assert is_valid_cccd(value) is valid
