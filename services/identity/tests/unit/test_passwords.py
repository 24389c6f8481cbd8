from argon2 import PasswordHasher

from identity.domain import passwords
from identity.domain.passwords import PasswordHashing, password_problems


def test_strong_password_accepted():
    assert password_problems("Hoa-Sen-2026!") == []


def test_long_passphrase_needs_no_classes():
    assert password_problems("mot cua mot dau moi nhe") == []


def test_short_password_rejected():
    assert passwords.MSG_TOO_SHORT in password_problems("Ab1!")


def test_too_long_rejected():
    assert passwords.MSG_TOO_LONG in password_problems("Aa1!" * 40)


def test_single_class_rejected():
    assert password_problems("abcdefghijk") == [passwords.MSG_CLASSES]


def test_common_password_rejected():
    assert passwords.MSG_COMMON in password_problems("Matkhau123")


def test_password_containing_personal_data_rejected():
    assert password_problems("X!001090012345", ("001090012345",)) == [passwords.MSG_PERSONAL]


def test_hash_is_argon2id_and_verifies():
    hashing = PasswordHashing(PasswordHasher(time_cost=1, memory_cost=1024))
    stored = hashing.hash("Hoa-Sen-2026!")
    assert stored.startswith("$argon2id$")
    assert hashing.verify(stored, "Hoa-Sen-2026!")
    assert not hashing.verify(stored, "hoa-sen-2026!")
    assert not hashing.verify("not-a-hash", "x")
