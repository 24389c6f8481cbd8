"""Password strength rules and argon2id hashing."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
MAX_LENGTH = 128
PASSPHRASE_LENGTH = 16  # long passphrases need no character classes

# A short deny-list of the passwords most seen in Vietnamese leaks; the length rule
# already excludes most of the rest.
COMMON_PASSWORDS = frozenset(
    {
        "1234567890",
        "12345678910",
        "0123456789",
        "1111111111",
        "123456789a",
        "qwertyuiop",
        "matkhau123",
        "matkhau1234",
        "password123",
        "password1234",
        "iloveyou123",
        "anhyeuem123",
        "abc1234567",
        "abcd123456",
        "admin12345",
        "motcua12345",
        "vietnam123",
        "vietnam1234",
        "a123456789",
        "123456789abc",
    }
)

MSG_TOO_SHORT = f"Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự."
MSG_TOO_LONG = f"Mật khẩu không được dài quá {MAX_LENGTH} ký tự."
MSG_CLASSES = (
    "Mật khẩu cần có ít nhất 3 trong 4 loại ký tự: chữ thường, chữ hoa, chữ số, ký tự đặc biệt "
    f"(hoặc dài từ {PASSPHRASE_LENGTH} ký tự trở lên)."
)
MSG_COMMON = "Mật khẩu quá phổ biến, vui lòng chọn mật khẩu khác."
MSG_PERSONAL = "Mật khẩu không được chứa số CCCD, số điện thoại hoặc email của bạn."


def _classes(password: str) -> int:
    return sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )


def password_problems(password: str, personal: tuple[str, ...] = ()) -> list[str]:
    """Vietnamese messages for every rule the password breaks; empty when acceptable.

    ``personal`` holds the user's identifiers (CCCD, phone digits, email local part) that
    must not appear inside the password.
    """
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(MSG_TOO_SHORT)
    if len(password) > MAX_LENGTH:
        problems.append(MSG_TOO_LONG)
    if len(password) < PASSPHRASE_LENGTH and _classes(password) < 3:
        problems.append(MSG_CLASSES)
    if password.lower() in COMMON_PASSWORDS:
        problems.append(MSG_COMMON)
    lowered = password.lower()
    if any(len(item) >= 4 and item.lower() in lowered for item in personal if item):
        problems.append(MSG_PERSONAL)
    return problems


class PasswordHashing:
    """argon2id hashes; ``dummy_verify`` keeps timing equal when no account exists."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()  # argon2id, RFC 9106 low-memory profile
        self._dummy = self._hasher.hash("motcua-dummy-password")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)

    def dummy_verify(self, password: str) -> None:
        self.verify(self._dummy, password)
